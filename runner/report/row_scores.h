// RowScores: every score of every record, kept as 16 bytes (row hash, model, score, value) so the
// summary can pair two models' scores row by row once all records are in: the unit of a
// comparison is a row, (dataset, row_id), and a row's score for a model is the mean over its
// repeats. 16 bytes per (row, model, score, repeat) is all the pairing keeps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/paired_comparison.h"

namespace evalrun {

/// One score's comparison of two models, as summary.json's `comparisons` lists them.
struct ComparisonSummary {
  std::string a, b;  // model labels; diff = a - b
  std::string score;
  PairedComparison stats;
  long long unpaired = 0;  // rows one of the two scored and the other did not
};

class RowScores {
 public:
  void Add(uint16_t model, uint16_t score, uint64_t row, double value);
  /// For each score and each pair of models in `order` (best first: a is the better-ranked), the
  /// paired comparison over the rows both scored.
  std::vector<ComparisonSummary> Compare(const std::vector<std::string>& models,
                                         const std::vector<size_t>& order,
                                         const std::vector<std::string>& scores);

 private:
  struct Entry {
    uint64_t row;  // StableHash of (dataset, row_id)
    float value;
    uint16_t model;
    uint16_t score;
  };
  static_assert(sizeof(Entry) == 16);
  std::vector<Entry> entries_;
  bool sorted_ = true;
};

}  // namespace evalrun
