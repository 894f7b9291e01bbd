// summary.json against its JSON Schema (runner/report/summary.schema.json): what evalrun writes
// validates, from a synthetic summary with every optional part and from a real run; and the
// schema is strict enough to catch a missing, extra or mistyped field.
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>

#include "report/summary.h"
#include "report/summary_json.h"
#include "support/process.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

const std::string kSchemaPath =
    std::string(EVALRUN_SOURCE_DIR) + "/runner/report/summary.schema.json";

/// "" when `json` is valid against the schema, else where it is not.
std::string Violation(const std::string& json) {
  static const rapidjson::Document schema_doc = [] {
    rapidjson::Document d;
    d.Parse(ReadFile(kSchemaPath).c_str());
    REQUIRE_FALSE(d.HasParseError());
    return d;
  }();
  static const rapidjson::SchemaDocument schema(schema_doc);
  rapidjson::Document d;
  d.Parse(json.c_str());
  if (d.HasParseError()) return "not JSON";
  rapidjson::SchemaValidator v(schema);
  if (d.Accept(v)) return "";
  rapidjson::StringBuffer where, rule;
  v.GetInvalidDocumentPointer().StringifyUriFragment(where);
  v.GetInvalidSchemaPointer().StringifyUriFragment(rule);
  return std::string(where.GetString()) + " breaks " + rule.GetString() + " (" +
         v.GetInvalidSchemaKeyword() + ")";
}

/// A summary with every optional part present: streaming, errors, unknown prices, gates, a stop.
Summary Rich() {
  SummaryBuilder b;
  for (int i = 0; i < 10; ++i) {
    CallRecord r;
    r.model = i % 2 ? "priced" : "unpriced";
    r.model_id = r.model;
    r.dataset = "d";
    r.row_id = std::to_string(i);
    r.latency_ms = 100 + i;
    r.ttft_ms = 20.0 + i;
    r.itl_ms = 3.0;
    r.usage = Usage{10, 5, 15};
    if (i % 2) r.cost_usd = 0.0001;
    r.scores["exact"] = i % 3 ? 1 : 0;
    r.scores["number"] = 0.5;
    if (i == 7) r.error_kind = ErrorKind::kTimeout;
    b.Add(r);
  }
  RunInfo run{"run-1",
              "job",
              "2026-11-25T09:00:00.000Z",
              "2026-11-25T09:00:02.500Z",
              2.5,
              "budget reached",
              16,
              8,
              3};
  Summary s = b.Build(run);
  s.gates.push_back({"min_score", "priced", 0.9, 0.7, false});
  s.gates.push_back({"max_cost_usd", "unpriced", 1.0, std::nullopt, false});
  return s;
}

}  // namespace

TEST_CASE("summary.json validates against its schema, empty or full", "[report][schema]") {
  CHECK(Violation(SummaryToJson(Rich())) == "");
  RunInfo run{"r", "j", "2026-11-25T09:00:00.000Z", "2026-11-25T09:00:00.000Z", 0, "", 0, 0, 0};
  CHECK(Violation(SummaryToJson(SummaryBuilder().Build(run))) == "");
}

TEST_CASE("the schema catches a missing, an unknown and a mistyped field", "[report][schema]") {
  rapidjson::Document d;
  d.Parse(SummaryToJson(Rich()).c_str());
  auto text = [](const rapidjson::Document& doc) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    doc.Accept(w);
    return std::string(buf.GetString());
  };
  rapidjson::Document missing;
  missing.CopyFrom(d, missing.GetAllocator());
  missing.RemoveMember("totals");
  CHECK_THAT(Violation(text(missing)), Catch::Contains("required"));

  rapidjson::Document extra;
  extra.CopyFrom(d, extra.GetAllocator());
  extra["groups"][0].AddMember("surprise", 1, extra.GetAllocator());
  CHECK_THAT(Violation(text(extra)), Catch::Contains("additionalProperties"));

  rapidjson::Document zero_cost;  // an unknown price written as a string is not a price
  zero_cost.CopyFrom(d, zero_cost.GetAllocator());
  zero_cost["totals"]["cost_usd"].SetString("0");
  CHECK_THAT(Violation(text(zero_cost)), Catch::Contains("type"));

  rapidjson::Document bad_kind;
  bad_kind.CopyFrom(d, bad_kind.GetAllocator());
  bad_kind["groups"][0]["errors"].AddMember("oops", 1, bad_kind.GetAllocator());
  CHECK_FALSE(Violation(text(bad_kind)).empty());
}

TEST_CASE("a real run's summary.json validates against the schema", "[e2e][schema]") {
  MockServerProcess server({"--fail-500", "0.2", "--no-usage", "0.1"});
  TempDir dir;
  std::string rows;
  for (int i = 1; i <= 20; ++i)
    rows += "{\"id\": " + std::to_string(i) + ", \"q\": \"What is " + std::to_string(i) +
            " + 1?\", \"answer\": " + std::to_string(i + 1) + "}\n";
  dir.Write("d.jsonl", rows);
  const std::string job = dir.Write(
      "job.yaml", "name: schema\nendpoint: {base_url: " + server.base_url() +
                      ", api_key_env: E2E_KEY}\nmodels:\n  - id: mock-small\n    pricing: "
                      "{input_per_mtok: 1, output_per_mtok: 1}\n  - mock-large\n"
                      "datasets: [d.jsonl]\nprompt: {template: '{{q}}'}\nstream: true\n"
                      "retry: {max_attempts: 1}\nscoring: [{type: number, field: answer}]\n"
                      "gates: {min_score: 0.5, max_cost_usd: 1}\n");
  const std::string out = dir.path() + "/run";
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--progress", "none"}, {{"E2E_KEY", "k"}});
  INFO(r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  CHECK(Violation(ReadFile(out + "/summary.json")) == "");
  // `evalrun report` rebuilds it; the rebuilt one keeps to the schema too.
  REQUIRE(RunEvalrun({"report", out}).exit_code <= 1);
  CHECK(Violation(ReadFile(out + "/summary.json")) == "");
}
