// WriteReports: renders one Summary into the report files of a run directory, each replaced
// atomically. Used by `run` at the end of a run and by `report` when rebuilding.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "report/summary.h"

namespace evalrun {

/// Writes summary.json always, and each of report.md, report.html, results.csv, junit.xml that
/// `formats` asks
/// for, into `out_dir`, reading records from `run_dir`/results.jsonl. report.md is also appended
/// to $GITHUB_STEP_SUMMARY when set.
Status WriteReports(const std::string& run_dir, const std::string& out_dir, const Summary& summary,
                    const std::vector<std::string>& formats);

}  // namespace evalrun
