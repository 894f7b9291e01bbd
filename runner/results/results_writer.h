// ResultsWriter: appends records to results.jsonl, whole lines only. Lines are gathered while the
// run loop handles one wake-up and written with one write() when it calls Flush(), before it
// starts more calls or waits again; so every finished call is in the file (the OS has it) before
// evalrun sends or waits for the next one. Synced to disk at least once a second and at close,
// for a crash of the machine. Owned by the run command.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "results/call_record.h"

namespace evalrun {

class ResultsWriter {
 public:
  ResultsWriter() = default;
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  Status Open(const std::string& path);
  /// Adds the record's line to what the next Flush() writes.
  void Append(const CallRecord& record);
  /// One JSON line of another kind (a judge's verdict), with the same guarantees.
  void AppendLine(std::string_view line);
  /// Writes every line appended since the last Flush(), in one write() where the OS takes it.
  Status Flush();
  /// Flush(), fdatasync, close.
  Status Close();

  /// Bytes appended and not yet flushed (for tests).
  size_t pending_bytes() const { return pending_.size(); }

 private:
  int fd_ = -1;
  std::string path_;
  std::string pending_;  // its capacity kept from one Flush() to the next: no allocation per call
  std::chrono::steady_clock::time_point last_sync_{};
};

}  // namespace evalrun
