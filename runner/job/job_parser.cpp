#include "job/job_parser.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/text.h"
#include "job/job_json.h"
#include "job/yaml_json.h"

namespace evalrun {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kTopKeys = {
    "name",   "endpoint",   "models",       "datasets",   "prompt", "params",
    "stream", "repeats",    "concurrency",  "rate_limit", "retry",  "scoring",
    "gates",  "budget_usd", "pricing_file", "output",     "cache",  "adaptive_concurrency",
    "compare"};
const std::vector<std::string> kEndpointKeys = {"base_url", "api_key_env", "project",
                                                "headers",  "timeout_s",   "connect_timeout_s",
                                                "http",     "ca_bundle"};
const std::vector<std::string> kModelKeys = {"id",      "label",  "params",
                                             "pricing", "thinks", "tokenizer"};
const std::vector<std::string> kPricingKeys = {"input_per_mtok", "output_per_mtok",
                                               "cached_input_per_mtok", "as_of", "source"};
const std::vector<std::string> kDatasetKeys = {"path",  "name",     "format",
                                               "limit", "id_field", "cluster_field"};
const std::vector<std::string> kPromptKeys = {"system", "template"};
const std::vector<std::string> kRateLimitKeys = {"requests_per_minute", "tokens_per_minute"};
const std::vector<std::string> kRetryKeys = {"max_attempts", "initial_backoff_ms", "max_backoff_ms",
                                             "stop_after_same_error"};
const std::vector<std::string> kScorerKeys = {
    "type",   "field", "name",   "ignore_case", "pattern", "required_keys", "tolerance", "target",
    "schema", "model", "rubric", "template",    "scale",   "params",        "pricing"};
const std::vector<std::string> kGateKeys = {"max_error_rate", "min_score", "max_p95_latency_ms",
                                            "max_cost_usd"};
const std::vector<std::string> kOutputKeys = {"dir", "formats", "save_responses"};
const std::vector<std::string> kCompareKeys = {"baseline"};
// In the order of the enums they name (ScorerType, ReportFormat): a name's index is its value.
const std::vector<std::string> kScorerTypes = {"exact", "contains", "regex",
                                               "json",  "number",   "judge"};
const std::vector<std::string> kFormats = {"json", "md", "csv", "junit", "html"};

/// The index of `name` in `names`, or -1.
long IndexOf(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<long>(it - names.begin());
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

/// Walks the YAML tree and fills a Job, collecting every problem instead of stopping at the first.
class JobReader {
 public:
  JobReader(std::string file, std::vector<std::string> overridden)
      : file_(std::move(file)), overridden_(std::move(overridden)) {}

  Diagnostics& problems() { return problems_; }

  void Fail(const YAML::Node& node, const std::string& path, const std::string& msg) {
    for (const auto& o : overridden_) {
      if (path == o || path.rfind(o + ".", 0) == 0 || path.rfind(o + "[", 0) == 0) {
        problems_.push_back({file_, 0, 0, fmt::format("(--set {}) {}", o, msg)});
        return;
      }
    }
    const YAML::Mark m = node.Mark();
    if (m.is_null()) {
      problems_.push_back({file_, 0, 0, msg});
    } else {
      problems_.push_back({file_, m.line + 1, m.column + 1, msg});
    }
  }

  bool ExpectMap(const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) return true;
    Fail(node, path, fmt::format("{} must be a map", path));
    return false;
  }

  void CheckKeys(const YAML::Node& map, const std::string& path,
                 const std::vector<std::string>& known) {
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string where = path.empty() ? key : path + "." + key;
      std::string hint = ClosestMatch(key, known);
      Fail(kv.first, where,
           hint.empty() ? fmt::format("unknown key '{}' (valid here: {})", where, Join(known))
                        : fmt::format("unknown key '{}'; did you mean '{}'?", where, hint));
    }
  }

  bool String(const YAML::Node& node, const std::string& path, std::string* out) {
    if (node.IsScalar() && !IsPlainNull(node)) {
      *out = node.Scalar();
      return true;
    }
    Fail(node, path, fmt::format("{} must be a string", path));
    return false;
  }

  bool Number(const YAML::Node& node, const std::string& path, double min, double* out) {
    long long i;
    double d;
    if (ReadPlainInt(node, &i)) {
      d = static_cast<double>(i);
    } else if (!ReadPlainNumber(node, &d)) {
      Fail(node, path, fmt::format("{} must be a number", path));
      return false;
    }
    if (d < min) {
      Fail(node, path, fmt::format("{} must be at least {}", path, min));
      return false;
    }
    *out = d;
    return true;
  }

  bool Int(const YAML::Node& node, const std::string& path, long long min, long long max,
           long long* out) {
    long long i;
    if (!ReadPlainInt(node, &i)) {
      Fail(node, path, fmt::format("{} must be a whole number", path));
      return false;
    }
    if (i < min || i > max) {
      Fail(node, path, fmt::format("{} must be between {} and {}", path, min, max));
      return false;
    }
    *out = i;
    return true;
  }

  template <class T>
  void IntInto(const YAML::Node& map, const char* key, const std::string& path, long long min,
               long long max, T* out) {
    long long v;
    if (map[key] && Int(map[key], path, min, max, &v)) *out = static_cast<T>(v);
  }

  bool Bool(const YAML::Node& node, const std::string& path, bool* out) {
    if (ReadPlainBool(node, out)) return true;
    Fail(node, path, fmt::format("{} must be true or false", path));
    return false;
  }

  bool Params(const YAML::Node& node, const std::string& path, JsonParams* out) {
    if (!ExpectMap(node, path)) return false;
    for (const auto& kv : node) {
      std::string json, error;
      if (!YamlToJson(kv.second, &json, &error)) {
        Fail(kv.second, path, fmt::format("{}.{}: {}", path, kv.first.Scalar(), error));
        return false;
      }
      out->emplace_back(kv.first.Scalar(), std::move(json));
    }
    return true;
  }

  bool PricingFrom(const YAML::Node& node, const std::string& path, Pricing* out) {
    if (!ExpectMap(node, path)) return false;
    CheckKeys(node, path, kPricingKeys);
    bool ok = true;
    for (const char* key : {"input_per_mtok", "output_per_mtok"}) {
      if (!node[key]) {
        Fail(node, path, fmt::format("{} needs {}", path, key));
        ok = false;
      }
    }
    if (!ok) return false;
    // Both are checked, so both problems are reported at once.
    const bool in =
        Number(node["input_per_mtok"], path + ".input_per_mtok", 0, &out->input_per_mtok);
    const bool outp =
        Number(node["output_per_mtok"], path + ".output_per_mtok", 0, &out->output_per_mtok);
    bool cached = true;
    if (node["cached_input_per_mtok"]) {
      double v = 0;
      cached = Number(node["cached_input_per_mtok"], path + ".cached_input_per_mtok", 0, &v);
      if (cached) out->cached_input_per_mtok = v;
    }
    if (node["as_of"]) String(node["as_of"], path + ".as_of", &out->as_of);
    if (node["source"]) String(node["source"], path + ".source", &out->source);
    return in && outp && cached;
  }

  std::string ExistingPath(const YAML::Node& node, const std::string& path,
                           const std::string& base_dir, const char* what) {
    std::string given;
    if (!String(node, path, &given)) return {};
    fs::path p(given);
    if (p.is_relative()) p = fs::path(base_dir) / p;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      Fail(node, path, fmt::format("{} '{}' not found (looked at {})", what, given, p.string()));
      return {};
    }
    return p.lexically_normal().string();
  }

 private:
  std::string file_;
  std::vector<std::string> overridden_;
  Diagnostics problems_;
};

void ReadEndpoint(JobReader& r, const YAML::Node& n, Job& job) {
  if (!r.ExpectMap(n, "endpoint")) return;
  r.CheckKeys(n, "endpoint", kEndpointKeys);
  Endpoint& e = job.endpoint;
  if (n["base_url"] && r.String(n["base_url"], "endpoint.base_url", &e.base_url)) {
    if (e.base_url.rfind("http://", 0) != 0 && e.base_url.rfind("https://", 0) != 0) {
      r.Fail(n["base_url"], "endpoint.base_url",
             "endpoint.base_url must start with http:// or https://");
    }
    while (!e.base_url.empty() && e.base_url.back() == '/') e.base_url.pop_back();
  }
  if (n["api_key_env"]) r.String(n["api_key_env"], "endpoint.api_key_env", &e.api_key_env);
  if (n["project"] && !IsPlainNull(n["project"]))
    r.String(n["project"], "endpoint.project", &e.project);
  if (n["headers"] && r.ExpectMap(n["headers"], "endpoint.headers")) {
    for (const auto& kv : n["headers"]) {
      std::string name = kv.first.Scalar(), value;
      if (r.String(kv.second, "endpoint.headers." + name, &value))
        e.headers.emplace_back(name, value);
    }
  }
  if (n["timeout_s"]) r.Number(n["timeout_s"], "endpoint.timeout_s", 0.001, &e.timeout_s);
  if (n["connect_timeout_s"])
    r.Number(n["connect_timeout_s"], "endpoint.connect_timeout_s", 0.001, &e.connect_timeout_s);
  if (std::string http; n["http"] && r.String(n["http"], "endpoint.http", &http)) {
    if (http == "auto")
      e.http = HttpVersion::kAuto;
    else if (http == "1.1")
      e.http = HttpVersion::k1_1;
    else if (http == "2" || http == "2.0")
      e.http = HttpVersion::k2;
    else {
      r.Fail(n["http"], "endpoint.http", "endpoint.http must be auto, \"1.1\" or \"2\"");
    }
  }
  if (n["ca_bundle"] && !IsPlainNull(n["ca_bundle"])) {
    e.ca_bundle = r.ExistingPath(n["ca_bundle"], "endpoint.ca_bundle", job.base_dir, "CA bundle");
  }
}

void ReadModels(JobReader& r, const YAML::Node& n, Job& job) {
  if (n.IsScalar()) {
    job.models.push_back({n.Scalar(), n.Scalar(), job.params, std::nullopt});
    return;
  }
  if (!n.IsSequence() || n.size() == 0) {
    r.Fail(n, "models", "models must be a model id or a non-empty list of them");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node m = n[i];
    std::string path = fmt::format("models[{}]", i);
    ModelSpec spec;
    if (m.IsScalar()) {
      r.String(m, path, &spec.id);
    } else if (r.ExpectMap(m, path)) {
      r.CheckKeys(m, path, kModelKeys);
      if (!m["id"])
        r.Fail(m, path, fmt::format("{} needs an id", path));
      else
        r.String(m["id"], path + ".id", &spec.id);
      if (m["label"]) r.String(m["label"], path + ".label", &spec.label);
      JsonParams own;
      if (m["params"]) r.Params(m["params"], path + ".params", &own);
      spec.params = own;  // merged over the job's params once those are read
      if (m["pricing"]) {
        Pricing p;
        if (r.PricingFrom(m["pricing"], path + ".pricing", &p)) spec.pricing = p;
      }
      if (m["thinks"]) r.Bool(m["thinks"], path + ".thinks", &spec.thinks);
      if (m["tokenizer"] && r.String(m["tokenizer"], path + ".tokenizer", &spec.tokenizer)) {
        fs::path p(spec.tokenizer);
        if (p.is_relative()) p = fs::path(job.base_dir) / p;
        std::error_code ec;
        const bool dir = fs::is_directory(p, ec);
        if (!fs::is_regular_file(dir ? p / "tokenizer.json" : p, ec))
          r.Fail(m["tokenizer"], path + ".tokenizer",
                 fmt::format("tokenizer '{}' not found (looked for {})", spec.tokenizer,
                             (dir ? p / "tokenizer.json" : p).string()));
        spec.tokenizer = p.lexically_normal().string();
      }
    }
    if (spec.label.empty()) spec.label = spec.id;
    for (const auto& other : job.models) {
      if (other.label == spec.label) {
        r.Fail(m, path,
               fmt::format("model '{}' is listed twice; give one a different label", spec.label));
      }
    }
    job.models.push_back(std::move(spec));
  }
}

void ReadDatasets(JobReader& r, const YAML::Node& n, Job& job) {
  if (!n.IsSequence() || n.size() == 0) {
    r.Fail(n, "datasets", "datasets must be a non-empty list");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node d = n[i];
    std::string path = fmt::format("datasets[{}]", i);
    DatasetSpec spec;
    // reset(), not '=': assigning a yaml-cpp Node overwrites the node it refers to.
    YAML::Node path_node;
    path_node.reset(d);
    if (d.IsMap()) {
      r.CheckKeys(d, path, kDatasetKeys);
      if (!d["path"]) {
        r.Fail(d, path, fmt::format("{} needs a path", path));
        continue;
      }
      path_node.reset(d["path"]);
    } else if (!d.IsScalar()) {
      r.Fail(d, path, fmt::format("{} must be a path or a map with a path", path));
      continue;
    }
    r.String(path_node, path + ".path", &spec.given_path);
    spec.path = r.ExistingPath(path_node, path + ".path", job.base_dir, "dataset");
    spec.name = fs::path(spec.given_path).stem().string();
    if (d.IsMap()) {
      if (d["name"]) r.String(d["name"], path + ".name", &spec.name);
      if (d["format"]) {
        std::string f;
        if (r.String(d["format"], path + ".format", &f)) {
          if (f == "auto")
            spec.format = DatasetFormat::kAuto;
          else if (f == "chat")
            spec.format = DatasetFormat::kChat;
          else if (f == "fields")
            spec.format = DatasetFormat::kFields;
          else if (f == "openai-batch")
            spec.format = DatasetFormat::kOpenAiBatch;
          else
            r.Fail(d["format"], path + ".format",
                   fmt::format("{}.format must be auto, chat, fields or openai-batch", path));
        }
      }
      if (d["limit"]) {
        long long limit = 0;
        if (r.Int(d["limit"], path + ".limit", 0, 1LL << 50, &limit)) spec.limit = limit;
      }
      if (d["id_field"]) r.String(d["id_field"], path + ".id_field", &spec.id_field);
      if (d["cluster_field"])
        r.String(d["cluster_field"], path + ".cluster_field", &spec.cluster_field);
    }
    for (const auto& other : job.datasets) {
      if (other.name == spec.name) {
        r.Fail(d, path, fmt::format("two datasets are named '{}'; give one a name", spec.name));
      }
    }
    job.datasets.push_back(std::move(spec));
  }
}

void ReadJudge(JobReader& r, const YAML::Node& s, const std::string& path, const std::string& name,
               ScorerSpec* spec) {
  JudgeSpec j;
  if (!s["model"])
    r.Fail(s, path, fmt::format("{} needs a model: the judge's id at the job's endpoint", path));
  else
    r.String(s["model"], path + ".model", &j.model.id);
  j.model.label = name;
  if (s["rubric"]) r.String(s["rubric"], path + ".rubric", &j.rubric);
  if (s["template"] && !IsPlainNull(s["template"]))
    r.String(s["template"], path + ".template", &j.template_text);
  if (!s["rubric"] && j.template_text.empty())
    r.Fail(s, path, fmt::format("{} needs a rubric or a template", path));
  if (const YAML::Node scale = s["scale"]) {
    if (!scale.IsSequence() || scale.size() != 2 ||
        !r.Number(scale[0], path + ".scale", -1e12, &j.scale_lo) ||
        !r.Number(scale[1], path + ".scale", -1e12, &j.scale_hi) || !(j.scale_lo < j.scale_hi))
      r.Fail(scale, path + ".scale",
             fmt::format("{}.scale must be [low, high] with low < high", path));
  }
  // A judge grades at temperature 0 unless told otherwise: its verdicts are then repeatable, and
  // cached like any deterministic call.
  j.model.params = {{"temperature", "0"}};
  if (s["params"]) {
    JsonParams own;
    if (r.Params(s["params"], path + ".params", &own))
      j.model.params = MergeParams(j.model.params, own);
  }
  if (s["pricing"]) {
    Pricing p;
    if (r.PricingFrom(s["pricing"], path + ".pricing", &p)) j.model.pricing = p;
  }
  spec->judge = std::move(j);
}

void ReadScoring(JobReader& r, const YAML::Node& n, Job& job) {
  if (!n.IsSequence()) {
    r.Fail(n, "scoring", "scoring must be a list of scorers");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node s = n[i];
    std::string path = fmt::format("scoring[{}]", i);
    if (!r.ExpectMap(s, path)) continue;
    r.CheckKeys(s, path, kScorerKeys);
    ScorerSpec spec;
    std::string type;
    if (!s["type"]) {
      r.Fail(s, path, fmt::format("{} needs a type ({})", path, Join(kScorerTypes)));
    } else if (r.String(s["type"], path + ".type", &type)) {
      if (const long index = IndexOf(kScorerTypes, type); index >= 0)
        spec.type = static_cast<ScorerType>(index);
      else
        r.Fail(s["type"], path + ".type",
               fmt::format("{}.type must be one of {}", path, Join(kScorerTypes)));
    }
    if (s["field"])
      r.String(s["field"], path + ".field", &spec.field);
    else if (spec.type != ScorerType::kJson && spec.type != ScorerType::kJudge &&
             !(spec.type == ScorerType::kRegex && s["pattern"]))
      r.Fail(s, path, fmt::format("{} needs a reference field", path));
    spec.name = ScorerTypeName(spec.type);
    if (s["name"]) r.String(s["name"], path + ".name", &spec.name);
    if (spec.type == ScorerType::kJudge) {
      ReadJudge(r, s, path, spec.name, &spec);
    } else {
      for (const char* key : {"model", "rubric", "template", "scale", "params", "pricing"}) {
        if (s[key])
          r.Fail(s[key], path + "." + key, fmt::format("{}.{} needs type: judge", path, key));
      }
    }
    if (s["ignore_case"]) r.Bool(s["ignore_case"], path + ".ignore_case", &spec.ignore_case);
    if (s["tolerance"]) r.Number(s["tolerance"], path + ".tolerance", 0, &spec.tolerance);
    if (s["pattern"] && r.String(s["pattern"], path + ".pattern", &spec.pattern)) {
      auto compiled = Regex::Compile(spec.pattern, spec.ignore_case);
      if (compiled.ok())
        spec.compiled = std::move(compiled.value());
      else
        r.Fail(
            s["pattern"], path + ".pattern",
            fmt::format("{}.pattern is not a valid regex: {}", path, compiled.status().message()));
    }
    if (const YAML::Node keys = s["required_keys"]) {
      if (!keys.IsSequence())
        r.Fail(keys, path + ".required_keys", path + ".required_keys must be a list");
      else
        for (size_t k = 0; k < keys.size(); ++k) {
          std::string key;
          if (r.String(keys[k], path + ".required_keys", &key)) spec.required_keys.push_back(key);
        }
    }
    if (s["target"]) {
      std::string target;
      if (r.String(s["target"], path + ".target", &target)) {
        if (target == "content")
          spec.target = ScoreTarget::kContent;
        else if (target == "tool_arguments")
          spec.target = ScoreTarget::kToolArguments;
        else
          r.Fail(s["target"], path + ".target",
                 fmt::format("{}.target must be content or tool_arguments", path));
      }
    }
    if (s["schema"]) {
      if (spec.type != ScorerType::kJson)
        r.Fail(s["schema"], path + ".schema", fmt::format("{}.schema needs type: json", path));
      spec.schema_path = r.ExistingPath(s["schema"], path + ".schema", job.base_dir, "JSON schema");
      if (!spec.schema_path.empty()) {
        auto schema = JsonSchema::Load(spec.schema_path);
        if (schema.ok())
          spec.schema = std::move(schema.value());
        else
          r.Fail(s["schema"], path + ".schema",
                 fmt::format("{}.schema: {}", path, schema.status().message()));
      }
    }
    for (const auto& other : job.scoring) {
      if (other.name == spec.name)
        r.Fail(s, path, fmt::format("two scorers are named '{}'; give one a name", spec.name));
    }
    std::string error;
    if (!YamlToJson(s, &spec.json, &error)) spec.json = "{}";
    job.scoring.push_back(std::move(spec));
  }
}

void ReadOutput(JobReader& r, const YAML::Node& n, Job& job) {
  if (!r.ExpectMap(n, "output")) return;
  r.CheckKeys(n, "output", kOutputKeys);
  if (n["dir"]) r.String(n["dir"], "output.dir", &job.output.dir);
  if (n["save_responses"])
    r.Bool(n["save_responses"], "output.save_responses", &job.output.save_responses);
  if (n["formats"]) {
    const YAML::Node f = n["formats"];
    if (!f.IsSequence()) {
      r.Fail(f, "output.formats", "output.formats must be a list");
      return;
    }
    job.output.formats.clear();
    for (size_t i = 0; i < f.size(); ++i) {
      std::string fmt_name;
      if (!r.String(f[i], "output.formats", &fmt_name)) continue;
      if (const long index = IndexOf(kFormats, fmt_name); index >= 0) {
        job.output.formats.push_back(static_cast<ReportFormat>(index));
      } else {
        std::string hint = ClosestMatch(fmt_name, kFormats);
        r.Fail(f[i], "output.formats",
               fmt::format("unknown output format '{}'{} (valid: {})", fmt_name,
                           hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint),
                           Join(kFormats)));
      }
    }
  }
}

/// rate_limit and retry: how calls are paced and retried.
void ReadPacing(JobReader& r, const YAML::Node& root, Job& job) {
  if (const YAML::Node rl = root["rate_limit"]; rl && r.ExpectMap(rl, "rate_limit")) {
    r.CheckKeys(rl, "rate_limit", kRateLimitKeys);
    if (rl["requests_per_minute"])
      r.Number(rl["requests_per_minute"], "rate_limit.requests_per_minute", 0,
               &job.rate_limit.requests_per_minute);
    if (rl["tokens_per_minute"])
      r.Number(rl["tokens_per_minute"], "rate_limit.tokens_per_minute", 0,
               &job.rate_limit.tokens_per_minute);
  }
  if (const YAML::Node rt = root["retry"]; rt && r.ExpectMap(rt, "retry")) {
    r.CheckKeys(rt, "retry", kRetryKeys);
    r.IntInto(rt, "max_attempts", "retry.max_attempts", 1, 100, &job.retry.max_attempts);
    r.IntInto(rt, "initial_backoff_ms", "retry.initial_backoff_ms", 0, 3600000,
              &job.retry.initial_backoff_ms);
    r.IntInto(rt, "max_backoff_ms", "retry.max_backoff_ms", 0, 3600000, &job.retry.max_backoff_ms);
    r.IntInto(rt, "stop_after_same_error", "retry.stop_after_same_error", 0, 1000000,
              &job.retry.stop_after_same_error);
  }
}

void ReadGates(JobReader& r, const YAML::Node& g, Job& job) {
  r.CheckKeys(g, "gates", kGateKeys);
  auto gate = [&](const char* key, std::optional<double>* out) {
    double v;
    if (g[key] && r.Number(g[key], std::string("gates.") + key, 0, &v)) *out = v;
  };
  gate("max_error_rate", &job.gates.max_error_rate);
  gate("min_score", &job.gates.min_score);
  gate("max_p95_latency_ms", &job.gates.max_p95_latency_ms);
  gate("max_cost_usd", &job.gates.max_cost_usd);
}

void ReadTop(JobReader& r, const YAML::Node& root, Job& job) {
  r.CheckKeys(root, "", kTopKeys);
  if (!root["name"]) {
    r.Fail(root, "name", "the job needs a name");
  } else if (r.String(root["name"], "name", &job.name) &&
             (job.name.empty() ||
              !std::all_of(job.name.begin(), job.name.end(), [](unsigned char c) {
                return std::isalnum(c) || c == '.' || c == '_' || c == '-';
              }))) {
    r.Fail(root["name"], "name", "name may only use letters, digits, '.', '_' and '-'");
  }
  // params first: models merge their own params over them.
  if (root["params"]) r.Params(root["params"], "params", &job.params);
  if (root["endpoint"]) ReadEndpoint(r, root["endpoint"], job);
  if (root["models"]) ReadModels(r, root["models"], job);
  for (auto& m : job.models) m.params = MergeParams(job.params, m.params);
  if (!root["datasets"])
    r.Fail(root, "datasets", "the job needs datasets");
  else
    ReadDatasets(r, root["datasets"], job);
  if (!root["models"]) {
    // OpenAI Batch input lines name their model in body.model; the datasets supply the models.
    job.models_from_rows = true;
    for (const auto& ds : job.datasets) {
      if (ds.format == DatasetFormat::kOpenAiBatch || ds.format == DatasetFormat::kAuto) continue;
      r.Fail(root, "models",
             fmt::format("the job needs models: dataset '{}' is not openai-batch, whose rows "
                         "name their model in body.model",
                         ds.name));
      break;
    }
  }
  if (const YAML::Node p = root["prompt"]; p && r.ExpectMap(p, "prompt")) {
    r.CheckKeys(p, "prompt", kPromptKeys);
    if (p["system"] && !IsPlainNull(p["system"]))
      r.String(p["system"], "prompt.system", &job.prompt.system);
    if (p["template"]) r.String(p["template"], "prompt.template", &job.prompt.template_text);
  }
  if (root["stream"]) r.Bool(root["stream"], "stream", &job.stream);
  if (root["cache"]) r.Bool(root["cache"], "cache", &job.cache);
  if (root["adaptive_concurrency"])
    r.Bool(root["adaptive_concurrency"], "adaptive_concurrency", &job.adaptive_concurrency);
  r.IntInto(root, "repeats", "repeats", 1, 1000000, &job.repeats);
  r.IntInto(root, "concurrency", "concurrency", 1, 100000, &job.concurrency);
  ReadPacing(r, root, job);
  if (root["scoring"]) ReadScoring(r, root["scoring"], job);
  if (const YAML::Node g = root["gates"]; g && r.ExpectMap(g, "gates")) ReadGates(r, g, job);
  if (root["budget_usd"] && !IsPlainNull(root["budget_usd"])) {
    double v;
    if (r.Number(root["budget_usd"], "budget_usd", 0, &v)) job.budget_usd = v;
  }
  if (root["pricing_file"] && !IsPlainNull(root["pricing_file"])) {
    job.pricing_file =
        r.ExistingPath(root["pricing_file"], "pricing_file", job.base_dir, "pricing file");
  }
  if (root["output"]) ReadOutput(r, root["output"], job);
  if (const YAML::Node c = root["compare"]; c && r.ExpectMap(c, "compare")) {
    r.CheckKeys(c, "compare", kCompareKeys);
    if (c["baseline"] && !IsPlainNull(c["baseline"]) &&
        r.String(c["baseline"], "compare.baseline", &job.compare_baseline) &&
        !job.models_from_rows &&
        std::none_of(job.models.begin(), job.models.end(),
                     [&](const ModelSpec& m) { return m.label == job.compare_baseline; })) {
      r.Fail(c["baseline"], "compare.baseline",
             fmt::format("compare.baseline '{}' is not the label of a model of the job",
                         job.compare_baseline));
    }
  }
}

/// Sets the node at a dotted path ("a.b.0.c"), creating maps on the way.
bool ApplyOverride(YAML::Node root, const JobOverride& o, std::string* error) {
  YAML::Node value;
  try {
    value = YAML::Load(o.value);
  } catch (const YAML::Exception& e) {
    *error = fmt::format("--set {}: value is not valid YAML: {}", o.path, e.msg);
    return false;
  }
  YAML::Node cur = root;
  std::stringstream ss(o.path);
  std::string seg;
  std::vector<std::string> segs;
  while (std::getline(ss, seg, '.')) segs.push_back(seg);
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].empty()) {
      *error = fmt::format("--set {}: empty key in the path", o.path);
      return false;
    }
    const bool last = i + 1 == segs.size();
    if (cur.IsSequence()) {
      long long idx = -1;
      try {
        idx = std::stoll(segs[i]);
      } catch (...) {
      }
      if (idx < 0 || static_cast<size_t>(idx) >= cur.size()) {
        *error = fmt::format("--set {}: '{}' is not an index of that list", o.path, segs[i]);
        return false;
      }
      if (last)
        cur[static_cast<size_t>(idx)] = value;
      else
        cur.reset(cur[static_cast<size_t>(idx)]);
      continue;
    }
    if (cur.IsDefined() && !cur.IsMap() && !cur.IsNull()) {
      *error = fmt::format("--set {}: '{}' is inside a value that is not a map", o.path, segs[i]);
      return false;
    }
    if (last)
      cur[segs[i]] = value;
    else
      cur.reset(cur[segs[i]]);
  }
  return true;
}

}  // namespace

JsonParams MergeParams(const JsonParams& base, const JsonParams& over) {
  JsonParams out = base;
  for (const auto& kv : over) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == kv.first; });
    if (it == out.end())
      out.push_back(kv);
    else
      it->second = kv.second;
  }
  return out;
}

long long MaxTokens(const ModelSpec& model) {
  // With both, max_completion_tokens wins, as OpenAI's API and vLLM apply them.
  std::optional<long long> max_tokens, max_completion_tokens;
  for (const auto& [key, json] : model.params) {
    if (key == "max_tokens") max_tokens = std::atoll(json.c_str());
    if (key == "max_completion_tokens") max_completion_tokens = std::atoll(json.c_str());
  }
  return max_completion_tokens.value_or(max_tokens.value_or(0));
}

bool SetsBothTokenBounds(const ModelSpec& model) {
  int both = 0;
  for (const auto& [key, json] : model.params)
    both += key == "max_tokens" || key == "max_completion_tokens";
  return both == 2;
}

bool ParseOverride(const std::string& text, JobOverride* out) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  out->path = text.substr(0, eq);
  out->value = text.substr(eq + 1);
  return true;
}

JobParseResult ParseJobText(const std::string& yaml_text, const std::string& file,
                            const std::vector<JobOverride>& overrides) {
  JobParseResult result;
  result.job.file = file;
  result.job.base_dir = fs::path(file).parent_path().string();
  if (result.job.base_dir.empty()) result.job.base_dir = ".";
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    result.problems.push_back({file, e.mark.line + 1, e.mark.column + 1, e.msg});
    return result;
  } catch (const YAML::Exception& e) {
    result.problems.push_back({file, 0, 0, e.msg});
    return result;
  }
  FindDuplicateKeys(root, file, &result.problems);
  if (!result.problems.empty()) return result;
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    const YAML::Mark m = root.Mark();
    result.problems.push_back({file, m.line + 1, m.column + 1, "a job file must be a YAML map"});
    return result;
  }
  std::vector<std::string> overridden;
  for (const auto& o : overrides) {
    std::string error;
    if (!ApplyOverride(root, o, &error)) result.problems.push_back({file, 0, 0, error});
    overridden.push_back(o.path);
  }
  JobReader reader(file, overridden);
  try {
    ReadTop(reader, root, result.job);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on shapes our checks did not foresee; still a located message, not a crash.
    reader.problems().push_back({file, e.mark.line + 1, e.mark.column + 1, e.msg});
  }
  for (auto& p : reader.problems()) result.problems.push_back(std::move(p));
  return result;
}

JobParseResult ParseJobFile(const std::string& file, const std::vector<JobOverride>& overrides) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    JobParseResult result;
    result.problems.push_back({file, 0, 0, "cannot open the job file"});
    return result;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseJobText(ss.str(), file, overrides);
}

const std::vector<std::string>& PricingKeys() {
  return kPricingKeys;
}

std::vector<std::string> KnownJobKeys() {
  std::vector<std::string> keys;
  auto add = [&](const std::string& prefix, const std::vector<std::string>& names) {
    for (const auto& n : names) keys.push_back(prefix + n);
  };
  add("", kTopKeys);
  add("endpoint.", kEndpointKeys);
  add("models[].", kModelKeys);
  add("models[].pricing.", kPricingKeys);
  add("datasets[].", kDatasetKeys);
  add("prompt.", kPromptKeys);
  add("rate_limit.", kRateLimitKeys);
  add("retry.", kRetryKeys);
  add("scoring[].", kScorerKeys);
  add("scoring[].pricing.", kPricingKeys);
  add("gates.", kGateKeys);
  add("output.", kOutputKeys);
  add("compare.", kCompareKeys);
  return keys;
}

}  // namespace evalrun
