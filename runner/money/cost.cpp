#include "money/cost.h"

#include <fmt/format.h>

namespace evalrun {

double UsdFor(const Pricing& price, double prompt_tokens, double completion_tokens,
              double cached_tokens) {
  const double cached = price.cached_input_per_mtok ? cached_tokens : 0;
  return ((prompt_tokens - cached) * price.input_per_mtok +
          cached * price.cached_input_per_mtok.value_or(0) +
          completion_tokens * price.output_per_mtok) /
         1e6;
}

std::optional<double> CostUsd(const std::optional<Pricing>& price, const Usage& usage) {
  if (!price) return std::nullopt;
  return UsdFor(*price, static_cast<double>(usage.prompt_tokens),
                static_cast<double>(usage.completion_tokens),
                static_cast<double>(usage.cached_tokens));
}

std::optional<double> WorstCaseUsd(const std::optional<Pricing>& price, double body_bytes,
                                   double max_tokens) {
  if (!price) return std::nullopt;
  return UsdFor(*price, body_bytes, max_tokens);
}

bool Budget::Fits(double worst_usd) const {
  return !limit_ || spent_ + reserved_ + worst_usd <= *limit_;
}

std::string Budget::Refusal(double worst_usd) const {
  return fmt::format(
      "budget reached: ${:.6f} spent and ${:.6f} in flight; the next call could cost ${:.6f}, "
      "past budget_usd ${}",
      spent_, reserved_, worst_usd, limit_.value_or(0));
}

void Budget::Settle(double worst_usd, double charged_usd) {
  reserved_ -= worst_usd;
  spent_ += charged_usd;
}

}  // namespace evalrun
