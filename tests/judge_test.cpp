// Judges: the verdict reader on every accepted form and on malformed ones, a judge's prompt as a
// row renders it, and the judge keys of a job.
#include <catch2/catch.hpp>
#include <string>

#include "dataset/row_parser.h"
#include "job/job_parser.h"
#include "scoring/judge_verdict.h"
#include "support/process.h"

using namespace evalrun;
using namespace evalrun::testing;

TEST_CASE("the verdict reader takes every accepted form", "[judge]") {
  struct Case {
    const char* text;
    double lo, hi, score;
    const char* reason;
  };
  const Case cases[] = {
      {R"({"score": 1, "reason": "same number"})", 0, 1, 1, "same number"},
      {R"({"score": 0})", 0, 1, 0, ""},
      {"```json\n{\"score\": 4, \"reason\": \"close\"}\n```", 1, 5, 0.75, "close"},
      {"The answer matches.\nSo: {\"score\": 7, \"reason\": \"ok\"} as asked.", 0, 10, 0.7, "ok"},
      {R"({"score": true, "reason": "yes"})", 0, 1, 1, "yes"},
      {R"({"score": false})", 0, 1, 0, ""},
      {R"({"score": "PASS"})", 0, 1, 1, ""},
      {R"({"score": "fail"})", 0, 1, 0, ""},
      {R"({"score": "3"})", 0, 5, 0.6, ""},
      {"It is right.\nScore: 8", 0, 10, 0.8, ""},
      {"**Score: 2**", 0, 4, 0.5, ""},
      {"Looks fine.\nPASS", 0, 1, 1, ""},
      {"FAIL.", 0, 1, 0, ""},
      // Reasoning that shows an example object first: the last object with a score wins.
      {"Format: {\"score\": 0}. My verdict: {\"score\": 1, \"reason\": \"r\"}", 0, 1, 1, "r"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const Verdict v = ReadVerdict(c.text, c.lo, c.hi);
    REQUIRE(v.score);
    CHECK(*v.score == Approx(c.score));
    CHECK(v.reason == c.reason);
    CHECK(v.error.empty());
  }
}

TEST_CASE("a verdict that cannot be read, or is off the scale, has no score", "[judge]") {
  for (const char* text :
       {"", "I think it is fine.", "{\"reason\": \"no score\"}", "{\"score\": [1]}",
        "{\"score\": \"maybe\"}", "Score: high", "{\"score\": 1"}) {
    INFO(text);
    const Verdict v = ReadVerdict(text, 0, 1);
    CHECK_FALSE(v.score);
    CHECK_FALSE(v.error.empty());
  }
  const Verdict off = ReadVerdict(R"({"score": 11})", 0, 10);
  CHECK_FALSE(off.score);
  CHECK_THAT(off.error, Catch::Contains("outside the scale [0, 10]"));
  CHECK_FALSE(ReadVerdict("Score: -1", 0, 1).score);
  // Deep nesting or a huge reply cannot crash it.
  CHECK_FALSE(ReadVerdict(std::string(100000, '{'), 0, 1).score);
}

TEST_CASE("a judge's prompt is rendered per row: its fields, the prompt, the reference",
          "[judge]") {
  TempDir dir;
  dir.Write("rows.jsonl", "{\"id\": 1, \"question\": \"What is 2 + 2?\", \"answer\": \"4\"}\n");
  const std::string job_text =
      "name: j\nendpoint: {base_url: http://127.0.0.1:1/v1}\nmodels: [m]\n"
      "datasets: [rows.jsonl]\nprompt: {template: \"Q: {{question}}\"}\nscoring:\n"
      "  - {type: judge, name: default, model: judge-1, rubric: \"Same number.\", field: answer}\n"
      "  - {type: judge, name: custom, model: judge-1, scale: [1, 5], template: "
      "\"Q={{question}} P={{prompt}} R={{reference}} A={{response}}\", field: answer}\n";
  JobParseResult parsed = ParseJobText(job_text, dir.path() + "/job.yaml");
  std::string problems;
  for (const auto& p : parsed.problems) problems += p.ToString() + "\n";
  INFO(problems);
  REQUIRE(parsed.ok());
  const Job& job = parsed.job;
  REQUIRE(job.scoring[1].judge);
  CHECK(job.scoring[1].judge->scale_lo == 1);
  CHECK(job.scoring[1].judge->model.params[0].first == "temperature");  // 0 unless told
  RowParser parser(job.datasets[0], job.prompt, &job.scoring);
  Row row;
  REQUIRE_FALSE(
      parser.Parse("{\"id\": 1, \"question\": \"What is 2 + 2?\", \"answer\": \"4\"}", 1, 0, &row));
  REQUIRE(row.judge_prompts.size() == 2);
  const std::string& d = row.judge_prompts[0];
  CHECK_THAT(d, Catch::Contains("Question:\nQ: What is 2 + 2?\n"));
  CHECK_THAT(d, Catch::Contains("Reference answer:\n4\n"));
  CHECK_THAT(d, Catch::Contains(std::string("Answer to grade:\n") + kJudgeResponseMarker));
  CHECK_THAT(d, Catch::Contains("Rubric: Same number."));
  CHECK(row.judge_prompts[1] ==
        std::string("Q=What is 2 + 2? P=Q: What is 2 + 2? R=4 A=") + kJudgeResponseMarker);
  // A template naming a field the row lacks is the row's located error.
  JobParseResult bad = ParseJobText(
      "name: j\nendpoint: {base_url: http://127.0.0.1:1/v1}\nmodels: [m]\ndatasets: [rows.jsonl]\n"
      "prompt: {template: \"{{question}}\"}\nscoring:\n  - {type: judge, model: x, template: "
      "\"{{nope}} {{response}}\"}\n",
      dir.path() + "/job.yaml");
  REQUIRE(bad.ok());
  RowParser strict(bad.job.datasets[0], bad.job.prompt, &bad.job.scoring);
  auto problem = strict.Parse("{\"question\": \"q\"}", 3, 0, &row);
  REQUIRE(problem);
  CHECK_THAT(problem->ToString(), Catch::Contains("rows.jsonl:3:"));
  CHECK_THAT(problem->ToString(), Catch::Contains("scoring[0].template uses {{nope}}"));
}

TEST_CASE("a judge's keys are checked where they are written", "[judge]") {
  TempDir dir;
  dir.Write("rows.jsonl", "{\"q\": 1}\n");
  auto problems = [&](const std::string& scorer) {
    JobParseResult r = ParseJobText(
        "name: j\nendpoint: {base_url: http://127.0.0.1:1/v1}\nmodels: [m]\n"
        "datasets: [rows.jsonl]\nprompt: {template: \"{{q}}\"}\nscoring:\n  - " +
            scorer + "\n",
        dir.path() + "/job.yaml");
    std::string out;
    for (const auto& p : r.problems) out += p.ToString() + "\n";
    return out;
  };
  CHECK_THAT(problems("{type: judge, rubric: r}"), Catch::Contains("needs a model"));
  CHECK_THAT(problems("{type: judge, model: x}"), Catch::Contains("needs a rubric or a template"));
  CHECK_THAT(problems("{type: judge, model: x, rubric: r, scale: [5, 1]}"),
             Catch::Contains("scale must be [low, high] with low < high"));
  CHECK_THAT(problems("{type: exact, field: a, rubric: r}"),
             Catch::Contains("scoring[0].rubric needs type: judge"));
  CHECK_THAT(problems("{type: judge, model: x, rubric: r, pricing: {input_per_mtok: 1}}"),
             Catch::Contains("needs output_per_mtok"));
  CHECK(problems("{type: judge, model: x, rubric: r, params: {max_tokens: 64}, "
                 "pricing: {input_per_mtok: 1, output_per_mtok: 2}}")
            .empty());
}
