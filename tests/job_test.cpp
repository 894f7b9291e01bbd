#include <catch2/catch.hpp>

#include "job/job_json.h"
#include "job/job_parser.h"
#include "support/process.h"

using namespace evalrun;
using evalrun::testing::TempDir;

namespace {

std::string Problems(const JobParseResult& r) {
  std::string out;
  for (const auto& p : r.problems) out += p.ToString() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a minimal job gets the contract's defaults", "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n");
  auto r = ParseJobText("name: t\nmodels: m1\ndatasets: [d.jsonl]\n", dir.path() + "/job.yaml");
  INFO(Problems(r));
  REQUIRE(r.ok());
  const Job& j = r.job;
  CHECK(j.endpoint.base_url == "https://api.inference.wandb.ai/v1");
  CHECK(j.endpoint.timeout_s == 120);
  CHECK(j.concurrency == 16);
  CHECK(j.repeats == 1);
  CHECK(j.retry.max_attempts == 4);
  REQUIRE(j.models.size() == 1);
  CHECK(j.models[0].id == "m1");
  CHECK(j.models[0].label == "m1");
  REQUIRE(j.datasets.size() == 1);
  CHECK(j.datasets[0].name == "d");
  CHECK(j.datasets[0].path == dir.path() + "/d.jsonl");
  CHECK(j.output.save_responses);
  CHECK(EffectiveJobJson(j).find("\"concurrency\":16") != std::string::npos);
}

TEST_CASE("the full contract example parses", "[job]") {
  TempDir dir;
  dir.Write("datasets/arith.jsonl", "{\"question\":\"1+1\",\"answer\":\"2\"}\n");
  dir.Write("configs/pricing/wandb-inference.yaml", "models: {}\n");
  const std::string yaml = R"(name: arith-smoke
endpoint:
  base_url: https://api.inference.wandb.ai/v1/
  api_key_env: WANDB_API_KEY
  project: my-team/my-project
  headers: {X-Trace: "1"}
  timeout_s: 120
  connect_timeout_s: 10
  http: auto
  ca_bundle: null
models:
  - meta-llama/Llama-3.1-8B-Instruct
  - id: Qwen/Qwen3-235B-A22B-Instruct-2507
    label: qwen3
    params: {temperature: 0.7}
    pricing: {input_per_mtok: 0.10, output_per_mtok: 0.10}
datasets:
  - path: datasets/arith.jsonl
    name: arith
    format: auto
    limit: 200
    id_field: id
prompt:
  system: You are a careful calculator.
  template: "{{question}}"
params: {temperature: 0, max_tokens: 64}
stream: false
repeats: 1
concurrency: 16
rate_limit: {requests_per_minute: 0, tokens_per_minute: 0}
retry: {max_attempts: 4, initial_backoff_ms: 500, max_backoff_ms: 30000}
scoring:
  - {type: exact, field: answer}
gates: {max_error_rate: 0.0, min_score: 0.9, max_p95_latency_ms: 8000, max_cost_usd: 2.0}
budget_usd: 10.0
pricing_file: configs/pricing/wandb-inference.yaml
output:
  dir: reports/{name}/{timestamp}
  formats: [json, md, csv, junit, html]
  save_responses: true
)";
  auto r = ParseJobText(yaml, dir.path() + "/job.yaml");
  INFO(Problems(r));
  REQUIRE(r.ok());
  const Job& j = r.job;
  CHECK(j.endpoint.base_url == "https://api.inference.wandb.ai/v1");  // trailing slash dropped
  CHECK(j.endpoint.project == "my-team/my-project");
  REQUIRE(j.models.size() == 2);
  CHECK(j.models[1].label == "qwen3");
  REQUIRE(j.models[1].pricing);
  CHECK(j.models[1].pricing->input_per_mtok == Approx(0.10));
  // The model's temperature wins over the job's; max_tokens is inherited.
  JsonParams expected = {{"temperature", "0.7"}, {"max_tokens", "64"}};
  CHECK(j.models[1].params == expected);
  CHECK(j.models[0].params == JsonParams{{"temperature", "0"}, {"max_tokens", "64"}});
  CHECK(j.datasets[0].limit.value_or(-1) == 200);
  CHECK(j.gates.min_score == Approx(0.9));
  CHECK(j.budget_usd == Approx(10.0));
  CHECK(j.scoring.size() == 1);
}

TEST_CASE("an unknown key is located and names the closest valid key", "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{}\n");
  auto r = ParseJobText("name: t\nmodels: m\ndatasets: [d.jsonl]\nconcurency: 4\n",
                        dir.path() + "/job.yaml");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].line == 4);
  CHECK(r.problems[0].col == 1);
  CHECK_THAT(r.problems[0].message,
             Catch::Contains("'concurency'") && Catch::Contains("did you mean 'concurrency'"));
}

TEST_CASE("nested unknown keys and wrong types name file, line and column", "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{}\n");
  const std::string file = dir.path() + "/job.yaml";
  auto r = ParseJobText(
      "name: t\nendpoint:\n  base_ulr: http://x\n  timeout_s: soon\nmodels: m\ndatasets: "
      "[d.jsonl]\n",
      file);
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0].ToString() ==
        file + ":3:3: unknown key 'endpoint.base_ulr'; did you mean 'base_url'?");
  CHECK(r.problems[1].ToString() == file + ":4:14: endpoint.timeout_s must be a number");
}

TEST_CASE("malformed YAML is reported with its line and column", "[job]") {
  auto r = ParseJobText("name: t\nmodels: [a, b\n", "job.yaml");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].file == "job.yaml");
  CHECK(r.problems[0].line >= 2);
  CHECK(r.problems[0].col >= 1);
}

TEST_CASE("a missing dataset file is an error at its path", "[job]") {
  TempDir dir;
  auto r = ParseJobText("name: t\nmodels: m\ndatasets:\n  - path: nope.jsonl\n",
                        dir.path() + "/job.yaml");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].line == 4);
  CHECK_THAT(r.problems[0].message, Catch::Contains("dataset 'nope.jsonl' not found"));
}

TEST_CASE("required keys and value ranges are checked", "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{}\n");
  auto r = ParseJobText(
      "name: 'bad name'\ndatasets: [{path: d.jsonl, format: chat}]\nconcurrency: 0\nrepeats: "
      "1.5\n",
      dir.path() + "/j.yaml");
  std::string all = Problems(r);
  CHECK_THAT(all, Catch::Contains("name may only use"));
  CHECK_THAT(all, Catch::Contains("the job needs models"));
  CHECK_THAT(all, Catch::Contains("concurrency must be between 1 and 100000"));
  CHECK_THAT(all, Catch::Contains("repeats must be a whole number"));
}

TEST_CASE("a job without models takes them from openai-batch rows", "[job]") {
  TempDir dir;
  dir.Write("b.jsonl", "{}\n");
  auto r = ParseJobText("name: b\ndatasets: [{path: b.jsonl, format: openai-batch}]\n",
                        dir.path() + "/j.yaml");
  REQUIRE(r.ok());
  CHECK(r.job.models_from_rows);
  CHECK(r.job.models.empty());
  auto listed = ParseJobText("name: b\nmodels: [m]\ndatasets: [b.jsonl]\n", dir.path() + "/j.yaml");
  REQUIRE(listed.ok());
  CHECK_FALSE(listed.job.models_from_rows);
}

TEST_CASE("a --set override replaces a key by dotted path and keeps YAML typing", "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{}\n");
  const std::string yaml =
      "name: t\nmodels: [a, b]\ndatasets: [d.jsonl]\nparams: {temperature: 0}\n";
  auto r = ParseJobText(yaml, dir.path() + "/j.yaml",
                        {{"concurrency", "8"},
                         {"endpoint.base_url", "http://127.0.0.1:9/v1"},
                         {"params.temperature", "\"0.5\""},
                         {"models.1", "c"}});
  INFO(Problems(r));
  REQUIRE(r.ok());
  CHECK(r.job.concurrency == 8);
  CHECK(r.job.endpoint.base_url == "http://127.0.0.1:9/v1");
  CHECK(r.job.models[1].id == "c");
  CHECK(r.job.params == JsonParams{{"temperature", "\"0.5\""}});
}

TEST_CASE("a bad --set value is blamed on the override, not on a line of the file", "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{}\n");
  auto r = ParseJobText("name: t\nmodels: m\ndatasets: [d.jsonl]\n", dir.path() + "/j.yaml",
                        {{"concurrency", "many"}});
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].line == 0);
  CHECK_THAT(r.problems[0].message, Catch::StartsWith("(--set concurrency)"));
}

TEST_CASE("ParseOverride splits at the first '='", "[job]") {
  JobOverride o;
  REQUIRE(ParseOverride("endpoint.headers.X=a=b", &o));
  CHECK(o.path == "endpoint.headers.X");
  CHECK(o.value == "a=b");
  CHECK_FALSE(ParseOverride("novalue", &o));
  CHECK_FALSE(ParseOverride("=1", &o));
}

TEST_CASE("KnownJobKeys covers every section of the contract", "[job]") {
  auto keys = KnownJobKeys();
  for (const char* k :
       {"name", "endpoint.base_url", "models[].pricing.input_per_mtok", "datasets[].id_field",
        "prompt.template", "retry.max_backoff_ms", "gates.max_cost_usd", "output.save_responses"}) {
    CHECK(std::find(keys.begin(), keys.end(), k) != keys.end());
  }
}

TEST_CASE("the job file's names of scorer types, output formats and HTTP versions read back",
          "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n");
  auto r = ParseJobText(
      "name: t\nmodels: m1\ndatasets: [d.jsonl]\nendpoint: {http: \"1.1\"}\n"
      "scoring: [{type: exact, field: a}, {type: contains, field: a}, {type: regex, field: a},\n"
      "          {type: json}, {type: number, field: a}]\n"
      "output: {formats: [html, junit, csv, md, json]}\n",
      dir.path() + "/job.yaml");
  INFO(Problems(r));
  REQUIRE(r.ok());
  CHECK(r.job.endpoint.http == HttpVersion::k1_1);
  CHECK(std::string(HttpVersionName(r.job.endpoint.http)) == "1.1");
  const std::vector<std::string> types = {"exact", "contains", "regex", "json", "number"};
  REQUIRE(r.job.scoring.size() == types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    CHECK(ScorerTypeName(r.job.scoring[i].type) == types[i]);
    CHECK(r.job.scoring[i].name == types[i]);
  }
  const std::vector<std::string> formats = {"html", "junit", "csv", "md", "json"};
  REQUIRE(r.job.output.formats.size() == formats.size());
  for (size_t i = 0; i < formats.size(); ++i)
    CHECK(ReportFormatName(r.job.output.formats[i]) == formats[i]);
  CHECK(EffectiveJobJson(r.job).find("\"http\":\"1.1\"") != std::string::npos);
}

TEST_CASE("compare.baseline must name a model of the job", "[job]") {
  TempDir dir;
  dir.Write("d.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n");
  auto ok = ParseJobText(
      "name: t\nmodels: [{id: m1, label: one}, m2]\ndatasets: [d.jsonl]\ncompare: {baseline: "
      "one}\n",
      dir.path() + "/job.yaml");
  INFO(Problems(ok));
  REQUIRE(ok.ok());
  CHECK(ok.job.compare_baseline == "one");
  CHECK(EffectiveJobJson(ok.job).find("\"compare\":{\"baseline\":\"one\"}") != std::string::npos);
  auto bad =
      ParseJobText("name: t\nmodels: [m1, m2]\ndatasets: [d.jsonl]\ncompare: {baseline: m3}\n",
                   dir.path() + "/job.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(Problems(bad),
             Catch::Contains("job.yaml:4:21: compare.baseline 'm3' is not the label"));
}
