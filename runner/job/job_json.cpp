#include "job/job_json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/json_write.h"

namespace evalrun {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

}  // namespace

void WriteJsonParams(Writer& w, const JsonParams& params) {
  w.StartObject();
  for (const auto& [k, v] : params) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.RawValue(v.data(), v.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

void WritePrompt(Writer& w, const PromptSpec& prompt) {
  w.StartObject();
  w.Key("system");
  w.String(prompt.system);
  w.Key("template");
  w.String(prompt.template_text);
  w.EndObject();
}

void WriteModelKeys(Writer& w, const ModelSpec& m) {
  w.Key("id");
  w.String(m.id);
  w.Key("label");
  w.String(m.label);
  w.Key("params");
  WriteJsonParams(w, m.params);
  if (m.thinks) {  // written only when set: older plans stay what they were
    w.Key("thinks");
    w.Bool(true);
  }
}

const char* DatasetFormatName(DatasetFormat f) {
  switch (f) {
    case DatasetFormat::kAuto:
      return "auto";
    case DatasetFormat::kChat:
      return "chat";
    case DatasetFormat::kFields:
      return "fields";
    case DatasetFormat::kOpenAiBatch:
      return "openai-batch";
  }
  return "auto";
}

const char* HttpVersionName(HttpVersion v) {
  switch (v) {
    case HttpVersion::kAuto:
      return "auto";
    case HttpVersion::k1_1:
      return "1.1";
    case HttpVersion::k2:
      return "2";
  }
  return "auto";
}

const char* ScorerTypeName(ScorerType t) {
  switch (t) {
    case ScorerType::kExact:
      return "exact";
    case ScorerType::kContains:
      return "contains";
    case ScorerType::kRegex:
      return "regex";
    case ScorerType::kJson:
      return "json";
    case ScorerType::kNumber:
      return "number";
    case ScorerType::kJudge:
      return "judge";
  }
  return "exact";
}

const char* ReportFormatName(ReportFormat f) {
  switch (f) {
    case ReportFormat::kJson:
      return "json";
    case ReportFormat::kMd:
      return "md";
    case ReportFormat::kCsv:
      return "csv";
    case ReportFormat::kJunit:
      return "junit";
    case ReportFormat::kHtml:
      return "html";
  }
  return "json";
}

namespace {

void WriteEndpoint(Writer& w, const Endpoint& e) {
  w.StartObject();
  w.Key("base_url");
  w.String(e.base_url);
  w.Key("api_key_env");
  w.String(e.api_key_env);
  w.Key("project");
  w.String(e.project);
  w.Key("headers");
  w.StartArray();
  for (const auto& h : e.headers) w.String(h.first);  // names only: values may be secrets
  w.EndArray();
  w.Key("timeout_s");
  w.Double(e.timeout_s);
  w.Key("connect_timeout_s");
  w.Double(e.connect_timeout_s);
  w.Key("http");
  w.String(HttpVersionName(e.http));
  w.Key("ca_bundle");
  w.String(e.ca_bundle);
  w.EndObject();
}

void WriteModel(Writer& w, const ModelSpec& m) {
  w.StartObject();
  WriteModelKeys(w, m);
  w.Key("pricing");
  if (m.pricing) {
    w.StartObject();
    w.Key("input_per_mtok");
    w.Double(m.pricing->input_per_mtok);
    w.Key("output_per_mtok");
    w.Double(m.pricing->output_per_mtok);
    if (m.pricing->cached_input_per_mtok) {
      w.Key("cached_input_per_mtok");
      w.Double(*m.pricing->cached_input_per_mtok);
    }
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
}

void WriteDataset(Writer& w, const DatasetSpec& d) {
  w.StartObject();
  w.Key("path");
  w.String(d.given_path);
  w.Key("name");
  w.String(d.name);
  w.Key("format");
  w.String(DatasetFormatName(d.format));
  w.Key("limit");
  if (d.limit)
    w.Int64(*d.limit);
  else
    w.Null();
  w.Key("id_field");
  w.String(d.id_field);
  if (!d.cluster_field.empty()) {
    w.Key("cluster_field");
    w.String(d.cluster_field);
  }
  w.EndObject();
}

/// rate_limit and retry: how calls are paced and retried.
void WritePacing(Writer& w, const Job& job) {
  w.Key("rate_limit");
  w.StartObject();
  w.Key("requests_per_minute");
  w.Double(job.rate_limit.requests_per_minute);
  w.Key("tokens_per_minute");
  w.Double(job.rate_limit.tokens_per_minute);
  w.EndObject();
  w.Key("retry");
  w.StartObject();
  w.Key("max_attempts");
  w.Int(job.retry.max_attempts);
  w.Key("initial_backoff_ms");
  w.Int(job.retry.initial_backoff_ms);
  w.Key("max_backoff_ms");
  w.Int(job.retry.max_backoff_ms);
  w.Key("stop_after_same_error");
  w.Int(job.retry.stop_after_same_error);
  w.EndObject();
}

/// gates and budget_usd: how the run is judged and held.
void WriteLimits(Writer& w, const Job& job) {
  w.Key("gates");
  w.StartObject();
  WriteOptionalNumber(w, "max_error_rate", job.gates.max_error_rate);
  WriteOptionalNumber(w, "min_score", job.gates.min_score);
  WriteOptionalNumber(w, "max_p95_latency_ms", job.gates.max_p95_latency_ms);
  WriteOptionalNumber(w, "max_cost_usd", job.gates.max_cost_usd);
  w.EndObject();
  WriteOptionalNumber(w, "budget_usd", job.budget_usd);
}

void WriteOutput(Writer& w, const OutputSpec& o) {
  w.StartObject();
  w.Key("dir");
  w.String(o.dir);
  w.Key("formats");
  w.StartArray();
  for (const ReportFormat f : o.formats) w.String(ReportFormatName(f));
  w.EndArray();
  w.Key("save_responses");
  w.Bool(o.save_responses);
  w.EndObject();
}

}  // namespace

std::string EffectiveJobJson(const Job& job) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("name");
  w.String(job.name);
  w.Key("file");
  w.String(job.file);
  w.Key("endpoint");
  WriteEndpoint(w, job.endpoint);
  w.Key("models");
  w.StartArray();
  for (const auto& m : job.models) WriteModel(w, m);
  w.EndArray();
  w.Key("datasets");
  w.StartArray();
  for (const auto& d : job.datasets) WriteDataset(w, d);
  w.EndArray();
  w.Key("prompt");
  WritePrompt(w, job.prompt);
  w.Key("params");
  WriteJsonParams(w, job.params);
  w.Key("stream");
  w.Bool(job.stream);
  w.Key("repeats");
  w.Int(job.repeats);
  w.Key("concurrency");
  w.Int(job.concurrency);
  w.Key("adaptive_concurrency");
  w.Bool(job.adaptive_concurrency);
  WritePacing(w, job);
  w.Key("scoring");
  w.StartArray();
  for (const auto& s : job.scoring)
    w.RawValue(s.json.data(), s.json.size(), rapidjson::kObjectType);
  w.EndArray();
  WriteLimits(w, job);
  w.Key("pricing_file");
  w.String(job.pricing_file);
  w.Key("cache");
  w.Bool(job.cache);
  w.Key("output");
  WriteOutput(w, job.output);
  w.Key("compare");
  w.StartObject();
  w.Key("baseline");
  if (job.compare_baseline.empty())
    w.Null();
  else
    w.String(job.compare_baseline);
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace evalrun
