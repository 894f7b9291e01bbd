// Judges end to end on the mock: judge calls share the engine (retries, Retry-After), every
// graded row ends with a verdict or a counted judge error, verdicts are durable across kill -9,
// and the judged demo's estimate holds.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <set>
#include <string>

#include "results/verdict_record.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

std::string Rows(int n) {
  std::string rows;
  for (int i = 1; i <= n; ++i)
    rows += "{\"id\": " + std::to_string(i) + ", \"question\": \"What is " + std::to_string(i) +
            " + 4?\", \"answer\": \"" + std::to_string(i + 4) + "\"}\n";
  return rows;
}

std::string JudgedJob(const MockServerProcess& server, const std::string& extra = "") {
  return "name: judged\nendpoint: {base_url: " + server.base_url() +
         ", api_key_env: K}\nmodels: [mock-small, mock-large]\ndatasets: [rows.jsonl]\n"
         "prompt: {template: \"{{question}}\"}\nparams: {temperature: 0, max_tokens: 32}\n"
         "concurrency: 8\nscoring:\n  - {type: exact, field: answer}\n"
         "  - type: judge\n    name: correct\n    model: mock-judge\n"
         "    rubric: \"The answer states the same number as the reference.\"\n"
         "    field: answer\n    params: {max_tokens: 48}\n"
         "    pricing: {input_per_mtok: 0.5, output_per_mtok: 0.5}\n" +
         extra;
}

std::vector<VerdictRecord> ReadVerdicts(const std::string& dir) {
  std::vector<VerdictRecord> out;
  const std::string text = ReadFile(dir + "/verdicts.jsonl");
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    VerdictRecord v;
    REQUIRE(VerdictFromJson(std::string_view(text).substr(start, end - start), &v));
    out.push_back(v);
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE(
    "judge calls survive 429s with Retry-After, 500s and unreadable verdicts: every graded "
    "row ends with a judge score or a counted judge error",
    "[e2e][judge]") {
  MockServerProcess server({"--fault-model", "mock-judge", "--fail-429", "0.2", "--retry-after",
                            "0.05", "--fail-500", "0.1", "--judge-garbage", "0.1"});
  TempDir dir;
  dir.Write("rows.jsonl", Rows(60));
  const std::string job = dir.Write("job.yaml", JudgedJob(server,
                                                          "retry: {max_attempts: 6, "
                                                          "initial_backoff_ms: 5}\n"));
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(server.Injected("429") > 0);
  CHECK(server.Injected("500") > 0);
  CHECK(server.ModelRequests("mock-small") == 60);  // the graded calls saw no fault
  const auto records = ReadRecords(dir.path() + "/run");
  const auto verdicts = ReadVerdicts(dir.path() + "/run");
  REQUIRE(records.size() == 120);
  std::map<std::string, const VerdictRecord*> by_call;
  long long retried = 0, parse_errors = 0, ok = 0;
  for (const VerdictRecord& v : verdicts) {
    const std::string key = v.model + "/" + v.row_id;
    CHECK(by_call.count(key) == 0);  // one verdict record per graded call
    by_call[key] = &v;
    retried += v.attempts > 1;
    if (v.ok()) {
      ++ok;
      CHECK(v.cost_usd);
    } else {
      CHECK(v.error_kind == ErrorKind::kParse);  // 429s and 500s were retried away
      CHECK_FALSE(v.score);
      ++parse_errors;
    }
  }
  CHECK(retried > 0);
  CHECK(parse_errors > 0);
  for (const CallRecord& rec : records) {
    INFO(rec.model << "/" << rec.row_id);
    CHECK(by_call.count(rec.model + "/" + rec.row_id) == 1);
  }
  const auto summary = ReadJson(dir.path() + "/run/summary.json");
  const auto& judge = summary["judges"][0];
  CHECK(judge["judge"] == "correct");
  CHECK(judge["calls"].GetInt64() == 120);
  CHECK(judge["ok"].GetInt64() == ok);
  CHECK(judge["errors"]["parse"].GetInt64() == parse_errors);
  CHECK(judge["agreement"]["exact"]["rows"].GetInt64() == ok);
  CHECK(judge["agreement"]["exact"]["share"].GetDouble() > 0.85);  // right at ~95%
  CHECK(summary["totals"]["judge_calls"].GetInt64() == 120);
  // A failed judge leaves its score absent, never 0: the judged rows are the verdicts read.
  long long judged_rows = 0;
  for (const auto& c : summary["comparisons"].GetArray()) {
    if (c["score"] == "correct") judged_rows += c["n"].GetInt64() * 2 + c["unpaired"].GetInt64();
  }
  CHECK(judged_rows == ok);
  const std::string md = ReadFile(dir.path() + "/run/report.md");
  CHECK_THAT(md, Catch::Contains("## Judges"));
  CHECK_THAT(md, Catch::Contains("| correct | mock-judge | 120 | " + std::to_string(ok) + " | "));
}

TEST_CASE(
    "kill -9 while judging, then --resume: no saved call or verdict is sent again, every "
    "missing verdict is",
    "[e2e][judge][resume]") {
  MockServerProcess server({"--latency-ms", "20"});
  TempDir dir;
  dir.Write("rows.jsonl", Rows(100));
  const std::string job = dir.Write("job.yaml", JudgedJob(server));
  const std::string out = dir.path() + "/run";
  BackgroundEvalrun run({"run", job, "--out", out, "--progress", "none", "--no-cache"},
                        {{"K", "k"}});
  server.WaitForChatRequests(150);  // graded calls done or going, judges under way
  run.Signal(SIGKILL);
  ProcessResult first = run.Wait();
  CHECK(first.exit_code == 128 + SIGKILL);
  const long long graded_sent =
      server.ModelRequests("mock-small") + server.ModelRequests("mock-large");
  const long long judge_sent = server.ModelRequests("mock-judge");
  const auto records_before = ReadRecords(out);
  const auto verdicts_before = ReadVerdicts(out);
  INFO(graded_sent << " graded and " << judge_sent << " judge calls sent before the kill; "
                   << records_before.size() << " records and " << verdicts_before.size()
                   << " verdicts saved");
  REQUIRE(verdicts_before.size() > 0);
  REQUIRE(verdicts_before.size() < 200);  // killed while judging

  ProcessResult again =
      RunEvalrun({"run", job, "--resume", out, "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  const auto records = ReadRecords(out);
  const auto verdicts = ReadVerdicts(out);
  CHECK(records.size() == 200);
  CHECK(verdicts.size() == 200);  // one each: no saved verdict was asked for again
  std::set<std::string> keys;
  for (const VerdictRecord& v : verdicts) keys.insert(v.model + "/" + v.row_id);
  CHECK(keys.size() == 200);
  // Sent again: only what was in flight at the kill (at most the window of 8), graded or judge.
  const long long graded_again =
      server.ModelRequests("mock-small") + server.ModelRequests("mock-large") - graded_sent;
  const long long judge_again = server.ModelRequests("mock-judge") - judge_sent;
  CHECK(graded_again == 200 - static_cast<long long>(records_before.size()));
  CHECK(judge_again == 200 - static_cast<long long>(verdicts_before.size()));
  CHECK((graded_sent - static_cast<long long>(records_before.size())) +
            (judge_sent - static_cast<long long>(verdicts_before.size())) <=
        8);
  CHECK(ReadJson(out + "/summary.json")["judges"][0]["calls"].GetInt64() == 200);
}

TEST_CASE("judge scores carry into compare and into a merge of shards", "[e2e][judge]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", Rows(30));
  const std::string job = dir.Write("job.yaml", JudgedJob(server));
  for (const char* shard : {"0/2", "1/2"}) {
    ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/s" + shard[0], "--shard",
                                  shard, "--progress", "none", "--no-cache"},
                                 {{"K", "k"}});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  ProcessResult merged = RunEvalrun(
      {"report", dir.path() + "/s0", dir.path() + "/s1", "--out", dir.path() + "/merged"});
  INFO(merged.err);
  REQUIRE(merged.exit_code == 0);
  const auto summary = ReadJson(dir.path() + "/merged/summary.json");
  CHECK(summary["judges"][0]["calls"].GetInt64() == 60);
  bool judged = false;
  for (const auto& c : summary["comparisons"].GetArray()) judged |= c["score"] == "correct";
  CHECK(judged);
  // compare pairs the judge's scores run against run like any score.
  ProcessResult cmp = RunEvalrun(
      {"compare", dir.path() + "/merged", dir.path() + "/merged", "--score", "correct", "--json"});
  INFO(cmp.err);
  CHECK(cmp.exit_code == 0);
  CHECK_THAT(cmp.out, Catch::Contains("\"score\": \"correct\""));
}

TEST_CASE("a judge template naming a field a row lacks is found before anything is sent",
          "[e2e][judge]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", Rows(3) + "{\"id\": 4, \"question\": \"What is 1 + 1?\"}\n");
  const std::string job = dir.Write(
      "job.yaml", "name: t\nendpoint: {base_url: " + server.base_url() +
                      ", api_key_env: K}\nmodels: [mock-small]\ndatasets: [rows.jsonl]\n"
                      "prompt: {template: \"{{question}}\"}\nscoring:\n  - {type: judge, model: "
                      "mock-judge, template: \"Q {{question}} A {{response}} R {{answer}}\"}\n");
  ProcessResult v = RunEvalrun({"validate", job});
  CHECK(v.exit_code == 2);
  CHECK_THAT(v.err, Catch::Contains("rows.jsonl:4:1: scoring[0].template uses {{answer}}, which "
                                    "this row does not have"));
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  CHECK(r.exit_code == 2);
  CHECK(server.ChatRequests() == 0);
}
