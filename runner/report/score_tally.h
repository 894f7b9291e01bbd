// ScoreTally: the mean of a scorer's values and its 95% confidence interval, for summary.json and
// the ranking. Scores that are all 0 or 1 (exact, contains, regex, json) get the Wilson score
// interval, which stays inside [0, 1] and is honest at small n and near 0 or 1; other scores
// (number with partial credit, means over several scorers) get mean +- 1.96 standard errors,
// clamped to [0, 1].
#pragma once

#include <utility>

namespace evalrun {

class ScoreTally {
 public:
  void Add(double v);
  long long count() const { return n_; }
  double Mean() const;
  /// {low, high}; {0, 1} when there are fewer than two values of a non-binary score.
  std::pair<double, double> Ci95() const;

 private:
  double sum_ = 0, sum_sq_ = 0;
  long long n_ = 0;
  bool binary_ = true;
};

}  // namespace evalrun
