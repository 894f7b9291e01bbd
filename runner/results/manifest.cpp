#include "results/manifest.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

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
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out.push_back('\n');
  return out;
}

}  // namespace evalrun
