#include "engine/record_builder.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include "api/http_status.h"
#include "common/text.h"
#include "money/cost.h"
#include "scoring/scorer.h"

namespace evalrun {

ErrorKind ClassifyTransportError(int curl_code) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorKind::kTimeout;
    case CURLE_WRITE_ERROR:  // the body passed our size cap
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
      return ErrorKind::kParse;
    default:
      return ErrorKind::kNetwork;
  }
}

CallRecord BuildRecord(const CallContext& call, const HttpResult& http) {
  CallRecord r;
  r.run_id = call.run_id;
  r.model = call.model;
  r.model_id = call.model_id;
  r.dataset = call.dataset;
  r.row_id = call.row_id;
  r.repeat = call.repeat;
  r.cluster = call.cluster;
  r.attempts = call.attempts;
  r.started_at = call.started_at;
  r.queue_ms = call.queue_ms;
  r.latency_ms = http.latency_ms;
  r.http_status = http.status;
  r.request_id = http.request_id;
  if (http.curl_code != 0) {
    r.error_kind = ClassifyTransportError(http.curl_code);
    r.error = OneLine(Redact(http.curl_error, call.api_key), kMaxErrorBytes);
    return r;
  }
  StreamTiming timing;
  ChatResponse resp = call.stream ? ParseChatStream(http.status, http.body, http.chunks, &timing)
                                  : ParseChatResponse(http.status, http.body);
  if (resp.error == ErrorKind::kNone) {
    r.ttft_ms = timing.ttft_ms;
    r.ttfa_ms = timing.ttfa_ms;
    r.itl_ms = timing.itl_ms;
  }
  r.error_kind = resp.error;
  if (resp.error != ErrorKind::kNone) {
    // Redacted before it is cut, so no part of a key survives at the cut.
    r.error = OneLine(Redact(http.status >= 200 && http.status < 300
                                 ? resp.error_message
                                 : HttpErrorLine(http.status, resp.error_message),
                             call.api_key),
                      kMaxErrorBytes);
  }
  if (r.request_id.empty()) r.request_id = resp.id;
  r.finish_reason = resp.finish_reason;
  r.usage = resp.usage;
  r.reasoning_tokens = resp.reasoning_tokens;
  if (resp.usage) r.cost_usd = CostUsd(call.price, *resp.usage);
  if (resp.error != ErrorKind::kNone) return r;
  if (call.answer_out)  // for the judges, whether or not it is saved
    *call.answer_out = !resp.content.empty() || !resp.tool_calls ? resp.content : *resp.tool_calls;
  // A tool call is the answer of a call that made one; its arguments can be scored. The answer
  // (content, tool calls) and the reasoning are saved alike, under save_responses.
  if (call.scorers && call.references) {
    const std::optional<std::string> arguments =
        resp.tool_calls ? FirstToolArguments(*resp.tool_calls) : std::nullopt;
    r.scores = ScoreAll(*call.scorers, resp.content, *call.references, arguments);
  }
  if (call.save_responses) {
    if (!resp.tool_calls || !resp.content.empty()) r.response = std::move(resp.content);
    r.tool_calls = std::move(resp.tool_calls);
    r.reasoning = std::move(resp.reasoning);
  }
  return r;
}

}  // namespace evalrun
