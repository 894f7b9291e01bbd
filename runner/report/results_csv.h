// results.csv: every record of results.jsonl as one flat row (RFC 4180), for spreadsheets. Fed
// record by record (from the one scan of results.jsonl that builds every report), written to a
// temporary file and renamed into place when closed, so memory does not grow with the run.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "results/call_record.h"

namespace evalrun {

class ResultsCsvWriter {
 public:
  /// `score_names` become score_<name> columns, in that order.
  Status Open(const std::string& csv_path, std::vector<std::string> score_names);
  Status Add(const CallRecord& record);
  /// Flushes and renames the file into place.
  Status Close();

 private:
  std::string path_, tmp_;
  std::vector<std::string> score_names_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out_{nullptr, &std::fclose};
  std::string row_;
};

/// One CSV field, quoted when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& s);

}  // namespace evalrun
