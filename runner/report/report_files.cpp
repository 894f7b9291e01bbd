#include "report/report_files.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "common/files.h"
#include "report/gates.h"
#include "report/junit_xml.h"
#include "report/record_tally.h"
#include "report/report_html.h"
#include "report/report_md.h"
#include "report/summary_json.h"
#include "results/prior_results.h"
#include "results/verdict_record.h"

namespace evalrun {
namespace {

bool Wants(const ReportSpec& spec, ReportFormat format) {
  return std::find(spec.formats.begin(), spec.formats.end(), format) != spec.formats.end();
}

Status WriteMarkdown(const std::string& path, const std::string& md, const std::string& step) {
  Status s = WriteFileAtomic(path, md);
  // In a GitHub Actions step, the comparison shows on the run's page too.
  if (s.ok() && !step.empty()) AppendBestEffort(step, md);
  return s;
}

/// Feeds `tally` from results.jsonl, each judge's verdict joined to its graded record. Returns
/// how many lines were not whole records.
Result<long long> TallyResultsFile(const ReportSpec& spec, RecordTally& tally) {
  // A judge's score lives in verdicts.jsonl, saved as it came: joined to its graded record here,
  // so every report (and results.csv) shows it like any score. 24 bytes or so a verdict.
  std::unordered_map<uint64_t, std::vector<std::pair<uint16_t, double>>> judged;
  std::vector<std::string> judges;
  if (Status s = ForEachLatestVerdict(
          spec.run_dir,
          [&](const VerdictRecord& v) {
            if (!v.ok()) return;
            auto it = std::find(judges.begin(), judges.end(), v.judge);
            if (it == judges.end()) it = judges.insert(judges.end(), v.judge);
            judged[CallKey(v.model, v.dataset, v.row_id, v.repeat)].emplace_back(
                static_cast<uint16_t>(it - judges.begin()), *v.score);
          });
      !s.ok())
    return s;
  CallRecord joined;
  auto with_verdicts = [&](const CallRecord& r) -> const CallRecord& {
    if (judged.empty() || !r.ok()) return r;
    auto it = judged.find(CallKey(r));
    if (it == judged.end()) return r;
    joined = r;
    for (const auto& [judge, score] : it->second) joined.scores[judges[judge]] = score;
    return joined;
  };
  return ScanResults(
      spec.run_dir + "/results.jsonl", spec.may_repeat,
      [&](const CallRecord& r) { tally.AddRow(with_verdicts(r)); },
      [&](const CallRecord& r) { tally.AddLatest(with_verdicts(r)); },
      [&] { tally.RestartLatest(); });  // a call had several records: count only the latest
}

}  // namespace

std::vector<std::string> ScoreNames(const std::vector<ScorerSpec>& scoring) {
  std::vector<std::string> names;
  for (const auto& s : scoring) {
    if (std::find(names.begin(), names.end(), s.name) == names.end()) names.push_back(s.name);
  }
  return names;
}

std::vector<std::string> JudgeNames(const std::vector<ScorerSpec>& scoring) {
  std::vector<std::string> names;
  for (const auto& s : scoring) {
    if (s.judge) names.push_back(s.name);
  }
  return names;
}

Result<WrittenReports> WriteReports(const ReportSpec& spec) {
  RecordTally scanned_tally;
  RecordTally* tally = spec.tally;
  long long skipped = 0;
  if (!tally) {
    tally = &scanned_tally;
    if (Status s = tally->Open(spec.out_dir, spec.formats, spec.score_names, spec.judge_names);
        !s.ok())
      return s;
    auto scanned = TallyResultsFile(spec, *tally);
    if (!scanned.ok()) return scanned.status();
    skipped = scanned.value();
  }
  if (Status s = tally->Close(); !s.ok()) return s;
  SummaryBuilder& builder = tally->builder();
  if (Status s = ForEachLatestVerdict(spec.run_dir,
                                      [&](const VerdictRecord& v) { builder.AddVerdict(v); });
      !s.ok())
    return s;
  WrittenReports out{builder.Build(spec.run, spec.compare_baseline), skipped};
  out.summary.gates = EvaluateGates(spec.gates, out.summary.models);
  std::vector<std::string> labels;
  for (const ModelSummary& m : out.summary.models) labels.push_back(m.model);
  auto rows = CollectRowViews(builder.Rows(), labels,
                              {spec.run_dir + "/results.jsonl", spec.job, spec.dataset_sha256});
  if (!rows.ok()) return rows.status();
  out.summary.rows = std::move(rows.value());
  const Summary& summary = out.summary;
  // summary.json is what `report`, gates and CI read: written whatever `formats` says.
  if (Status s = WriteFileAtomic(spec.out_dir + "/summary.json", SummaryToJson(summary)); !s.ok())
    return s;
  if (Wants(spec, ReportFormat::kMd)) {
    if (Status s = WriteMarkdown(spec.out_dir + "/report.md", SummaryToMarkdown(summary),
                                 spec.step_summary);
        !s.ok())
      return s;
  }
  if (Wants(spec, ReportFormat::kHtml)) {
    if (Status s = WriteFileAtomic(spec.out_dir + "/report.html", SummaryToHtml(summary)); !s.ok())
      return s;
  }
  if (Wants(spec, ReportFormat::kJunit)) {
    if (Status s = tally->junit().Write(spec.out_dir + "/junit.xml", summary); !s.ok()) return s;
  }
  return out;
}

}  // namespace evalrun
