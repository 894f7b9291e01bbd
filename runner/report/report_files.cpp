#include "report/report_files.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "common/files.h"
#include "report/gates.h"
#include "report/junit_xml.h"
#include "report/report_html.h"
#include "report/report_md.h"
#include "report/results_csv.h"
#include "report/summary_json.h"
#include "results/prior_results.h"

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

Result<WrittenReports> WriteReports(const ReportSpec& spec) {
  std::optional<ResultsCsvWriter> csv;
  if (Wants(spec, ReportFormat::kCsv)) {
    csv.emplace();
    if (Status s = csv->Open(spec.out_dir + "/results.csv", spec.score_names); !s.ok()) return s;
  }
  JunitXmlWriter junit;
  SummaryBuilder builder;
  Status io;
  std::function<void(const CallRecord&)> every;
  if (csv) {
    every = [&](const CallRecord& r) {
      if (io.ok()) io = csv->Add(r);
    };
  }
  auto scanned = ScanResults(
      spec.run_dir + "/results.jsonl", spec.may_repeat, every,
      [&](const CallRecord& r) {
        builder.Add(r);
        junit.Add(r);
      },
      [&] {  // a call had several records: count only the latest of each
        builder = SummaryBuilder();
        junit = JunitXmlWriter();
      });
  if (!scanned.ok()) return scanned.status();
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
