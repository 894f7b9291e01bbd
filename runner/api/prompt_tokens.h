// The prompt side of the token counting rule (common/token_count.h) applied to a chat request's
// messages. One function for the mock server's `usage` and for `evalrun estimate`, so an estimate
// against the mock is exact and against a real API is off only by the tokenizer, which a history
// run calibrates.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace evalrun {

/// Tokens of a "messages" array: 3 per request, 4 per message, and the text of each message's
/// string content (or of its {"type": "text", "text"} parts).
long long CountPromptTokens(const rapidjson::Value& messages);

/// The same over the array's JSON text; 0 when it does not parse.
long long CountPromptTokens(std::string_view messages_json);

}  // namespace evalrun
