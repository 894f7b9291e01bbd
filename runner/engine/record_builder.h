// BuildRecord: what one finished HTTP exchange means as a results.jsonl record: status and
// error_kind from the transfer and the body, usage and cost, the response text. Pure; the run
// loop calls it for each finished transfer.
#pragma once

#include <optional>
#include <string>

#include "engine/transport.h"
#include "job/job.h"
#include "results/call_record.h"

namespace evalrun {

struct CallContext {
  std::string run_id;
  std::string model;
  std::string model_id;
  std::string dataset;
  std::string row_id;
  int repeat = 0;
  std::string cluster;
  int attempts = 1;
  std::string started_at;
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
