// `evalrun validate`: the job and every row of every dataset, each problem as FILE:LINE:COL.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "dataset/dataset_scan.h"
#include "report/pricing.h"

namespace evalrun {

int ValidateCommand(const std::string& job_file, const std::vector<std::string>& sets) {
  std::optional<Job> job = LoadJobOrReport(job_file, sets);
  if (!job) return kExitBadInput;
  size_t problems = 0;
  if (!job->pricing_file.empty()) {
    Diagnostics found;
    LoadPricingFile(job->pricing_file, &found);
    for (const auto& p : found) fmt::print(stderr, "{}\n", p.ToString());
    problems += found.size();
  }
  long long rows = 0;
  for (const auto& ds : job->datasets) {
    DatasetScan scan = ScanDataset(ds, job->prompt, std::nullopt, 1000);
    for (const auto& p : scan.problems) fmt::print(stderr, "{}\n", p.ToString());
    problems += scan.problems.size();
    rows += scan.rows;
  }
  if (problems > 0) {
    fmt::print(stderr, "{}: {} problem{}\n", job_file, problems, problems == 1 ? "" : "s");
    return kExitBadInput;
  }
  fmt::print("{}: ok ({} models, {} datasets, {} rows)\n", job_file, job->models.size(),
             job->datasets.size(), rows);
  return kExitOk;
}

}  // namespace evalrun
