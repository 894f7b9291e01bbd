// RowScores: every score of every record, kept as 16 bytes (row hash, model, score, value) so the
// summary can pair two models' scores row by row once all records are in: the unit of a
// comparison is a row, (dataset, row_id), and a row's score for a model is the mean over its
// repeats. 16 bytes per (row, model, score, repeat) is all the pairing keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
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

/// What repeating a model's calls on the same rows shows, for one 0/1 score.
struct RepeatSummary {
  std::vector<double> pass_at_k;   // [k-1]: the unbiased pass@k averaged over rows, k = 1..repeats
  std::vector<double> pass_all_k;  // [k-1]: every one of k tries right, C(c,k)/C(n,k), averaged
  std::optional<double> within_row_variance_share;  // of the scores' variance; null without any
};

class RowScores {
 public:
  /// `slot` says who scored: a model, or one model's part of one dataset, numbered by the
  /// caller; SetModels says which model each slot belongs to (without it, slots are models).
  void Add(uint16_t slot, uint16_t score, uint64_t row, double value);
  void SetModels(std::vector<uint16_t> model_of_slot) { model_of_slot_ = std::move(model_of_slot); }
  /// Rows of one cluster share `cluster`; once any row has one, every standard error is
  /// cluster-robust, and a row never given one is a cluster of its own. Kept per row, not per
  /// record: 16 bytes and the hash table's overhead for each row of a clustered dataset.
  void SetCluster(uint64_t row, uint64_t cluster) { clusters_.emplace(row, cluster); }
  bool clustered() const { return !clusters_.empty(); }

  /// For each score and each pair of models in `order` (best first: a is the better-ranked), the
  /// paired comparison over the rows both scored; with a `baseline` (an index into `models`),
  /// each other model (a) against it (b) instead.
  std::vector<ComparisonSummary> Compare(const std::vector<std::string>& models,
                                         const std::vector<size_t>& order,
                                         const std::vector<std::string>& scores,
                                         std::optional<size_t> baseline = std::nullopt);
  /// For `model` and `score`: nullopt unless some row was tried at least twice and every value
  /// is 0 or 1. pass@k averages over the rows tried at least k times.
  std::optional<RepeatSummary> Repeats(uint16_t model, uint16_t score);
  /// Rows (their hashes, sorted) where, on some score, two models' row means differ.
  std::vector<uint64_t> DifferingRows();
  /// Rows (sorted) where `model`'s row mean of some score is 0.
  std::vector<uint64_t> ZeroRows(uint16_t model);
  /// One slot's mean of one score over its rows.
  MeanEstimate SlotMean(uint16_t slot, uint16_t score);
  /// One model's mean over its rows, a row's value being the mean of all its scores and repeats.
  MeanEstimate ModelMean(uint16_t model);

 private:
  struct Entry {
    uint64_t row;  // StableHash of (dataset, row_id)
    float value;
    uint16_t slot;
    uint16_t score;
  };
  static_assert(sizeof(Entry) == 16);
  void Sort();
  uint16_t ModelOf(uint16_t slot) const {
    return slot < model_of_slot_.size() ? model_of_slot_[slot] : slot;
  }
  uint64_t ClusterOf(uint64_t row) const {
    auto it = clusters_.find(row);
    return it == clusters_.end() ? row : it->second;
  }
  /// Each row's mean of the values `take` accepts, over entries in row order.
  template <typename Take>
  MeanEstimate MeanOf(const std::vector<Entry>& entries, size_t begin, size_t end, Take take) const;
  std::vector<Entry> entries_;
  std::vector<uint16_t> model_of_slot_;
  std::unordered_map<uint64_t, uint64_t> clusters_;
  bool sorted_ = true;
};

}  // namespace evalrun
