#include "results/manifest.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "common/files.h"
#include "common/json_limits.h"
#include "job/job_json.h"

namespace evalrun {

std::string ManifestToJson(const Manifest& m) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("run_id");
  w.String(m.run_id);
  w.Key("evalrun_version");
  w.String(m.evalrun_version);
  w.Key("job");
  w.RawValue(m.job_json.data(), m.job_json.size(), rapidjson::kObjectType);
  if (!m.job_dir.empty()) {
    w.Key("job_dir");
    w.String(m.job_dir);
  }
  w.Key("datasets");
  w.StartArray();
  for (const auto& d : m.datasets) {
    w.StartObject();
    w.Key("name");
    w.String(d.name);
    w.Key("path");
    w.String(d.path);
    w.Key("sha256");
    w.String(d.sha256);
    w.Key("rows");
    w.Int64(d.rows);
    w.EndObject();
  }
  w.EndArray();
  w.Key("planned_calls");
  w.Int64(m.planned_calls);
  w.Key("shard");
  if (m.shard.empty())
    w.Null();
  else
    w.String(m.shard);
  w.Key("started_at");
  w.String(m.started_at);
  w.Key("finished_at");
  if (m.finished_at.empty())
    w.Null();
  else
    w.String(m.finished_at);
  w.Key("plan");
  if (m.plan_json.empty())
    w.Null();
  else
    w.RawValue(m.plan_json.data(), m.plan_json.size(), rapidjson::kObjectType);
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out.push_back('\n');
  return out;
}

}  // namespace evalrun

namespace evalrun {

std::string PlanJson(const Job& job, const std::vector<DatasetFingerprint>& datasets) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("models");
  w.StartArray();
  for (const auto& m : job.models) {
    w.StartObject();
    WriteModelKeys(w, m);
    w.EndObject();
  }
  w.EndArray();
  w.Key("prompt");
  WritePrompt(w, job.prompt);
  w.Key("repeats");
  w.Int(job.repeats);
  w.Key("stream");
  w.Bool(job.stream);
  w.Key("datasets");
  w.StartArray();
  for (size_t i = 0; i < datasets.size() && i < job.datasets.size(); ++i) {
    w.StartObject();
    w.Key("name");
    w.String(datasets[i].name);
    w.Key("format");
    w.String(DatasetFormatName(job.datasets[i].format));
    w.Key("id_field");
    w.String(job.datasets[i].id_field);
    w.Key("sha256");
    w.String(datasets[i].sha256);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

namespace {

std::string Compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Str(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString())
                                                     : std::string();
}

}  // namespace

namespace {

/// Whether two plans' model lists differ in more than the entries of `unanswered` models: the
/// same labels in the same order, and every other entry the same.
bool ModelsChanged(const rapidjson::Value& a, const rapidjson::Value& b,
                   const std::set<std::string>& unanswered) {
  if (!a.IsArray() || !b.IsArray() || a.Size() != b.Size()) return true;
  for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
    if (Str(a[i], "label") != Str(b[i], "label")) return true;
    if (Compact(a[i]) != Compact(b[i]) && unanswered.count(Str(a[i], "label")) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> PlanChanges(const std::string& before, const std::string& now,
                                     const std::set<std::string>& unanswered) {
  rapidjson::Document a, b;
  if (!ParseBoundedJson(before, &a) || !ParseBoundedJson(now, &b) || !a.IsObject() ||
      !b.IsObject()) {
    return {"the run directory's manifest has no readable plan"};
  }
  std::vector<std::string> changes;
  for (const char* part : {"models", "prompt", "repeats", "stream"}) {
    auto x = a.FindMember(part), y = b.FindMember(part);
    const bool changed =
        x == a.MemberEnd() || y == b.MemberEnd() ||
        (std::string_view(part) == "models" ? ModelsChanged(x->value, y->value, unanswered)
                                            : Compact(x->value) != Compact(y->value));
    if (changed) changes.push_back(std::string(part) + " changed since the run began");
  }
  auto da = a.FindMember("datasets"), db = b.FindMember("datasets");
  if (da == a.MemberEnd() || db == b.MemberEnd() || !da->value.IsArray() || !db->value.IsArray() ||
      da->value.Size() != db->value.Size()) {
    changes.push_back("the list of datasets changed since the run began");
    return changes;
  }
  for (rapidjson::SizeType i = 0; i < da->value.Size(); ++i) {
    const auto& x = da->value[i];
    const auto& y = db->value[i];
    if (Compact(x) == Compact(y)) continue;
    const bool content = Str(x, "sha256") != Str(y, "sha256");
    changes.push_back("dataset '" + Str(y, "name") + "' changed since the run began" +
                      (content ? " (its SHA-256 differs)" : " (its name, format or id_field)"));
  }
  return changes;
}

std::map<std::string, std::string> Sha256Of(const std::vector<DatasetFingerprint>& datasets) {
  std::map<std::string, std::string> out;
  for (const auto& d : datasets) out[d.name] = d.sha256;
  return out;
}

Result<ManifestInfo> ReadManifest(const std::string& run_dir) {
  auto text = ReadWholeFile(run_dir + "/manifest.json");
  if (!text.ok()) return Status::InvalidInput(run_dir + ": not a run directory (no manifest.json)");
  rapidjson::Document d;
  if (!ParseBoundedJson(text.value(), &d) || !d.IsObject()) {
    return Status::InvalidInput(run_dir + "/manifest.json is not valid JSON");
  }
  ManifestInfo info;
  info.run_id = Str(d, "run_id");
  info.started_at = Str(d, "started_at");
  info.finished_at = Str(d, "finished_at");
  info.shard = Str(d, "shard");
  info.job_dir = Str(d, "job_dir");
  if (auto p = d.FindMember("planned_calls"); p != d.MemberEnd() && p->value.IsInt64()) {
    info.planned_calls = p->value.GetInt64();
  }
  if (auto ds = d.FindMember("datasets"); ds != d.MemberEnd() && ds->value.IsArray()) {
    for (const auto& x : ds->value.GetArray()) {
      if (!x.IsObject()) continue;
      DatasetFingerprint f{Str(x, "name"), Str(x, "path"), Str(x, "sha256"), 0};
      if (auto rows = x.FindMember("rows"); rows != x.MemberEnd() && rows->value.IsInt64())
        f.rows = rows->value.GetInt64();
      info.datasets.push_back(f);
    }
  }
  if (auto job = d.FindMember("job"); job != d.MemberEnd() && job->value.IsObject()) {
    info.job_name = Str(job->value, "name");
    info.job_json = Compact(job->value);
    if (auto g = job->value.FindMember("gates");
        g != job->value.MemberEnd() && g->value.IsObject()) {
      auto gate = [&](const char* key, std::optional<double>* out) {
        auto it = g->value.FindMember(key);
        if (it != g->value.MemberEnd() && it->value.IsNumber()) *out = it->value.GetDouble();
      };
      gate("max_error_rate", &info.gates.max_error_rate);
      gate("min_score", &info.gates.min_score);
      gate("max_p95_latency_ms", &info.gates.max_p95_latency_ms);
      gate("max_cost_usd", &info.gates.max_cost_usd);
    }
    if (auto c = job->value.FindMember("compare");
        c != job->value.MemberEnd() && c->value.IsObject())
      info.compare_baseline = Str(c->value, "baseline");
    if (auto sc = job->value.FindMember("scoring");
        sc != job->value.MemberEnd() && sc->value.IsArray()) {
      for (const auto& entry : sc->value.GetArray()) {
        if (!entry.IsObject()) continue;
        std::string name = Str(entry, "name");
        if (name.empty()) name = Str(entry, "type");
        if (!name.empty() && std::find(info.score_names.begin(), info.score_names.end(), name) ==
                                 info.score_names.end())
          info.score_names.push_back(name);
        if (Str(entry, "type") == "judge") info.judge_names.push_back(name);
      }
    }
  }
  if (auto plan = d.FindMember("plan"); plan != d.MemberEnd() && plan->value.IsObject()) {
    info.plan_json = Compact(plan->value);
  }
  return info;
}

}  // namespace evalrun
