// ProgressPrinter: the one place that prints run progress, on stderr (stdout is for the command's
// result). On a terminal a single live line (a bar, done/total, ok/errors, calls/s, tokens,
// spend so far, ETA) redrawn at most 10 times a second; otherwise (CI logs) a plain line every
// 10 s and one at the end; nothing with --progress none. Fed by the run loop's record sink: a count
// per call, a look at the clock per wake-up of the loop.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace evalrun {

enum class ProgressMode { kBar, kLines, kNone };

/// "auto" picks bar on a terminal, lines otherwise; false for an unknown name.
bool ParseProgressMode(const std::string& name, ProgressMode* out);

class ProgressPrinter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  /// `out` and `now` are for tests; a run prints to stderr on the steady clock.
  ProgressPrinter(ProgressMode mode, long long total_calls, std::FILE* out = stderr,
                  Clock now = std::chrono::steady_clock::now);
  /// `cost_usd` is the call's KnownCostUsd: nullopt when unknown; `usage_missing` says why (a 2xx
  /// without usage) rather than a model without a price.
  /// Counts one finished call; never reads the clock nor prints (it runs once per call).
  void OnCall(bool ok, long long completion_tokens, std::optional<double> cost_usd,
              bool usage_missing = false);
  /// Redraws if the mode's interval has passed: once per wake-up of the run loop, not per call.
  void Tick();
  void Finish();

  /// How often each mode prints.
  static constexpr std::chrono::milliseconds kBarEvery{100};
  static constexpr std::chrono::milliseconds kLinesEvery{10000};

 private:
  void Print(bool final, std::chrono::steady_clock::time_point now);

  ProgressMode mode_;
  long long total_;
  std::FILE* out_;
  Clock now_;
  std::string CostText() const;

  long long done_ = 0, ok_ = 0, tokens_ = 0;
  double cost_ = 0;
  long long priced_ = 0, unpriced_ = 0, without_usage_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace evalrun
