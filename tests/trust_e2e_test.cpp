// Trust (issue 11), end to end: the real binary against the mock, against nginx (a proxy nobody
// here wrote, with its own 429/444/502/504 answers and HTTP/2 over TLS), and the official OpenAI
// Node SDK as a client of the mock.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "results/call_record.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

const char* kKey = "trust-secret-key-0123456789abcdef";

std::string Rows(int n) {
  std::string rows;
  for (int i = 1; i <= n; ++i) {
    rows += "{\"id\": \"q" + std::to_string(i) + "\", \"question\": \"What is " +
            std::to_string(i) + " + " + std::to_string(i) + "?\", \"answer\": \"" +
            std::to_string(2 * i) + "\"}\n";
  }
  return rows;
}

/// A job over arith.jsonl; `models`, `extra` and `endpoint` (indented two spaces) are YAML lines.
std::string Job(const std::string& base_url, const std::string& models,
                const std::string& extra = "", const std::string& endpoint = "") {
  return "name: trust\nendpoint:\n  base_url: " + base_url +
         "\n  api_key_env: TRUST_KEY\n  timeout_s: 20\n" + endpoint + "models:\n" + models +
         "datasets:\n  - path: arith.jsonl\n"
         "prompt:\n  template: \"{{question}}\"\n"
         "params: {temperature: 0, max_tokens: 32}\n"
         "scoring: [{type: exact, field: answer}]\n" +
         extra;
}

const char* kPriced =
    "  - id: mock-small\n    pricing: {input_per_mtok: 100, output_per_mtok: 100}\n";

int PortOf(const std::string& base_url) {
  const size_t colon = base_url.rfind(':');
  return std::stoi(base_url.substr(colon + 1, base_url.find('/', colon) - colon - 1));
}

ProcessResult Run(const std::string& job, const std::string& out,
                  const std::vector<std::string>& more = {}) {
  std::vector<std::string> args = {"run", job, "--out", out, "--progress", "none"};
  args.insert(args.end(), more.begin(), more.end());
  return RunEvalrun(args, {{"TRUST_KEY", kKey}});
}

}  // namespace

TEST_CASE("a priced 200 without usage costs unknown, and the budget charges its worst case",
          "[e2e][trust]") {
  MockServerProcess server({"--no-usage", "1"});
  TempDir dir;
  dir.Write("arith.jsonl", Rows(20));
  // Each call's worst case is its request bytes + 32 output tokens at $100 per 1M: about $0.01.
  const std::string job =
      dir.Write("job.yaml", Job(server.base_url(), kPriced, "budget_usd: 0.03\nconcurrency: 4\n"));
  const std::string out = dir.path() + "/run";
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--progress", "lines"}, {{"TRUST_KEY", kKey}});
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("budget reached"));
  CHECK_THAT(r.err, Catch::Contains("without usage"));  // the progress line says why it is unknown
  CHECK_THAT(r.err, !Catch::Contains("$0.0000,"));
  const long long sent = server.ChatRequests();
  CHECK(sent >= 1);
  CHECK(sent <= 3);  // $0.03 holds at most three calls' worst case
  const auto records = ReadRecords(out);
  REQUIRE(records.size() == static_cast<size_t>(sent));
  for (const auto& rec : records) {
    CHECK(rec.ok());
    CHECK_FALSE(rec.usage);
    CHECK_FALSE(rec.cost_usd);
  }
  const auto summary = ReadJson(out + "/summary.json");
  CHECK(summary["totals"]["cost_usd"].IsNull());
  CHECK(summary["totals"]["cost_usd_known"].GetDouble() == 0);
  CHECK(summary["totals"]["calls_without_usage"].GetInt64() == sent);
  CHECK(summary["groups"][0]["cost_usd"].IsNull());
  CHECK(summary["models"][0]["cost_usd"].IsNull());
  CHECK_THAT(ReadFile(out + "/report.md"), Catch::Contains("without usage"));
  CHECK_THAT(ReadFile(out + "/report.html"), Catch::Contains("without usage"));
}

TEST_CASE("a job without prices shows the price as unknown on the progress line", "[e2e][trust]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("arith.jsonl", Rows(5));
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "  - mock-small\n"));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run", "--progress", "lines"},
                               {{"TRUST_KEY", kKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains(", price unknown,"));
  CHECK_THAT(r.err, !Catch::Contains("$0.0000"));
}

TEST_CASE("summary totals are the exact sum of the records' costs", "[e2e][trust]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("arith.jsonl", Rows(150));
  const std::string models =
      "  - id: mock-small\n    pricing: {input_per_mtok: 0.22, output_per_mtok: 0.22}\n"
      "  - id: mock-large\n    pricing: {input_per_mtok: 0.71, output_per_mtok: 0.71}\n";
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), models));
  const std::string out = dir.path() + "/run";
  ProcessResult r = Run(job, out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  double sum = 0;
  std::map<std::string, double> per_model;
  for (const auto& line : ReadLines(out + "/results.jsonl")) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseFullPrecisionFlag>(line.c_str());
    REQUIRE(d["cost_usd"].IsNumber());
    sum += d["cost_usd"].GetDouble();
    per_model[d["model"].GetString()] += d["cost_usd"].GetDouble();
  }
  REQUIRE(sum > 0);
  const auto summary = ReadJson(out + "/summary.json");
  const double total = summary["totals"]["cost_usd"].GetDouble();
  CHECK(std::fabs(total - sum) <= 1e-12 * sum);
  for (const auto& m : summary["models"].GetArray()) {
    const double want = per_model[m["model"].GetString()];
    CHECK(std::fabs(m["cost_usd"].GetDouble() - want) <= 1e-12 * want);
  }
  // `evalrun report` rebuilds the same exact figure from results.jsonl.
  REQUIRE(RunEvalrun({"report", out, "--out", dir.path() + "/rebuilt"}).exit_code == 0);
  const double rebuilt =
      ReadJson(dir.path() + "/rebuilt/summary.json")["totals"]["cost_usd"].GetDouble();
  CHECK(std::fabs(rebuilt - sum) <= 1e-12 * sum);
}

TEST_CASE("nginx's own 429, 444, 502 and 504 answers become one-line errors", "[e2e][trust]") {
  MockServerProcess server;
  Nginx nginx(PortOf(server.base_url()));
  TempDir dir;
  dir.Write("arith.jsonl", Rows(3));
  const std::string root = "http://127.0.0.1:" + std::to_string(nginx.port());
  struct Case {
    const char* prefix;
    const char* kind;
    const char* error;
  };
  for (const Case& c : {Case{"s429", "rate_limit", "HTTP 429 Too Many Requests"},
                        Case{"s502", "server", "HTTP 502 Bad Gateway"},
                        Case{"s504", "server", "HTTP 504 Gateway Timeout"},
                        Case{"s444", "network", "closed the connection without an answer"}}) {
    INFO(c.prefix);
    const std::string job = dir.Write(
        std::string(c.prefix) + ".yaml",
        Job(root + "/" + c.prefix + "/v1", "  - mock-small\n", "retry: {max_attempts: 1}\n"));
    const std::string out = dir.path() + "/" + c.prefix;
    ProcessResult r = Run(job, out);
    INFO(r.err);
    // Not one call succeeded: CI must not go green, gates or none.
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("no call succeeded"));
    const auto records = ReadRecords(out);
    REQUIRE(records.size() == 3);
    for (const auto& rec : records) {
      CHECK(ErrorKindName(rec.error_kind) == std::string(c.kind));
      CHECK_THAT(rec.error, Catch::Contains(c.error));
      CHECK(rec.error.find('\n') == std::string::npos);
      CHECK(rec.error.find('<') == std::string::npos);  // no HTML
      CHECK(rec.error.size() <= 200);
    }
    // One line per record in the CSV (plus the header), one failure per record in JUnit.
    CHECK(ReadLines(out + "/results.csv").size() == 4);
    const std::string junit = ReadFile(out + "/junit.xml");
    CHECK_THAT(junit, Catch::Contains(c.error));
    CHECK_THAT(junit, !Catch::Contains("&lt;html"));
  }
}

TEST_CASE("through nginx with HTTP/2 over TLS, a run succeeds and a missing CA says so",
          "[e2e][trust]") {
  MockServerProcess server;
  Nginx nginx(PortOf(server.base_url()));
  TempDir dir;
  dir.Write("arith.jsonl", Rows(10));
  const std::string url = "https://127.0.0.1:" + std::to_string(nginx.tls_port()) + "/v1";
  const std::string ca = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/test-cert.pem";
  const std::string good = dir.Write(
      "good.yaml", Job(url, "  - mock-small\n", "", "  ca_bundle: " + ca + "\n  http: \"2\"\n"));
  ProcessResult ok = Run(good, dir.path() + "/good");
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ReadRecords(dir.path() + "/good").size() == 10);

  const std::string bad = dir.Write("bad.yaml", Job(url, "  - mock-small\n"));
  ProcessResult r = Run(bad, dir.path() + "/bad");
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("did not verify") && Catch::Contains("endpoint.ca_bundle") &&
                        Catch::Contains("127.0.0.1:" + std::to_string(nginx.tls_port())));
  CHECK_THAT(r.err, !Catch::Contains("SSH remote key"));
  CHECK_THAT(r.err, Catch::Contains("nothing was sent"));
  CHECK(server.ChatRequests() == 10);  // only the good run's
}

TEST_CASE("a refused connection names the host and port", "[e2e][trust]") {
  TempDir dir;
  dir.Write("arith.jsonl", Rows(2));
  const int port = FreeLoopbackPort();
  const std::string job =
      dir.Write("job.yaml", Job("http://127.0.0.1:" + std::to_string(port) + "/v1", "  - m\n"));
  ProcessResult r = Run(job, dir.path() + "/run");
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("cannot connect to 127.0.0.1:" + std::to_string(port)));
}

TEST_CASE("a server that lists no models is a warning, and the run goes on", "[e2e][trust]") {
  MockServerProcess server({"--list-no-models"});
  TempDir dir;
  dir.Write("arith.jsonl", Rows(4));
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "  - mock-medium\n"));
  ProcessResult r = Run(job, dir.path() + "/run");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("lists no models") && !Catch::Contains("available:"));
  CHECK(ReadRecords(dir.path() + "/run").size() == 4);
}

TEST_CASE("a key given twice is a located error, and nothing is sent", "[e2e][trust]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("arith.jsonl", Rows(4));
  const std::string job = dir.Write(
      "job.yaml", Job(server.base_url(), "  - mock-small\n", "concurrency: 8\nconcurrency: 32\n"));
  ProcessResult v = RunEvalrun({"validate", job});
  CHECK(v.exit_code == 2);
  CHECK_THAT(v.err, Catch::Contains(job + ":15:1: key 'concurrency' is given twice"));
  CHECK(Run(job, dir.path() + "/run").exit_code == 2);
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("a file system error is a message and an exit status, never an abort", "[e2e][trust]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("arith.jsonl", Rows(2));
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "  - mock-small\n"));
  // A name longer than any file system takes: stat() fails with ENAMETOOLONG.
  ProcessResult r = Run(job, dir.path() + "/" + std::string(300, 'x'));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("error:") && Catch::Contains("too long"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("a cache entry that cannot be read is a miss: the call is sent", "[e2e][trust]") {
  MockServerProcess server;
  TempDir dir;
  TempDir cache;
  dir.Write("arith.jsonl", Rows(6));
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "  - mock-small\n"));
  const std::map<std::string, std::string> env = {{"TRUST_KEY", kKey},
                                                  {"XDG_CACHE_HOME", cache.path()}};
  REQUIRE(RunEvalrun({"run", job, "--out", dir.path() + "/first", "--progress", "none"}, env)
              .exit_code == 0);
  REQUIRE(server.ChatRequests() == 6);
  int corrupted = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(cache.path())) {
    if (e.is_regular_file() && e.path().extension() == ".body") {
      std::ofstream(e.path(), std::ios::trunc) << "{\"choices\": [";  // torn, as by a full disk
      ++corrupted;
    }
  }
  REQUIRE(corrupted == 6);
  ProcessResult r =
      RunEvalrun({"run", job, "--out", dir.path() + "/second", "--progress", "none"}, env);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(server.ChatRequests() == 12);  // every unreadable entry was sent again
  const auto records = ReadRecords(dir.path() + "/second");
  CHECK(records.size() == 6);
  for (const auto& rec : records) CHECK((rec.ok() && !rec.cached));
}

TEST_CASE("a job that plans no call exits 2, validate warns about an empty dataset",
          "[e2e][trust]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("arith.jsonl", "\n\n");
  const std::string job = dir.Write("job.yaml", Job(server.base_url(), "  - mock-small\n"));
  ProcessResult v = RunEvalrun({"validate", job});
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.err, Catch::Contains("warning: dataset 'arith'") && Catch::Contains("has no rows"));
  ProcessResult r = Run(job, dir.path() + "/run");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("nothing to run"));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/run/results.jsonl"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("a run in which every call failed exits 1 without gates", "[e2e][trust]") {
  MockServerProcess server({"--fail-500", "1"});
  TempDir dir;
  dir.Write("arith.jsonl", Rows(3));
  const std::string job = dir.Write(
      "job.yaml", Job(server.base_url(), "  - mock-small\n", "retry: {max_attempts: 1}\n"));
  ProcessResult r = Run(job, dir.path() + "/run");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no call succeeded"));
  for (const auto& rec : ReadRecords(dir.path() + "/run"))
    CHECK_THAT(rec.error, Catch::StartsWith("HTTP 500 Internal Server Error"));
  CHECK(RunEvalrun({"report", dir.path() + "/run"}).exit_code == 1);
}

TEST_CASE("the official OpenAI Node SDK reads the mock, streamed and not", "[e2e][trust]") {
  const std::string npm = std::string(EVALRUN_SOURCE_DIR) + "/build/npm";
  INFO("the openai npm package is missing: scripts/test.sh installs it (scripts/install-npm.sh)");
  REQUIRE(std::filesystem::exists(npm + "/node_modules/openai/package.json"));
  MockServerProcess server;
  MockServerProcess failing({"--fail-500", "1"});
  ProcessResult r =
      RunProcess({"/usr/bin/env", "node",
                  std::string(EVALRUN_SOURCE_DIR) + "/tests/node/openai_sdk_client.mjs", npm,
                  server.base_url(), failing.base_url()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(d["models"].Size() == 5);
  CHECK(d["models_request_id"].IsString());
  CHECK(d["completion"] == "5");  // the script asks mock-large what 2 + 3 is
  const auto& stream = d["stream"];
  CHECK(stream["role"] == "assistant");
  CHECK(stream["first_role"] == "assistant");
  CHECK(stream["chunks"].GetInt() >= 3);
  CHECK(stream["chunks_with_created"].GetInt() == stream["chunks"].GetInt());
  CHECK(stream["usage"].IsObject());
  CHECK(stream["content"] == d["completion"]);
  // The thinking model's answer and reasoning apart, as the SDK reads them.
  CHECK(d["thinker"]["content"] == "5");
  CHECK_THAT(d["thinker"]["reasoning"].GetString(), Catch::StartsWith("Let me work this out:"));
  CHECK(d["thinker"]["reasoning_tokens"].GetInt() > 0);
  for (const char* key : {"tool_call", "streamed_tool_call"}) {
    INFO(key);
    const auto& call = d[key];
    CHECK(call["finish_reason"] == "tool_calls");
    REQUIRE(call["calls"].Size() == 1);
    CHECK(call["calls"][0]["function"]["name"] == "give_answer");
    CHECK(call["calls"][0]["function"]["arguments"] == "{\"answer\": \"5\"}");
    CHECK(call["calls"][0]["id"].IsString());
  }
  CHECK(d["error_status"].GetInt() == 500);
  CHECK(d["error_status_text"] == "Internal Server Error");
  CHECK(d["error_request_id"].IsString());
  CHECK(d["sdk_error"]["status"].GetInt() == 500);
  CHECK(d["sdk_error"]["name"] == "InternalServerError");
}

TEST_CASE("help mock-server says how --latency-ms scales per model", "[e2e][trust]") {
  ProcessResult r = RunEvalrun({"help", "mock-server"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("mock-small 0.5x") && Catch::Contains("mock-large 2x") &&
                        Catch::Contains("mock-thinker 1x"));
}
