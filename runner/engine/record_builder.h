// BuildRecord: what one finished HTTP exchange means as a results.jsonl record: status and
// error_kind from the transfer and the body, usage and cost, the response text. Pure; the run
// loop calls it for each finished transfer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/transport.h"
#include "job/job.h"
#include "results/call_record.h"

namespace evalrun {

/// Views of what the loop holds for the call (it outlives BuildRecord): the record makes the only
/// copies.
struct CallContext {
  std::string_view run_id;
  std::string_view model;
  std::string_view model_id;
  std::string_view dataset;
  std::string_view row_id;
  int repeat = 0;
  std::string_view cluster;
  int attempts = 1;
  std::string_view started_at;
  double queue_ms = 0;
  std::optional<Pricing> price;
  bool save_responses = true;
  std::string_view api_key;  // scrubbed from every message that could echo it
  const std::vector<ScorerSpec>* scorers = nullptr;
  const std::vector<std::optional<std::string>>* references = nullptr;  // parallel to scorers
  bool stream = false;                                                  // the body is an SSE stream
  std::string* answer_out = nullptr;  // gets the answer (content, else the tool calls) when ok
};

CallRecord BuildRecord(const CallContext& call, const HttpResult& http);

/// error_kind of a transfer that failed below HTTP (libcurl's result code).
ErrorKind ClassifyTransportError(int curl_code);

}  // namespace evalrun
