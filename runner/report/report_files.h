// WriteReports: renders one Summary into the report files of a run directory, each replaced
// atomically. Used by `run` at the end of a run and by `report` when rebuilding.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "report/summary.h"

namespace evalrun {

/// Writes summary.json always, and report.md when "md" is among `formats`. Returns the formats
/// asked for that this version cannot write yet, so the caller can say so.
Status WriteReports(const std::string& dir, const Summary& summary,
                    const std::vector<std::string>& formats, std::vector<std::string>* not_written);

}  // namespace evalrun
