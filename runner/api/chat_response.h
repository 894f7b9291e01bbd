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
};

struct ChatResponse {
  ErrorKind error = ErrorKind::kNone;
  std::string error_message;  // the API's message, or what was wrong with the body
  std::string content;        // choices[0].message.content
  std::string finish_reason;
  std::string id;  // the completion id, when the server gave one
  std::optional<Usage> usage;
};

/// Interprets status + body of a chat completion. A 2xx whose body is not a completion is kParse.
ChatResponse ParseChatResponse(long http_status, std::string_view body);

/// The human message of an error body ({"error":{"message"}}, {"error":"..."}, {"detail":...}),
/// or a prefix of the raw body when it has none of those shapes.
std::string ApiErrorMessage(std::string_view body);

/// Model ids of a GET /models body.
Result<std::vector<std::string>> ParseModelList(std::string_view body);

}  // namespace evalrun

namespace evalrun {

/// A byte offset in a streamed body and when the bytes up to it had arrived.
struct ChunkTime {
  size_t end_offset = 0;
  double ms = 0;  // since the first byte of the request was sent
};

struct StreamTiming {
  std::optional<double> ttft_ms;  // first content token
  std::optional<double> itl_ms;   // mean gap between later content events
};

/// Interprets a streamed (SSE) chat completion: content deltas joined, the last finish_reason,
/// the usage chunk. `chunks` (in arrival order) time the first token and the gaps after it.
ChatResponse ParseChatStream(long http_status, std::string_view body,
                             const std::vector<ChunkTime>& chunks, StreamTiming* timing);

}  // namespace evalrun
