// ResultsWriter: appends records to results.jsonl, one whole line per record, flushed to the OS
// as each call finishes and synced to disk at least once a second and at close, so a crash loses
// at most the line being written. Owned by the run command.
#pragma once

#include <chrono>
#include <cstdio>
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
  Status Append(const CallRecord& record);
  /// One JSON line of another kind (a judge's verdict), with the same guarantees.
  Status AppendLine(std::string line);
  Status Close();

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string line_;
  std::chrono::steady_clock::time_point last_sync_{};
};

}  // namespace evalrun
