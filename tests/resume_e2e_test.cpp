// End to end, stop signals, SIGKILL and resume: nothing finished is sent again: the real evalrun
// binary against `evalrun mock-server` on an ephemeral port.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "common/clock.h"
#include "results/call_record.h"
#include "support/e2e_job.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

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
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  const std::string out = dir.path() + "/run";
  BackgroundEvalrun run({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kE2eKey}});
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
      RunEvalrun({"run", job, "--resume", out, "--progress", "none"}, {{"E2E_KEY", kE2eKey}});
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
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  const std::string out = dir.path() + "/run";
  BackgroundEvalrun run({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kE2eKey}});
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
      dir.Write("job.yaml", E2eJob(server.base_url(), "retry: {max_attempts: 1}\n"));
  const std::string out = dir.path() + "/run";
  // The kill point comes from a seed that is printed, so a failure can be replayed:
  // EVALRUN_TEST_SEED=N runs this test with that kill point again.
  const char* given = std::getenv("EVALRUN_TEST_SEED");
  const uint64_t seed =
      given && *given ? std::strtoull(given, nullptr, 10) : std::random_device{}();
  std::mt19937_64 draw(seed);
  const long long kill_after = 20 + static_cast<long long>(draw() % 200);
  UNSCOPED_INFO("kill point seed " << seed << " (EVALRUN_TEST_SEED=" << seed << " replays it)");
  BackgroundEvalrun run({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", kE2eKey}});
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
        RunEvalrun({"run", job, "--resume", out, "--progress", "none"}, {{"E2E_KEY", kE2eKey}});
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
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  const std::string out = dir.path() + "/run";
  REQUIRE(RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kE2eKey}}).exit_code == 0);
  const long long sent = server.ChatRequests();
  dir.Write("arith.jsonl", ArithRows(6));
  ProcessResult changed = RunEvalrun({"run", job, "--resume", out}, {{"E2E_KEY", kE2eKey}});
  CHECK(changed.exit_code == 2);
  CHECK_THAT(changed.err,
             Catch::Contains("dataset 'arith' changed since the run began (its SHA-256 differs)"));
  dir.Write("arith.jsonl", ArithRows(5));
  ProcessResult models = RunEvalrun({"run", job, "--resume", out, "--set", "models=[mock-medium]"},
                                    {{"E2E_KEY", kE2eKey}});
  CHECK(models.exit_code == 2);
  CHECK_THAT(models.err, Catch::Contains("models changed since the run began"));
  ProcessResult same = RunEvalrun({"run", job, "--resume", out}, {{"E2E_KEY", kE2eKey}});
  CHECK(same.exit_code == 0);
  CHECK(server.ChatRequests() == sent);  // a finished run resumed sends nothing
}
