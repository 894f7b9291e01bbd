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

void ProgressPrinter::OnCall(bool ok, long long completion_tokens, std::optional<double> cost_usd,
                             bool usage_missing) {
  ++done_;
  ok_ += ok ? 1 : 0;
  tokens_ += completion_tokens;
  if (cost_usd) {
    cost_ += *cost_usd;
    priced_ += *cost_usd > 0 ? 1 : 0;
  } else if (usage_missing) {
    ++without_usage_;
  } else {
    ++unpriced_;
  }
}

void ProgressPrinter::Tick() {
  if (mode_ == ProgressMode::kNone) return;
  const auto now = now_();
  if (now - last_ < (mode_ == ProgressMode::kBar ? kBarEvery : kLinesEvery)) return;
  last_ = now;
  Print(false, now);
}

void ProgressPrinter::Finish() {
  if (mode_ != ProgressMode::kNone) Print(true, now_());
}

// Never "$0.0000" for calls whose cost nobody knows: a job without prices says so, and calls that
// came back without usage are counted beside the known part.
std::string ProgressPrinter::CostText() const {
  if (unpriced_ > 0 && priced_ == 0 && without_usage_ == 0) return "price unknown";
  std::string text = fmt::format("${:.4f}", cost_);
  if (without_usage_ > 0 || unpriced_ > 0) text += " known";
  if (without_usage_ > 0) text += fmt::format(", {} without usage", without_usage_);
  if (unpriced_ > 0) text += fmt::format(", {} unpriced", unpriced_);
  return text;
}

void ProgressPrinter::Print(bool final, std::chrono::steady_clock::time_point now) {
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
  std::string eta = "–";
  if (final)
    eta = "0s";
  else if (rate > 0 && done_ < total_)
    eta = fmt::format("{:.0f}s", static_cast<double>(total_ - done_) / rate);
  const std::string line =
      fmt::format("{}/{} calls, {} ok, {} errors, {:.1f} calls/s, {} output tokens, {}, ETA {}",
                  done_, total_, ok_, done_ - ok_, rate, tokens_, CostText(), eta);
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
