// Paired comparisons end to end: the demo job's three mock models get the verdicts their
// accuracies imply at 200 rows, and two labels of one deterministic model compare as equal.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun::testing;

namespace {

const rapidjson::Value* FindComparison(const rapidjson::Document& summary, const std::string& a,
                                       const std::string& b) {
  for (const auto& c : summary["comparisons"].GetArray()) {
    if (c["a"] == a.c_str() && c["b"] == b.c_str()) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the demo's models compare as their accuracies imply, on paired rows", "[e2e][stats]") {
  MockServerProcess server;
  TempDir dir;
  const std::string demo = std::string(EVALRUN_SOURCE_DIR) + "/configs/demo.yaml";
  ProcessResult r = RunEvalrun({"run", demo, "--out", dir.path() + "/run", "--progress", "none",
                                "--no-cache", "--set", "endpoint.base_url=" + server.base_url()},
                               {{"EVALRUN_DEMO_KEY", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto summary = ReadJson(dir.path() + "/run/summary.json");
  REQUIRE(summary["comparisons"].Size() == 3);  // one score, three pairs
  for (const auto& [a, b] : std::map<std::string, std::string>{{"mock-large", "mock-medium"},
                                                               {"mock-large", "mock-small"},
                                                               {"mock-medium", "mock-small"}}) {
    INFO(a << " vs " << b);
    const rapidjson::Value* c = FindComparison(summary, a, b);
    REQUIRE(c);
    CHECK((*c)["score"] == "exact");
    CHECK((*c)["n"].GetInt() == 200);  // the arithmetic rows: the chat rows have no reference
    CHECK((*c)["test"] == "mcnemar-exact");
    CHECK((*c)["diff"].GetDouble() > 0);
    CHECK((*c)["p_value"].GetDouble() < 0.05);
    CHECK((*c)["ci95"][0].GetDouble() > 0);  // the whole interval above zero
    CHECK((*c)["a_only"].GetInt() > (*c)["b_only"].GetInt());
    CHECK((*c)["unpaired"].GetInt() == 0);
    CHECK((*c)["clusters"].IsNull());
    CHECK((*c)["mde80"].GetDouble() > 0);
    // diff is the difference of the two models' means over the same rows.
    CHECK((*c)["diff"].GetDouble() ==
          Approx((*c)["mean_a"].GetDouble() - (*c)["mean_b"].GetDouble()));
  }
  const std::string md = ReadFile(dir.path() + "/run/report.md");
  CHECK_THAT(md, Catch::Contains("## Paired comparisons"));
  CHECK_THAT(md, Catch::Contains("| mock-large | mock-medium | exact | 200 |"));
  CHECK_THAT(md, Catch::Contains("significant (p"));
}

TEST_CASE("two labels of one deterministic model compare as not different", "[e2e][stats]") {
  MockServerProcess server;
  TempDir dir;
  std::string rows;
  for (int i = 1; i <= 60; ++i)
    rows += "{\"id\": " + std::to_string(i) + ", \"question\": \"What is " + std::to_string(i) +
            " + 7?\", \"answer\": \"" + std::to_string(i + 7) + "\"}\n";
  dir.Write("arith.jsonl", rows);
  const std::string job =
      dir.Write("job.yaml", "name: same\nendpoint:\n  base_url: " + server.base_url() +
                                "\n  api_key_env: K\nmodels:\n  - {id: mock-small, label: first}\n"
                                "  - {id: mock-small, label: second}\ndatasets: [arith.jsonl]\n"
                                "prompt: {template: \"{{question}}\"}\nparams: {temperature: 0}\n"
                                "scoring: [{type: exact, field: answer}]\n");
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto summary = ReadJson(dir.path() + "/run/summary.json");
  REQUIRE(summary["comparisons"].Size() == 1);
  const auto& c = summary["comparisons"][0];
  CHECK(c["n"].GetInt() == 60);
  CHECK(c["diff"].GetDouble() == 0);
  CHECK(c["a_only"].GetInt() == 0);
  CHECK(c["b_only"].GetInt() == 0);
  CHECK(c["p_value"].GetDouble() == 1);
  CHECK_THAT(ReadFile(dir.path() + "/run/report.md"), Catch::Contains("not significant (p 1.000)"));
}
