#include "report/format.h"

#include <fmt/format.h>

namespace evalrun {

std::string FormatUsd(const std::optional<double>& usd) {
  if (!usd) return "unknown";
  return *usd < 0.01 && *usd > 0 ? fmt::format("${:.6f}", *usd) : fmt::format("${:.4f}", *usd);
}

std::string FormatCost(const std::optional<double>& usd, double known_usd,
                       long long calls_without_usage) {
  if (usd) return FormatUsd(usd);
  std::string out = "unknown";
  if (known_usd > 0 || calls_without_usage > 0) {
    out += " (" + FormatUsd(known_usd) + " known";
    if (calls_without_usage > 0)
      out += fmt::format("; {} call{} without usage", calls_without_usage,
                         calls_without_usage == 1 ? "" : "s");
    out += ")";
  }
  return out;
}

std::string FormatMs(double ms) {
  if (ms < 1000) return fmt::format("{:.0f} ms", ms);
  if (ms < 60000) return fmt::format("{:.1f} s", ms / 1000);
  return fmt::format("{:.1f} min", ms / 60000);
}

std::string FormatP(double p) {
  if (p < 1e-12) return "< 1e-12";
  if (p < 0.001) return fmt::format("{:.1e}", p);
  return fmt::format("{:.3f}", p);
}

std::string FormatInterval(const std::pair<double, double>& interval) {
  return fmt::format("{:.3f} – {:.3f}", interval.first, interval.second);
}

std::string FormatVerdict(const PairedComparison& p) {
  if (!p.p_value) return p.n < 2 ? "too few rows" : "no p (rows all equal)";
  return fmt::format("{} (p {})", *p.p_value < 0.05 ? "significant" : "not significant",
                     FormatP(*p.p_value));
}

std::string_view CutChars(std::string_view text, size_t max_chars, bool* cut) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // inside a code point
    if (chars++ == max_chars) {
      *cut = true;
      return text.substr(0, i);
    }
  }
  *cut = false;
  return text;
}

}  // namespace evalrun
