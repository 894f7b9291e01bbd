// End to end, shards merged into one run, and the response cache: the real evalrun binary against
// `evalrun mock-server` on an ephemeral port.
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

TEST_CASE("4 shards run apart and merged equal one unsharded run", "[e2e][shard]") {
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 97);
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  ProcessResult whole =
      RunEvalrun({"run", job, "--out", dir.path() + "/whole"}, {{"E2E_KEY", kE2eKey}});
  REQUIRE(whole.exit_code == 0);
  std::vector<std::string> shard_dirs;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (int i = 0; i < 4; ++i) {
    const std::string out = dir.path() + "/shard" + std::to_string(i);
    ProcessResult r = RunEvalrun({"run", job, "--out", out, "--shard", std::to_string(i) + "/4"},
                                 {{"E2E_KEY", kE2eKey}});
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
  const std::string other = dir.Write("other.yaml", E2eJob(server.base_url(), "repeats: 2\n"));
  REQUIRE(
      RunEvalrun({"run", other, "--out", dir.path() + "/other1", "--shard", "1/4", "--limit", "12"},
                 {{"E2E_KEY", kE2eKey}})
          .exit_code == 0);
  ProcessResult different =
      RunEvalrun({"report", shard_dirs[0], dir.path() + "/other1", "--out", dir.path() + "/z"});
  CHECK(different.exit_code == 2);
  CHECK_THAT(different.err,
             Catch::Contains("is not a shard of the job") && Catch::Contains("repeats changed"));
  ProcessResult resume_other =
      RunEvalrun({"run", job, "--resume", shard_dirs[1], "--shard", "2/4"}, {{"E2E_KEY", kE2eKey}});
  CHECK(resume_other.exit_code == 2);
  CHECK_THAT(resume_other.err, Catch::Contains("it ran shard 1/4 and this is shard 2/4"));
  CHECK(RunEvalrun({"run", job, "--shard", "4/4"}, {{"E2E_KEY", kE2eKey}}).exit_code == 2);
}

TEST_CASE("a rerun of an unchanged job at temperature 0 is answered from the cache",
          "[e2e][cache]") {
  MockServerProcess server({"--latency-ms", "3"});
  TempDir dir;
  WriteDatasets(dir, 40);
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  const std::map<std::string, std::string> env = {{"E2E_KEY", kE2eKey},
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
