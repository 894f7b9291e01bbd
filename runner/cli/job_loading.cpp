#include "cli/job_loading.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/resource.h>

#include <cstdio>

#include "api/chat_request.h"
#include "common/files.h"
#include "dataset/dataset_scan.h"
#include "job/job_parser.h"

namespace evalrun {

namespace {

std::string Problems(size_t n) {
  return fmt::format("{} problem{}", n, n == 1 ? "" : "s");
}

}  // namespace

Result<Job> LoadJob(const std::string& file, const std::vector<std::string>& sets) {
  std::vector<JobOverride> overrides;
  for (const auto& s : sets) {
    JobOverride o;
    if (!ParseOverride(s, &o))
      return Status::InvalidInput(
          fmt::format("--set {}: expected KEY=VALUE, e.g. --set concurrency=8", s));
    overrides.push_back(o);
  }
  JobParseResult parsed = ParseJobFile(file, overrides);
  if (!parsed.ok()) {
    for (const auto& p : parsed.problems) fmt::print(stderr, "{}\n", p.ToString());
    return Status::InvalidInput(fmt::format("{}: {}", file, Problems(parsed.problems.size())));
  }
  for (const ModelSpec& m : parsed.job.models) {
    if (SetsBothTokenBounds(m))
      fmt::print(stderr,
                 "{}: warning: model '{}' sets both max_tokens and max_completion_tokens; "
                 "max_completion_tokens ({}) is the one servers apply and evalrun counts with\n",
                 file, m.label, MaxTokens(m));
  }
  return std::move(parsed.job);
}

Result<Shard> ParseShardFlag(const std::string& text) {
  Shard shard;
  if (text.empty() || ParseShard(text, &shard)) return shard;
  return Status::InvalidInput(
      fmt::format("--shard {}: expected I/N with 0 <= I < N, e.g. --shard 0/4", text));
}

Result<PricingTable> LoadPricing(const Job& job) {
  if (job.pricing_file.empty()) return PricingTable{};
  Diagnostics problems;
  PricingTable pricing = LoadPricingFile(job.pricing_file, &problems);
  for (const auto& p : problems) fmt::print(stderr, "{}\n", p.ToString());
  if (!problems.empty())
    return Status::InvalidInput(fmt::format("{}: {}", job.pricing_file, Problems(problems.size())));
  return pricing;
}

Result<DatasetPlan> ScanJobDatasets(Job* job, std::optional<long long> cli_limit,
                                    const Shard& shard, size_t max_problems, bool hash) {
  DatasetPlan plan;
  size_t problems = 0;
  std::vector<std::string> row_models;
  for (const auto& ds : job->datasets) {
    DatasetScan scan =
        ScanDataset(ds, job->prompt, EffectiveLimit(ds, cli_limit), max_problems, shard,
                    job->models_from_rows ? &row_models : nullptr, &job->scoring, hash);
    for (const auto& p : scan.problems) fmt::print(stderr, "{}\n", p.ToString());
    problems += scan.problems.size();
    plan.datasets.push_back({ds.name, ds.given_path, scan.sha256, scan.rows});
    // Without job models each row is one call (to its own model) per repeat.
    const long long models = job->models_from_rows ? 1 : static_cast<long long>(job->models.size());
    plan.calls += scan.rows * models * job->repeats;
  }
  if (problems > 0)
    return Status::InvalidInput(
        fmt::format("{} in the datasets of {}", Problems(problems), job->file));
  if (job->models_from_rows) AddModelsFromRows(job, row_models);
  return plan;
}

std::string GithubStepSummary() {
  const char* step = std::getenv("GITHUB_STEP_SUMMARY");
  return step ? step : "";
}

std::string EmptyPlanReason(const Job& job, const DatasetPlan& plan, const Shard& shard) {
  if (job.models.empty()) return "no models";
  std::string empty;
  for (const auto& d : plan.datasets) {
    if (d.rows == 0) empty += (empty.empty() ? "" : ", ") + d.path;
  }
  std::string reason = empty.empty() ? "no rows" : "no rows in " + empty;
  if (!shard.all()) reason += " for shard " + shard.ToString();
  return reason;
}

void WarnEmptyDatasets(const Job& job, const DatasetPlan& plan) {
  for (const auto& d : plan.datasets) {
    if (d.rows == 0)
      fmt::print(stderr, "{}: warning: dataset '{}' ({}) has no rows\n", job.file, d.name, d.path);
  }
}

TransportOptions TransportOptionsFor(const Endpoint& endpoint, const std::string& api_key) {
  TransportOptions opts;
  opts.headers = BuildHeaders(endpoint, api_key);
  opts.timeout_s = endpoint.timeout_s;
  opts.connect_timeout_s = endpoint.connect_timeout_s;
  opts.http = endpoint.http;
  opts.ca_bundle = endpoint.ca_bundle;
  return opts;
}

void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

namespace {

/// Drops every null member, recursively: the effective job writes an unset key as null, the
/// parser wants it absent.
void DropNulls(rapidjson::Value* v) {
  if (v->IsArray()) {
    for (auto& e : v->GetArray()) DropNulls(&e);
    return;
  }
  if (!v->IsObject()) return;
  for (auto m = v->MemberBegin(); m != v->MemberEnd();) {
    if (m->value.IsNull()) {
      m = v->EraseMember(m);
    } else {
      DropNulls(&m->value);
      ++m;
    }
  }
}

/// The part of the run's job the row views need (its datasets, prompt and scorers), parsed from
/// the manifest against the directory the job was in; nullopt when the datasets are not there.
}  // namespace

std::optional<Job> RowViewJob(const ManifestInfo& info) {
  if (info.job_dir.empty() || info.job_json.empty()) return std::nullopt;
  rapidjson::Document full, part;
  if (full.Parse(info.job_json.c_str()).HasParseError() || !full.IsObject()) return std::nullopt;
  part.SetObject();
  auto& a = part.GetAllocator();
  part.AddMember("name", "report", a);
  // A job needs a model to parse; which one does not matter for reading rows.
  part.AddMember("models", rapidjson::Value(rapidjson::kArrayType).PushBack("m", a), a);
  for (const char* key : {"datasets", "prompt", "scoring"}) {
    if (auto m = full.FindMember(key); m != full.MemberEnd())
      part.AddMember(rapidjson::StringRef(key), rapidjson::Value(m->value, a), a);
  }
  DropNulls(&part);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  part.Accept(w);
  JobParseResult parsed = ParseJobText(buf.GetString(), info.job_dir + "/job.yaml");
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed.job);
}

}  // namespace evalrun
