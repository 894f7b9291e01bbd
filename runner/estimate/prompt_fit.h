// How a history calibrates prompt counts it ran on other datasets: real prompt tokens fitted, per
// model, as
//     real = framing + sum over the rule's parts of slope[part] x counted[part]
//            + per_message x messages + per_call
// over every record of the model in the history (PromptParts: the count split into alphabetic
// scripts and CJK). One slope for all text would carry a history of English prose onto Japanese
// with the English error, and the rule errs differently by script and by tokenizer. Each
// slope is pulled towards 1 and per_message towards 0 with the weight of eight records, so a part
// the history hardly holds (Japanese text in an English run) keeps the first estimate's count
// instead of a guess from noise; per_call is free: it is what an unknown template adds around the
// messages. With a tokenizer and a known template the counts are exact and the fit stays at 1.
#pragma once

#include <array>
#include <optional>

#include "api/prompt_tokens.h"

namespace evalrun {

struct PromptCalibration {
  RuleParts slope = {1, 1};
  double per_message = 0, per_call = 0;
  /// The calibrated prompt tokens of `calls` calls whose counts add up to `parts`.
  double Apply(const PromptParts& parts, double calls) const;
};

class PromptFit {
 public:
  void Add(const PromptParts& counted, double real);
  long long records() const { return records_; }
  /// nullopt without records.
  std::optional<PromptCalibration> Solve() const;

 private:
  static constexpr int kN = kRulePartCount + 2;  // the parts, messages, 1
  std::array<std::array<double, kN>, kN> xx_{};
  std::array<double, kN> xy_{};
  double text_ = 0;  // the text's counted tokens, for the prior's scale
  long long records_ = 0;
};

}  // namespace evalrun
