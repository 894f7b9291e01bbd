#include "cli/progress_printer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

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

ProgressPrinter::ProgressPrinter(ProgressMode mode, long long total_calls, std::FILE* out,
                                 Clock now)
    : mode_(mode),
      total_(total_calls),
      out_(out),
      now_(std::move(now)),
      start_(now_()),
      last_(start_) {}

void ProgressPrinter::OnCall(bool ok, long long completion_tokens, double cost_usd) {
  ++done_;
  ok_ += ok ? 1 : 0;
  tokens_ += completion_tokens;
  cost_ += cost_usd;
  if (mode_ == ProgressMode::kNone) return;
  const auto now = now_();
  if (now - last_ < (mode_ == ProgressMode::kBar ? kBarEvery : kLinesEvery)) return;
  last_ = now;
  Print(false);
}

void ProgressPrinter::Finish() {
  if (mode_ != ProgressMode::kNone) Print(true);
}

void ProgressPrinter::Print(bool final) {
  const double secs = std::chrono::duration<double>(now_() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
  std::string eta = "–";
  if (final)
    eta = "0s";
  else if (rate > 0 && done_ < total_)
    eta = fmt::format("{:.0f}s", static_cast<double>(total_ - done_) / rate);
  const std::string line = fmt::format(
      "{}/{} calls, {} ok, {} errors, {:.1f} calls/s, {} output tokens, ${:.4f}, ETA {}", done_,
      total_, ok_, done_ - ok_, rate, tokens_, cost_, eta);
  if (mode_ == ProgressMode::kBar) {
    constexpr int kCells = 20;
    const double share =
        total_ > 0 ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 1;
    const int filled = static_cast<int>(share * kCells);
    // \r and "erase line" redraw the one line in place; the final draw ends it.
    fmt::print(out_, "\r\x1b[2K[{}{}] {:3.0f}% {}{}", std::string(filled, '#'),
               std::string(kCells - filled, '.'), share * 100, line, final ? "\n" : "");
  } else {
    fmt::print(out_, "{}\n", line);
  }
  std::fflush(out_);
}

}  // namespace evalrun
