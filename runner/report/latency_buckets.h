// The latency histogram's buckets, shared by the summary (which counts) and report.html (which
// draws): log-spaced edges 1, 1.5, 2, 3, 5, 7 x 10^k ms from 1 ms to 700 s, so one scale fits a
// 20 ms mock call and a 5-minute reasoning model alike. Bucket i holds [edge(i-1), edge(i)).
#pragma once

#include <cstddef>
#include <vector>

namespace evalrun {

/// The upper edges in ms; the last bucket (index edges.size()) is open-ended.
const std::vector<double>& LatencyBucketEdgesMs();

/// The bucket of a latency: the count of edges at or below it.
size_t LatencyBucket(double ms);

}  // namespace evalrun
