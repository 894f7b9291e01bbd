// The subcommands of `evalrun`, each a function from parsed arguments to an exit status. main.cpp
// wires them to CLI11; they print results on stdout and messages on stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dataset/shard.h"
#include "job/job.h"
#include "mock/mock_server.h"
#include "money/pricing.h"

namespace evalrun {

struct RunArgs {
  std::string job_file;
  std::string out_dir;
  std::string resume_dir;  // --resume: continue the run in this directory
  std::string shard;       // --shard I/N
  bool no_cache = false;   // --no-cache
  std::vector<std::string> sets;
  std::optional<long long> limit;
  std::optional<int> concurrency;
  bool dry_run = false;
  std::string progress = "auto";
};

struct ModelsArgs {
  std::string job_file;
  std::string base_url;
  std::vector<std::string> sets;
};

struct EstimateArgs {
  std::string job_file;
  std::vector<std::string> sets;
  std::vector<std::string> history;  // run directories whose real usage calibrates the estimate
  std::optional<long long> limit;
  std::string shard;
  bool json = false;
};

int RunCommand(const RunArgs& args);
int EstimateCommand(const EstimateArgs& args);
int ValidateCommand(const std::string& job_file, const std::vector<std::string>& sets);
int ModelsCommand(const ModelsArgs& args);
int MockServerCommand(const MockServerOptions& options);
/// Prints the estimate of a loaded, scanned job on stdout (`estimate`, `run --dry-run`); false
/// after printing why it cannot be made.
bool PrintEstimate(const Job& job, const PricingTable& pricing, std::optional<long long> limit,
                   const Shard& shard, const std::vector<std::string>& history_dirs, bool json);

int ReportCommand(const std::vector<std::string>& run_dirs, const std::string& out_dir);

}  // namespace evalrun
