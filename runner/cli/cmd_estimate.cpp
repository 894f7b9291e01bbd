// `evalrun estimate`: calls, tokens and credit of a job before anything is sent, calibrated by
// earlier runs' real usage with --history. `run --dry-run` prints the same.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "estimate/estimate.h"
#include "report/estimate_report.h"

namespace evalrun {

bool PrintEstimate(const Job& job, const PricingTable& pricing, std::optional<long long> limit,
                   const Shard& shard, const std::vector<std::string>& history_dirs, bool json) {
  std::optional<History> history;
  if (!history_dirs.empty()) {
    auto loaded = LoadHistory(history_dirs);
    if (!loaded.ok()) {
      fmt::print(stderr, "error: {}\n", loaded.status().message());
      return false;
    }
    history = std::move(loaded.value());
    if (history->records() == 0)
      fmt::print(stderr, "warning: the history has no call with usage; nothing is calibrated\n");
  }
  auto estimate = EstimateJob(job, pricing, limit, shard, history ? &*history : nullptr);
  if (!estimate.ok()) {
    fmt::print(stderr, "error: {}\n", estimate.status().message());
    return false;
  }
  fmt::print("{}", json ? EstimateToJson(*estimate) : EstimateToText(job, *estimate));
  return true;
}

int EstimateCommand(const EstimateArgs& args) {
  std::optional<Job> job = LoadJobOrReport(args.job_file, args.sets);
  if (!job) return kExitBadInput;
  Shard shard;
  if (!ParseShardOrReport(args.shard, &shard)) return kExitBadInput;
  PricingTable pricing;
  if (LoadPricingOrReport(*job, &pricing) > 0) return kExitBadInput;
  DatasetPlan plan;
  if (ScanJobDatasets(&*job, args.limit, shard, 100, /*hash=*/false, &plan) > 0)
    return kExitBadInput;
  return PrintEstimate(*job, pricing, args.limit, shard, args.history, args.json) ? kExitOk
                                                                                  : kExitBadInput;
}

}  // namespace evalrun
