#include "report/record_tally.h"

#include <algorithm>

namespace evalrun {

Status RecordTally::Open(const std::string& out_dir, const std::vector<ReportFormat>& formats,
                         const std::vector<std::string>& score_names,
                         std::vector<std::string> judge_names) {
  judge_names_ = std::move(judge_names);
  builder_.SetJudges(judge_names_);
  if (std::find(formats.begin(), formats.end(), ReportFormat::kCsv) == formats.end())
    return Status::Ok();
  csv_.emplace();
  return csv_->Open(out_dir + "/results.csv", score_names);
}

void RecordTally::AddRow(const CallRecord& record) {
  // After a failed write the rest is not written: Close() reports the failure.
  if (csv_ && csv_status_.ok()) csv_status_ = csv_->Add(record);
}

void RecordTally::AddLatest(const CallRecord& record) {
  builder_.Add(record);
  junit_.Add(record);
}

void RecordTally::RestartLatest() {
  builder_ = SummaryBuilder();
  builder_.SetJudges(judge_names_);
  junit_ = JunitXmlWriter();
}

Status RecordTally::Close() {
  if (!csv_) return csv_status_;
  Status closed = csv_->Close();
  csv_.reset();
  return csv_status_.ok() ? closed : csv_status_;
}

}  // namespace evalrun
