// ProgressPrinter: the one place that prints run progress, on stderr. On a terminal a single live
// line redrawn at most 10 times a second; otherwise (CI) a plain line every 10 s and at the end.
#pragma once

#include <chrono>
#include <string>

namespace evalrun {

enum class ProgressMode { kBar, kLines, kNone };

/// "auto" picks bar on a terminal, lines otherwise; false for an unknown name.
bool ParseProgressMode(const std::string& name, ProgressMode* out);

class ProgressPrinter {
 public:
  ProgressPrinter(ProgressMode mode, long long total_calls);
  void OnCall(bool ok, long long completion_tokens, double cost_usd);
  void Finish();

 private:
  void Print(bool final);

  ProgressMode mode_;
  long long total_;
  long long done_ = 0, ok_ = 0, tokens_ = 0;
  double cost_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace evalrun
