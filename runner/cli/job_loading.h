// Loading a job for a command: --set overrides, parsing, and printing every problem as
// FILE:LINE:COL on stderr. Shared by run, validate, estimate and models.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dataset/shard.h"
#include "engine/curl_transport.h"
#include "job/job.h"
#include "money/pricing.h"
#include "results/manifest.h"

namespace evalrun {

/// The parsed job, or nullopt after printing its problems.
std::optional<Job> LoadJobOrReport(const std::string& file, const std::vector<std::string>& sets);

/// --shard I/N into `shard` (an empty text: every row); false after printing what is wrong.
bool ParseShardOrReport(const std::string& text, Shard* shard);

/// Reads the job's pricing_file (none: an empty table); prints each problem and returns how many.
size_t LoadPricingOrReport(const Job& job, PricingTable* pricing);

/// What a job's datasets hold once every row has been read.
struct DatasetPlan {
  std::vector<DatasetFingerprint> datasets;
  long long calls = 0;
};

/// Reads every row the run will use (limits and shard applied) before anything is sent, so a bad
/// row costs nothing; prints each problem (at most `max_problems` a dataset) as FILE:LINE:COL.
/// A job without models gets them from the rows' body.model here. With `hash`, each dataset's
/// SHA-256 is taken for the manifest. Returns how many problems it found.
size_t ScanJobDatasets(Job* job, std::optional<long long> cli_limit, const Shard& shard,
                       size_t max_problems, bool hash, DatasetPlan* plan);

/// $GITHUB_STEP_SUMMARY, or "" outside a GitHub Actions step: the CLI alone reads it.
std::string GithubStepSummary();

/// Why a plan holds no call, for the "nothing to run" message: the datasets without rows, the
/// shard, a job without models.
std::string EmptyPlanReason(const Job& job, const DatasetPlan& plan, const Shard& shard);

/// Prints a warning for each dataset of the plan that has no rows (validate, run).
void WarnEmptyDatasets(const Job& job, const DatasetPlan& plan);

/// Transport settings of an endpoint, with the key in the Authorization header.
TransportOptions TransportOptionsFor(const Endpoint& endpoint, const std::string& api_key);

/// Raises the open-file limit to its hard maximum: thousands of connections need thousands of fds.
void RaiseFileLimit();

}  // namespace evalrun
