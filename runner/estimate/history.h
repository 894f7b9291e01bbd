// History: what earlier runs' real usage says about a job, for `evalrun estimate --history`. Read
// from each run directory's results.jsonl (each call's latest record); keeps per call only the
// prompt and completion tokens of its row (16 bytes and the hash map's own), and per
// (model, dataset) and per model the mean completion length; and from verdicts.jsonl, per judge,
// the mean length of its verdicts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "results/call_record.h"
#include "results/verdict_record.h"

namespace evalrun {

/// A running mean of completion tokens.
struct CompletionMean {
  double sum = 0;
  long long calls = 0;
  std::optional<double> mean() const {
    return calls > 0 ? std::optional<double>(sum / static_cast<double>(calls)) : std::nullopt;
  }
};

class History {
 public:
  /// Folds in one record; only records with usage say anything.
  void Add(const CallRecord& record);

  /// The real prompt tokens a call of (model, dataset, row) was billed, if the history has one.
  std::optional<long long> PromptTokens(const std::string& model, const std::string& dataset,
                                        const std::string& row_id) const;
  /// The completion tokens of an ok call of (model, dataset, row), if the history has one.
  std::optional<long long> CompletionTokens(const std::string& model, const std::string& dataset,
                                            const std::string& row_id) const;
  /// Mean completion tokens of ok calls of (model, dataset).
  std::optional<double> GroupCompletionTokens(const std::string& model,
                                              const std::string& dataset) const;
  /// Mean completion tokens of ok calls of the model on any dataset.
  std::optional<double> ModelCompletionTokens(const std::string& model) const;
  /// Whether any record with usage names the model.
  bool HasModel(const std::string& model) const { return records_by_model_.count(model) > 0; }

  /// Folds in one judge call's verdict record.
  void AddVerdict(const VerdictRecord& verdict);
  /// Mean completion tokens of a judge scorer's calls (by the scorer's name).
  std::optional<double> JudgeCompletionTokens(const std::string& judge) const;

  long long records() const { return records_; }

 private:
  static uint64_t RowKey(const std::string& model, const std::string& dataset,
                         const std::string& row_id);
  struct RowUsage {
    long long prompt = 0;
    long long completion = -1;  // -1: the call failed
  };
  std::unordered_map<uint64_t, RowUsage> rows_;
  std::map<std::string, long long> records_by_model_;
  std::map<std::pair<std::string, std::string>, CompletionMean> by_group_;
  std::map<std::string, CompletionMean> by_model_;
  std::map<std::string, CompletionMean> by_judge_;
  long long records_ = 0;
};

/// Reads each run directory's results.jsonl into one History.
Result<History> LoadHistory(const std::vector<std::string>& run_dirs);

}  // namespace evalrun
