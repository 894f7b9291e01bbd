// W&B's models as they answer today, end to end on the mock: a thinking model streamed (its
// thinking apart from its answer, TTFT before TTFA), a parameter a model rejects (the model is
// stopped, its calls skipped, the others go on, --resume sends them once fixed), tool calls
// scored on their arguments, and answers checked against a JSON Schema.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>

#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

std::string ArithRows(int n) {
  std::string rows;
  for (int i = 1; i <= n; ++i)
    rows += "{\"id\": " + std::to_string(i) + ", \"question\": \"What is " + std::to_string(i) +
            " + " + std::to_string(2 * i) + "?\", \"answer\": \"" + std::to_string(3 * i) + "\"}\n";
  return rows;
}

std::string Job(const MockServerProcess& server, const std::string& models,
                const std::string& rest) {
  return "name: today\nendpoint: {base_url: " + server.base_url() + ", api_key_env: K}\nmodels:\n" +
         models + "datasets: [rows.jsonl]\nprompt: {template: \"{{question}}\"}\n" + rest;
}

const rapidjson::Value& ModelOf(const rapidjson::Document& summary, const std::string& label) {
  for (const auto& m : summary["models"].GetArray()) {
    if (m["model"] == label.c_str()) return m;
  }
  FAIL("no model " << label << " in summary.json");
  return summary["models"][0];
}

}  // namespace

TEST_CASE("a streamed thinking model: TTFT before TTFA on every call, scores on content only",
          "[e2e]") {
  MockServerProcess server({"--latency-ms", "5", "--per-token-ms", "1"});
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows(30));
  const std::string job = dir.Write(
      "job.yaml", Job(server, "  - {id: mock-thinker}\n  - {id: mock-small}\n",
                      "params: {temperature: 0, max_completion_tokens: 400}\nstream: true\n"
                      "scoring: [{type: exact, field: answer}]\n"));
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  int thinker = 0;
  for (const CallRecord& rec : ReadRecords(dir.path() + "/run")) {
    INFO(rec.model << " row " << rec.row_id);
    REQUIRE(rec.ok());
    REQUIRE(rec.ttft_ms);
    REQUIRE(rec.ttfa_ms);
    if (rec.model != "mock-thinker") {
      CHECK(*rec.ttfa_ms == *rec.ttft_ms);  // no thinking: the first token is the answer's
      CHECK_FALSE(rec.reasoning);
      continue;
    }
    ++thinker;
    CHECK(*rec.ttft_ms < *rec.ttfa_ms);
    REQUIRE(rec.reasoning);
    CHECK_THAT(*rec.reasoning, Catch::StartsWith("Let me work this out:"));
    REQUIRE(rec.response);
    CHECK(rec.response->find("Let me") == std::string::npos);  // the answer alone
    REQUIRE(rec.reasoning_tokens);
    REQUIRE(rec.usage);
    CHECK(*rec.reasoning_tokens > 0);
    CHECK(*rec.reasoning_tokens < rec.usage->completion_tokens);
  }
  CHECK(thinker == 30);
  const auto summary = ReadJson(dir.path() + "/run/summary.json");
  const auto& m = ModelOf(summary, "mock-thinker");
  CHECK(m["reasoning_share"].GetDouble() > 0.5);  // it thinks far longer than it answers
  CHECK(m["reasoning_share"].GetDouble() < 1);
  CHECK(ModelOf(summary, "mock-small")["reasoning_share"].IsNull());
  // Scored on the content: the thinker is right about as often as it is meant to be (95%).
  CHECK(m["score"].GetDouble() > 0.8);
  for (const auto& g : summary["groups"].GetArray()) {
    if (g["model"] != "mock-thinker") continue;
    CHECK(g["ttfa_ms"]["p50"].GetDouble() > g["ttft_ms"]["p50"].GetDouble());
    CHECK(g["reasoning_tokens"].GetInt64() > 0);
  }
  const std::string md = ReadFile(dir.path() + "/run/report.md");
  CHECK_THAT(md, Catch::Contains("## Thinking"));
  CHECK_THAT(md, Catch::Contains("| mock-thinker | "));
  CHECK_THAT(md, Catch::Contains("TTFA p50 ms"));
  CHECK_THAT(ReadFile(dir.path() + "/run/report.html"),
             Catch::Contains("of completion tokens spent thinking"));
}

TEST_CASE("an older server's reasoning_content is read as the reasoning, unstreamed too", "[e2e]") {
  MockServerProcess server({"--reasoning-field", "reasoning_content"});
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows(5));
  const std::string job = dir.Write("job.yaml", Job(server, "  - {id: mock-thinker}\n",
                                                    "scoring: [{type: exact, field: answer}]\n"));
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const CallRecord& rec : ReadRecords(dir.path() + "/run")) {
    REQUIRE(rec.reasoning);
    CHECK_THAT(*rec.reasoning, Catch::StartsWith("Let me work this out:"));
    CHECK(rec.response == std::to_string(3 * std::stoi(rec.row_id)));
    CHECK(rec.reasoning_tokens);
  }
}

TEST_CASE("a parameter a model rejects stops that model alone, --resume sends its calls once fixed",
          "[e2e]") {
  MockServerProcess server({"--reject-param", "frequency_penalty"});
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows(2000));
  const std::string models =
      "  - {id: mock-small, label: picky, params: {frequency_penalty: 0.5}}\n"
      "  - {id: mock-large}\n";
  const std::string rest =
      "concurrency: 8\nadaptive_concurrency: false\nscoring: [{type: exact, field: answer}]\n";
  const std::string job = dir.Write("job.yaml", Job(server, models, rest));
  const std::string out = dir.path() + "/run";
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out, "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  CHECK(r.exit_code == 3);  // stopped early: what finished is saved, --resume continues
  CHECK_THAT(r.err, Catch::Contains("stopped model picky: 5 calls in a row failed with HTTP 422"));
  // At most the 5 in a row plus the calls in flight when the fifth came back were sent.
  const long long rejected = server.Injected("reject_param");
  CHECK(rejected >= 5);
  CHECK(rejected <= 5 + 8);
  long long skipped = 0, large_ok = 0;
  for (const CallRecord& rec : ReadRecords(out)) {
    if (rec.model == "mock-large") large_ok += rec.ok();
    if (rec.skipped) {
      ++skipped;
      CHECK(rec.model == "picky");
      CHECK(rec.attempts == 0);
      CHECK_THAT(rec.error, Catch::Contains("frequency_penalty is not supported"));
    }
  }
  CHECK(large_ok == 2000);  // the other model went on
  CHECK(skipped == 2000 - rejected);
  const auto summary = ReadJson(out + "/summary.json");
  CHECK(ModelOf(summary, "picky")["skipped"].GetInt64() == skipped);
  CHECK(summary["totals"]["skipped"].GetInt64() == skipped);
  CHECK_THAT(ReadFile(out + "/report.md"),
             Catch::Contains("**picky was stopped:** 5 calls in a row"));

  // The job fixed (the parameter dropped): --resume sends picky's calls, and none of mock-large's.
  dir.Write("job.yaml",
            Job(server, "  - {id: mock-small, label: picky}\n  - {id: mock-large}\n", rest));
  const long long before = server.ChatRequests();
  ProcessResult resumed =
      RunEvalrun({"run", job, "--resume", out, "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(server.ChatRequests() - before == 2000);
  CHECK(ReadJson(out + "/summary.json")["totals"]["ok"].GetInt64() == 4000);
}

TEST_CASE("tool calls are the answer: kept as JSON, scored on their arguments, streamed or not",
          "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows(12));
  for (const bool stream : {false, true}) {
    INFO("stream " << stream);
    const std::string job = dir.Write(
        "job.yaml",
        Job(server, "  - {id: mock-large}\n",
            std::string("stream: ") + (stream ? "true" : "false") +
                "\nparams:\n  tool_choice: auto\n  tools:\n    - type: function\n"
                "      function: {name: give_answer, parameters: {type: object, properties: "
                "{answer: {type: string}}}}\n"
                "scoring:\n  - {type: json, name: args, target: tool_arguments, "
                "required_keys: [answer]}\n  - {type: exact, name: text, field: answer}\n"));
    const std::string out = dir.path() + (stream ? "/streamed" : "/plain");
    ProcessResult r =
        RunEvalrun({"run", job, "--out", out, "--progress", "none", "--no-cache"}, {{"K", "k"}});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const CallRecord& rec : ReadRecords(out)) {
      REQUIRE(rec.ok());
      CHECK(rec.finish_reason == "tool_calls");
      CHECK_FALSE(rec.response);  // no content: the tool call is the answer
      REQUIRE(rec.tool_calls);
      rapidjson::Document calls;
      calls.Parse(rec.tool_calls->c_str());
      REQUIRE(calls.IsArray());
      REQUIRE(calls.Size() == 1);
      CHECK(calls[0]["function"]["name"] == "give_answer");
      CHECK(calls[0]["type"] == "function");
      rapidjson::Document args;  // the arguments, assembled across the stream's chunks
      args.Parse(calls[0]["function"]["arguments"].GetString());
      REQUIRE(args.IsObject());
      CHECK(args["answer"].IsString());
      CHECK(rec.scores.at("args") == 1);
      CHECK(rec.scores.at("text") == 0);  // the content scorer saw no content
    }
  }
}

TEST_CASE("a json scorer with a schema scores answers of response_format jobs", "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows(10));
  dir.Write("answer.schema.json",
            R"({"type": "object", "required": ["answer"], "properties": {"answer": )"
            R"({"type": "string", "pattern": "^-?[0-9]+$"}}, "additionalProperties": false})");
  dir.Write("wrong.schema.json",
            R"({"type": "object", "required": ["answer"], "properties": {"answer": )"
            R"({"type": "integer"}}})");
  const std::string job =
      dir.Write("job.yaml", Job(server, "  - {id: mock-large}\n",
                                "params: {response_format: {type: json_object}}\nscoring:\n"
                                "  - {type: json, name: valid, schema: answer.schema.json}\n"
                                "  - {type: json, name: wrong, schema: wrong.schema.json}\n"));
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const CallRecord& rec : ReadRecords(dir.path() + "/run")) {
    REQUIRE(rec.response);
    CHECK_THAT(*rec.response, Catch::StartsWith("{\"answer\": \""));
    CHECK(rec.scores.at("valid") == 1);
    CHECK(rec.scores.at("wrong") == 0);  // the answer is a string, the schema wants an integer
  }
  // A schema that is not JSON is a located job error, before anything is sent.
  dir.Write("broken.schema.json", "{not json");
  const std::string bad =
      dir.Write("bad.yaml", Job(server, "  - {id: mock-large}\n",
                                "scoring:\n  - {type: json, schema: broken.schema.json}\n"));
  ProcessResult v = RunEvalrun({"validate", bad});
  CHECK(v.exit_code == 2);
  CHECK_THAT(v.err, Catch::Contains("bad.yaml:"));
  CHECK_THAT(v.err, Catch::Contains("scoring[0].schema: the schema is not valid JSON"));
}

TEST_CASE(
    "a chat row may carry its own tools, a model the server does not offer is named with "
    "its family",
    "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("chat.jsonl",
            R"({"id": "t", "messages": [{"role": "user", "content": "What is 2 + 2?"}], )"
            R"("tools": [{"type": "function", "function": {"name": "sum", "parameters": {}}}]})"
            "\n"
            R"({"id": "p", "messages": [{"role": "user", "content": "What is 3 + 3?"}]})"
            "\n");
  const std::string job = dir.Write(
      "job.yaml", "name: rows\nendpoint: {base_url: " + server.base_url() +
                      ", api_key_env: K}\nmodels: [mock-large]\ndatasets: [chat.jsonl]\n");
  ProcessResult r = RunEvalrun(
      {"run", job, "--out", dir.path() + "/run", "--progress", "none", "--no-cache"}, {{"K", "k"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const CallRecord& rec : ReadRecords(dir.path() + "/run")) {
    INFO(rec.row_id);
    if (rec.row_id == "t") {
      REQUIRE(rec.tool_calls);
      CHECK_THAT(*rec.tool_calls, Catch::Contains("\"name\":\"sum\""));
    } else {
      CHECK_FALSE(rec.tool_calls);
      CHECK(rec.response == "6");
    }
  }
  // A retired (or misspelt) model: nothing is sent, and its family is offered first.
  const std::string retired = dir.Write(
      "retired.yaml", "name: old\nendpoint: {base_url: " + server.base_url() +
                          ", api_key_env: K}\nmodels: [mock-huge-0324]\ndatasets: [chat.jsonl]\n");
  const long long before = server.ChatRequests();
  ProcessResult old = RunEvalrun(
      {"run", retired, "--out", dir.path() + "/old", "--progress", "none"}, {{"K", "k"}});
  CHECK(old.exit_code == 2);
  CHECK_THAT(old.err, Catch::Contains("model 'mock-huge-0324' is not offered by"));
  CHECK_THAT(old.err, Catch::Contains("it may have been retired or renamed; offered ids that "
                                      "share its prefix:\n  mock-small\n  mock-medium"));
  CHECK(server.ChatRequests() == before);
}

TEST_CASE("a job that sets both max_tokens and max_completion_tokens is told which one counts",
          "[e2e]") {
  MockServerProcess server;
  TempDir dir;
  dir.Write("rows.jsonl", ArithRows(2));
  const std::string job = dir.Write(
      "job.yaml", Job(server, "  - {id: mock-thinker, params: {max_completion_tokens: 300}}\n",
                      "params: {max_tokens: 64}\n"));
  ProcessResult v = RunEvalrun({"validate", job});
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.err,
             Catch::Contains("warning: model 'mock-thinker' sets both max_tokens and "
                             "max_completion_tokens; max_completion_tokens (300) is the one"));
  // The estimate's worst case is bounded by the one that wins: 2 calls x 300 tokens.
  ProcessResult e = RunEvalrun({"estimate", job, "--json"});
  REQUIRE(e.exit_code == 0);
  rapidjson::Document d;
  d.Parse(e.out.c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(d["total"]["worst_completion_tokens"].GetDouble() == 600);
}
