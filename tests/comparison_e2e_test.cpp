// Paired comparisons end to end: the demo job's three mock models get the verdicts their
// accuracies imply at 200 rows, and two labels of one deterministic model compare as equal.
#include <rapidjson/document.h>

#include <algorithm>
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

long long Count(const std::string& text, const std::string& what) {
  long long n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
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
  REQUIRE(summary["comparisons"].Size() == 12);  // two scores, four models: six pairs each
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
  // The rows behind the verdicts: all counted, the first 10 in report.md with both answers.
  const long long differing = summary["differing_rows"].GetInt64();
  CHECK(differing > 20);
  CHECK_THAT(md, Catch::Contains("## Where the models differ\n\n" + std::to_string(differing) +
                                 " rows scored differently; the first 10 are below"));
  CHECK_THAT(md, Catch::Contains("| dataset | row | prompt | reference | mock-small | mock-medium "
                                 "| mock-large | mock-thinker |"));
  CHECK(Count(md, "\n| arith | arith-") == 10);
  CHECK_THAT(md, Catch::Contains("| What is 85 + 8? | 93 |"));  // arith-002's prompt and reference
  for (const auto& m : summary["models"].GetArray()) CHECK(m["failed_rows"].GetInt64() > 0);
  const std::string html = ReadFile(dir.path() + "/run/report.html");
  CHECK(Count(html, "<article class=\"row\">") >= std::min<long long>(differing, 100));
  CHECK_THAT(html, Catch::Contains("vs next</th>"));  // the ranking says which leads hold
  // The demo's judge, and how often it agrees with the exact scorer (mock-judge is ~95% right).
  CHECK_THAT(md, Catch::Contains("## Judges"));
  CHECK_THAT(md, Catch::Contains("| judged | mock-judge | 824 | 824 | 0 |"));
  const auto& judge = summary["judges"][0];
  CHECK(judge["agreement"]["exact"]["rows"].GetInt64() == 800);  // the rows with a reference
  CHECK(judge["agreement"]["exact"]["share"].GetDouble() > 0.9);
  CHECK_THAT(html, Catch::Contains("<h2 id=\"judges\">Judges</h2>"));
  CHECK_THAT(html, Catch::Contains("<td class=\"l\">significant (p"));
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

namespace {

/// A run of `model_id` labelled "candidate" over 200 arithmetic rows into DIR/name.
std::string CandidateRun(const MockServerProcess& server, const TempDir& dir,
                         const std::string& name, const std::string& model_id) {
  const std::string job = dir.Write(
      name + ".yaml", "name: " + name + "\nendpoint:\n  base_url: " + server.base_url() +
                          "\n  api_key_env: K\nmodels:\n  - {id: " + model_id +
                          ", label: candidate}\ndatasets: [{path: rows.jsonl, name: arith}]\n"
                          "prompt: {template: \"{{question}}\"}\nparams: {temperature: 0}\n"
                          "scoring: [{type: exact, field: answer}]\n");
  const std::string out = dir.path() + "/" + name;
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return out;
}

std::string ArithRows200() {
  std::string rows;
  for (int i = 1; i <= 200; ++i)
    rows += "{\"id\": " + std::to_string(i) + ", \"question\": \"What is " + std::to_string(i) +
            " + " + std::to_string(3 * i) + "?\", \"answer\": \"" + std::to_string(4 * i) + "\"}\n";
  return rows;
}

}  // namespace

TEST_CASE("compare: the same model twice is no change, a weaker model is a regression",
          "[e2e][stats]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows200());
  const std::string base = CandidateRun(server, dir, "base", "mock-large");
  const std::string again = CandidateRun(server, dir, "again", "mock-large");
  const std::string weaker = CandidateRun(server, dir, "weaker", "mock-small");

  ProcessResult same = RunEvalrun({"compare", base, again, "--json"});
  INFO(same.err);
  CHECK(same.exit_code == 0);
  rapidjson::Document d;
  d.Parse(same.out.c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK_FALSE(d["regressed"].GetBool());
  REQUIRE(d["comparisons"].Size() == 1);
  CHECK(d["comparisons"][0]["model"] == "candidate");
  CHECK(d["comparisons"][0]["n"].GetInt() == 200);
  CHECK(d["comparisons"][0]["diff"].GetDouble() == 0);

  const std::string out = dir.path() + "/cmp";
  ProcessResult worse = RunEvalrun({"compare", base, weaker, "--out", out},
                                   {{"GITHUB_STEP_SUMMARY", dir.path() + "/step.md"}});
  INFO(worse.err);
  CHECK(worse.exit_code == 1);
  CHECK_THAT(worse.err, Catch::Contains("regression: candidate on exact"));
  CHECK_THAT(worse.out, Catch::Contains("**worse**"));
  const auto json = ReadJson(out + "/compare.json");
  CHECK(json["regressed"].GetBool());
  const auto& c = json["comparisons"][0];
  CHECK(c["a"] == "new");
  CHECK(c["diff"].GetDouble() < -0.2);  // ~0.6 against ~0.97
  CHECK(c["p_value"].GetDouble() < 0.05);
  CHECK(c["test"] == "mcnemar-exact");
  CHECK_THAT(ReadFile(out + "/compare.md"), Catch::Contains("| candidate | exact | 200 |"));
  CHECK_THAT(ReadFile(dir.path() + "/step.md"), Catch::Contains("**worse**"));
  // The other way round it is an improvement, and a tolerance larger than the drop forgives it.
  CHECK(RunEvalrun({"compare", weaker, base}).exit_code == 0);
  CHECK(RunEvalrun({"compare", base, weaker, "--max-regression", "0.9"}).exit_code == 0);
}

TEST_CASE("compare refuses runs of different datasets, naming the dataset", "[e2e][stats]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows200());
  const std::string base = CandidateRun(server, dir, "base", "mock-medium");
  dir.Write("rows.jsonl",
            ArithRows200() + "{\"id\": 999, \"question\": \"1 + 1?\", \"answer\": \"2\"}\n");
  const std::string other = CandidateRun(server, dir, "other", "mock-medium");
  ProcessResult r = RunEvalrun({"compare", base, other});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("dataset 'arith' differs: SHA-256"));
  CHECK(RunEvalrun({"compare", base, dir.path() + "/nowhere"}).exit_code == 2);
  CHECK(RunEvalrun({"compare", base, base, "--score", "nope"}).exit_code == 2);
}

TEST_CASE("a run with repeats reports pass@k and pass^k per model", "[e2e][stats]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows200().substr(0, ArithRows200().find("\"id\": 31,") - 1));
  const std::string job =
      dir.Write("job.yaml", "name: rep\nendpoint:\n  base_url: " + server.base_url() +
                                "\n  api_key_env: K\nmodels: [mock-small]\ndatasets: [rows.jsonl]\n"
                                "prompt: {template: \"{{question}}\"}\nparams: {temperature: 0.7}\n"
                                "repeats: 3\nscoring: [{type: exact, field: answer}]\n");
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto summary = ReadJson(dir.path() + "/run/summary.json");
  const auto& rep = summary["models"][0]["repeats"]["exact"];
  REQUIRE(rep["pass_at_k"].Size() == 3);
  REQUIRE(rep["pass_all_k"].Size() == 3);
  CHECK(rep["pass_at_k"][0].GetDouble() == Approx(summary["models"][0]["score"].GetDouble()));
  for (int k = 1; k < 3; ++k) {
    CHECK(rep["pass_at_k"][k].GetDouble() >= rep["pass_at_k"][k - 1].GetDouble());
    CHECK(rep["pass_all_k"][k].GetDouble() <= rep["pass_all_k"][k - 1].GetDouble());
  }
  CHECK(rep["within_row_variance_share"].IsNumber());
}

TEST_CASE("compare.baseline pairs every model with the baseline, in the run and in report",
          "[e2e][stats]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows200());
  const std::string job = dir.Write(
      "job.yaml", "name: base\nendpoint:\n  base_url: " + server.base_url() +
                      "\n  api_key_env: K\nmodels: [mock-small, mock-medium, mock-large]\n"
                      "datasets: [rows.jsonl]\nprompt: {template: \"{{question}}\"}\n"
                      "params: {temperature: 0}\nscoring: [{type: exact, field: answer}]\n"
                      "compare: {baseline: mock-small}\n");
  const std::string out = dir.path() + "/run";
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const std::string& summary_dir : {out, dir.path() + "/rebuilt"}) {
    if (summary_dir != out)
      REQUIRE(RunEvalrun({"report", out, "--out", summary_dir}).exit_code == 0);
    const auto summary = ReadJson(summary_dir + "/summary.json");
    REQUIRE(summary["comparisons"].Size() == 2);
    for (const auto& c : summary["comparisons"].GetArray()) {
      CHECK(c["b"] == "mock-small");
      CHECK(c["diff"].GetDouble() > 0);
      CHECK(c["p_value"].GetDouble() < 0.05);
    }
  }
}

TEST_CASE("a dataset's cluster_field: records carry the cluster and every SE is cluster-robust",
          "[e2e][stats]") {
  MockServerProcess server;
  TempDir dir;
  std::string rows;
  for (int i = 1; i <= 80; ++i)
    rows += "{\"id\": " + std::to_string(i) + ", \"passage\": \"p" + std::to_string(i % 8) +
            "\", \"question\": \"What is " + std::to_string(i) + " + 5?\", \"answer\": \"" +
            std::to_string(i + 5) + "\"}\n";
  rows += "{\"id\": 81, \"question\": \"What is 1 + 1?\", \"answer\": \"2\"}\n";  // no passage
  dir.Write("reading.jsonl", rows);
  const std::string job =
      dir.Write("job.yaml", "name: clustered\nendpoint:\n  base_url: " + server.base_url() +
                                "\n  api_key_env: K\nmodels: [mock-large, mock-small]\n"
                                "datasets: [{path: reading.jsonl, cluster_field: passage}]\n"
                                "prompt: {template: \"{{question}}\"}\nparams: {temperature: 0}\n"
                                "scoring: [{type: exact, field: answer}]\n");
  ProcessResult bad = RunEvalrun({"validate", job});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("reading.jsonl:81:"));
  CHECK_THAT(bad.err, Catch::Contains("cluster_field \"passage\" is missing"));
  rows.resize(rows.rfind("{\"id\": 81"));
  dir.Write("reading.jsonl", rows);
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string results = ReadFile(dir.path() + "/run/results.jsonl");
  CHECK_THAT(results, Catch::Contains("\"cluster\":\"p3\""));
  const auto summary = ReadJson(dir.path() + "/run/summary.json");
  REQUIRE(summary["comparisons"].Size() == 1);
  const auto& c = summary["comparisons"][0];
  CHECK(c["n"].GetInt() == 80);
  CHECK(c["clusters"].GetInt() == 8);
  CHECK(c["test"] == "paired-t");
  for (const auto& m : summary["models"].GetArray()) {
    CHECK(m["clusters"].GetInt() == 8);
    CHECK(m["score_se"].GetDouble() > 0);
  }
  // `report` rebuilds the same clustered figures from the records alone.
  ProcessResult rebuilt = RunEvalrun({"report", dir.path() + "/run", "--out", dir.path() + "/re"});
  REQUIRE(rebuilt.exit_code == 0);
  const auto again = ReadJson(dir.path() + "/re/summary.json");
  CHECK(again["comparisons"][0]["se"].GetDouble() == c["se"].GetDouble());
  // The rebuilt row views find the dataset through the manifest's job_dir: prompts included.
  const std::string md = ReadFile(dir.path() + "/re/report.md");
  CHECK_THAT(md, Catch::Contains("## Where the models differ"));
  CHECK_THAT(md, Catch::Contains(" + 5? |"));
  // A dataset changed since the run is not shown as the run's: no prompts, and a note says why.
  dir.Write("reading.jsonl", rows + rows);
  REQUIRE(RunEvalrun({"report", dir.path() + "/run", "--out", dir.path() + "/re2"}).exit_code == 0);
  const std::string changed = ReadFile(dir.path() + "/re2/report.md");
  CHECK_THAT(changed, Catch::Contains("prompts are not shown: dataset 'reading' (reading.jsonl) "
                                      "has changed since the run"));
  CHECK(changed.find(" + 5? |") == std::string::npos);
}
