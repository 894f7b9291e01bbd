// ReadVerdict: a judge model's reply turned into a score. Judges answer in many shapes; these are
// read, in this order: a JSON object with "score" (a number, true/false, or "PASS"/"FAIL"),
// also inside a ```json fence or after reasoning text (the last such object wins); else a last
// line "Score: N"; else a bare last line PASS or FAIL. Anything else, or a score outside the
// scale, is a judge parse error: the score stays absent, never 0. Pure; fuzzed with the API
// parsers' inputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace evalrun {

struct Verdict {
  std::optional<double> raw;    // as the judge gave it, on its scale
  std::optional<double> score;  // scaled to 0..1; absent when the verdict could not be read
  std::string reason;           // the object's "reason", when it gave one
  std::string error;            // why there is no score
};

Verdict ReadVerdict(std::string_view text, double scale_lo, double scale_hi);

}  // namespace evalrun
