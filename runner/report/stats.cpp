#include "report/stats.h"

#include <algorithm>
#include <cmath>

namespace evalrun {

void Samples::Add(double v) {
  if (!values_.empty() && v < values_.back()) sorted_ = false;
  values_.push_back(static_cast<float>(v));
  sum_ += v;
}

double Samples::Mean() const {
  return values_.empty() ? 0 : sum_ / static_cast<double>(values_.size());
}

double Samples::Max() const {
  return values_.empty() ? 0 : *std::max_element(values_.begin(), values_.end());
}

double Samples::Percentile(double p) {
  if (values_.empty()) return 0;
  if (!sorted_) {
    std::sort(values_.begin(), values_.end());
    sorted_ = true;
  }
  double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values_.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank));
  size_t hi = std::min(lo + 1, values_.size() - 1);
  double frac = rank - static_cast<double>(lo);
  return values_[lo] + (values_[hi] - values_[lo]) * frac;
}

}  // namespace evalrun
