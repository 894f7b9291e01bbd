// RateLimiter: rate_limit.requests_per_minute and tokens_per_minute as token buckets that refill
// continuously and hold at most one second's worth, so load is paced rather than sent in a
// minute-sized burst. Tokens are taken at the estimate before a call and corrected by the real
// usage after it. Pure arithmetic over the times it is given; the run loop owns one.
#pragma once

#include "common/clock.h"

namespace evalrun {

class TokenBucket {
 public:
  explicit TokenBucket(double per_minute);  // 0: unlimited

  /// Milliseconds until `amount` can be taken (0: now). An amount larger than the bucket waits
  /// for a full bucket and then drives it below zero, so it is never refused forever.
  double WaitMs(double amount, SteadyTime now);
  void Take(double amount, SteadyTime now);
  /// Adds (or with a negative delta, removes) tokens after the fact: the real usage was known.
  void Adjust(double delta);
  bool unlimited() const { return per_ms_ <= 0; }

 private:
  void Refill(SteadyTime now);

  double per_ms_;
  double capacity_;
  double level_;
  SteadyTime last_{};
  bool started_ = false;
};

class RateLimiter {
 public:
  RateLimiter(double requests_per_minute, double tokens_per_minute)
      : requests_(requests_per_minute), tokens_(tokens_per_minute) {}

  double WaitMs(double estimated_tokens, SteadyTime now) {
    const double a = requests_.WaitMs(1, now);
    const double b = tokens_.WaitMs(estimated_tokens, now);
    return a > b ? a : b;
  }
  void Take(double estimated_tokens, SteadyTime now) {
    requests_.Take(1, now);
    tokens_.Take(estimated_tokens, now);
  }
  /// The call used `actual` tokens where `estimated` were taken.
  void Correct(double estimated, double actual) { tokens_.Adjust(estimated - actual); }

 private:
  TokenBucket requests_;
  TokenBucket tokens_;
};

}  // namespace evalrun
