#include "report/report_files.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <unordered_map>

#include "common/files.h"
#include "report/gates.h"
#include "report/junit_xml.h"
#include "report/report_html.h"
#include "report/report_md.h"
#include "report/results_csv.h"
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
  std::optional<ResultsCsvWriter> csv;
  if (Wants(spec, ReportFormat::kCsv)) {
    csv.emplace();
    if (Status s = csv->Open(spec.out_dir + "/results.csv", spec.score_names); !s.ok()) return s;
  }
  JunitXmlWriter junit;
  SummaryBuilder builder;
  builder.SetJudges(spec.judge_names);
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
  Status io;
  std::function<void(const CallRecord&)> every;
  if (csv) {
    every = [&](const CallRecord& r) {
      if (io.ok()) io = csv->Add(with_verdicts(r));
    };
  }
  auto scanned = ScanResults(
      spec.run_dir + "/results.jsonl", spec.may_repeat, every,
      [&](const CallRecord& r) {
        builder.Add(with_verdicts(r));
        junit.Add(r);
      },
      [&] {  // a call had several records: count only the latest of each
        builder = SummaryBuilder();
        builder.SetJudges(spec.judge_names);
        junit = JunitXmlWriter();
      });
  if (!scanned.ok()) return scanned.status();
  if (Status s = ForEachLatestVerdict(spec.run_dir,
                                      [&](const VerdictRecord& v) { builder.AddVerdict(v); });
      !s.ok())
    return s;
  if (!io.ok()) return io;
  if (csv) {
    if (Status s = csv->Close(); !s.ok()) return s;
  }
  WrittenReports out{builder.Build(spec.run, spec.compare_baseline), scanned.value()};
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
    if (Status s = junit.Write(spec.out_dir + "/junit.xml", summary); !s.ok()) return s;
  }
  return out;
}

}  // namespace evalrun
