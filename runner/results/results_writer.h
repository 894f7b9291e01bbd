// ResultsWriter: appends records to results.jsonl, one whole line per record, flushed as each call
// finishes so a crash loses at most the line being written. Owned by the run command.
#pragma once

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
  Status Close();

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string line_;
};

}  // namespace evalrun
