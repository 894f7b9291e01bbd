// Samples: the whole stats module, in the spirit of wrk's stats.c: record values, then ask for the
// mean, a percentile or the max. Percentiles interpolate between closest ranks (numpy's default).
// Keeps one float per sample: 4 bytes a call is the price of exact percentiles.
#pragma once

#include <cstddef>
#include <vector>

namespace evalrun {

class Samples {
 public:
  void Add(double v);
  size_t count() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  double Mean() const;
  double Max() const;
  /// p in [0, 100].
  double Percentile(double p);

 private:
  std::vector<float> values_;
  double sum_ = 0;
  bool sorted_ = true;
};

}  // namespace evalrun
