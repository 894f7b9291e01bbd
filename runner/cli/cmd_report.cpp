// `evalrun report`: rebuilds every report of a run from its results.jsonl, counting each call's
// latest record. Given several run directories (the shards of one job), it checks that they are
// shards of the same plan that do not overlap, and merges them into one run directory (--out).
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "cli/command.h"
#include "cli/job_loading.h"
#include "common/clock.h"
#include "common/files.h"
#include "dataset/shard.h"
#include "job/job_parser.h"
#include "report/gates.h"
#include "report/report_files.h"
#include "report/summary.h"
#include "results/manifest.h"
#include "results/prior_results.h"

namespace evalrun {
namespace {

/// Checks that `infos` are distinct shards of one plan; prints each reason they are not.
Status CheckShards(const std::vector<std::string>& dirs, const std::vector<ManifestInfo>& infos) {
  bool ok = true;
  std::set<long long> seen;
  long long count = 0;
  for (size_t i = 0; i < infos.size(); ++i) {
    for (const auto& change : PlanChanges(infos[0].plan_json, infos[i].plan_json)) {
      fmt::print(stderr, "error: {} is not a shard of the job in {}: {}\n", dirs[i], dirs[0],
                 change);
      ok = false;
    }
    Shard shard;
    if (!ParseShard(infos[i].shard, &shard)) {
      fmt::print(stderr,
                 "error: {} ran the whole job (no --shard); it overlaps every other directory\n",
                 dirs[i]);
      ok = false;
      continue;
    }
    if (count != 0 && shard.count != count) {
      fmt::print(stderr, "error: {} is shard {} but {} split the job {} ways\n", dirs[i],
                 infos[i].shard, dirs[0], count);
      ok = false;
    }
    count = shard.count;
    if (!seen.insert(shard.index).second) {
      fmt::print(stderr, "error: overlapping shards: shard {} appears twice ({})\n", infos[i].shard,
                 dirs[i]);
      ok = false;
    }
  }
  if (ok && static_cast<long long>(seen.size()) < count) {
    fmt::print(stderr, "warning: {} of {} shards given: the reports cover part of the job\n",
               seen.size(), count);
  }
  return ok ? Status::Ok() : Status::InvalidInput("the directories are not shards of one run");
}

/// Concatenates the shards' records into `out`/results.jsonl and writes a manifest for the merge.
Status MergeRunDirs(const std::vector<std::string>& dirs, const std::vector<ManifestInfo>& infos,
                    const std::string& out, RunInfo* info) {
  if (Status s = MakeDirs(out); !s.ok()) return s;
  std::string merged;
  for (const auto& dir : dirs) {
    auto text = ReadWholeFile(dir + "/results.jsonl");
    if (!text.ok()) return text.status();
    merged += text.value();
    if (!merged.empty() && merged.back() != '\n') merged.push_back('\n');  // a torn shard end
  }
  if (Status s = WriteFileAtomic(out + "/results.jsonl", merged); !s.ok()) return s;
  // The shards' judges' verdicts go with their records.
  std::string verdicts;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::exists(dir + "/verdicts.jsonl", ec)) continue;
    auto text = ReadWholeFile(dir + "/verdicts.jsonl");
    if (!text.ok()) return text.status();
    verdicts += text.value();
    if (!verdicts.empty() && verdicts.back() != '\n') verdicts.push_back('\n');
  }
  if (!verdicts.empty()) {
    if (Status s = WriteFileAtomic(out + "/verdicts.jsonl", verdicts); !s.ok()) return s;
  }
  Manifest m;
  m.run_id = infos[0].run_id + "-merged";
  m.job_json = infos[0].job_json.empty() ? "{}" : infos[0].job_json;
  m.job_dir = infos[0].job_dir;
  m.plan_json = infos[0].plan_json;
  m.datasets = infos[0].datasets;
  for (size_t i = 1; i < infos.size(); ++i) {
    for (size_t d = 0; d < m.datasets.size() && d < infos[i].datasets.size(); ++d)
      m.datasets[d].rows += infos[i].datasets[d].rows;
  }
  for (const auto& i : infos) m.planned_calls += i.planned_calls;
  m.started_at = infos[0].started_at;
  m.finished_at = infos[0].finished_at;
  for (const auto& i : infos) {
    m.started_at = std::min(m.started_at, i.started_at);  // RFC 3339 UTC strings sort by time
    m.finished_at = std::max(m.finished_at, i.finished_at);
  }
  info->run_id = m.run_id;
  info->started_at = m.started_at;
  info->finished_at = m.finished_at;
  return WriteFileAtomic(out + "/manifest.json", ManifestToJson(m));
}

Status ReportCommand(const std::vector<std::string>& run_dirs, const std::string& out_dir) {
  if (run_dirs.size() > 1 && out_dir.empty()) {
    return Status::InvalidInput(fmt::format(
        "merging {} run directories needs --out DIR for the merged run", run_dirs.size()));
  }
  std::vector<ManifestInfo> infos;
  for (const auto& dir : run_dirs) {
    auto manifest = ReadManifest(dir);
    if (!manifest.ok()) return Status::InvalidInput(manifest.status().message());
    infos.push_back(std::move(manifest.value()));
  }
  const ManifestInfo& first = infos[0];
  RunInfo info;
  info.run_id = first.run_id;
  info.job = first.job_name;
  info.started_at = first.started_at;
  info.finished_at = first.finished_at;
  std::string run_dir = run_dirs[0];
  const std::string out = out_dir.empty() ? run_dirs[0] : out_dir;
  if (run_dirs.size() > 1) {
    if (Status s = CheckShards(run_dirs, infos); !s.ok()) return s;
    if (Status s = MergeRunDirs(run_dirs, infos, out, &info); !s.ok()) return s;
    run_dir = out;
  }
  SystemTime a, b;
  if (ParseRfc3339Ms(info.started_at, &a) && ParseRfc3339Ms(info.finished_at, &b)) {
    info.wall_s = std::chrono::duration<double>(b - a).count();
  }
  if (Status s = MakeDirs(out); !s.ok()) return Status::InvalidInput(s.message());  // --out
  // Gates and scorers come from the effective job in the manifest: the job file may be gone.
  // The row views read the datasets through it too, where they are still where the job was.
  std::optional<Job> job = RowViewJob(first);
  auto written =
      WriteReports({run_dir, out, OutputSpec().formats, first.score_names, info, first.gates,
                    /*may_repeat=*/true, GithubStepSummary(), first.compare_baseline,
                    job ? &*job : nullptr, Sha256Of(first.datasets), first.judge_names});
  if (!written.ok()) return written.status();
  if (written->skipped_lines > 0) {
    fmt::print(stderr, "warning: {}/results.jsonl: skipped {} line(s) that are not whole records\n",
               run_dir, written->skipped_lines);
  }
  const Summary& summary = written->summary;
  fmt::print("reports: {}\n", out);
  if (NoCallSucceeded(summary))
    return Status::GateFailed(fmt::format("no call succeeded ({} calls)", summary.totals.calls));
  return AllPassed(summary.gates) ? Status::Ok() : Status::GateFailed("");
}

}  // namespace

CommandRun DeclareReport(CLI::App& sub) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  sub.add_option("run_dir", *dirs, "run directories; several (shards of one job) are merged")
      ->required();
  sub.add_option("--out", *out, "write the reports here instead");
  sub.footer(R"(Examples:
  evalrun report reports/my-job/20261125T093602Z
  evalrun report shard-0 shard-1 shard-2 shard-3 --out merged   shards of one run, merged

Rebuilds summary.json, report.md, report.html, results.csv and junit.xml from results.jsonl,
counting each call's latest record, and judges the gates recorded in manifest.json.)");
  return [dirs, out] { return ReportCommand(*dirs, *out); };
}

}  // namespace evalrun
