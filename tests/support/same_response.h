// Field-by-field equality of two ChatResponses: the SAX reader of the usual completion held to
// the DOM reader (a test and a fuzz target).
#pragma once

#include "api/chat_response.h"

namespace evalrun::testing {

inline bool SameUsage(const std::optional<Usage>& a, const std::optional<Usage>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a ||
         (a->prompt_tokens == b->prompt_tokens && a->completion_tokens == b->completion_tokens &&
          a->total_tokens == b->total_tokens && a->cached_tokens == b->cached_tokens);
}

inline bool SameResponse(const ChatResponse& a, const ChatResponse& b) {
  return a.error == b.error && a.error_message == b.error_message && a.content == b.content &&
         a.reasoning == b.reasoning && a.tool_calls == b.tool_calls &&
         a.finish_reason == b.finish_reason && a.id == b.id && SameUsage(a.usage, b.usage) &&
         a.reasoning_tokens == b.reasoning_tokens;
}

}  // namespace evalrun::testing
