// Wall-clock stamps for records and file names. Durations are measured with steady_clock or
// libcurl's timings, never with these.
#pragma once

#include <chrono>
#include <string>

namespace evalrun {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

/// "2026-11-24T17:43:19.123Z"
std::string Rfc3339Ms(SystemTime t);
/// "20261124T174319Z", for directory names
std::string CompactTimestamp(SystemTime t);
/// Parses what Rfc3339Ms writes; false otherwise.
bool ParseRfc3339Ms(const std::string& text, SystemTime* out);

inline double MsBetween(SteadyTime a, SteadyTime b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace evalrun
