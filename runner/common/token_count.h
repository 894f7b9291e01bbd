// The token counting rule evalrun uses wherever it must count without a tokenizer: the mock
// server's `usage` and the pre-run estimate. One token per 4 bytes of UTF-8 text, rounded up;
// each chat message adds 4 (role and framing) and each request 3 (reply priming), after the
// approximation OpenAI documents for English text. Real runs use the API's own usage.
#pragma once

#include <string_view>

namespace evalrun {

inline long long CountTextTokens(std::string_view text) {
  return static_cast<long long>((text.size() + 3) / 4);
}

constexpr long long kTokensPerMessage = 4;
constexpr long long kTokensPerRequest = 3;

}  // namespace evalrun
