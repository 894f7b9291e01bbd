#include <catch2/catch.hpp>

#include "dataset/row_parser.h"
#include "job/job_json.h"
#include "scoring/scorer.h"

using namespace evalrun;

namespace {

ScorerSpec Scorer(const std::string& type, const std::string& field = "answer") {
  ScorerSpec s;
  for (ScorerType t : {ScorerType::kExact, ScorerType::kContains, ScorerType::kRegex,
                       ScorerType::kJson, ScorerType::kNumber}) {
    if (ScorerTypeName(t) == type) s.type = t;
  }
  s.field = field;
  s.name = type;
  return s;
}

}  // namespace

TEST_CASE("exact compares trimmed text, optionally ignoring case", "[scoring]") {
  ScorerSpec s = Scorer("exact");
  CHECK(Score(s, " 42\n", std::string("42")) == 1.0);
  CHECK(Score(s, "42.", std::string("42")) == 0.0);
  CHECK(Score(s, "Paris", std::string("paris")) == 0.0);
  s.ignore_case = true;
  CHECK(Score(s, "Paris", std::string("paris")) == 1.0);
  CHECK_FALSE(Score(s, "x", std::nullopt));  // a row without the field is not judged
}

TEST_CASE("contains looks for the reference inside the response", "[scoring]") {
  ScorerSpec s = Scorer("contains");
  CHECK(Score(s, "The capital is Paris.", std::string("Paris")) == 1.0);
  CHECK(Score(s, "The capital is paris.", std::string("Paris")) == 0.0);
}

TEST_CASE("regex takes its pattern from the job or the row", "[scoring]") {
  ScorerSpec s = Scorer("regex");
  CHECK(Score(s, "order #123", std::string("#\\d+")) == 1.0);
  CHECK(Score(s, "order #abc", std::string("#\\d+")) == 0.0);
  CHECK_FALSE(Score(s, "x", std::string("(")));  // a broken row pattern is not the model's fault
  s.pattern = "^yes\\b";
  s.ignore_case = true;
  CHECK(Score(s, "YES, it is", std::nullopt) == 1.0);
}

TEST_CASE("json wants valid JSON with the required keys, fenced or not", "[scoring]") {
  ScorerSpec s = Scorer("json", "");
  s.required_keys = {"name", "age"};
  CHECK(Score(s, R"({"name":"a","age":3})", std::nullopt) == 1.0);
  CHECK(Score(s, "```json\n{\"name\":\"a\",\"age\":3}\n```", std::nullopt) == 1.0);
  CHECK(Score(s, R"({"name":"a"})", std::nullopt) == 0.0);
  CHECK(Score(s, "not json", std::nullopt) == 0.0);
}

TEST_CASE("number compares the last number written, within a tolerance", "[scoring]") {
  ScorerSpec s = Scorer("number");
  CHECK(Score(s, "12 + 7 = 19", std::string("19")) == 1.0);
  CHECK(Score(s, "The answer is 1,234.5.", std::string("1234.5")) == 1.0);
  CHECK(Score(s, "-3", std::string("-3.0")) == 1.0);
  CHECK(Score(s, "20", std::string("19")) == 0.0);
  CHECK(Score(s, "no idea", std::string("19")) == 0.0);
  s.tolerance = 1.5;
  CHECK(Score(s, "20", std::string("19")) == 1.0);
  CHECK(LastNumber("a 1 b 2.5 c") == 2.5);
  CHECK_FALSE(LastNumber("none"));
}

TEST_CASE("the row parser keeps each scorer's reference field", "[scoring]") {
  DatasetSpec ds;
  ds.given_path = "d.jsonl";
  PromptSpec prompt;
  prompt.template_text = "{{q}}";
  std::vector<ScorerSpec> scorers = {Scorer("exact", "answer"), Scorer("number", "meta.n"),
                                     Scorer("contains", "nope")};
  RowParser parser(ds, prompt, &scorers);
  Row row;
  REQUIRE_FALSE(parser.Parse(R"({"q":"x","answer":"42","meta":{"n":7}})", 1, 0, &row));
  REQUIRE(row.references.size() == 3);
  CHECK(row.references[0] == std::optional<std::string>("42"));
  CHECK(row.references[1] == std::optional<std::string>("7"));
  CHECK_FALSE(row.references[2]);
  auto scores = ScoreAll(scorers, "42", row.references);
  CHECK(scores.at("exact") == 1.0);
  CHECK(scores.at("number") == 0.0);
  CHECK(scores.count("contains") == 0);
}
