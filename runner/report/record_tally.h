// RecordTally: what the reports take from the records of a run, fed in results.jsonl's order:
// every record is a row of results.csv; each call's latest record goes into the summary and, when
// it failed, junit.xml. WriteReports feeds one from a scan of results.jsonl. A fresh run without
// judges feeds one as it writes each record (each call has one, and the record is its line:
// RoundTimes), so its reports need no second read of the file and count what `evalrun report`
// counts from it. Keeps what the summary keeps (SummaryBuilder) and the failed calls' test cases.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "job/job.h"
#include "report/junit_xml.h"
#include "report/results_csv.h"
#include "report/summary.h"
#include "results/call_record.h"

namespace evalrun {

class RecordTally {
 public:
  /// Opens `out_dir`/results.csv when `formats` asks for it (score_<name> columns in the order
  /// of `score_names`); `judge_names` are the job's judge scorers.
  Status Open(const std::string& out_dir, const std::vector<ReportFormat>& formats,
              const std::vector<std::string>& score_names, std::vector<std::string> judge_names);
  /// A call's only record: a row of results.csv and the call's latest record.
  void Add(const CallRecord& record) {
    AddRow(record);
    AddLatest(record);
  }
  /// A row of results.csv (every record is one, in file order).
  void AddRow(const CallRecord& record);
  /// A call's latest record: into the summary and, when it failed, junit.xml.
  void AddLatest(const CallRecord& record);
  /// Forgets every latest record added (the scan found calls with several records, and hands
  /// over the latest of each again); results.csv's rows stay.
  void RestartLatest();
  /// Closes results.csv (renamed into place); the first write error since Open, if any.
  Status Close();

  SummaryBuilder& builder() { return builder_; }
  const JunitXmlWriter& junit() const { return junit_; }

 private:
  std::optional<ResultsCsvWriter> csv_;
  Status csv_status_;
  std::vector<std::string> judge_names_;
  SummaryBuilder builder_;
  JunitXmlWriter junit_;
};

}  // namespace evalrun
