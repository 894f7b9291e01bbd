// The usual chat completion read in one pass of a SAX reader, without a DOM: a JSON object
// whose choices[0].message holds the answer (content a string or null, no tool calls), and no
// error. Anything else (tool calls, an error under a 2xx, a body that is not such an object, a
// number that is long or has an exponent) it leaves to ParseChatResponse's DOM reader, which is
// the reference: the fuzz target checks that wherever this reads a body it reads the same.
#pragma once

#include <optional>
#include <string_view>

#include "api/chat_response.h"

namespace evalrun {

/// The completion, as ParseChatResponse's DOM reader reads it; nullopt where this does not
/// read it.
std::optional<ChatResponse> ReadUsualCompletion(std::string_view body);

}  // namespace evalrun
