#include "report/latency_buckets.h"

#include <algorithm>

namespace evalrun {

const std::vector<double>& LatencyBucketEdgesMs() {
  static const std::vector<double> edges = [] {
    std::vector<double> e;
    double decade = 1;
    for (int k = 0; k < 6; ++k, decade *= 10) {
      for (double m : {1.0, 1.5, 2.0, 3.0, 5.0, 7.0}) e.push_back(m * decade);
    }
    return e;
  }();
  return edges;
}

size_t LatencyBucket(double ms) {
  const auto& e = LatencyBucketEdgesMs();
  return static_cast<size_t>(std::upper_bound(e.begin(), e.end(), ms) - e.begin());
}

}  // namespace evalrun
