// RunComparison: one run against another of the same datasets, the CI check "did this change
// make it worse?". Rows pair by (model label, dataset, row_id) for every model both runs have,
// with the same paired statistics as a run's own `comparisons` (a = the new run, b = the base, so
// diff = new - base). Reads each run's results.jsonl once (each call's latest record) and keeps
// 16 bytes per (row, model, score, run).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "report/row_scores.h"

namespace evalrun {

struct ModelComparison {
  ComparisonSummary comparison;  // a = "new", b = "base"; `comparison.a` holds the model label
  bool regressed = false;        // significantly worse: p < 0.05 and diff < -max_regression
};

struct RunComparison {
  std::string base_dir, new_dir;
  std::vector<ModelComparison> models;
  std::vector<std::string> only_in_base, only_in_new;  // model labels one run lacks
  double max_regression = 0;
  bool regressed() const;
};

/// Compares the run in `new_dir` with the one in `base_dir`: an error (nothing compared) when
/// their datasets differ, naming the dataset whose SHA-256 differs. `score` keeps one score name.
Result<RunComparison> CompareRuns(const std::string& base_dir, const std::string& new_dir,
                                  const std::optional<std::string>& score, double max_regression);

std::string RunComparisonToMarkdown(const RunComparison& c);
std::string RunComparisonToJson(const RunComparison& c);

}  // namespace evalrun
