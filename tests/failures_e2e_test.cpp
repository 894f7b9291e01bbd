// End to end, what the API and the user get wrong: keys, bad rows, validation, 401/402/429/5xx,
// stalls, gates, the budget: the real evalrun binary against `evalrun mock-server` on an ephemeral
// port.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "common/clock.h"
#include "results/call_record.h"
#include "support/e2e_job.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

TEST_CASE("a missing API key stops the run before anything is sent and names the variable",
          "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 3);
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
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
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run"}, {{"E2E_KEY", kE2eKey}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("chat.jsonl:3:15: malformed JSON"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("validate prints every problem as FILE:LINE:COL and exits 2", "[e2e]") {
  TempDir dir;
  WriteDatasets(dir, 3);
  dir.Write("arith.jsonl", "{\"question\": \"1+1\"}\n{\"quest\": \"x\"}\nnot json\n");
  const std::string job = dir.Write("job.yaml", E2eJob("http://127.0.0.1:9/v1"));
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
  const std::string job =
      dir.Write("job.yaml", E2eJob(server.base_url(), "output: {dir: runs/x}\n"));
  ProcessResult r = RunEvalrun({"run", job}, {{"E2E_KEY", kE2eKey}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("401") && Catch::Contains("Authentication failed"));
  CHECK(server.ChatRequests() == 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/runs/x"));
  CHECK(r.err.find(kE2eKey) == std::string::npos);
}

TEST_CASE("a 401 mid-run stops the run with exit 3, reports written, key nowhere", "[e2e]") {
  // Every fault the mock has, at once.
  MockServerProcess server({"--latency-ms",  "5",    "--fail-401",    "0.02", "--fail-429",  "0.2",
                            "--fail-500",    "0.1",  "--fail-503",    "0.05", "--malformed", "0.05",
                            "--drop",        "0.05", "--stall",       "0.02", "--no-usage",  "0.05",
                            "--retry-after", "0.01", "--quota-after", "300"});
  TempDir dir;
  WriteDatasets(dir, 200);
  const std::string job = dir.Write(
      "job.yaml",
      E2eJob(server.base_url(),
             "output: {dir: runs/x}\nretry: {initial_backoff_ms: 1, max_backoff_ms: 5}\n"));
  ProcessResult r = RunEvalrun({"run", job, "--progress", "lines", "--set", "endpoint.timeout_s=1"},
                               {{"E2E_KEY", kE2eKey}});
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
  CHECK(AllFiles(out).find(kE2eKey) == std::string::npos);
  CHECK(r.out.find(kE2eKey) == std::string::npos);
  CHECK(r.err.find(kE2eKey) == std::string::npos);
}

TEST_CASE("429s and 500s are retried until every row is ok, never before Retry-After", "[e2e]") {
  MockServerProcess server(
      {"--fail-429", "0.3", "--retry-after", "0.2", "--fail-500", "0.05", "--drop", "0.02"});
  TempDir dir;
  WriteDatasets(dir, 100);
  const std::string job = dir.Write(
      "job.yaml", E2eJob(server.base_url(),
                         "retry: {max_attempts: 30, initial_backoff_ms: 5, max_backoff_ms: 50}\n"));
  const std::string out = dir.path() + "/run";
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--concurrency", "16"}, {{"E2E_KEY", kE2eKey}});
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
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kE2eKey}});
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
        E2eJob(server.base_url(),
               std::string("adaptive_concurrency: ") + (adaptive ? "true" : "false") +
                   "\nretry: {max_attempts: 50, initial_backoff_ms: 20, max_backoff_ms: 200}\n"));
    ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run", "--concurrency", "48"},
                                 {{"E2E_KEY", kE2eKey}});
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

TEST_CASE("a stalled server ends in timeout records, a malformed 200 is a parse error not retried",
          "[e2e]") {
  MockServerProcess server({"--stall", "0.5", "--malformed", "0.5"});
  TempDir dir;
  WriteDatasets(dir, 6);
  const std::string job =
      dir.Write("job.yaml", E2eJob(server.base_url(), "retry: {max_attempts: 1}\n"));
  std::string text = ReadFile(job);
  text.replace(text.find("timeout_s: 20"), 13, "timeout_s: 0.5");
  dir.Write("job.yaml", text);
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kE2eKey}});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);  // the contract's exit 1: done, but no call succeeded
  CHECK_THAT(r.err, Catch::Contains("no call succeeded (16 calls)"));
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
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  ProcessResult r =
      RunEvalrun({"run", job, "--out", dir.path() + "/run", "--set", "models=[no-such-model]"},
                 {{"E2E_KEY", kE2eKey}});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("model 'no-such-model' is not offered") &&
                        Catch::Contains("mock-large"));
  CHECK(server.ChatRequests() == 0);
}

TEST_CASE("each gate failing alone gives exit 1 and names itself", "[e2e][gates]") {
  MockServerProcess server({"--latency-ms", "2"});
  TempDir dir;
  WriteDatasets(dir, 20);
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  const std::string model =
      "--set=models=[{id: mock-small, pricing: {input_per_mtok: 1, output_per_mtok: 2}}]";
  const std::string lenient =
      "{max_error_rate: 0.5, min_score: 0.1, max_p95_latency_ms: 60000, max_cost_usd: 10}";
  auto run = [&](const std::string& name, const std::string& gates) {
    const std::string out = dir.path() + "/" + name;
    ProcessResult r = RunEvalrun({"run", job, "--out", out, model, "--set", "gates=" + gates},
                                 {{"E2E_KEY", kE2eKey}});
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
      E2eJob(server.base_url(), "retry: {max_attempts: 1}\ngates: {max_error_rate: 0.05}\n"));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run"}, {{"E2E_KEY", kE2eKey}});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("gate failed: max_error_rate"));
  ProcessResult without = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run2", "--set", "gates={}"}, {{"E2E_KEY", kE2eKey}});
  CHECK(without.exit_code == 0);  // without gates, failed calls are reported but the run succeeds
}

TEST_CASE("the budget stops a run before its spend could pass it", "[e2e][budget]") {
  MockServerProcess server({"--latency-ms", "5"});
  TempDir dir;
  WriteDatasets(dir, 200);
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url(), "budget_usd: 0.002\n"));
  const std::string priced =
      "--set=models=[{id: mock-small, pricing: {input_per_mtok: 1, output_per_mtok: 2}}]";
  const std::string out = dir.path() + "/run";
  ProcessResult r = RunEvalrun({"run", job, "--out", out, priced}, {{"E2E_KEY", kE2eKey}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("budget reached"));
  auto summary = ReadJson(out + "/summary.json");
  const double spent = summary["totals"]["cost_usd"].GetDouble();
  CHECK(spent > 0);
  CHECK(spent <= 0.002);
  CHECK(summary["totals"]["calls"].GetInt64() < 202);
  CHECK(summary["totals"]["calls"].GetInt64() == server.ChatRequests());

  ProcessResult unpriced =
      RunEvalrun({"run", job, "--out", dir.path() + "/run2"}, {{"E2E_KEY", kE2eKey}});
  CHECK(unpriced.exit_code == 2);  // mock-large has no price: the budget could not hold
  CHECK_THAT(unpriced.err, Catch::Contains("budget_usd needs a price for model 'mock-large'"));
}
