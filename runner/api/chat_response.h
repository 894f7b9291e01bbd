// The OpenAI wire format of a chat completion response and of API errors: what a finished HTTP
// exchange means for the record. Pure; fuzzed. Used by the run loop on each finished transfer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error_kind.h"
#include "common/status.h"

namespace evalrun {

struct Usage {
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  long long total_tokens = 0;
  long long cached_tokens = 0;  // of prompt_tokens, served from the prompt cache
};

struct ChatResponse {
  ErrorKind error = ErrorKind::kNone;
  std::string error_message;  // the API's message, or what was wrong with the body
  std::string content;        // choices[0].message.content: the answer, all scorers read
  /// A thinking model's reasoning (`reasoning`, or `reasoning_content` of older servers), kept
  /// apart from the answer; nullopt when the model sent none.
  std::optional<std::string> reasoning;
  /// choices[0].message.tool_calls as JSON, the array as the API sent it (a stream's assembled
  /// across its chunks); nullopt without tool calls.
  std::optional<std::string> tool_calls;
  std::string finish_reason;
  std::string id;  // the completion id, when the server gave one
  std::optional<Usage> usage;
  /// usage.completion_tokens_details.reasoning_tokens: the part of completion_tokens spent
  /// thinking (billed as completion tokens).
  std::optional<long long> reasoning_tokens;
};

/// Interprets status + body of a chat completion. A 2xx whose body is not a completion is kParse.
/// The usual completion is read by ReadUsualCompletion's SAX pass; any other by ReadCompletionDom.
ChatResponse ParseChatResponse(long http_status, std::string_view body);

/// A 2xx body read through RapidJSON's DOM: the reference reader, for any shape of body.
ChatResponse ReadCompletionDom(std::string_view body);

/// The arguments of the first call in a tool_calls array (JSON text); nullopt without one.
std::optional<std::string> FirstToolArguments(std::string_view tool_calls_json);

/// The human message of an error body ({"error":{"message"}}, {"error":"..."}, {"detail":...}),
/// or a prefix of the raw body when it has none of those shapes.
std::string ApiErrorMessage(std::string_view body);

/// Model ids of a GET /models body.
Result<std::vector<std::string>> ParseModelList(std::string_view body);

/// The ids of `offered` that share `id`'s family prefix, its owner and the first word of its
/// name ("moonshotai/Kimi-K2-Instruct" -> "moonshotai/kimi", case-insensitive): where to look
/// when a model was retired or renamed.
std::vector<std::string> SharingPrefix(std::string_view id,
                                       const std::vector<std::string>& offered);

}  // namespace evalrun

namespace evalrun {

/// A byte offset in a streamed body and when the bytes up to it had arrived.
struct ChunkTime {
  size_t end_offset = 0;
  double ms = 0;  // since the first byte of the request was sent
};

struct StreamTiming {
  std::optional<double> ttft_ms;  // first token of any kind: reasoning, content or a tool call
  std::optional<double> ttfa_ms;  // first content or tool-call delta: when the answer starts
  std::optional<double> itl_ms;   // mean gap between later token events, of any kind
};

/// Interprets a streamed (SSE) chat completion: content and reasoning deltas joined apart, tool
/// calls assembled by index (arguments concatenated), the last finish_reason, the usage chunk.
/// `chunks` (in arrival order) time the first token and the gaps after it.
ChatResponse ParseChatStream(long http_status, std::string_view body,
                             const std::vector<ChunkTime>& chunks, StreamTiming* timing);

}  // namespace evalrun
