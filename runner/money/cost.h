// Cost: the one place where tokens become US dollars. What a call cost (CostUsd), what a call
// could cost at most (WorstCaseUsd: the bound budget_usd enforces and `estimate` shows as its
// worst case), and the budget that holds spent + in-flight worst cases under budget_usd. The run
// loop, the estimate and the records all call these, so the three can never disagree.
#pragma once

#include <optional>
#include <string>

#include "api/chat_response.h"
#include "job/job.h"

namespace evalrun {

/// US dollars for these token counts at `price` (USD per 1M tokens, input and output); of the
/// prompt tokens, `cached_tokens` at the cached-input price where the price has one.
double UsdFor(const Pricing& price, double prompt_tokens, double completion_tokens,
              double cached_tokens = 0);

/// What a call with this usage cost; nullopt without a price (unknown, never 0).
std::optional<double> CostUsd(const std::optional<Pricing>& price, const Usage& usage);

/// The most a call can cost: every byte of its request body as a prompt token (a token is at least
/// one byte) and `max_tokens` of output. nullopt without a price.
std::optional<double> WorstCaseUsd(const std::optional<Pricing>& price, double body_bytes,
                                   double max_tokens);

/// budget_usd as the run loop keeps it: no call starts unless what was spent, plus the worst case
/// of every call in flight, plus the worst case of the new call stays within the limit.
class Budget {
 public:
  explicit Budget(std::optional<double> limit_usd) : limit_(limit_usd) {}

  /// Whether a call whose worst case is `worst_usd` may start now.
  bool Fits(double worst_usd) const;
  /// Why it may not: the message a stopped run gives.
  std::string Refusal(double worst_usd) const;
  /// The call starts: its worst case is held until it finishes.
  void Reserve(double worst_usd) { reserved_ += worst_usd; }
  /// The call finished: its hold is released and `charged_usd` spent (its cost, or its worst case
  /// when the API may have billed it without saying how much).
  void Settle(double worst_usd, double charged_usd);

  double spent() const { return spent_; }

 private:
  std::optional<double> limit_;
  double spent_ = 0, reserved_ = 0;
};

}  // namespace evalrun
