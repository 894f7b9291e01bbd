// Regex: the scorers' regular expressions, on PCRE2. std::regex was the first choice and is the
// wrong one for text a model wrote: libstdc++ matches by recursion, so a pattern such as
// `(a|b)*c` over a long answer overflows the stack and kills the process (seen at 200 KB), and a
// pattern can throw at match time. PCRE2 backtracks on the heap under a match limit: a match that
// would run away ends as "no answer" for that one score, never as a crash or an exception.
// Patterns are Perl/PCRE syntax (a superset of the ECMAScript patterns people write), UTF-8.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace evalrun {

class Regex {
 public:
  /// Compiles `pattern`; the error names what is wrong and at which byte.
  static Result<Regex> Compile(std::string_view pattern, bool ignore_case);

  /// Whether the pattern matches somewhere in `text`; nullopt when the match gave up (the match
  /// or depth limit, or text that is not UTF-8).
  std::optional<bool> Search(std::string_view text) const;

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
};

}  // namespace evalrun
