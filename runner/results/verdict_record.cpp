#include "results/verdict_record.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/json_limits.h"
#include "common/json_write.h"
#include "common/stable_hash.h"
#include "dataset/jsonl_reader.h"
#include "results/call_record.h"
#include "results/prior_results.h"

namespace evalrun {
namespace {

std::string Str(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::optional<double> Num(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
  return it->value.GetDouble();
}

}  // namespace

uint64_t VerdictKey(std::string_view model, std::string_view dataset, std::string_view row_id,
                    int repeat, std::string_view judge) {
  return StableHash(judge, CallKey(model, dataset, row_id, repeat));
}

std::string VerdictToJson(const VerdictRecord& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"run_id", &v.run_id},
                                   {"model", &v.model},
                                   {"dataset", &v.dataset},
                                   {"row_id", &v.row_id}}) {
    w.Key(key);
    w.String(*value);
  }
  w.Key("repeat");
  w.Int(v.repeat);
  w.Key("judge");
  w.String(v.judge);
  w.Key("judge_model");
  w.String(v.judge_model);
  w.Key("status");
  w.String(v.ok() ? "ok" : "error");
  w.Key("error_kind");
  if (v.ok())
    w.Null();
  else
    w.String(ErrorKindName(v.error_kind == ErrorKind::kNone ? ErrorKind::kParse : v.error_kind));
  w.Key("error");
  w.String(v.error);
  w.Key("http_status");
  w.Int64(v.http_status);
  w.Key("attempts");
  w.Int(v.attempts);
  w.Key("started_at");
  w.String(v.started_at);
  WriteExactNumber(w, "latency_ms", v.latency_ms);
  WriteUsage(w, v.usage);
  WriteExactNumber(w, "cost_usd", v.cost_usd);
  WriteExactNumber(w, "score", v.score);
  WriteExactNumber(w, "raw_score", v.raw);
  w.Key("verdict");
  w.String(v.verdict);
  w.Key("reason");
  w.String(v.reason);
  w.Key("cached");
  w.Bool(v.cached);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

bool VerdictFromJson(std::string_view line, VerdictRecord* v) {
  rapidjson::Document d;
  if (!ParseBoundedJson(line, &d) || !d.IsObject()) return false;
  *v = VerdictRecord{};
  v->run_id = Str(d, "run_id");
  v->model = Str(d, "model");
  v->dataset = Str(d, "dataset");
  v->row_id = Str(d, "row_id");
  v->judge = Str(d, "judge");
  if (v->model.empty() || v->judge.empty() || !d.HasMember("row_id")) return false;
  if (auto r = Num(d, "repeat")) v->repeat = static_cast<int>(*r);
  v->judge_model = Str(d, "judge_model");
  v->error = Str(d, "error");
  if (Str(d, "status") != "ok") {
    v->error_kind = ErrorKind::kParse;
    ParseErrorKind(Str(d, "error_kind"), &v->error_kind);
  }
  if (auto s = Num(d, "http_status")) v->http_status = static_cast<long>(*s);
  if (auto a = Num(d, "attempts")) v->attempts = static_cast<int>(*a);
  v->started_at = Str(d, "started_at");
  v->latency_ms = Num(d, "latency_ms").value_or(0);
  if (auto u = d.FindMember("usage"); u != d.MemberEnd() && u->value.IsObject()) {
    auto p = Num(u->value, "prompt_tokens"), c = Num(u->value, "completion_tokens"),
         t = Num(u->value, "total_tokens");
    if (p && c)
      v->usage = Usage{static_cast<long long>(*p), static_cast<long long>(*c),
                       static_cast<long long>(t.value_or(*p + *c))};
  }
  v->cost_usd = Num(d, "cost_usd");
  v->score = Num(d, "score");
  v->raw = Num(d, "raw_score");
  v->verdict = Str(d, "verdict");
  v->reason = Str(d, "reason");
  if (auto c = d.FindMember("cached"); c != d.MemberEnd() && c->value.IsBool())
    v->cached = c->value.GetBool();
  if (v->error_kind == ErrorKind::kNone && !v->score) v->error_kind = ErrorKind::kParse;
  return true;
}

Status ForEachLatestVerdict(const std::string& run_dir,
                            const std::function<void(const VerdictRecord&)>& fn) {
  const std::string path = run_dir + "/verdicts.jsonl";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::Ok();
  // Which line holds each (call, judge)'s latest verdict: 16 bytes a verdict, then a second read.
  std::vector<Seen> seen;
  {
    JsonlReader reader;
    if (Status s = reader.Open(path); !s.ok()) return s;
    std::string_view line;
    long long n = 0;
    VerdictRecord v;
    while (reader.Next(&line, &n)) {
      if (VerdictFromJson(line, &v))
        seen.push_back({(VerdictKey(v) & ~uint64_t{1}) | (v.ok() ? 1u : 0u), n});
    }
    if (!reader.status().ok()) return reader.status();
  }
  const std::vector<long long> lines = ChosenLines(seen);  // empty: every verdict counts
  JsonlReader reader;
  if (Status s = reader.Open(path); !s.ok()) return s;
  std::string_view line;
  long long n = 0;
  VerdictRecord v;
  auto next = lines.begin();
  while ((lines.empty() || next != lines.end()) && reader.Next(&line, &n)) {
    if (!lines.empty()) {
      if (n != *next) continue;
      ++next;
    }
    if (VerdictFromJson(line, &v)) fn(v);
  }
  return reader.status();
}

}  // namespace evalrun
