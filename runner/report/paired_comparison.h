// Paired comparison of two models on the rows both scored (Miller, "Adding Error Bars to Evals",
// 2024): the unit is a row, a row's score is the mean over its repeats, and the difference is
// judged on the per-row differences, which is far more sensitive than comparing two means whose
// intervals overlap, because both models answered the same rows. Standard errors are
// cluster-robust (Liang-Zeger with the G/(G-1) factor, t with G-1 degrees of freedom) when rows
// come in clusters. Pure functions; the report's summary calls them and every renderer shows
// what they return. Figures the sample cannot define are absent, never NaN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace evalrun {

/// One row both models scored.
struct PairedRow {
  double a = 0;          // model a's score of the row (mean over its repeats)
  double b = 0;          // model b's
  uint64_t cluster = 0;  // the row's cluster when the dataset names one
};

struct PairedComparison {
  long long n = 0;  // rows paired
  double mean_a = 0, mean_b = 0;
  double diff = 0;                                // mean_a - mean_b
  std::optional<double> se;                       // of the mean paired difference
  std::optional<std::pair<double, double>> ci95;  // diff +- t(0.975, df) se
  std::optional<double> p_value;                  // two-sided
  std::string test;                               // "mcnemar-exact" or "paired-t"
  std::optional<double> correlation;              // Pearson's, of the row scores
  long long a_only = 0, b_only = 0;               // rows where a scored above / below b
  std::optional<long long> clusters;              // when clustered: how many
  std::optional<double> mde80;  // the smallest difference this sample detects with 80% power
};

/// One model's mean score over rows (a row's value is the mean of its repeats), with the same
/// standard error as a paired difference against zero: over rows, or over clusters.
struct MeanEstimate {
  long long rows = 0;
  double mean = 0;
  std::optional<double> se;
  std::optional<std::pair<double, double>> ci95;  // mean +- t(0.975, df) se, not clamped
  std::optional<long long> clusters;              // when clustered: how many
  bool single_binary = true;                      // every row's value is one 0/1 score
};

/// `rows[i].a` is row i's value and `rows[i].b` is 0: a mean is a difference against zero.
MeanEstimate EstimateMean(const std::vector<PairedRow>& rows, bool clustered);

/// `clustered`: use the rows' clusters for the standard error. `binary_single`: every score of
/// both models is 0 or 1 from one repeat, so without clusters the exact McNemar test applies.
PairedComparison ComparePaired(const std::vector<PairedRow>& rows, bool clustered,
                               bool binary_single);

/// The unbiased pass@k of one row with `c` right answers out of `n` tries: 1 - C(n-c,k)/C(n,k).
double PassAtK(long long n, long long c, long long k);

/// Every one of k tries right: C(c,k)/C(n,k).
double PassAllK(long long n, long long c, long long k);

}  // namespace evalrun
