// CallRecord: one finished call, exactly the fields of a results.jsonl line (CONTRACT.md). Made by
// the engine (BuildRecord), written by ResultsWriter, read back by RecordFromJson (the record
// reader) for reports and resumes, and folded into the summary by SummaryBuilder.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "api/chat_response.h"
#include "api/error_kind.h"

namespace evalrun {

struct CallRecord {
  std::string run_id;
  std::string model;     // the model's label (its id unless the job gave a label)
  std::string model_id;  // the id sent to the API
  std::string dataset;
  std::string row_id;
  int repeat = 0;
  std::string cluster;  // the row's cluster_field value; empty when its dataset names none
  ErrorKind error_kind = ErrorKind::kNone;  // kNone means status "ok"
  std::string error;                        // what went wrong, for people; empty when ok
  long http_status = 0;
  int attempts = 1;
  std::string started_at;  // RFC 3339 UTC with milliseconds
  double latency_ms = 0;
  std::optional<double> ttft_ms;
  std::optional<double> itl_ms;   // streamed calls: mean gap between token events after the first
  std::optional<double> ttfa_ms;  // streamed calls: first content or tool-call delta (the answer)
  double queue_ms = 0;
  std::optional<Usage> usage;
  std::optional<double> cost_usd;
  std::string finish_reason;
  std::optional<std::string> response;   // absent when save_responses is false, or tool calls only
  std::optional<std::string> reasoning;  // a thinking model's reasoning, under save_responses
  std::optional<long long> reasoning_tokens;  // of completion_tokens, spent thinking
  std::optional<std::string> tool_calls;      // the tool_calls array, as JSON
  /// Not sent: its model was stopped after repeated identical errors no retry mends. Its
  /// error_kind and error are the ones that stopped the model; --resume sends it.
  bool skipped = false;
  std::map<std::string, double> scores;
  std::string request_id;
  bool cached = false;  // answered from the response cache: nothing was sent, nothing paid

  bool ok() const { return error_kind == ErrorKind::kNone; }
};

/// The API answered 2xx, so it may have billed the call, but its answer carried no usage (proxies
/// and some servers leave it out, often when streaming): the tokens and the cost are unknown, never
/// 0. A cached answer cost nothing and is never missing its usage.
bool UsageMissing(const CallRecord& r);

/// The call's cost as far as it can be known: its cost_usd; 0 when nothing was billed (answered
/// from the cache, or failed without an answer that carried usage); nullopt when unknown (no price
/// for its model, or UsageMissing). Summaries, the progress line and the budget all count by it.
std::optional<double> KnownCostUsd(const CallRecord& r);

/// `"usage": {prompt_tokens, completion_tokens, total_tokens}`, or `"usage": null`: the one shape
/// of usage in results.jsonl and verdicts.jsonl.
template <class Writer>
void WriteUsage(Writer& w, const std::optional<Usage>& usage) {
  w.Key("usage");
  if (!usage) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(usage->prompt_tokens);
  w.Key("completion_tokens");
  w.Int64(usage->completion_tokens);
  w.Key("total_tokens");
  w.Int64(usage->total_tokens);
  if (usage->cached_tokens > 0) {  // the API's prompt_tokens_details.cached_tokens
    w.Key("cached_tokens");
    w.Int64(usage->cached_tokens);
  }
  w.EndObject();
}

/// A time as results.jsonl holds it: whole microseconds (the clocks behind the times are no
/// finer, and shorter lines keep the file smaller).
double RoundMs(double ms);

/// Rounds the record's times as its line holds them. The run loop hands the sink records so
/// rounded: a fresh run's reports, built from the records it wrote rather than from reading the
/// file back, then count exactly what `evalrun report` counts from the file. Nothing else needs
/// it: the scorers' scores are 0 or 1 (a scorer giving other values would need them as the
/// writer's 12 decimals leave them), and a run with judges reads its file back.
void RoundTimes(CallRecord* record);

/// One results.jsonl line (no trailing newline).
std::string RecordToJson(const CallRecord& record);
/// The same line appended to `out` (no newline): the results writer's batch, reused from one
/// wake-up of the loop to the next, so a record costs no buffer of its own.
void AppendRecordJson(const CallRecord& record, std::string* out);

/// Parses one results.jsonl line; false when it is not a whole record (e.g. a torn last line).
bool RecordFromJson(std::string_view line, CallRecord* record);

}  // namespace evalrun
