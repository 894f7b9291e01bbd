#include "cli/progress_printer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace evalrun {

bool ParseProgressMode(const std::string& name, ProgressMode* out) {
  if (name == "auto")
    *out = isatty(STDERR_FILENO) ? ProgressMode::kBar : ProgressMode::kLines;
  else if (name == "bar")
    *out = ProgressMode::kBar;
  else if (name == "lines")
    *out = ProgressMode::kLines;
  else if (name == "none")
    *out = ProgressMode::kNone;
  else
    return false;
  return true;
}

ProgressPrinter::ProgressPrinter(ProgressMode mode, long long total_calls)
    : mode_(mode), total_(total_calls), start_(std::chrono::steady_clock::now()), last_(start_) {}

void ProgressPrinter::OnCall(bool ok, long long completion_tokens, double cost_usd) {
  ++done_;
  ok_ += ok ? 1 : 0;
  tokens_ += completion_tokens;
  cost_ += cost_usd;
  if (mode_ == ProgressMode::kNone) return;
  auto now = std::chrono::steady_clock::now();
  auto every = mode_ == ProgressMode::kBar ? std::chrono::milliseconds(100)
                                           : std::chrono::milliseconds(10000);
  if (now - last_ < every) return;
  last_ = now;
  Print(false);
}

void ProgressPrinter::Finish() {
  if (mode_ != ProgressMode::kNone) Print(true);
}

void ProgressPrinter::Print(bool final) {
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
  std::string eta = "–";
  if (rate > 0 && done_ < total_)
    eta = fmt::format("{:.0f}s", static_cast<double>(total_ - done_) / rate);
  std::string line = fmt::format(
      "{}/{} calls, {} ok, {} errors, {:.1f} calls/s, {} output tokens, ${:.4f}, ETA {}", done_,
      total_, ok_, done_ - ok_, rate, tokens_, cost_, final ? "0s" : eta);
  if (mode_ == ProgressMode::kBar)
    fmt::print(stderr, "\r\x1b[2K{}{}", line, final ? "\n" : "");
  else
    fmt::print(stderr, "{}\n", line);
  std::fflush(stderr);
}

}  // namespace evalrun
