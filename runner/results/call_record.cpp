#include "results/call_record.h"

#include <cmath>

#include "common/json_write.h"

namespace evalrun {
namespace {

using Writer = JsonAppender;

template <size_t N>
void OptionalString(Writer& w, const char (&key)[N], const std::string& v) {
  w.Key(key);
  if (v.empty())
    w.Null();
  else
    w.String(v);
}

}  // namespace

double RoundMs(double ms) {
  // On the double, not through an integer: a time read back from a file may be any size (found
  // by fuzzing: 5.3e22 ms overflowed a long long). Rounding twice gives the first rounding.
  return std::round(ms * 1000) / 1000;
}

void RoundTimes(CallRecord* r) {
  r->latency_ms = RoundMs(r->latency_ms);
  r->queue_ms = RoundMs(r->queue_ms);
  for (std::optional<double>* t : {&r->ttft_ms, &r->itl_ms, &r->ttfa_ms}) {
    if (*t) **t = RoundMs(**t);
  }
}

bool UsageMissing(const CallRecord& r) {
  return !r.cached && !r.usage && r.http_status >= 200 && r.http_status < 300;
}

std::optional<double> KnownCostUsd(const CallRecord& r) {
  if (r.cost_usd) return r.cost_usd;
  if (r.cached) return 0.0;
  if (r.usage || UsageMissing(r)) return std::nullopt;
  return 0.0;
}

std::string RecordToJson(const CallRecord& record) {
  std::string line;
  AppendRecordJson(record, &line);
  return line;
}

void AppendRecordJson(const CallRecord& r, std::string* out) {
  // A record opens with what every call of a model on a dataset shares: written once and copied
  // while the calls of one model and dataset follow one another (a fifth of a record's bytes).
  struct Head {
    std::string run_id, model, model_id, dataset, json;
  };
  thread_local Head head;
  if (head.json.empty() || head.run_id != r.run_id || head.model != r.model ||
      head.model_id != r.model_id || head.dataset != r.dataset) {
    head = {r.run_id, r.model, r.model_id, r.dataset, {}};
    Writer w(&head.json);
    w.StartObject();
    w.Key("run_id");
    w.String(r.run_id);
    w.Key("model");
    w.String(r.model);
    w.Key("model_id");
    w.String(r.model_id);
    w.Key("dataset");
    w.String(r.dataset);
  }
  Writer w(out);
  // Times are already rounded; the cap only hides binary noise in them. Costs are written exactly.
  w.SetMaxDecimalPlaces(12);
  w.ResumeObject(head.json);
  w.Key("row_id");
  w.String(r.row_id);
  w.Key("repeat");
  w.Int(r.repeat);
  if (!r.cluster.empty()) {
    w.Key("cluster");
    w.String(r.cluster);
  }
  w.Key("status");
  w.String(r.ok() ? "ok" : r.skipped ? "skipped" : "error");
  w.Key("error_kind");
  if (r.ok())
    w.Null();
  else
    w.String(ErrorKindName(r.error_kind));
  OptionalString(w, "error", r.error);
  w.Key("http_status");
  if (r.http_status > 0)
    w.Int64(r.http_status);
  else
    w.Null();
  w.Key("attempts");
  w.Int(r.attempts);
  w.Key("started_at");
  w.String(r.started_at);
  w.Key("latency_ms");
  w.Double(RoundMs(r.latency_ms));
  WriteOptionalNumber(w, "ttft_ms",
                      r.ttft_ms ? std::optional<double>(RoundMs(*r.ttft_ms)) : std::nullopt);
  WriteOptionalNumber(w, "itl_ms",
                      r.itl_ms ? std::optional<double>(RoundMs(*r.itl_ms)) : std::nullopt);
  if (r.ttfa_ms) WriteOptionalNumber(w, "ttfa_ms", RoundMs(*r.ttfa_ms));
  w.Key("queue_ms");
  w.Double(RoundMs(r.queue_ms));
  WriteUsage(w, r.usage);
  if (r.reasoning_tokens) {
    w.Key("reasoning_tokens");
    w.Int64(*r.reasoning_tokens);
  }
  WriteExactNumber(w, "cost_usd", r.cost_usd);
  OptionalString(w, "finish_reason", r.finish_reason);
  if (r.response) {
    w.Key("response");
    w.String(*r.response);
  }
  if (r.reasoning) {
    w.Key("reasoning");
    w.String(*r.reasoning);
  }
  if (r.tool_calls) {
    w.Key("tool_calls");
    w.RawValue(r.tool_calls->data(), r.tool_calls->size(), rapidjson::kArrayType);
  }
  w.Key("scores");
  w.StartObject();
  for (const auto& [name, v] : r.scores) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Double(v);
  }
  w.EndObject();
  OptionalString(w, "request_id", r.request_id);
  w.Key("cached");
  w.Bool(r.cached);
  w.EndObject();
}

}  // namespace evalrun
