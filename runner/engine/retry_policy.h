// Retry policy: which failures are worth another attempt and how long to wait first
// (exponential back-off with full jitter, never sooner than the server's Retry-After).
// Pure functions; the run loop calls them for each failed attempt.
#pragma once

#include <optional>
#include <string_view>

#include "api/error_kind.h"
#include "common/clock.h"
#include "job/job.h"

namespace evalrun {

/// 429 (not quota), 5xx, timeouts and connection failures may succeed on another attempt. A
/// malformed 200 is not retried: it may have been billed.
bool IsRetryable(ErrorKind kind);

/// Milliseconds to wait after `failed_attempts` attempts (1 after the first try): a uniform draw
/// in [0, min(max_backoff, initial * 2^(failed_attempts-1))] (`unit` in [0,1) is the draw), raised
/// to `retry_after_ms` when the server asked for longer; Retry-After wins over max_backoff_ms.
double BackoffMs(const RetrySpec& retry, int failed_attempts, std::optional<double> retry_after_ms,
                 double unit);

/// Retry-After as milliseconds from `now`: delta-seconds ("120") or an HTTP date.
std::optional<double> ParseRetryAfterMs(std::string_view value, SystemTime now);

}  // namespace evalrun
