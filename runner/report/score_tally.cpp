#include "report/score_tally.h"

#include <algorithm>
#include <cmath>

namespace evalrun {

constexpr double kZ95 = 1.959963984540054;

void ScoreTally::Add(double v) {
  sum_ += v;
  sum_sq_ += v * v;
  ++n_;
  binary_ &= v == 0.0 || v == 1.0;
}

double ScoreTally::Mean() const {
  return n_ > 0 ? sum_ / static_cast<double>(n_) : 0;
}

std::pair<double, double> ScoreTally::Ci95() const {
  if (n_ == 0) return {0, 1};
  const double n = static_cast<double>(n_);
  const double mean = Mean();
  if (binary_) {
    const double z2 = kZ95 * kZ95;
    const double denom = 1 + z2 / n;
    const double center = (mean + z2 / (2 * n)) / denom;
    const double half = kZ95 * std::sqrt(mean * (1 - mean) / n + z2 / (4 * n * n)) / denom;
    return {std::max(0.0, center - half), std::min(1.0, center + half)};
  }
  if (n_ < 2) return {0, 1};
  const double var = std::max(0.0, (sum_sq_ - n * mean * mean) / (n - 1));
  const double half = kZ95 * std::sqrt(var / n);
  return {std::max(0.0, mean - half), std::min(1.0, mean + half)};
}

}  // namespace evalrun
