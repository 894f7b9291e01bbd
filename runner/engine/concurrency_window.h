// ConcurrencyWindow: how many calls may be in flight now. Adaptive (AIMD, as TCP does): a 429
// "concurrency limit" halves the window, each success grows it by 1/window, so it settles just
// under the API's per-project limit instead of hammering it. Fixed when adaptive is off.
#pragma once

namespace evalrun {

class ConcurrencyWindow {
 public:
  ConcurrencyWindow(int max, bool adaptive)
      : max_(max), adaptive_(adaptive), window_(max), min_(max) {}

  int limit() const { return static_cast<int>(window_); }
  int min_reached() const { return min_; }

  void OnSuccess() {
    if (!adaptive_) return;
    if (cooldown_ > 0) --cooldown_;
    window_ = window_ + 1.0 / window_;
    if (window_ > max_) window_ = max_;
  }

  void OnRateLimited() {
    if (!adaptive_) return;
    // 429s from calls started under the old window say nothing new: one decrease per window.
    if (cooldown_ > 0) {
      --cooldown_;
      return;
    }
    cooldown_ = limit() - 1;  // the rest of the old window, started before this decrease
    window_ = window_ / 2 < 1 ? 1 : window_ / 2;
    if (limit() < min_) min_ = limit();
  }

 private:
  int max_;
  bool adaptive_;
  double window_;
  int min_;
  int cooldown_ = 0;
};

}  // namespace evalrun
