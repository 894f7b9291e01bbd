// `evalrun validate`: the job and every row of every dataset, each problem as FILE:LINE:COL.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "dataset/dataset_scan.h"
#include "money/pricing.h"

namespace evalrun {

int ValidateCommand(const std::string& job_file, const std::vector<std::string>& sets) {
  std::optional<Job> job = LoadJobOrReport(job_file, sets);
  if (!job) return kExitBadInput;
  PricingTable pricing;
  size_t problems = LoadPricingOrReport(*job, &pricing);
  DatasetPlan plan;
  problems += ScanJobDatasets(&*job, std::nullopt, Shard{}, 1000, /*hash=*/false, &plan);
  long long rows = 0;
  for (const auto& d : plan.datasets) rows += d.rows;
  if (problems > 0) {
    fmt::print(stderr, "{}: {} problem{}\n", job_file, problems, problems == 1 ? "" : "s");
    return kExitBadInput;
  }
  WarnEmptyDatasets(*job, plan);
  fmt::print("{}: ok ({} models, {} datasets, {} rows)\n", job_file, job->models.size(),
             job->datasets.size(), rows);
  return kExitOk;
}

}  // namespace evalrun
