// `evalrun compare BASE NEW`: the new run against the base run of the same datasets, row by row;
// exit 1 when some model is significantly worse (the CI check "did this change make it worse").
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/job_loading.h"
#include "common/files.h"
#include "report/run_comparison.h"

namespace evalrun {
namespace {

struct CompareArgs {
  std::string base_dir, new_dir;
  std::string score;
  double max_regression = 0;
  bool json = false;
  std::string out_dir;
};

Status CompareCommand(const CompareArgs& args) {
  auto compared = CompareRuns(args.base_dir, args.new_dir,
                              args.score.empty() ? std::nullopt : std::optional(args.score),
                              args.max_regression);
  if (!compared.ok()) return compared.status();
  const std::string md = RunComparisonToMarkdown(*compared);
  const std::string json = RunComparisonToJson(*compared);
  fmt::print("{}", args.json ? json : md);
  if (!args.out_dir.empty()) {
    Status s = MakeDirs(args.out_dir);
    if (s.ok()) s = WriteFileAtomic(args.out_dir + "/compare.json", json);
    if (s.ok()) s = WriteFileAtomic(args.out_dir + "/compare.md", md);
    if (!s.ok()) return Status::InvalidInput(s.message());  // --out
  }
  // In a GitHub Actions step the verdict shows on the run's page too.
  if (const std::string step = GithubStepSummary(); !step.empty()) AppendBestEffort(step, md);
  for (const ModelComparison& m : compared->models) {
    if (m.regressed)
      fmt::print(stderr, "regression: {} on {}: {:+.3f} (p {:.3g})\n", m.comparison.a,
                 m.comparison.score, m.comparison.stats.diff, *m.comparison.stats.p_value);
  }
  return compared->regressed() ? Status::GateFailed("") : Status::Ok();
}

}  // namespace

CommandRun DeclareCompare(CLI::App& sub) {
  auto args = std::make_shared<CompareArgs>();
  sub.add_option("base_run", args->base_dir, "the base run directory (the last good run)")
      ->required();
  sub.add_option("new_run", args->new_dir, "the new run directory")->required();
  sub.add_option("--score", args->score, "compare only this score");
  sub.add_option("--max-regression", args->max_regression,
                 "a drop up to this much is not a regression (default 0)")
      ->check(CLI::NonNegativeNumber);
  sub.add_flag("--json", args->json, "print JSON instead of a table");
  sub.add_option("--out", args->out_dir, "also write compare.json and compare.md here");
  sub.footer(R"(Examples:
  evalrun compare runs/last-good runs/this-commit
  evalrun compare runs/last-good runs/this-commit --score exact --max-regression 0.02 --out cmp

Pairs the two runs' rows by (model label, dataset, row_id) for every model in both, with the
same paired statistics as summary.json's comparisons (diff = new - base). Exit status 1 when a
model is significantly worse (p < 0.05 and diff < -D), 0 otherwise, 2 when the runs' datasets
differ or a directory is not a run. report.md goes to $GITHUB_STEP_SUMMARY when it is set.)");
  return [args] { return CompareCommand(*args); };
}

}  // namespace evalrun
