// `evalrun report`: rebuilds summary.json and report.md from results.jsonl of one run directory,
// counting each call's latest record (a failed call that a resume completed counts once).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/clock.h"
#include "common/files.h"
#include "report/gates.h"
#include "report/report_files.h"
#include "report/summary.h"
#include "results/manifest.h"
#include "results/prior_results.h"

namespace evalrun {

int ReportCommand(const std::vector<std::string>& run_dirs, const std::string& out_dir) {
  if (run_dirs.size() != 1) {
    fmt::print(stderr, "error: merging several run directories (shards) is not supported yet\n");
    return kExitBadInput;
  }
  const std::string& dir = run_dirs[0];
  auto manifest = ReadManifest(dir);
  if (!manifest.ok()) {
    fmt::print(stderr, "error: {}\n", manifest.status().message());
    return kExitBadInput;
  }
  RunInfo info;
  info.run_id = manifest->run_id;
  info.job = manifest->job_name;
  info.started_at = manifest->started_at;
  info.finished_at = manifest->finished_at;
  SystemTime a, b;
  if (ParseRfc3339Ms(info.started_at, &a) && ParseRfc3339Ms(info.finished_at, &b)) {
    info.wall_s = std::chrono::duration<double>(b - a).count();
  }
  SummaryBuilder builder;
  auto skipped = AddLatestRecords(dir + "/results.jsonl", &builder);
  if (!skipped.ok()) {
    fmt::print(stderr, "error: {}\n", skipped.status().message());
    return kExitBadInput;
  }
  if (skipped.value() > 0) {
    fmt::print(stderr, "warning: {}/results.jsonl: skipped {} line(s) that are not whole records\n",
               dir, skipped.value());
  }
  const std::string out = out_dir.empty() ? dir : out_dir;
  if (Status s = MakeDirs(out); !s.ok()) {
    fmt::print(stderr, "error: {}\n", s.message());
    return kExitBadInput;
  }
  std::vector<std::string> not_written;
  // The gates come from the effective job in the manifest: the job file itself may be gone.
  Summary summary = builder.Build(info);
  summary.gates = EvaluateGates(manifest->gates, summary.models);
  if (Status s = WriteReports(dir, out, summary, {"json", "md", "csv", "junit"}, &not_written);
      !s.ok()) {
    fmt::print(stderr, "error: {}\n", s.message());
    return kExitStopped;
  }
  fmt::print("reports: {}\n", out);
  return kExitOk;
}

}  // namespace evalrun
