// WriteReports: every report of a run directory from its records, through a RecordTally: each
// call's latest record goes into the Summary and, when it failed, junit.xml; every record becomes
// a row of results.csv. `report`, and `run` when it resumed or has judges, feed the tally from
// one scan of results.jsonl (ScanResults); a fresh run without judges hands in the tally it fed
// as it wrote each record. Both count the same way. Each file is replaced atomically.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "job/job.h"
#include "report/record_tally.h"
#include "report/summary.h"

namespace evalrun {

struct ReportSpec {
  std::string run_dir;                   // holds results.jsonl
  std::string out_dir;                   // receives the reports
  std::vector<ReportFormat> formats;     // of output.formats; summary.json is always written
  std::vector<std::string> score_names;  // the job's scorers: results.csv's score columns
  RunInfo run;
  GateSpec gates;
  bool may_repeat = true;  // false for a fresh run: one record a call, nothing to deduplicate
  /// report.md is appended to this file too when set: the CLI hands in $GITHUB_STEP_SUMMARY.
  std::string step_summary;
  std::string compare_baseline;  // the job's compare.baseline: "" compares every pair
  /// For the row views' prompts and order (may be null): the job, and each dataset's SHA-256 as
  /// the run read it, so a dataset changed since is not shown as if it were the run's.
  const Job* job = nullptr;
  std::map<std::string, std::string> dataset_sha256;
  std::vector<std::string> judge_names;  // the job's judge scorers
  /// Fed with every record of results.jsonl as it was written (may be null: the file is read).
  /// Its results.csv, if any, is closed here.
  RecordTally* tally = nullptr;
};

struct WrittenReports {
  Summary summary;              // gates judged
  long long skipped_lines = 0;  // lines of results.jsonl that are not whole records
};

/// Writes summary.json and each of report.md, report.html, results.csv and junit.xml that
/// `formats` asks for; report.md is also appended to `spec.step_summary` when set.
Result<WrittenReports> WriteReports(const ReportSpec& spec);

/// The names the job's scorers give their scores, in job order.
std::vector<std::string> ScoreNames(const std::vector<ScorerSpec>& scoring);

/// The names of the job's judge scorers.
std::vector<std::string> JudgeNames(const std::vector<ScorerSpec>& scoring);

}  // namespace evalrun
