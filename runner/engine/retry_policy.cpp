#include "engine/retry_policy.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "common/text.h"

namespace evalrun {

bool IsRetryable(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kRateLimit:
    case ErrorKind::kServer:
    case ErrorKind::kTimeout:
    case ErrorKind::kNetwork:
      return true;
    default:
      return false;
  }
}

double BackoffMs(const RetrySpec& retry, int failed_attempts, std::optional<double> retry_after_ms,
                 double unit) {
  const double exp = std::ldexp(static_cast<double>(retry.initial_backoff_ms),
                                std::clamp(failed_attempts - 1, 0, 40));
  const double cap = std::min(static_cast<double>(retry.max_backoff_ms), exp);
  double wait = std::clamp(unit, 0.0, 1.0) * cap;
  if (retry_after_ms) wait = std::max(wait, *retry_after_ms);
  return wait;
}

std::optional<double> ParseRetryAfterMs(std::string_view value, SystemTime now) {
  value = TrimWhitespace(value);
  if (value.empty()) return std::nullopt;
  double seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && ptr == value.data() + value.size()) {
    if (!(seconds >= 0) || seconds > 86400) return std::nullopt;
    return seconds * 1000;
  }
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::system_clock::from_time_t(when) - now)
          .count();
  return std::clamp(ms, 0.0, 86400000.0);
}

}  // namespace evalrun
