#include "report/row_scores.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace evalrun {
namespace {

/// A row's mean score for one model, and whether it came from one 0/1 value.
struct RowMean {
  double mean = 0;
  bool single_binary = true;
};

}  // namespace

void RowScores::Add(uint16_t model, uint16_t score, uint64_t row, double value) {
  if (!entries_.empty()) {
    const Entry& last = entries_.back();
    if (std::tie(last.score, last.row, last.model) > std::tie(score, row, model)) sorted_ = false;
  }
  entries_.push_back({row, static_cast<float>(value), model, score});
}

std::vector<ComparisonSummary> RowScores::Compare(const std::vector<std::string>& models,
                                                  const std::vector<size_t>& order,
                                                  const std::vector<std::string>& scores) {
  if (!sorted_) {
    std::sort(entries_.begin(), entries_.end(), [](const Entry& x, const Entry& y) {
      return std::tie(x.score, x.row, x.model) < std::tie(y.score, y.row, y.model);
    });
    sorted_ = true;
  }
  std::vector<ComparisonSummary> out;
  size_t at = 0;
  for (uint16_t s = 0; s < scores.size(); ++s) {
    // One score's rows, each with the mean of every model that scored it.
    std::vector<std::map<uint16_t, RowMean>> rows;
    while (at < entries_.size() && entries_[at].score < s) ++at;
    while (at < entries_.size() && entries_[at].score == s) {
      const uint64_t row = entries_[at].row;
      auto& by_model = rows.emplace_back();
      while (at < entries_.size() && entries_[at].score == s && entries_[at].row == row) {
        const uint16_t model = entries_[at].model;
        double sum = 0;
        long long n = 0;
        bool binary = true;
        for (; at < entries_.size() && entries_[at].score == s && entries_[at].row == row &&
               entries_[at].model == model;
             ++at, ++n) {
          sum += entries_[at].value;
          binary = binary && (entries_[at].value == 0 || entries_[at].value == 1);
        }
        by_model[model] = {sum / static_cast<double>(n), binary && n == 1};
      }
    }
    for (size_t i = 0; i < order.size(); ++i) {
      for (size_t j = i + 1; j < order.size(); ++j) {
        const auto a = static_cast<uint16_t>(order[i]), b = static_cast<uint16_t>(order[j]);
        std::vector<PairedRow> paired;
        bool binary_single = true;
        long long unpaired = 0, seen = 0;
        for (const auto& by_model : rows) {
          auto x = by_model.find(a), y = by_model.find(b);
          if (x == by_model.end() && y == by_model.end()) continue;
          if (x == by_model.end() || y == by_model.end()) {
            ++unpaired;
            continue;
          }
          ++seen;
          paired.push_back({x->second.mean, y->second.mean, 0});
          binary_single = binary_single && x->second.single_binary && y->second.single_binary;
        }
        if (seen == 0 && unpaired == 0) continue;  // neither model has this score
        out.push_back({models[a], models[b], scores[s],
                       ComparePaired(paired, /*clustered=*/false, binary_single), unpaired});
      }
    }
  }
  return out;
}

}  // namespace evalrun
