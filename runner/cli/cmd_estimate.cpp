// `evalrun estimate`: calls, tokens and credit of a job before anything is sent, calibrated by
// earlier runs' real usage with --history. `run --dry-run` prints the same.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/job_loading.h"
#include "estimate/estimate.h"
#include "report/estimate_report.h"

namespace evalrun {

Status PrintEstimate(const Job& job, const PricingTable& pricing, std::optional<long long> limit,
                     const Shard& shard, const std::vector<std::string>& history_dirs, bool json) {
  std::optional<History> history;
  std::vector<Job> history_jobs;  // to count the history's prompts again, any dataset
  for (const auto& dir : history_dirs) {
    if (auto manifest = ReadManifest(dir); manifest.ok())
      if (auto h = RowViewJob(*manifest)) history_jobs.push_back(std::move(*h));
  }
  if (!history_dirs.empty()) {
    auto loaded = LoadHistory(history_dirs);
    if (!loaded.ok()) return Status::InvalidInput(loaded.status().message());
    history = std::move(loaded.value());
    if (history->records() == 0)
      fmt::print(stderr, "warning: the history has no call with usage; nothing is calibrated\n");
  }
  auto estimate =
      EstimateJob(job, pricing, limit, shard, history ? &*history : nullptr, history_jobs);
  if (!estimate.ok()) return Status::InvalidInput(estimate.status().message());
  fmt::print("{}", json ? EstimateToJson(*estimate) : EstimateToText(job, *estimate));
  return Status::Ok();
}

namespace {

struct EstimateArgs {
  std::string job_file;
  std::vector<std::string> sets;
  std::vector<std::string> history;  // run directories whose real usage calibrates the estimate
  long long limit = -1;
  std::string shard;
  bool json = false;
};

Status EstimateCommand(const EstimateArgs& args) {
  auto job = LoadJob(args.job_file, args.sets);
  if (!job.ok()) return job.status();
  auto shard = ParseShardFlag(args.shard);
  if (!shard.ok()) return shard.status();
  auto pricing = LoadPricing(*job);
  if (!pricing.ok()) return pricing.status();
  const std::optional<long long> limit =
      args.limit >= 0 ? std::optional<long long>(args.limit) : std::nullopt;
  auto plan = ScanJobDatasets(&*job, limit, *shard, 100, /*hash=*/false);
  if (!plan.ok()) return plan.status();
  return PrintEstimate(*job, *pricing, limit, *shard, args.history, args.json);
}

}  // namespace

CommandRun DeclareEstimate(CLI::App& sub) {
  auto args = std::make_shared<EstimateArgs>();
  sub.add_option("job", args->job_file, "the job file (YAML)")->required();
  sub.add_option("--history", args->history,
                 "earlier run directories whose real usage calibrates the estimate");
  sub.add_flag("--json", args->json, "print JSON instead of a table");
  sub.add_option("--set", args->sets, "override a job key by dotted path");
  sub.add_option("--limit", args->limit, "first N rows of each dataset")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--shard", args->shard, "only shard I of N, as `run --shard I/N`");
  sub.footer(R"(Examples:
  evalrun estimate job.yaml
  evalrun estimate job.yaml --history reports/my-job/20261125T093602Z   calibrated by a real run
  evalrun estimate job.yaml --json | jq .total.worst_usd

Prompt tokens follow a stated rule (1 per 4 bytes of text, 4 per message, 3 per call) that
--history scales to the API's real counts; expected output tokens come from the history, else
the row's reference answer, else half of max_tokens. The worst case counts every request byte
as a token plus max_tokens: the bound budget_usd enforces. No API key is needed.)");
  return [args] { return EstimateCommand(*args); };
}

}  // namespace evalrun
