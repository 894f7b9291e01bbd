// results.csv: every record of results.jsonl as one flat row (RFC 4180), for spreadsheets.
// Streams the file: memory does not grow with the run.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace evalrun {

/// Writes `csv_path` from `results_path`; `score_names` become score_<name> columns.
Status WriteResultsCsv(const std::string& results_path, const std::string& csv_path,
                       const std::vector<std::string>& score_names);

/// One CSV field, quoted when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& s);

}  // namespace evalrun
