// `evalrun report`: rebuilds summary.json and report.md from results.jsonl of one run directory.
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <filesystem>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/clock.h"
#include "common/files.h"
#include "dataset/jsonl_reader.h"
#include "report/report_files.h"
#include "report/summary.h"

namespace evalrun {
namespace {

std::string Str(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

}  // namespace

int ReportCommand(const std::vector<std::string>& run_dirs, const std::string& out_dir) {
  if (run_dirs.size() != 1) {
    fmt::print(stderr, "error: merging several run directories (shards) is not supported yet\n");
    return kExitBadInput;
  }
  const std::string& dir = run_dirs[0];
  auto manifest_text = ReadWholeFile(dir + "/manifest.json");
  if (!manifest_text.ok()) {
    fmt::print(stderr, "error: {}: not a run directory ({})\n", dir,
               manifest_text.status().message());
    return kExitBadInput;
  }
  rapidjson::Document manifest;
  manifest.Parse(manifest_text.value().c_str());
  if (manifest.HasParseError() || !manifest.IsObject()) {
    fmt::print(stderr, "error: {}/manifest.json is not valid JSON\n", dir);
    return kExitBadInput;
  }
  RunInfo info;
  info.run_id = Str(manifest, "run_id");
  info.started_at = Str(manifest, "started_at");
  info.finished_at = Str(manifest, "finished_at");
  std::vector<std::string> formats = {"json", "md"};
  if (auto job = manifest.FindMember("job"); job != manifest.MemberEnd() && job->value.IsObject()) {
    info.job = Str(job->value, "name");
  }
  SystemTime a, b;
  if (ParseRfc3339Ms(info.started_at, &a) && ParseRfc3339Ms(info.finished_at, &b)) {
    info.wall_s = std::chrono::duration<double>(b - a).count();
  }

  JsonlReader reader;
  if (Status s = reader.Open(dir + "/results.jsonl"); !s.ok()) {
    fmt::print(stderr, "error: {}\n", s.message());
    return kExitBadInput;
  }
  SummaryBuilder builder;
  std::string_view line;
  long long line_no = 0, skipped = 0;
  CallRecord record;
  while (reader.Next(&line, &line_no)) {
    if (RecordFromJson(line, &record))
      builder.Add(record);
    else
      ++skipped;
  }
  if (skipped > 0)
    fmt::print(stderr, "warning: {}/results.jsonl: skipped {} line(s) that are not whole records\n",
               dir, skipped);
  const std::string out = out_dir.empty() ? dir : out_dir;
  if (Status s = MakeDirs(out); !s.ok()) {
    fmt::print(stderr, "error: {}\n", s.message());
    return kExitBadInput;
  }
  std::vector<std::string> not_written;
  if (Status s = WriteReports(out, builder.Build(info), formats, &not_written); !s.ok()) {
    fmt::print(stderr, "error: {}\n", s.message());
    return kExitStopped;
  }
  fmt::print("reports: {}\n", out);
  return kExitOk;
}

}  // namespace evalrun
