#include "engine/rate_limiter.h"

#include <algorithm>

namespace evalrun {

TokenBucket::TokenBucket(double per_minute)
    : per_ms_(per_minute / 60000.0),
      capacity_(std::max(1.0, per_minute / 60.0)),
      level_(capacity_) {}

void TokenBucket::Refill(SteadyTime now) {
  if (started_) level_ = std::min(capacity_, level_ + MsBetween(last_, now) * per_ms_);
  last_ = now;
  started_ = true;
}

double TokenBucket::WaitMs(double amount, SteadyTime now) {
  if (unlimited()) return 0;
  Refill(now);
  const double need = std::min(amount, capacity_);
  return level_ >= need ? 0 : (need - level_) / per_ms_;
}

void TokenBucket::Take(double amount, SteadyTime now) {
  if (unlimited()) return;
  Refill(now);
  level_ -= amount;
}

void TokenBucket::Adjust(double delta) {
  if (!unlimited()) level_ = std::min(capacity_, level_ + delta);
}

}  // namespace evalrun
