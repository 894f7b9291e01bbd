// Time: the Clock the engine reads (leveldb's Env is the model: the real clocks in a run, a fake
// one that tests advance, so engine tests neither sleep nor assert wall-clock windows), and the
// wall-clock stamps of records and file names. Durations are measured on the steady clock or with
// libcurl's timings, never with the wall clock.
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

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Steady() const = 0;  // for durations and deadlines
  virtual SystemTime Wall() const = 0;    // for stamps and HTTP dates
  /// std::chrono's steady and system clocks.
  static const Clock& Real();
};

inline double MsBetween(SteadyTime a, SteadyTime b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace evalrun
