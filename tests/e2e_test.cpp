// End-to-end: the real evalrun binary against `evalrun mock-server` on an ephemeral port.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <filesystem>
#include <map>
#include <set>

#include "results/call_record.h"
#include "support/process.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

const char* kKey = "e2e-secret-key-0123456789abcdef";

std::string ArithRows(int n) {
  std::string rows;
  for (int i = 1; i <= n; ++i) {
    rows += "{\"id\": \"q" + std::to_string(i) + "\", \"question\": \"What is " + std::to_string(i) + " + " +
            std::to_string(2 * i) + "?\", \"answer\": \"" + std::to_string(3 * i) + "\"}\n";
    if (i % 10 == 0) rows += "\n";  // blank lines are skipped
  }
  return rows;
}

std::string Job(const std::string& base_url, const std::string& extra = "") {
  return "name: e2e\n"
         "endpoint:\n  base_url: " + base_url + "\n  api_key_env: E2E_KEY\n  timeout_s: 20\n"
         "models:\n  - id: mock-small\n    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}\n  - mock-large\n"
         "datasets:\n  - path: arith.jsonl\n  - path: chat.jsonl\n"
         "prompt:\n  system: Answer with the number only.\n  template: \"{{question}}\"\n"
         "params: {temperature: 0, max_tokens: 32}\n"
         "scoring: [{type: exact, field: answer}]\n"
         "concurrency: 8\n" + extra;
}

void WriteDatasets(const TempDir& dir, int arith_rows) {
  dir.Write("arith.jsonl", ArithRows(arith_rows));
  dir.Write("chat.jsonl",
            "{\"id\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"日本語で挨拶して 🚀\"}]}\n"
            "{\"id\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"Write a long poem.\"}]}\n");
}

rapidjson::Document Json(const std::string& path) {
  rapidjson::Document d;
  d.Parse(ReadFile(path).c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

std::vector<CallRecord> Records(const std::string& dir) {
  std::vector<CallRecord> out;
  for (const auto& line : ReadLines(dir + "/results.jsonl")) {
    CallRecord r;
    REQUIRE(RecordFromJson(line, &r));
    out.push_back(r);
  }
  return out;
}

/// Every file of a run directory, concatenated: for "the key is nowhere" checks.
std::string AllFiles(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all += ReadFile(e.path().string());
  }
  return all;
}

}  // namespace

TEST_CASE("a real run writes one record per call and reports that add up", "[e2e]") {
  MockServerProcess server({"--latency-ms", "5", "--per-token-ms", "0.2"});
  TempDir dir;
  WriteDatasets(dir, 60);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "reports: " + out + "\n");

  const long long calls = (60 + 2) * 2;
  std::vector<CallRecord> records = Records(out);
  REQUIRE(records.size() == static_cast<size_t>(calls));
  CHECK(server.ChatRequests() == calls);  // each call sent exactly once

  std::set<std::tuple<std::string, std::string, std::string>> seen;
  long long prompt = 0, completion = 0, total = 0;
  std::map<std::string, int> right;
  for (const auto& rec : records) {
    CHECK(rec.ok());
    CHECK(rec.http_status == 200);
    CHECK(rec.attempts == 1);
    CHECK(rec.latency_ms > 0);
    CHECK(rec.started_at.size() == 24);
    REQUIRE(rec.usage);
    prompt += rec.usage->prompt_tokens;
    completion += rec.usage->completion_tokens;
    total += rec.usage->total_tokens;
    CHECK(rec.cost_usd.has_value() == (rec.model == "mock-small"));
    seen.insert({rec.model, rec.dataset, rec.row_id});
    if (rec.dataset == "arith") {
      int i = std::stoi(rec.row_id.substr(1));
      const bool is_right = rec.response == std::to_string(3 * i);
      right[rec.model] += is_right;
      CHECK(rec.scores.at("exact") == (is_right ? 1.0 : 0.0));
    } else {
      CHECK(rec.scores.empty());  // chat rows have no reference answer
    }
  }
  CHECK(seen.size() == static_cast<size_t>(calls));  // no call twice, none missing
  CHECK(right["mock-large"] > right["mock-small"]);

  auto summary = Json(out + "/summary.json");
  CHECK(summary["totals"]["calls"].GetInt64() == calls);
  CHECK(summary["totals"]["ok"].GetInt64() == calls);
  CHECK(summary["totals"]["prompt_tokens"].GetInt64() == prompt);
  CHECK(summary["totals"]["completion_tokens"].GetInt64() == completion);
  CHECK(summary["totals"]["total_tokens"].GetInt64() == total);
  CHECK(summary["totals"]["cost_usd"].IsNull());  // mock-large has no price
  REQUIRE(summary["groups"].Size() == 4);
  long long group_calls = 0;
  for (const auto& g : summary["groups"].GetArray()) {
    group_calls += g["calls"].GetInt64();
    const auto& l = g["latency_ms"];
    CHECK(l["p50"].GetDouble() <= l["p90"].GetDouble());
    CHECK(l["p90"].GetDouble() <= l["p95"].GetDouble());
    CHECK(l["p95"].GetDouble() <= l["p99"].GetDouble());
    CHECK(l["p99"].GetDouble() <= l["max"].GetDouble());
    CHECK(g["calls_per_s"].GetDouble() > 0);
    CHECK(g["cost_usd"].IsNull() == (std::string(g["model"].GetString()) == "mock-large"));
  }
  CHECK(group_calls == calls);
  // groups: small/arith, large/arith, small/chat, large/chat
  CHECK(summary["groups"][0]["scores"]["exact"].GetDouble() == Approx(right["mock-small"] / 60.0));
  CHECK(summary["groups"][1]["scores"]["exact"].GetDouble() == Approx(right["mock-large"] / 60.0));
  CHECK_FALSE(summary["groups"][2]["scores"].HasMember("exact"));
  // The slower model is slower in the report too.
  CHECK(summary["groups"][1]["latency_ms"]["p50"].GetDouble() > summary["groups"][0]["latency_ms"]["p50"].GetDouble());

  std::string md = ReadFile(out + "/report.md");
  CHECK_THAT(md, Catch::Contains("| mock-small | arith | 60 | 60 | 0 |"));
  CHECK_THAT(md, Catch::Contains("| mock-large | chat | 2 | 2 | 0 |"));

  auto manifest = Json(out + "/manifest.json");
  CHECK(manifest["datasets"][0]["sha256"].GetStringLength() == 64);
  CHECK(manifest["planned_calls"].GetInt64() == calls);
  CHECK(manifest["finished_at"].IsString());
  CHECK(AllFiles(out).find(kKey) == std::string::npos);
}

TEST_CASE("at most `concurrency` calls are in flight, on reused connections", "[e2e]") {
  MockServerProcess server({"--latency-ms", "20", "--jitter", "0"});
  TempDir dir;
  WriteDatasets(dir, 50);
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "repeats: 2\n"));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run", "--concurrency", "4"}, {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(server.ChatRequests() == (50 + 2) * 2 * 2);
  CHECK(server.Stat("max_in_flight") == 4);  // the window is used, and never exceeded
  CHECK(server.Stat("connections") <= 4);    // keep-alive: no new connection per call
  auto records = Records(dir.path() + "/run");
  std::set<int> repeats;
  for (const auto& rec : records) repeats.insert(rec.repeat);
  CHECK(repeats == std::set<int>{0, 1});
}

TEST_CASE("evalrun report rebuilds the same summary from results.jsonl", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 20);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string out = dir.path() + "/run";
  REQUIRE(RunEvalrun({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kKey}}).exit_code == 0);
  auto before = Json(out + "/summary.json");
  // A torn last line, as a crash leaves it, is skipped, not misread.
  std::string results = ReadFile(out + "/results.jsonl");
  dir.Write("run/results.jsonl", results + results.substr(0, 40));
  ProcessResult r = RunEvalrun({"report", out, "--out", dir.path() + "/rebuilt"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("skipped 1 line"));
  auto after = Json(dir.path() + "/rebuilt/summary.json");
  CHECK(after["totals"]["calls"].GetInt64() == before["totals"]["calls"].GetInt64());
  CHECK(after["totals"]["total_tokens"].GetInt64() == before["totals"]["total_tokens"].GetInt64());
  CHECK(after["groups"][0]["latency_ms"]["p95"].GetDouble() == Approx(before["groups"][0]["latency_ms"]["p95"].GetDouble()));
}

TEST_CASE("the limit, set and concurrency flags shape the run", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 30);
  const std::string job = dir.Write("job.yaml", Job("http://127.0.0.1:9/v1"));
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out, "--progress", "none", "--limit", "5", "--concurrency", "2",
                                "--set", "endpoint.base_url=" + server.base_url(), "--set", "models=[mock-medium]"},
                               {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(Records(out).size() == 5 + 2);
  CHECK(server.ChatRequests() == 7);
  CHECK(Json(out + "/manifest.json")["job"]["concurrency"].GetInt() == 8);  // the job as written
}

TEST_CASE("a dry run prints the plan and sends nothing", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 10);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  ProcessResult r = RunEvalrun({"run", job, "--dry-run"}, {{"UNSET:E2E_KEY", ""}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("24 calls"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("a missing API key stops the run before anything is sent and names the variable", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 3);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run"}, {{"E2E_KEY", ""}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("E2E_KEY"));
  CHECK(server.ChatRequests() == 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/run"));
}

TEST_CASE("a malformed dataset line is located and nothing is sent", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 3);
  dir.Write("chat.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n\n{\"messages\": [}\n");
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run"}, {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("chat.jsonl:3:15: malformed JSON"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("validate prints every problem as FILE:LINE:COL and exits 2", "[e2e]") {
  TempDir dir;
  WriteDatasets(dir, 3);
  dir.Write("arith.jsonl", "{\"question\": \"1+1\"}\n{\"quest\": \"x\"}\nnot json\n");
  const std::string job = dir.Write("job.yaml", Job("http://127.0.0.1:9/v1"));
  ProcessResult r = RunEvalrun({"validate", job}, {{"UNSET:E2E_KEY", ""}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("arith.jsonl:2:1: prompt.template uses {{question}}"));
  CHECK_THAT(r.err, Catch::Contains("arith.jsonl:3:2: malformed JSON"));

  const std::string bad = dir.Write("bad.yaml", "name: x\nmodels: m\ndatasets: [chat.jsonl]\nendpoint:\n  timeout: 3\n");
  ProcessResult b = RunEvalrun({"validate", bad});
  CHECK(b.exit_code == 2);
  CHECK_THAT(b.err, Catch::Contains(bad + ":5:3: unknown key 'endpoint.timeout'; did you mean 'timeout_s'?"));

  ProcessResult missing = RunEvalrun({"validate", dir.path() + "/nope.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("nope.yaml: cannot open the job file"));

  dir.Write("arith.jsonl", ArithRows(4));
  ProcessResult ok = RunEvalrun({"validate", job});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("6 rows"));
}

TEST_CASE("a rejected key stops the run with exit 3, reports written, key nowhere", "[e2e]") {
  MockServerProcess server({"--api-key", "the-right-key"});
  TempDir dir;
  WriteDatasets(dir, 40);
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "output: {dir: runs/x}\n"));
  ProcessResult r = RunEvalrun({"run", job, "--progress", "lines"}, {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("401"));
  const std::string out = dir.path() + "/runs/x";  // output.dir is relative to the job file
  auto records = Records(out);
  REQUIRE_FALSE(records.empty());
  CHECK(records[0].error_kind == ErrorKind::kAuth);
  // At most the first window of calls went out: no call starts after the 401.
  CHECK(server.ChatRequests() <= 8);
  CHECK(static_cast<long long>(records.size()) == server.ChatRequests());
  auto summary = Json(out + "/summary.json");
  CHECK(summary["stop_reason"].IsString());
  CHECK(summary["totals"]["calls"].GetInt64() == static_cast<long long>(records.size()));
  CHECK(AllFiles(out).find(kKey) == std::string::npos);
  CHECK(r.out.find(kKey) == std::string::npos);
  CHECK(r.err.find(kKey) == std::string::npos);
}

TEST_CASE("an unknown model is a per-call bad_request, not a crash", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 2);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out, "--set", "models=[no-such-model]"}, {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 0);  // without gates, failed calls are reported but the run succeeds
  auto records = Records(out);
  REQUIRE(records.size() == 4);
  for (const auto& rec : records) {
    CHECK(rec.error_kind == ErrorKind::kBadRequest);
    CHECK(rec.http_status == 404);
    CHECK_THAT(rec.error, Catch::Contains("does not exist"));
  }
  CHECK(Json(out + "/summary.json")["groups"][0]["errors"]["bad_request"].GetInt() == 2);
}

TEST_CASE("evalrun models lists the server's model ids", "[e2e]") {
  MockServerProcess server;
  ProcessResult r = RunEvalrun({"models", "--base-url", server.base_url()}, {{"WANDB_API_KEY", "k"}});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "mock-small\nmock-medium\nmock-large\n");
  ProcessResult none = RunEvalrun({"models", "--base-url", server.base_url()},
                                  {{"UNSET:WANDB_API_KEY", ""}, {"UNSET:OPENAI_API_KEY", ""}});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("WANDB_API_KEY or OPENAI_API_KEY"));
}

TEST_CASE("bad usage exits 2; --version and help work", "[e2e]") {
  CHECK(RunEvalrun({"run"}).exit_code == 2);
  CHECK(RunEvalrun({"frobnicate"}).exit_code == 2);
  ProcessResult v = RunEvalrun({"--version"});
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::StartsWith("evalrun "));
  ProcessResult h = RunEvalrun({"help", "run"});
  CHECK(h.exit_code == 0);
  CHECK_THAT(h.out, Catch::Contains("--concurrency"));
}
