#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>

#include "common/files.h"
#include "dataset/dataset_scan.h"
#include "dataset/flat_row.h"
#include "dataset/jsonl_reader.h"
#include "dataset/prompt_template.h"
#include "dataset/row_parser.h"
#include "support/process.h"

using namespace evalrun;
using evalrun::testing::TempDir;

namespace {

DatasetSpec Spec(const std::string& path, DatasetFormat format = DatasetFormat::kAuto) {
  DatasetSpec d;
  d.path = path;
  d.given_path = "data.jsonl";
  d.name = "data";
  d.format = format;
  return d;
}

}  // namespace

TEST_CASE("JsonlReader gives physical line numbers, skips blank lines, strips BOM and CRLF",
          "[dataset]") {
  TempDir dir;
  auto path = dir.Write("d.jsonl", "\xEF\xBB\xBF{\"a\":1}\r\n\n   \t\n{\"a\":2}\n{\"a\":3}");
  JsonlReader reader;
  REQUIRE(reader.Open(path).ok());
  std::string_view line;
  long long n = 0;
  REQUIRE(reader.Next(&line, &n));
  CHECK(line == "{\"a\":1}");
  CHECK(n == 1);
  CHECK(reader.column_offset() == 3);
  REQUIRE(reader.Next(&line, &n));
  CHECK(line == "{\"a\":2}");
  CHECK(n == 4);
  REQUIRE(reader.Next(&line, &n));
  CHECK(line == "{\"a\":3}");  // no newline at the end of the file
  CHECK(n == 5);
  CHECK_FALSE(reader.Next(&line, &n));
  CHECK(reader.status().ok());
  // Opened again for a second pass: from the first line, numbered from 1 again.
  REQUIRE(reader.Open(path).ok());
  REQUIRE(reader.Next(&line, &n));
  CHECK(line == "{\"a\":1}");
  CHECK(n == 1);
  CHECK(reader.column_offset() == 3);
}

TEST_CASE("a chat row keeps its messages and takes its id", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  prompt.system = "Be brief.";
  RowParser parser(ds, prompt);
  Row row;
  auto problem =
      parser.Parse(R"({"id":7,"messages":[{"role":"user","content":"日本語 🚀"}]})", 3, 0, &row);
  REQUIRE_FALSE(problem);
  CHECK(row.id == "7");
  CHECK(row.line == 3);
  CHECK(row.messages_json ==
        R"([{"role":"system","content":"Be brief."},{"role":"user","content":"日本語 🚀"}])");
}

TEST_CASE("a scan's parser finds what the planner's finds, without building messages",
          "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  prompt.template_text = "Q: {{question}}";
  RowParser planner(ds, prompt);
  RowParser scan(ds, prompt, nullptr, /*messages=*/false);
  for (
      const char* text :
      {R"({"id": 4, "question": "What is 2 + 2?"})", R"({"id": 5, "q": "no question field"})",
       R"({"messages": [{"content": "no role"}]})",
       R"({"custom_id": "a", "body": {"model": "m", "messages": []}})",
       R"({"custom_id": "b", "body": {"model": "m", "messages": [{"role": "user", "content": "x"}]}})",
       R"({"id": 6, "question": "x")"}) {
    INFO(text);
    Row a, b;
    const auto want = planner.Parse(text, 2, 0, &a);
    const auto got = scan.Parse(text, 2, 0, &b);
    REQUIRE(want.has_value() == got.has_value());
    if (want) {
      CHECK(want->ToString() == got->ToString());
      continue;
    }
    CHECK(b.id == a.id);
    CHECK(b.body_model == a.body_model);
    CHECK_FALSE(a.messages_json.empty());
    CHECK(b.messages_json.empty());  // the scan keeps no row: nothing was built for it
  }
}

TEST_CASE("FlatRow reads a flat ASCII row where it lies and declines what the DOM must read",
          "[dataset]") {
  FlatRow flat;
  const FlatRow::Member* m = nullptr;
  REQUIRE(flat.Read(R"( {"id": 7, "q": "a\nb \u0041", "ok": true, "x": null, "q": "second",)"
                    R"( "meta": {"level": [1, {"deep": "s\""}]}, "f": 0.5, "neg": -0} )"));
  REQUIRE(flat.Find("id", &m) == FlatRow::Found::kYes);
  CHECK(m->text == "7");
  CHECK(m->kind == FlatRow::Kind::kInteger);
  REQUIRE(flat.Find("q", &m) == FlatRow::Found::kYes);
  CHECK(m->text == "a\nb A");  // decoded, and the first of two
  REQUIRE(flat.Find("ok", &m) == FlatRow::Found::kYes);
  CHECK(m->text == "true");
  REQUIRE(flat.Find("x", &m) == FlatRow::Found::kYes);
  CHECK(m->kind == FlatRow::Kind::kNull);
  REQUIRE(flat.Find("f", &m) == FlatRow::Found::kYes);
  CHECK(m->kind == FlatRow::Kind::kNumber);  // its text is the DOM's to write (0.5)
  REQUIRE(flat.Find("neg", &m) == FlatRow::Found::kYes);
  CHECK(m->kind == FlatRow::Kind::kNumber);  // the DOM writes -0 back as 0
  CHECK(flat.Find("meta", &m) == FlatRow::Found::kYes);
  CHECK(m->kind == FlatRow::Kind::kContainer);
  CHECK(flat.Find("meta.level", &m) == FlatRow::Found::kAskTheDom);
  CHECK(flat.Find("id.x", &m) == FlatRow::Found::kNo);  // nothing below a scalar
  CHECK(flat.Find("id.", &m) == FlatRow::Found::kYes);  // as FindPath reads "id."
  CHECK(flat.Find("nope", &m) == FlatRow::Found::kNo);
  CHECK(flat.Find("", &m) == FlatRow::Found::kAskTheDom);
  CHECK(flat.Has("meta"));
  CHECK_FALSE(flat.Has("level"));

  for (const char* declined : {
           R"({"q": "caf\u00e9 ok, but this: café"})",     // not ASCII: the DOM validates UTF-8
           "\xEF\xBB\xBF{\"q\": \"x\"}",                   // a BOM
           R"({"q": 1e999})",                              // an exponent: maybe the DOM's error
           R"({"q": 123456789012345678901234567890123})",  // long: maybe too
           R"(["not", "an", "object"])", R"("text")", R"({"q": "x"} x)", R"({"q": "x")",
           R"({"q": "\ud800"})",                               // a lone high surrogate
           R"({"a": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]})",  // deeper than it walks
       }) {
    INFO(declined);
    CHECK_FALSE(flat.Read(declined));
  }
  CHECK_FALSE(flat.Read(std::string_view("{\"q\": \"x\"}\0", 11)));  // a NUL after the row
}

TEST_CASE(
    "a row read without a DOM is the row the DOM makes, and a bad one gets the DOM's "
    "diagnostic",
    "[dataset]") {
  auto scorer = [](ScorerType type, const char* field) {
    ScorerSpec s;
    s.type = type;
    s.field = field;
    s.name = field;
    return s;
  };
  const std::vector<ScorerSpec> scorers = {scorer(ScorerType::kExact, "answer"),
                                           scorer(ScorerType::kNumber, "meta.n"),
                                           scorer(ScorerType::kExact, "")};
  PromptSpec prompt;
  prompt.system = "sys";
  prompt.template_text = "Q: {{question}} [{{ level }}] {{flag}}{{nothing}}";
  const char* rows[] = {
      R"({"id": 3, "question": "What is 1 + 1?", "answer": "2", "level": 1, "flag": true, "nothing": null})",
      R"({"id": "a\"b", "question": "tab\there", "answer": 2, "level": "x", "flag": false, "nothing": 0, "meta": {"n": 4}})",
      R"({"id": 3.5, "question": "q", "answer": "a", "level": 1, "flag": 1, "nothing": ""})",
      R"({"id": -0, "question": "q", "answer": null, "level": 1, "flag": 1, "nothing": ""})",
      R"({"id": true, "question": "q", "level": 12345678901234567890, "flag": 1, "nothing": ""})",
      R"({"id": [1], "question": "q", "level": -12, "flag": {}, "nothing": ""})",
      R"({"question": "q", "level": 1, "flag": 1})",                  // {{nothing}} missing
      R"({"question": "q", "level": 1.0, "flag": 1, "nothing": 2})",  // the DOM writes 1.0
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "messages": []})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "custom_id": "c", "body": {}})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "cl": "c1", "meta": 5})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "cl": 7, "answer": "\u00e9"})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "cl": null})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "cl": false})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "cl": [1]})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "cl": 1e3})",
      R"({"question": "q", "level": 1, "flag": 1, "nothing": 2, "x": 1e999})",  // the DOM's error
      R"({"question": "q", "question": "second", "level": 1, "flag": 1, "nothing": 2})",
      R"({"question": "x")",
  };
  for (DatasetFormat format : {DatasetFormat::kAuto, DatasetFormat::kFields}) {
    for (const char* cluster : {"", "cl"}) {
      DatasetSpec ds = Spec("x", format);
      ds.cluster_field = cluster;
      for (const bool messages : {true, false}) {
        RowParser parser(ds, prompt, &scorers, messages);
        for (const char* text : rows) {
          INFO(text << " cluster_field=" << cluster << " messages=" << messages);
          Row fast, dom;
          fast.cluster = dom.cluster = "kept";
          const auto got = parser.Parse(text, 5, 0, &fast);
          const auto want = parser.ParseWithDocument(text, 5, 0, &dom);
          REQUIRE(got.has_value() == want.has_value());
          if (want) {
            CHECK(got->ToString() == want->ToString());
            continue;
          }
          CHECK(fast.dataset == dom.dataset);
          CHECK(fast.line == dom.line);
          CHECK(fast.id == dom.id);
          CHECK(fast.cluster == dom.cluster);
          CHECK(fast.messages_json == dom.messages_json);
          CHECK(fast.body_params == dom.body_params);
          CHECK(fast.body_model == dom.body_model);
          CHECK(fast.references == dom.references);
          CHECK(fast.judge_prompts == dom.judge_prompts);
        }
      }
    }
  }
}

TEST_CASE("a row's own system message is not doubled", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  prompt.system = "job system";
  RowParser parser(ds, prompt);
  Row row;
  REQUIRE_FALSE(parser.Parse(
      R"({"messages":[{"role":"system","content":"own"},{"role":"user","content":"q"}]})", 1, 0,
      &row));
  CHECK(row.messages_json ==
        R"([{"role":"system","content":"own"},{"role":"user","content":"q"}])");
  CHECK(row.id == "1");  // no id field: the line number
}

TEST_CASE("a fields row goes through the template", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  prompt.template_text = "Q: {{question}} ({{meta.level}}, {{ n }})";
  RowParser parser(ds, prompt);
  Row row;
  REQUIRE_FALSE(
      parser.Parse(R"({"id":"a1","question":"2+2?","meta":{"level":"easy"},"n":3})", 1, 0, &row));
  CHECK(row.id == "a1");
  CHECK(row.messages_json == R"x([{"role":"user","content":"Q: 2+2? (easy, 3)"}])x");
}

TEST_CASE("a fields row missing a template field is located", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  prompt.template_text = "{{question}}";
  RowParser parser(ds, prompt);
  Row row;
  auto problem = parser.Parse(R"({"q":"x"})", 9, 0, &row);
  REQUIRE(problem);
  CHECK(problem->ToString() ==
        "data.jsonl:9:1: prompt.template uses {{question}}, which this row does not have");
}

TEST_CASE("malformed JSON is reported with line and byte column", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  RowParser parser(ds, prompt);
  Row row;
  auto problem = parser.Parse(R"({"messages": [}, )", 12, 0, &row);
  REQUIRE(problem);
  CHECK(problem->line == 12);
  CHECK(problem->col == 15);
  CHECK_THAT(problem->message, Catch::StartsWith("malformed JSON"));
  // After a stripped byte-order mark, columns still count bytes of the file.
  auto with_bom = parser.Parse("[1,", 1, 3, &row);
  REQUIRE(with_bom);
  CHECK(with_bom->col == 3 + 3 + 1);
}

TEST_CASE("bad rows of each shape are rejected with a reason", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  RowParser parser(ds, prompt);
  Row row;
  CHECK_THAT(parser.Parse("[1,2]", 1, 0, &row)->message, Catch::Contains("must be a JSON object"));
  CHECK_THAT(parser.Parse(R"({"messages":[]})", 1, 0, &row)->message,
             Catch::Contains("non-empty array"));
  CHECK_THAT(parser.Parse(R"({"messages":[{"content":"x"}]})", 1, 0, &row)->message,
             Catch::Contains("\"role\""));
  CHECK_THAT(parser.Parse(R"({"q":1})", 1, 0, &row)->message,
             Catch::Contains("no prompt.template"));
  CHECK_THAT(parser.Parse("{\"messages\":\"\xff\"}", 1, 0, &row)->message,
             Catch::Contains("malformed JSON"));
}

TEST_CASE("an openai-batch row brings custom_id, messages and body params", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  RowParser parser(ds, prompt);
  Row row;
  auto problem = parser.Parse(
      R"({"custom_id":"req-1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt","messages":[{"role":"user","content":"hi"}],"max_tokens":5}})",
      1, 0, &row);
  REQUIRE_FALSE(problem);
  CHECK(row.id == "req-1");
  CHECK(row.body_model == "gpt");
  CHECK(row.body_params == JsonParams{{"max_tokens", "5"}});
  auto bad = parser.Parse(R"({"custom_id":"x","body":{"messages":[]}})", 2, 0, &row);
  REQUIRE(bad);
  CHECK_THAT(bad->message, Catch::Contains("body."));
}

TEST_CASE("ScanDataset counts rows up to the limit and collects every problem", "[dataset]") {
  TempDir dir;
  auto path =
      dir.Write("d.jsonl", "{\"q\":\"a\"}\n{bad\n\n{\"q\":\"b\"}\n{\"x\":1}\n{\"q\":\"c\"}\n");
  DatasetSpec ds = Spec(path);
  PromptSpec prompt;
  prompt.template_text = "{{q}}";
  DatasetScan all = ScanDataset(ds, prompt, std::nullopt);
  CHECK(all.rows == 3);
  REQUIRE(all.problems.size() == 2);
  CHECK(all.problems[0].line == 2);
  CHECK(all.problems[1].line == 5);
  DatasetScan first = ScanDataset(ds, prompt, 1);
  CHECK(first.rows == 1);
  CHECK(first.problems.empty());
}

TEST_CASE("the scan's SHA-256 is the whole file's, from the rows' own reads, even past a limit",
          "[dataset]") {
  TempDir dir;
  // A BOM, CRLF ends, a blank line and no newline at the end: every byte counts.
  std::string text = "\xEF\xBB\xBF{\"q\":\"a\"}\r\n\n{\"q\":\"b\"}\n";
  for (int i = 0; i < 5000; ++i) text += "{\"q\":\"row " + std::to_string(i) + "\"}\n";
  text += "{\"q\":\"last\"}";
  auto path = dir.Write("d.jsonl", text);
  DatasetSpec ds = Spec(path);
  PromptSpec prompt;
  prompt.template_text = "{{q}}";
  const std::string want = Sha256File(path).value();
  CHECK(want.size() == 64);
  DatasetScan all = ScanDataset(ds, prompt, std::nullopt, 100, Shard{}, nullptr, nullptr, true);
  CHECK(all.rows == 5003);
  CHECK(all.sha256 == want);
  DatasetScan two = ScanDataset(ds, prompt, 2, 100, Shard{}, nullptr, nullptr, true);
  CHECK(two.rows == 2);
  CHECK(two.sha256 == want);  // the rest of the file is hashed without being parsed
  CHECK(ScanDataset(ds, prompt, 2).sha256.empty());  // not asked for
  // The digest is SHA-256 itself (FIPS 180-2's example), not only self-consistent.
  Sha256 abc;
  abc.Update("abc", 3);
  CHECK(abc.HexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a job without models collects each batch row's body.model, a row without one is located",
          "[dataset]") {
  TempDir dir;
  const std::string kHi = R"([{"role": "user", "content": "hi"}])";
  auto path = dir.Write(
      "b.jsonl", "{\"custom_id\": \"a\", \"body\": {\"model\": \"m1\", \"messages\": " + kHi +
                     "}}\n"
                     "{\"custom_id\": \"b\", \"body\": {\"model\": \"m2\", \"messages\": " +
                     kHi +
                     "}}\n"
                     "{\"custom_id\": \"c\", \"body\": {\"model\": \"m1\", \"messages\": " +
                     kHi +
                     "}}\n"
                     "{\"custom_id\": \"d\", \"body\": {\"messages\": " +
                     kHi + "}}\n");
  std::vector<std::string> models;
  DatasetScan scan =
      ScanDataset(Spec(path, DatasetFormat::kOpenAiBatch), {}, std::nullopt, 10, {}, &models);
  CHECK(models == std::vector<std::string>{"m1", "m2"});
  CHECK(scan.rows == 3);
  REQUIRE(scan.problems.size() == 1);
  CHECK(scan.problems[0].ToString() ==
        "data.jsonl:4:1: the job lists no models, so each row must be an openai-batch line whose "
        "body names its \"model\"");
}

TEST_CASE("FindPath and ValueText read nested fields", "[dataset]") {
  rapidjson::Document d;
  d.Parse(R"({"a":{"b":[1,2]},"s":"t","n":1.5})");
  REQUIRE(FindPath(d, "a.b"));
  CHECK(ValueText(*FindPath(d, "a.b")) == "[1,2]");
  CHECK(ValueText(*FindPath(d, "s")) == "t");
  CHECK(ValueText(*FindPath(d, "n")) == "1.5");
  CHECK(FindPath(d, "a.c") == nullptr);
  CHECK(FindPath(d, "s.x") == nullptr);
  // Integers as RapidJSON's Writer writes them, at every width.
  rapidjson::Document ints;
  ints.Parse(
      "[0,-1,7,2147483647,-2147483648,4294967295,9223372036854775807,"
      "-9223372036854775808,18446744073709551615,1e2,-0.0]");
  for (const auto& v : ints.GetArray()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    CHECK(ValueText(v) == buf.GetString());
  }
}

TEST_CASE("a row nested absurdly deep is a located error, not a stack overflow", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  RowParser parser(ds, prompt);
  Row row;
  std::string deep = "{\"messages\":[{\"role\":\"user\",\"content\":" + std::string(100000, '[') +
                     std::string(100000, ']') + "}]}";
  auto problem = parser.Parse(deep, 4, 0, &row);
  REQUIRE(problem);
  CHECK(problem->line == 4);
  CHECK_THAT(problem->message, Catch::Contains("nested deeper than"));
  // The column is the bracket past the bound: 128 levels pass, the 129th is refused.
  const std::string prefix = "{\"messages\":[{\"role\":\"user\",\"content\":";
  const std::string at_bound = prefix + std::string(125, '[') + std::string(125, ']') + "}]}";
  CHECK_FALSE(parser.Parse(at_bound, 1, 0, &row));
  const std::string past = prefix + std::string(126, '[') + std::string(126, ']') + "}]}";
  problem = parser.Parse(past, 5, 0, &row);
  REQUIRE(problem);
  CHECK(problem->col == static_cast<int>(prefix.size()) + 126);
  CHECK_THAT(problem->message, Catch::Contains("nested deeper than"));
}

TEST_CASE("a row with a NUL inside is malformed, not cut short at it", "[dataset]") {
  DatasetSpec ds = Spec("x");
  PromptSpec prompt;
  prompt.template_text = "{{q}}";
  RowParser parser(ds, prompt);
  Row row;
  REQUIRE_FALSE(parser.Parse(R"({"q":"fine"})", 1, 0, &row));
  CHECK_THAT(row.messages_json, Catch::Contains("fine"));
  auto problem = parser.Parse(R"({"q":"fine"})" + std::string("\0", 1) + "x", 2, 0, &row);
  REQUIRE(problem);
  CHECK(problem->line == 2);
  CHECK(problem->col == 13);
  CHECK_THAT(problem->message, Catch::Contains("malformed JSON"));
}
