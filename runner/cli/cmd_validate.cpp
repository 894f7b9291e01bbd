// `evalrun validate`: the job and every row of every dataset, each problem as FILE:LINE:COL.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/job_loading.h"
#include "dataset/dataset_scan.h"

namespace evalrun {
namespace {

Status ValidateCommand(const std::string& job_file, const std::vector<std::string>& sets) {
  auto job = LoadJob(job_file, sets);
  if (!job.ok()) return job.status();
  // Both are read, so one pass shows the problems of the pricing file and of every dataset.
  auto pricing = LoadPricing(*job);
  auto plan = ScanJobDatasets(&*job, std::nullopt, Shard{}, 1000, /*hash=*/false);
  if (!pricing.ok()) return pricing.status();
  if (!plan.ok()) return plan.status();
  long long rows = 0;
  for (const auto& d : plan->datasets) rows += d.rows;
  WarnEmptyDatasets(*job, *plan);
  fmt::print("{}: ok ({} models, {} datasets, {} rows)\n", job_file, job->models.size(),
             job->datasets.size(), rows);
  return Status::Ok();
}

}  // namespace

CommandRun DeclareValidate(CLI::App& sub) {
  auto job = std::make_shared<std::string>();
  auto sets = std::make_shared<std::vector<std::string>>();
  sub.add_option("job", *job, "the job file (YAML)")->required();
  sub.add_option("--set", *sets, "override a job key by dotted path");
  sub.footer(R"(Examples:
  evalrun validate job.yaml
  evalrun validate job.yaml --set 'models=[meta-llama/Llama-3.1-8B-Instruct]'

Every problem is printed as FILE:LINE:COL: message (editors and CI annotations jump to it);
exit status 2 when there is any. No API key is needed.)");
  return [job, sets] { return ValidateCommand(*job, *sets); };
}

}  // namespace evalrun
