#include "report/row_scores.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace evalrun {
namespace {

/// A row's mean score for one model, and whether it came from one 0/1 value.
struct RowMean {
  double mean = 0;
  bool single_binary = true;
};

}  // namespace

void RowScores::Add(uint16_t slot, uint16_t score, uint64_t row, double value) {
  if (!entries_.empty()) {
    const Entry& last = entries_.back();
    if (std::tie(last.score, last.row, last.slot) > std::tie(score, row, slot)) sorted_ = false;
  }
  entries_.push_back({row, static_cast<float>(value), slot, score});
}

void RowScores::Sort() {
  if (sorted_) return;
  std::sort(entries_.begin(), entries_.end(), [](const Entry& x, const Entry& y) {
    return std::tie(x.score, x.row, x.slot) < std::tie(y.score, y.row, y.slot);
  });
  sorted_ = true;
}

std::optional<RepeatSummary> RowScores::Repeats(uint16_t model, uint16_t score) {
  Sort();
  // Per row: tries n and right answers c; and the sums for the variance decomposition.
  std::vector<std::pair<long long, long long>> rows;
  double sum = 0, sum_sq = 0, within = 0;
  long long values = 0, max_tries = 0;
  for (size_t at = 0; at < entries_.size();) {
    size_t next = at;
    while (next < entries_.size() && entries_[next].score == entries_[at].score &&
           entries_[next].row == entries_[at].row)
      ++next;
    if (entries_[at].score == score) {
      long long n = 0, c = 0;
      for (size_t k = at; k < next; ++k) {
        if (ModelOf(entries_[k].slot) != model) continue;
        const float v = entries_[k].value;
        if (v != 0 && v != 1) return std::nullopt;
        ++n;
        c += v == 1;
      }
      if (n > 0) {
        rows.emplace_back(n, c);
        max_tries = std::max(max_tries, n);
        values += n;
        sum += static_cast<double>(c);
        sum_sq += static_cast<double>(c);  // 0/1 values: x^2 == x
        within += static_cast<double>(c) - static_cast<double>(c) * c / static_cast<double>(n);
      }
    }
    at = next;
  }
  if (max_tries < 2) return std::nullopt;
  RepeatSummary out;
  for (long long k = 1; k <= max_tries; ++k) {
    double any = 0, all = 0;
    long long counted = 0;
    for (const auto& [n, c] : rows) {
      if (n < k) continue;
      any += PassAtK(n, c, k);
      all += PassAllK(n, c, k);
      ++counted;
    }
    out.pass_at_k.push_back(counted ? any / static_cast<double>(counted) : 0);
    out.pass_all_k.push_back(counted ? all / static_cast<double>(counted) : 0);
  }
  const double total = sum_sq - sum * sum / static_cast<double>(values);
  if (total > 0) out.within_row_variance_share = within / total;
  return out;
}

std::vector<ComparisonSummary> RowScores::Compare(const std::vector<std::string>& models,
                                                  const std::vector<size_t>& order,
                                                  const std::vector<std::string>& scores,
                                                  std::optional<size_t> baseline) {
  Sort();
  // The pairs to compare, a first: every pair in rank order, or each model against the baseline.
  std::vector<std::pair<uint16_t, uint16_t>> pairs;
  for (size_t i = 0; i < order.size(); ++i) {
    if (baseline) {
      if (order[i] != *baseline)
        pairs.emplace_back(static_cast<uint16_t>(order[i]), static_cast<uint16_t>(*baseline));
      continue;
    }
    for (size_t j = i + 1; j < order.size(); ++j)
      pairs.emplace_back(static_cast<uint16_t>(order[i]), static_cast<uint16_t>(order[j]));
  }
  // The entries of one (score, row) are contiguous: a row's mean for a model is read off its run
  // in place, so pairing allocates nothing per row.
  auto mean_of = [&](size_t begin, size_t end, uint16_t model) -> std::optional<RowMean> {
    double sum = 0;
    long long n = 0;
    bool binary = true;
    for (size_t k = begin; k < end; ++k) {
      if (ModelOf(entries_[k].slot) != model) continue;
      sum += entries_[k].value;
      binary = binary && (entries_[k].value == 0 || entries_[k].value == 1);
      ++n;
    }
    if (n == 0) return std::nullopt;
    return RowMean{sum / static_cast<double>(n), binary && n == 1};
  };
  std::vector<ComparisonSummary> out;
  size_t begin = 0;
  for (uint16_t s = 0; s < scores.size(); ++s) {
    while (begin < entries_.size() && entries_[begin].score < s) ++begin;
    size_t end = begin;
    while (end < entries_.size() && entries_[end].score == s) ++end;
    for (const auto& [a, b] : pairs) {
      {
        std::vector<PairedRow> paired;
        bool binary_single = true;
        long long unpaired = 0;
        for (size_t row = begin; row < end;) {
          size_t next = row;
          while (next < end && entries_[next].row == entries_[row].row) ++next;
          const auto x = mean_of(row, next, a), y = mean_of(row, next, b);
          if (x && y) {
            paired.push_back({x->mean, y->mean, ClusterOf(entries_[row].row)});
            binary_single = binary_single && x->single_binary && y->single_binary;
          } else if (x || y) {
            ++unpaired;
          }
          row = next;
        }
        if (paired.empty() && unpaired == 0) continue;  // neither model has this score
        out.push_back({models[a], models[b], scores[s],
                       ComparePaired(paired, clustered(), binary_single), unpaired});
      }
    }
    begin = end;
  }
  return out;
}

template <typename Take>
MeanEstimate RowScores::MeanOf(const std::vector<Entry>& entries, size_t begin, size_t end,
                               Take take) const {
  std::vector<PairedRow> rows;
  bool single_binary = true;
  for (size_t at = begin; at < end;) {
    size_t next = at;
    double sum = 0;
    long long n = 0;
    for (; next < end && entries[next].row == entries[at].row; ++next) {
      if (!take(entries[next])) continue;
      sum += entries[next].value;
      ++n;
      single_binary = single_binary && (entries[next].value == 0 || entries[next].value == 1);
    }
    if (n > 0) rows.push_back({sum / static_cast<double>(n), 0, ClusterOf(entries[at].row)});
    single_binary = single_binary && n <= 1;
    at = next;
  }
  MeanEstimate out = EstimateMean(rows, clustered());
  out.single_binary = single_binary;
  return out;
}

std::vector<uint64_t> RowScores::DifferingRows() {
  Sort();
  std::vector<uint64_t> rows;
  std::vector<std::pair<uint16_t, double>> means;  // per model of one (score, row): sum, then mean
  std::vector<long long> counts;
  for (size_t at = 0; at < entries_.size();) {
    size_t next = at;
    means.clear();
    counts.clear();
    for (; next < entries_.size() && entries_[next].score == entries_[at].score &&
           entries_[next].row == entries_[at].row;
         ++next) {
      const uint16_t model = ModelOf(entries_[next].slot);
      size_t k = 0;
      while (k < means.size() && means[k].first != model) ++k;
      if (k == means.size()) {
        means.emplace_back(model, 0);
        counts.push_back(0);
      }
      means[k].second += entries_[next].value;
      ++counts[k];
    }
    for (size_t k = 1; k < means.size(); ++k) {
      if (means[k].second / static_cast<double>(counts[k]) !=
          means[0].second / static_cast<double>(counts[0])) {
        rows.push_back(entries_[at].row);
        break;
      }
    }
    at = next;
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

std::vector<uint64_t> RowScores::ZeroRows(uint16_t model) {
  Sort();
  std::vector<uint64_t> rows;
  for (size_t at = 0; at < entries_.size();) {
    size_t next = at;
    double sum = 0;
    long long n = 0;
    for (; next < entries_.size() && entries_[next].score == entries_[at].score &&
           entries_[next].row == entries_[at].row;
         ++next) {
      if (ModelOf(entries_[next].slot) != model) continue;
      sum += entries_[next].value;
      ++n;
    }
    if (n > 0 && sum == 0) rows.push_back(entries_[at].row);
    at = next;
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

MeanEstimate RowScores::SlotMean(uint16_t slot, uint16_t score) {
  Sort();
  auto by_score = [](const Entry& e, uint16_t s) { return e.score < s; };
  const auto first = std::lower_bound(entries_.begin(), entries_.end(), score, by_score);
  auto last = first;
  while (last != entries_.end() && last->score == score) ++last;
  return MeanOf(entries_, static_cast<size_t>(first - entries_.begin()),
                static_cast<size_t>(last - entries_.begin()),
                [slot](const Entry& e) { return e.slot == slot; });
}

MeanEstimate RowScores::ModelMean(uint16_t model) {
  // Entries are sorted by score first: copy this model's, by row, to read each row's mean over
  // its scores (transient, at most the entries' own size).
  std::vector<Entry> mine;
  for (const Entry& e : entries_) {
    if (ModelOf(e.slot) == model) mine.push_back(e);
  }
  std::sort(mine.begin(), mine.end(), [](const Entry& x, const Entry& y) { return x.row < y.row; });
  return MeanOf(mine, 0, mine.size(), [](const Entry&) { return true; });
}

}  // namespace evalrun
