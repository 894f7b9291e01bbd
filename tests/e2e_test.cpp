// End-to-end: the real evalrun binary against `evalrun mock-server` on an ephemeral port.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "common/clock.h"
#include "results/call_record.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

const char* kKey = "e2e-secret-key-0123456789abcdef";

std::string ArithRows(int n) {
  std::string rows;
  for (int i = 1; i <= n; ++i) {
    rows += "{\"id\": \"q" + std::to_string(i) + "\", \"question\": \"What is " +
            std::to_string(i) + " + " + std::to_string(2 * i) + "?\", \"answer\": \"" +
            std::to_string(3 * i) + "\"}\n";
    if (i % 10 == 0) rows += "\n";  // blank lines are skipped
  }
  return rows;
}

std::string Job(const std::string& base_url, const std::string& extra = "") {
  return "name: e2e\n"
         "endpoint:\n  base_url: " +
         base_url +
         "\n  api_key_env: E2E_KEY\n  timeout_s: 20\n"
         "models:\n  - id: mock-small\n    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}\n  "
         "- mock-large\n"
         "datasets:\n  - path: arith.jsonl\n  - path: chat.jsonl\n"
         "prompt:\n  system: Answer with the number only.\n  template: \"{{question}}\"\n"
         "params: {temperature: 0, max_tokens: 32}\n"
         "scoring: [{type: exact, field: answer}]\n"
         "concurrency: 8\n" +
         extra;
}

void WriteDatasets(const TempDir& dir, int arith_rows) {
  dir.Write("arith.jsonl", ArithRows(arith_rows));
  dir.Write(
      "chat.jsonl",
      "{\"id\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"日本語で挨拶して 🚀\"}]}\n"
      "{\"id\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"Write a long poem.\"}]}\n");
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
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "reports: " + out + "\n");

  const long long calls = (60 + 2) * 2;
  std::vector<CallRecord> records = ReadRecords(out);
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

  auto summary = ReadJson(out + "/summary.json");
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
  CHECK(summary["groups"][1]["latency_ms"]["p50"].GetDouble() >
        summary["groups"][0]["latency_ms"]["p50"].GetDouble());

  std::string md = ReadFile(out + "/report.md");
  CHECK_THAT(md, Catch::Contains("| mock-small | arith | 60 | 60 | 0 |"));
  CHECK_THAT(md, Catch::Contains("| mock-large | chat | 2 | 2 | 0 |"));

  auto manifest = ReadJson(out + "/manifest.json");
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
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run", "--concurrency", "4"},
                               {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(server.ChatRequests() == (50 + 2) * 2 * 2);
  CHECK(server.Stat("max_in_flight") == 4);  // the window is used, and never exceeded
  CHECK(server.Stat("connections") <= 4);    // keep-alive: no new connection per call
  auto records = ReadRecords(dir.path() + "/run");
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
  REQUIRE(
      RunEvalrun({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kKey}}).exit_code ==
      0);
  auto before = ReadJson(out + "/summary.json");
  // A torn last line, as a crash leaves it, is skipped, not misread.
  std::string results = ReadFile(out + "/results.jsonl");
  dir.Write("run/results.jsonl", results + results.substr(0, 40));
  ProcessResult r = RunEvalrun({"report", out, "--out", dir.path() + "/rebuilt"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("skipped 1 line"));
  auto after = ReadJson(dir.path() + "/rebuilt/summary.json");
  CHECK(after["totals"]["calls"].GetInt64() == before["totals"]["calls"].GetInt64());
  CHECK(after["totals"]["total_tokens"].GetInt64() == before["totals"]["total_tokens"].GetInt64());
  CHECK(after["groups"][0]["latency_ms"]["p95"].GetDouble() ==
        Approx(before["groups"][0]["latency_ms"]["p95"].GetDouble()));
}

TEST_CASE("the limit, set and concurrency flags shape the run", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 30);
  const std::string job = dir.Write("job.yaml", Job("http://127.0.0.1:9/v1"));
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", out, "--progress", "none", "--limit", "5", "--concurrency", "2",
       "--set", "endpoint.base_url=" + server.base_url(), "--set", "models=[mock-medium]"},
      {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ReadRecords(out).size() == 5 + 2);
  CHECK(server.ChatRequests() == 7);
  // The manifest is the job that ran, command-line overrides included (the file says 8, no limit).
  const rapidjson::Document manifest = ReadJson(out + "/manifest.json");
  CHECK(manifest["job"]["concurrency"].GetInt() == 2);
  for (const auto& ds : manifest["job"]["datasets"].GetArray()) CHECK(ds["limit"].GetInt() == 5);
  CHECK(manifest["job"]["models"].Size() == 1);
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

TEST_CASE("a missing API key stops the run before anything is sent and names the variable",
          "[e2e]") {
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
  dir.Write("chat.jsonl",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n\n{\"messages\": [}\n");
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

  const std::string bad = dir.Write(
      "bad.yaml", "name: x\nmodels: m\ndatasets: [chat.jsonl]\nendpoint:\n  timeout: 3\n");
  ProcessResult b = RunEvalrun({"validate", bad});
  CHECK(b.exit_code == 2);
  CHECK_THAT(b.err, Catch::Contains(
                        bad + ":5:3: unknown key 'endpoint.timeout'; did you mean 'timeout_s'?"));

  ProcessResult missing = RunEvalrun({"validate", dir.path() + "/nope.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("nope.yaml: cannot open the job file"));

  dir.Write("arith.jsonl", ArithRows(4));
  ProcessResult ok = RunEvalrun({"validate", job});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("6 rows"));
}

TEST_CASE("a rejected key is caught by the preflight: exit 3, no call sent, key nowhere", "[e2e]") {
  MockServerProcess server({"--api-key", "the-right-key"});
  TempDir dir;
  WriteDatasets(dir, 5);
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "output: {dir: runs/x}\n"));
  ProcessResult r = RunEvalrun({"run", job}, {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("401") && Catch::Contains("Authentication failed"));
  CHECK(server.ChatRequests() == 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/runs/x"));
  CHECK(r.err.find(kKey) == std::string::npos);
}

TEST_CASE("a 401 mid-run stops the run with exit 3, reports written, key nowhere", "[e2e]") {
  // Every fault the mock has, at once.
  MockServerProcess server({"--latency-ms",  "5",    "--fail-401",    "0.02", "--fail-429",  "0.2",
                            "--fail-500",    "0.1",  "--fail-503",    "0.05", "--malformed", "0.05",
                            "--drop",        "0.05", "--stall",       "0.02", "--no-usage",  "0.05",
                            "--retry-after", "0.01", "--quota-after", "300"});
  TempDir dir;
  WriteDatasets(dir, 200);
  const std::string job =
      dir.Write("job.yaml",
                Job(server.base_url(),
                    "output: {dir: runs/x}\nretry: {initial_backoff_ms: 1, max_backoff_ms: 5}\n"));
  ProcessResult r = RunEvalrun({"run", job, "--progress", "lines", "--set", "endpoint.timeout_s=1"},
                               {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("stopped early: the API answered 40"));  // 401, or the 402
  const std::string out = dir.path() + "/runs/x";  // output.dir is relative to the job file
  auto records = ReadRecords(out);
  REQUIRE_FALSE(records.empty());
  CHECK(std::any_of(records.begin(), records.end(),
                    [](const CallRecord& c) { return StopsRun(c.error_kind); }));
  CHECK(records.size() < (200 + 2) * 2);
  long long attempts = 0;
  for (const auto& rec : records) attempts += rec.attempts;
  // Every request sent is accounted for in a record, except that libcurl itself resends a request
  // once when a reused connection closes before any byte of the answer (the injected drops).
  CHECK(attempts <= server.ChatRequests());
  CHECK(server.ChatRequests() - attempts <= server.Injected("drop"));
  auto summary = ReadJson(out + "/summary.json");
  CHECK(summary["stop_reason"].IsString());
  CHECK(summary["totals"]["calls"].GetInt64() == static_cast<long long>(records.size()));
  CHECK(AllFiles(out).find(kKey) == std::string::npos);
  CHECK(r.out.find(kKey) == std::string::npos);
  CHECK(r.err.find(kKey) == std::string::npos);
}

TEST_CASE("429s and 500s are retried until every row is ok, never before Retry-After", "[e2e]") {
  MockServerProcess server(
      {"--fail-429", "0.3", "--retry-after", "0.2", "--fail-500", "0.05", "--drop", "0.02"});
  TempDir dir;
  WriteDatasets(dir, 100);
  const std::string job = dir.Write(
      "job.yaml", Job(server.base_url(),
                      "retry: {max_attempts: 30, initial_backoff_ms: 5, max_backoff_ms: 50}\n"));
  const std::string out = dir.path() + "/run";
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--concurrency", "16"}, {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto records = ReadRecords(out);
  REQUIRE(records.size() == (100 + 2) * 2);
  long long attempts = 0;
  bool some_retried = false, queue_counted = true;
  for (const auto& rec : records) {
    CHECK(rec.ok());
    attempts += rec.attempts;
    some_retried |= rec.attempts > 1;
    if (rec.attempts > 1) queue_counted &= rec.queue_ms > 0;
  }
  CHECK(some_retried);
  CHECK(queue_counted);  // back-off time shows as queue_ms
  CHECK(attempts <= server.ChatRequests());
  CHECK(server.ChatRequests() - attempts <=
        server.Injected("drop"));  // libcurl's own resend, see above
  CHECK(server.Stat("early_retries") == 0);
  CHECK(ReadJson(out + "/summary.json")["retries"].GetInt64() ==
        attempts - static_cast<long long>(records.size()));
}

TEST_CASE("a 402 mid-run stops new calls: exit 3, in-flight calls recorded, reports written",
          "[e2e]") {
  MockServerProcess server({"--latency-ms", "20", "--quota-after", "30"});
  TempDir dir;
  WriteDatasets(dir, 200);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("402") && Catch::Contains("quota"));
  // The first 402 answers request 31; at most the 8 calls already in flight follow it.
  CHECK(server.ChatRequests() <= 30 + 8);
  auto records = ReadRecords(out);
  CHECK(static_cast<long long>(records.size()) == server.ChatRequests());
  CHECK(std::count_if(records.begin(), records.end(), [](const CallRecord& c) { return c.ok(); }) ==
        30);
  for (const auto& rec : records) CHECK(rec.attempts == 1);  // a 402 is never retried
  auto summary = ReadJson(out + "/summary.json");
  CHECK(summary["stop_reason"].IsString());
  // Stopped within a second: from the start of the first call answered 402 to the run's end.
  SystemTime first_402 = SystemTime::max(), finished;
  for (const auto& rec : records) {
    SystemTime t;
    if (rec.error_kind == ErrorKind::kQuota && ParseRfc3339Ms(rec.started_at, &t))
      first_402 = std::min(first_402, t);
  }
  REQUIRE(ParseRfc3339Ms(summary["finished_at"].GetString(), &finished));
  CHECK(finished - first_402 < std::chrono::seconds(1));
  CHECK(std::filesystem::exists(out + "/report.md"));
}

TEST_CASE("adaptive concurrency at least halves the 429s of a fixed window", "[e2e]") {
  auto run = [](bool adaptive) {
    MockServerProcess server({"--latency-ms", "30", "--jitter", "0", "--max-concurrency", "8"});
    TempDir dir;
    WriteDatasets(dir, 150);
    const std::string job = dir.Write(
        "job.yaml",
        Job(server.base_url(),
            std::string("adaptive_concurrency: ") + (adaptive ? "true" : "false") +
                "\nretry: {max_attempts: 50, initial_backoff_ms: 20, max_backoff_ms: 200}\n"));
    ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run", "--concurrency", "48"},
                                 {{"E2E_KEY", kKey}});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto summary = ReadJson(dir.path() + "/run/summary.json");
    CHECK(summary["totals"]["ok"].GetInt64() == (150 + 2) * 2);
    if (adaptive) CHECK(summary["concurrency"]["min_reached"].GetInt() < 48);
    return server.Chat429s();
  };
  const long long fixed = run(false);
  const long long adaptive = run(true);
  INFO("429s fixed " << fixed << ", adaptive " << adaptive);
  CHECK(fixed > 0);
  CHECK(adaptive * 2 <= fixed);
}

TEST_CASE("a stalled server ends in timeout records; a malformed 200 is a parse error not retried",
          "[e2e]") {
  MockServerProcess server({"--stall", "0.5", "--malformed", "0.5"});
  TempDir dir;
  WriteDatasets(dir, 6);
  const std::string job =
      dir.Write("job.yaml", Job(server.base_url(), "retry: {max_attempts: 1}\n"));
  std::string text = ReadFile(job);
  text.replace(text.find("timeout_s: 20"), 13, "timeout_s: 0.5");
  dir.Write("job.yaml", text);
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto records = ReadRecords(out);
  REQUIRE(records.size() == 16);
  int timeouts = 0, parse = 0;
  for (const auto& rec : records) {
    timeouts += rec.error_kind == ErrorKind::kTimeout;
    parse += rec.error_kind == ErrorKind::kParse;
    CHECK(rec.attempts == 1);
  }
  CHECK(timeouts + parse == 16);
  CHECK(timeouts > 0);
  CHECK(parse > 0);
}

TEST_CASE("the preflight names a model the API does not offer, with the ids it does", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 2);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  ProcessResult r =
      RunEvalrun({"run", job, "--out", dir.path() + "/run", "--set", "models=[no-such-model]"},
                 {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("model 'no-such-model' is not offered") &&
                        Catch::Contains("mock-large"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("a streamed run records ttft_ms < latency_ms for every ok call", "[e2e]") {
  MockServerProcess server({"--latency-ms", "30", "--per-token-ms", "2"});
  TempDir dir;
  WriteDatasets(dir, 20);
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "stream: true\n"));
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto records = ReadRecords(out);
  REQUIRE(records.size() == 44);
  for (const auto& rec : records) {
    REQUIRE(rec.ok());
    REQUIRE(rec.ttft_ms);
    CHECK(*rec.ttft_ms > 0);
    CHECK(*rec.ttft_ms < rec.latency_ms);
    REQUIRE(rec.usage);  // stream_options.include_usage was asked for
    CHECK(rec.usage->completion_tokens > 0);
    if (rec.dataset == "chat") CHECK(rec.itl_ms);  // multi-word answers
  }
  auto summary = ReadJson(out + "/summary.json");
  const auto& ttft = summary["groups"][0]["ttft_ms"];
  REQUIRE(ttft.IsObject());
  CHECK(ttft["p50"].GetDouble() <= ttft["p99"].GetDouble());
  CHECK_THAT(ReadFile(out + "/report.md"), Catch::Contains("## Streaming"));
}

TEST_CASE("a self-signed server is refused without ca_bundle and accepted with it", "[e2e][tls]") {
  const std::string cert = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/test-cert.pem";
  const std::string key = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/test-key.pem";
  MockServerProcess server({"--tls-cert", cert, "--tls-key", key});
  REQUIRE_THAT(server.base_url(), Catch::StartsWith("https://127.0.0.1:"));
  TempDir dir;
  WriteDatasets(dir, 5);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  ProcessResult refused =
      RunEvalrun({"run", job, "--out", dir.path() + "/refused"}, {{"E2E_KEY", kKey}});
  CHECK(refused.exit_code == 3);
  CHECK_THAT(refused.err, Catch::Contains("certificate"));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/refused/results.jsonl"));

  const std::string out = dir.path() + "/accepted";
  ProcessResult ok = RunEvalrun({"run", job, "--out", out, "--set", "endpoint.ca_bundle=" + cert},
                                {{"E2E_KEY", kKey}});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  auto records = ReadRecords(out);
  CHECK(records.size() == 14);
  for (const auto& rec : records) CHECK(rec.ok());
}

TEST_CASE("each gate failing alone gives exit 1 and names itself", "[e2e][gates]") {
  MockServerProcess server({"--latency-ms", "2"});
  TempDir dir;
  WriteDatasets(dir, 20);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string model =
      "--set=models=[{id: mock-small, pricing: {input_per_mtok: 1, output_per_mtok: 2}}]";
  const std::string lenient =
      "{max_error_rate: 0.5, min_score: 0.1, max_p95_latency_ms: 60000, max_cost_usd: 10}";
  auto run = [&](const std::string& name, const std::string& gates) {
    const std::string out = dir.path() + "/" + name;
    ProcessResult r = RunEvalrun({"run", job, "--out", out, model, "--set", "gates=" + gates},
                                 {{"E2E_KEY", kKey}});
    return std::make_pair(r, ReadJson(out + "/summary.json"));
  };
  {
    auto [r, summary] = run("pass", lenient);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(summary["gates"].Size() == 4);
    for (const auto& g : summary["gates"].GetArray()) CHECK(g["passed"].GetBool());
  }
  // One threshold made impossible at a time; max_error_rate has its own case below.
  const std::vector<std::pair<std::string, std::string>> failing = {
      {"min_score", "0.999"}, {"max_p95_latency_ms", "0.001"}, {"max_cost_usd", "0.0000001"}};
  for (const auto& [name, value] : failing) {
    std::string gates = lenient;
    const size_t at = gates.find(name + ": ");
    gates.replace(at, gates.find_first_of(",}", at) - at, name + ": " + value);
    auto [r, summary] = run(name, gates);
    INFO(name << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("gate failed: " + name + " for mock-small"));
    int failed = 0;
    for (const auto& g : summary["gates"].GetArray()) {
      if (!g["passed"].GetBool()) {
        ++failed;
        CHECK(std::string(g["name"].GetString()) == name);
      }
    }
    CHECK(failed == 1);
  }
}

TEST_CASE("the error-rate gate fails a run whose calls failed", "[e2e][gates]") {
  MockServerProcess server({"--fail-500", "0.5"});
  TempDir dir;
  WriteDatasets(dir, 20);
  const std::string job = dir.Write(
      "job.yaml",
      Job(server.base_url(), "retry: {max_attempts: 1}\ngates: {max_error_rate: 0.05}\n"));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run"}, {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("gate failed: max_error_rate"));
  ProcessResult without = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run2", "--set", "gates={}"}, {{"E2E_KEY", kKey}});
  CHECK(without.exit_code == 0);  // without gates, failed calls are reported but the run succeeds
}

TEST_CASE("the budget stops a run before its spend could pass it", "[e2e][budget]") {
  MockServerProcess server({"--latency-ms", "5"});
  TempDir dir;
  WriteDatasets(dir, 200);
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "budget_usd: 0.002\n"));
  const std::string priced =
      "--set=models=[{id: mock-small, pricing: {input_per_mtok: 1, output_per_mtok: 2}}]";
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out, priced}, {{"E2E_KEY", kKey}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("budget reached"));
  auto summary = ReadJson(out + "/summary.json");
  const double spent = summary["totals"]["cost_usd"].GetDouble();
  CHECK(spent > 0);
  CHECK(spent <= 0.002);
  CHECK(summary["totals"]["calls"].GetInt64() < 202);
  CHECK(summary["totals"]["calls"].GetInt64() == server.ChatRequests());

  ProcessResult unpriced =
      RunEvalrun({"run", job, "--out", dir.path() + "/run2"}, {{"E2E_KEY", kKey}});
  CHECK(unpriced.exit_code == 2);  // mock-large has no price: the budget could not hold
  CHECK_THAT(unpriced.err, Catch::Contains("budget_usd needs a price for model 'mock-large'"));
}

TEST_CASE("endpoint.http 2 multiplexes calls over one HTTP/2 connection; auto negotiates it",
          "[e2e][http2]") {
  MockServerProcess server({"--latency-ms", "20"});
  const std::string backend = server.base_url();
  const int backend_port = std::stoi(backend.substr(backend.rfind(':') + 1));
  TempDir dir;
  const std::string log = dir.path() + "/access.log";
  Http2Proxy proxy(backend_port, log);
  WriteDatasets(dir, 30);
  const std::string cert = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/test-cert.pem";
  const std::string job =
      dir.Write("job.yaml", Job("https://127.0.0.1:" + std::to_string(proxy.port()) + "/v1"));
  for (const std::string http : {"2", "auto"}) {
    ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run-" + http, "--set",
                                  "endpoint.http=" + http, "--set", "endpoint.ca_bundle=" + cert},
                                 {{"E2E_KEY", kKey}});
    INFO(http << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(ReadRecords(dir.path() + "/run-" + http).size() == (30 + 2) * 2);
  }
  // Each run: the preflight, then 64 calls at concurrency 8, all over HTTP/2.
  std::map<std::string, int> per_port;
  for (const auto& line : ReadLines(log)) {
    CHECK_THAT(line, Catch::StartsWith("h2 "));
    per_port[line.substr(3, line.find(' ', 3) - 3)]++;
  }
  int total = 0;
  for (const auto& [port, n] : per_port) total += n;
  CHECK(total == 2 * (1 + 64));
  CHECK(per_port.size() <= 4);  // a connection for each preflight and one for each run's calls
}

namespace {

/// Every call of a job of `rows` arith rows + 2 chat rows on two models has exactly one ok record.
void CheckEveryCallOnceOk(const std::vector<CallRecord>& records, int rows) {
  std::map<std::tuple<std::string, std::string, std::string>, int> ok;
  for (const auto& r : records) {
    if (r.ok()) ok[{r.model, r.dataset, r.row_id}]++;
  }
  CHECK(ok.size() == static_cast<size_t>((rows + 2) * 2));
  for (const auto& [key, n] : ok) CHECK(n == 1);
}

long long Attempts(const std::vector<CallRecord>& records) {
  long long n = 0;
  for (const auto& r : records) n += r.attempts;
  return n;
}

}  // namespace

TEST_CASE(
    "SIGINT mid-run: exit 3, reports cover exactly the finished calls, resume completes the rest",
    "[e2e][resume]") {
  MockServerProcess server({"--latency-ms", "20"});
  TempDir dir;
  WriteDatasets(dir, 150);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string out = dir.path() + "/run";
  BackgroundEvalrun run({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kKey}});
  server.WaitForChatRequests(60);
  run.Signal(SIGINT);
  ProcessResult first = run.Wait();
  INFO(first.err);
  CHECK(first.exit_code == 3);
  CHECK_THAT(first.err, Catch::Contains("interrupted"));
  auto records = ReadRecords(out);
  CHECK(records.size() < 304);
  CHECK(static_cast<long long>(records.size()) ==
        server.ChatRequests());  // in-flight calls finished
  auto summary = ReadJson(out + "/summary.json");
  CHECK(summary["totals"]["calls"].GetInt64() == static_cast<long long>(records.size()));

  ProcessResult second =
      RunEvalrun({"run", job, "--resume", out, "--progress", "none"}, {{"E2E_KEY", kKey}});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.err, Catch::Contains("resuming"));
  records = ReadRecords(out);
  CheckEveryCallOnceOk(records, 150);
  CHECK(Attempts(records) == server.ChatRequests());  // nothing finished was sent again
  summary = ReadJson(out + "/summary.json");
  CHECK(summary["totals"]["calls"].GetInt64() == 304);
  CHECK(summary["run_id"].GetString() == records.front().run_id);
}

TEST_CASE("a second stop signal stops at once: calls in flight are abandoned", "[e2e][resume]") {
  MockServerProcess server({"--latency-ms", "60000", "--jitter", "0"});
  TempDir dir;
  WriteDatasets(dir, 20);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string out = dir.path() + "/run";
  BackgroundEvalrun run({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kKey}});
  server.WaitForChatRequests(8);  // the whole window is in flight, none can finish for a minute
  // Two different signals: a second SIGINT sent at once could merge with the first while pending.
  run.Signal(SIGINT);
  run.Signal(SIGTERM);
  ProcessResult r = run.Wait();
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("8 abandoned in flight"));
  CHECK(ReadRecords(out).empty());
  CHECK(ReadJson(out + "/summary.json")["totals"]["calls"].GetInt64() == 0);
}

TEST_CASE("SIGKILL at a random point, then resume: every call has exactly one ok record",
          "[e2e][resume]") {
  MockServerProcess server({"--latency-ms", "10", "--fail-500", "0.1"});
  TempDir dir;
  WriteDatasets(dir, 150);
  const std::string job =
      dir.Write("job.yaml", Job(server.base_url(), "retry: {max_attempts: 1}\n"));
  const std::string out = dir.path() + "/run";
  std::random_device rd;
  const long long kill_after = 20 + static_cast<long long>(rd() % 200);
  BackgroundEvalrun run({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kKey}});
  server.WaitForChatRequests(kill_after);
  run.Signal(SIGKILL);
  ProcessResult first = run.Wait();
  INFO("killed after " << kill_after << " requests");
  CHECK(first.exit_code == 128 + SIGKILL);
  const long long sent_before = server.ChatRequests();
  const auto before = ReadRecords(out);  // every line whole: a record is written in one piece
  CHECK(static_cast<long long>(before.size()) <= sent_before);
  CHECK(sent_before - static_cast<long long>(before.size()) <=
        8);  // at most the window was in flight

  // Failed calls are retried by the resume; keep going until every call is ok.
  for (int round = 0; round < 10; ++round) {
    ProcessResult again =
        RunEvalrun({"run", job, "--resume", out, "--progress", "none"}, {{"E2E_KEY", kKey}});
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    if (ReadJson(out + "/summary.json")["totals"]["ok"].GetInt64() == 304) break;
  }
  auto records = ReadRecords(out);
  CheckEveryCallOnceOk(records, 150);
  // Only the calls in flight at the kill went out twice; no finished call was sent again.
  CHECK(server.ChatRequests() - Attempts(records) ==
        sent_before - static_cast<long long>(before.size()));
  CHECK(ReadJson(out + "/summary.json")["totals"]["calls"].GetInt64() == 304);
}

TEST_CASE("resume refuses a run whose dataset or models changed, and says what changed",
          "[e2e][resume]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 5);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::string out = dir.path() + "/run";
  REQUIRE(RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kKey}}).exit_code == 0);
  const long long sent = server.ChatRequests();
  dir.Write("arith.jsonl", ArithRows(6));
  ProcessResult changed = RunEvalrun({"run", job, "--resume", out}, {{"E2E_KEY", kKey}});
  CHECK(changed.exit_code == 2);
  CHECK_THAT(changed.err,
             Catch::Contains("dataset 'arith' changed since the run began (its SHA-256 differs)"));
  dir.Write("arith.jsonl", ArithRows(5));
  ProcessResult models = RunEvalrun({"run", job, "--resume", out, "--set", "models=[mock-medium]"},
                                    {{"E2E_KEY", kKey}});
  CHECK(models.exit_code == 2);
  CHECK_THAT(models.err, Catch::Contains("models changed since the run began"));
  ProcessResult same = RunEvalrun({"run", job, "--resume", out}, {{"E2E_KEY", kKey}});
  CHECK(same.exit_code == 0);
  CHECK(server.ChatRequests() == sent);  // a finished run resumed sends nothing
}

TEST_CASE("results.csv, junit.xml and the GitHub step summary are written for CI", "[e2e]") {
  MockServerProcess server({"--fail-500", "0.2"});
  TempDir dir;
  WriteDatasets(dir, 30);
  const std::string job =
      dir.Write("job.yaml",
                Job(server.base_url(), "retry: {max_attempts: 1}\ngates: {max_error_rate: 0.9}\n"));
  const std::string out = dir.path() + "/run";
  const std::string step = dir.Write("step-summary.md", "earlier step\n");
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kKey}, {"GITHUB_STEP_SUMMARY", step}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(ReadFile(out + "/report.html"), Catch::Contains("<h2>Errors</h2>"));
  auto records = ReadRecords(out);
  const long long failed =
      std::count_if(records.begin(), records.end(), [](const CallRecord& c) { return !c.ok(); });
  REQUIRE(failed > 0);

  auto csv = ReadLines(out + "/results.csv");
  REQUIRE(csv.size() >= records.size() + 1);  // a response may span lines inside quotes
  CHECK_THAT(csv[0],
             Catch::StartsWith("run_id,model,model_id,dataset,row_id,repeat,status,error_kind"));
  CHECK_THAT(csv[0], Catch::EndsWith(",score_exact,response"));

  const std::string xml = ReadFile(out + "/junit.xml");
  CHECK_THAT(xml, Catch::Contains("tests=\"" + std::to_string(failed + 2) + "\" failures=\"" +
                                  std::to_string(failed) + "\""));
  CHECK_THAT(
      xml,
      Catch::Contains(
          "<testcase classname=\"evalrun.gates\" name=\"max_error_rate mock-small\"></testcase>"));
  CHECK_THAT(xml, Catch::Contains("<failure type=\"server\""));

  const std::string summary_md = ReadFile(step);
  CHECK_THAT(summary_md, Catch::StartsWith("earlier step\n# evalrun: e2e"));
  CHECK(summary_md.find(kKey) == std::string::npos);
}

TEST_CASE("4 shards run apart and merged equal one unsharded run", "[e2e][shard]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 97);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  ProcessResult whole =
      RunEvalrun({"run", job, "--out", dir.path() + "/whole"}, {{"E2E_KEY", kKey}});
  REQUIRE(whole.exit_code == 0);
  std::vector<std::string> shard_dirs;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (int i = 0; i < 4; ++i) {
    const std::string out = dir.path() + "/shard" + std::to_string(i);
    ProcessResult r = RunEvalrun({"run", job, "--out", out, "--shard", std::to_string(i) + "/4"},
                                 {{"E2E_KEY", kKey}});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto records = ReadRecords(out);
    CHECK_FALSE(records.empty());
    for (const auto& rec : records)
      CHECK(seen.insert({rec.model, rec.dataset, rec.row_id}).second);  // disjoint
    CHECK(ReadJson(out + "/manifest.json")["shard"].GetString() == std::to_string(i) + "/4");
    shard_dirs.push_back(out);
  }
  CHECK(seen.size() == (97 + 2) * 2);
  std::vector<std::string> args = {"report"};
  args.insert(args.end(), shard_dirs.begin(), shard_dirs.end());
  args.insert(args.end(), {"--out", dir.path() + "/merged"});
  ProcessResult merged = RunEvalrun(args);
  INFO(merged.err);
  REQUIRE(merged.exit_code == 0);
  auto a = ReadJson(dir.path() + "/whole/summary.json");
  auto b = ReadJson(dir.path() + "/merged/summary.json");
  for (const char* k : {"calls", "ok", "prompt_tokens", "completion_tokens", "total_tokens"}) {
    CHECK(a["totals"][k].GetInt64() == b["totals"][k].GetInt64());
  }
  CHECK(a["groups"].Size() == b["groups"].Size());
  CHECK(ReadRecords(dir.path() + "/merged").size() == (97 + 2) * 2);
  CHECK(std::filesystem::exists(dir.path() + "/merged/report.md"));

  ProcessResult overlap =
      RunEvalrun({"report", shard_dirs[0], shard_dirs[0], "--out", dir.path() + "/x"});
  CHECK(overlap.exit_code == 2);
  CHECK_THAT(overlap.err, Catch::Contains("overlapping shards"));
  ProcessResult with_whole =
      RunEvalrun({"report", shard_dirs[0], dir.path() + "/whole", "--out", dir.path() + "/y"});
  CHECK(with_whole.exit_code == 2);
  CHECK_THAT(with_whole.err, Catch::Contains("ran the whole job"));
  const std::string other = dir.Write("other.yaml", Job(server.base_url(), "repeats: 2\n"));
  REQUIRE(
      RunEvalrun({"run", other, "--out", dir.path() + "/other1", "--shard", "1/4", "--limit", "12"},
                 {{"E2E_KEY", kKey}})
          .exit_code == 0);
  ProcessResult different =
      RunEvalrun({"report", shard_dirs[0], dir.path() + "/other1", "--out", dir.path() + "/z"});
  CHECK(different.exit_code == 2);
  CHECK_THAT(different.err,
             Catch::Contains("is not a shard of the job") && Catch::Contains("repeats changed"));
  ProcessResult resume_other =
      RunEvalrun({"run", job, "--resume", shard_dirs[1], "--shard", "2/4"}, {{"E2E_KEY", kKey}});
  CHECK(resume_other.exit_code == 2);
  CHECK_THAT(resume_other.err, Catch::Contains("it ran shard 1/4 and this is shard 2/4"));
  CHECK(RunEvalrun({"run", job, "--shard", "4/4"}, {{"E2E_KEY", kKey}}).exit_code == 2);
}

TEST_CASE("a rerun of an unchanged job at temperature 0 is answered from the cache",
          "[e2e][cache]") {
  MockServerProcess server({"--latency-ms", "3"});
  TempDir dir;
  WriteDatasets(dir, 40);
  const std::string job = dir.Write("job.yaml", Job(server.base_url()));
  const std::map<std::string, std::string> env = {{"E2E_KEY", kKey},
                                                  {"XDG_CACHE_HOME", dir.path() + "/cache"}};
  REQUIRE(RunEvalrun({"run", job, "--out", dir.path() + "/first"}, env).exit_code == 0);
  const long long sent = server.ChatRequests();
  CHECK(sent == 84);
  ProcessResult again = RunEvalrun({"run", job, "--out", dir.path() + "/second"}, env);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("84 calls answered from the response cache"));
  CHECK(server.ChatRequests() == sent);  // nothing sent
  auto a = ReadJson(dir.path() + "/first/summary.json");
  auto b = ReadJson(dir.path() + "/second/summary.json");
  for (const char* k : {"calls", "ok", "prompt_tokens", "completion_tokens", "total_tokens"}) {
    CHECK(a["totals"][k].GetInt64() == b["totals"][k].GetInt64());
  }
  CHECK(a["groups"][0]["scores"]["exact"].GetDouble() ==
        b["groups"][0]["scores"]["exact"].GetDouble());
  CHECK(a["totals"]["cost_usd"].IsNull());          // mock-large's price is unknown...
  CHECK(b["totals"]["cost_usd"].GetDouble() == 0);  // ...but a cached call costs nothing, known
  for (const auto& rec : ReadRecords(dir.path() + "/second")) {
    CHECK(rec.cached);
    CHECK(rec.attempts == 0);
  }
  REQUIRE(RunEvalrun({"run", job, "--out", dir.path() + "/third", "--no-cache"}, env).exit_code ==
          0);
  CHECK(server.ChatRequests() == 2 * sent);
  REQUIRE(RunEvalrun({"run", job, "--out", dir.path() + "/warm", "--set", "params.temperature=0.7"},
                     env)
              .exit_code == 0);
  REQUIRE(RunEvalrun(
              {"run", job, "--out", dir.path() + "/warm2", "--set", "params.temperature=0.7"}, env)
              .exit_code == 0);
  CHECK(server.ChatRequests() == 4 * sent);  // sampling calls are never cached

  // Each repeat is an answer of its own, even when an earlier repeat's answer is already cached.
  const long long before = server.ChatRequests();
  REQUIRE(RunEvalrun({"run", job, "--out", dir.path() + "/repeats", "--set", "repeats=2",
                      "--concurrency", "1", "--limit", "3"},
                     env)
              .exit_code == 0);
  // Repeat 0 of these rows was cached by the first run; repeat 1 must still be sent.
  CHECK(server.ChatRequests() - before == (3 + 2) * 2);
}

TEST_CASE("evalrun models lists the server's model ids", "[e2e]") {
  MockServerProcess server;
  ProcessResult r =
      RunEvalrun({"models", "--base-url", server.base_url()}, {{"WANDB_API_KEY", "k"}});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "mock-small\nmock-medium\nmock-large\n");
  // A loopback server needs no key; a remote one does, and nothing is sent without it.
  ProcessResult local = RunEvalrun({"models", "--base-url", server.base_url()},
                                   {{"UNSET:WANDB_API_KEY", ""}, {"UNSET:OPENAI_API_KEY", ""}});
  CHECK(local.exit_code == 0);
  CHECK(local.out == "mock-small\nmock-medium\nmock-large\n");
  ProcessResult none = RunEvalrun({"models", "--base-url", "https://api.example.invalid/v1"},
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
  ProcessResult all = RunEvalrun({"help"});
  CHECK(all.exit_code == 0);
  for (const char* cmd : {"run", "validate", "models", "report", "mock-server"})
    CHECK_THAT(all.out, Catch::Contains(cmd));
  ProcessResult h = RunEvalrun({"help", "run"});
  CHECK(h.exit_code == 0);
  CHECK_THAT(h.out, Catch::Contains("--concurrency"));
}
