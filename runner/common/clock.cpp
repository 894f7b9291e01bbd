#include "common/clock.h"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <optional>

namespace evalrun {

std::string Rfc3339Ms(SystemTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const long long milli = (ms % 1000 + 1000) % 1000;
  std::time_t secs = static_cast<std::time_t>((ms - milli) / 1000);
  // By hand, not through fmt: every record's started_at is written here, once per call; and the
  // date and time of the last second are kept, as calls start by the thousand a second.
  thread_local std::optional<std::time_t> cached_secs;
  thread_local char text[] = "0000-00-00T00:00:00.000Z";
  auto put = [](int at, int width, long long v) {
    for (int i = at + width - 1; i >= at; --i, v /= 10) text[i] = static_cast<char>('0' + v % 10);
  };
  if (cached_secs != secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    const long long year = tm.tm_year + 1900;
    if (year < 0 || year > 9999)  // out of the format's range: never from a real clock
      return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
    put(0, 4, year);
    put(5, 2, tm.tm_mon + 1);
    put(8, 2, tm.tm_mday);
    put(11, 2, tm.tm_hour);
    put(14, 2, tm.tm_min);
    put(17, 2, tm.tm_sec);
    cached_secs = secs;
  }
  put(20, 3, milli);
  return std::string(text, sizeof text - 1);
}

std::string CompactTimestamp(SystemTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool ParseRfc3339Ms(const std::string& text, SystemTime* out) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return false;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = timegm(&tm);
  *out = std::chrono::system_clock::from_time_t(secs) + std::chrono::milliseconds(ms);
  return true;
}

const Clock& Clock::Real() {
  struct RealClock : Clock {
    SteadyTime Steady() const override { return std::chrono::steady_clock::now(); }
    SystemTime Wall() const override { return std::chrono::system_clock::now(); }
  };
  static const RealClock real;
  return real;
}

}  // namespace evalrun
