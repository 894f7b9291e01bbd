// Reading results.jsonl back: the record reader's rules (null is absent, whole numbers only from
// integral JSON, required identity) and the choice of each call's latest record.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>

#include "common/clock.h"
#include "common/files.h"
#include "common/json_sax.h"
#include "common/json_write.h"
#include "results/call_record.h"
#include "results/prior_results.h"
#include "results/results_writer.h"
#include "support/json_events.h"
#include "support/process.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

std::string Line(const std::string& row, const std::string& status, const std::string& extra = "") {
  return R"({"run_id":"r","model":"m","dataset":"d","row_id":")" + row +
         R"(","repeat":0,"status":")" + status + "\"" +
         (status == "ok" ? "" : R"(,"error_kind":"server")") + extra + "}\n";
}

}  // namespace

TEST_CASE("a record line reads back with the writer's rules", "[results]") {
  CallRecord r;
  REQUIRE(RecordFromJson(
      R"({"run_id":"r","model":"m","dataset":"d","row_id":"7","repeat":2,"status":"ok",)"
      R"("ttft_ms":null,"itl_ms":"x","cost_usd":0.5,"attempts":3.0,"http_status":200,)"
      R"("usage":{"prompt_tokens":10,"completion_tokens":2.5,"total_tokens":12,"extra":{"a":1}},)"
      R"("scores":{"exact":1,"bad":"no","nested":{"x":1}},"response":"caf\u00e9 \"q\"",)"
      R"("unknown":{"deep":[1,2,{"k":"v"}]},"cached":true})",
      &r));
  CHECK(r.row_id == "7");
  CHECK(r.repeat == 2);
  CHECK(r.ok());
  CHECK_FALSE(r.ttft_ms);  // null is absent
  CHECK(r.itl_ms == 0.0);  // present but not a number: 0, as before
  CHECK(r.cost_usd == 0.5);
  CHECK(r.attempts == 0);  // 3.0 is not a whole JSON number
  CHECK(r.http_status == 200);
  REQUIRE(r.usage);
  CHECK(r.usage->prompt_tokens == 10);
  CHECK(r.usage->completion_tokens == 0);
  CHECK(r.usage->total_tokens == 12);
  CHECK(r.scores == std::map<std::string, double>{{"exact", 1.0}});
  CHECK(r.response == std::string("caf\xC3\xA9 \"q\""));
  CHECK(r.cached);

  CHECK_FALSE(RecordFromJson(R"({"run_id":"r","model":"m","dataset":"d","status":"ok"})", &r));
  CHECK_FALSE(RecordFromJson(
      R"({"run_id":"r","model":"m","dataset":"d","row_id":"1","status":"error"})", &r));
  CHECK_FALSE(RecordFromJson(Line("1", "ok") + "x", &r));          // trailing garbage
  CHECK_FALSE(RecordFromJson(Line("1", "ok").substr(0, 60), &r));  // torn
  CHECK_FALSE(RecordFromJson(R"([{"run_id":"r"}])", &r));
  CHECK_FALSE(RecordFromJson(std::string(100000, '['), &r));  // no stack to blow
  REQUIRE(RecordFromJson(Line("1", "error"), &r));
  CHECK(r.error_kind == ErrorKind::kServer);
}

TEST_CASE("each call counts once: its ok record, else its last error", "[results]") {
  TempDir dir;
  const std::string path = dir.Write(
      "results.jsonl", Line("a", "error") + Line("b", "ok") + Line("c", "error") + "not json\n" +
                           Line("a", "ok") + Line("c", "error", R"(,"error":"second")") +
                           Line("a", "error"));
  std::vector<std::string> every, latest;
  int restarts = 0;
  auto skipped = ScanResults(
      path, /*may_repeat=*/true, [&](const CallRecord& r) { every.push_back(r.row_id); },
      [&](const CallRecord& r) { latest.push_back(r.row_id + (r.ok() ? "+" : "-") + r.error); },
      [&] {
        ++restarts;
        latest.clear();
      });
  REQUIRE(skipped.ok());
  CHECK(skipped.value() == 1);
  CHECK(every == std::vector<std::string>{"a", "b", "c", "a", "c", "a"});
  CHECK(restarts == 1);
  CHECK(latest == std::vector<std::string>{"b+", "a+", "c-second"});  // in file order

  // One record a call (a run that was not resumed): one pass, no restart.
  const std::string once = dir.Write("once.jsonl", Line("a", "ok") + Line("b", "error"));
  restarts = 0;
  latest.clear();
  for (bool may_repeat : {true, false}) {
    latest.clear();
    REQUIRE(ScanResults(
                once, may_repeat, nullptr, [&](const CallRecord& r) { latest.push_back(r.row_id); },
                [&] { ++restarts; })
                .ok());
    CHECK(restarts == 0);
    CHECK(latest == std::vector<std::string>{"a", "b"});
  }
}

TEST_CASE("a record with absurd times still writes and reads back (fuzzing regression)",
          "[results]") {
  // From fuzz_chat_response: rounding 5.3e22 ms through a long long was undefined behaviour.
  CallRecord r;
  REQUIRE(RecordFromJson(ReadFile(std::string(EVALRUN_SOURCE_DIR) +
                                  "/tests/fuzz/corpus/chat_response/regression-huge-latency.json"),
                         &r));
  CHECK(r.latency_ms == Approx(5.347777774357e22));
  r.queue_ms = -1e300;
  CallRecord again;
  REQUIRE(RecordFromJson(RecordToJson(r), &again));
  CHECK(again.latency_ms == Approx(r.latency_ms));
  CHECK(again.queue_ms == Approx(-1e300));
}

TEST_CASE("a record's reasoning, tool calls, TTFA and skipped status read back as written",
          "[results]") {
  CallRecord r;
  r.run_id = "run";
  r.model = "thinker";
  r.dataset = "d";
  r.row_id = "1";
  r.ttft_ms = 12.5;
  r.ttfa_ms = 480.25;
  r.reasoning = "Let me \"think\".";
  r.reasoning_tokens = 120;
  r.tool_calls =
      R"([{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":[1,2.5,true,null]}"}}])";
  r.usage = Usage{10, 130, 140};
  CallRecord back;
  REQUIRE(RecordFromJson(RecordToJson(r), &back));
  CHECK(back.ttfa_ms == 480.25);
  CHECK(back.reasoning == r.reasoning);
  CHECK(back.reasoning_tokens == 120);
  CHECK(back.tool_calls == r.tool_calls);  // kept as the JSON it is
  CHECK_FALSE(back.response);
  CHECK_FALSE(back.skipped);
  CallRecord skipped = r;
  skipped.skipped = true;
  skipped.error_kind = ErrorKind::kBadRequest;
  skipped.error = "5 calls in a row failed with HTTP 422";
  const std::string line = RecordToJson(skipped);
  CHECK_THAT(line, Catch::Contains("\"status\":\"skipped\""));
  REQUIRE(RecordFromJson(line, &back));
  CHECK(back.skipped);
  CHECK_FALSE(back.ok());
  CHECK(back.error_kind == ErrorKind::kBadRequest);
}

TEST_CASE("the results writer holds lines until Flush, then writes them all, Close writes the rest",
          "[results]") {
  TempDir dir;
  const std::string path = dir.path() + "/results.jsonl";
  {
    ResultsWriter w;
    REQUIRE(w.Open(path).ok());
    CallRecord r;
    r.run_id = "r";
    r.model = "m";
    r.dataset = "d";
    r.http_status = 200;
    for (int i = 0; i < 3; ++i) {
      r.row_id = std::to_string(i);
      w.Append(r);
    }
    w.AppendLine(R"({"kind":"verdict"})");
    CHECK(ReadWholeFile(path).value().empty());  // nothing written before the loop waits
    CHECK(w.pending_bytes() > 0);
    REQUIRE(w.Flush().ok());
    CHECK(w.pending_bytes() == 0);
    const std::string once = ReadWholeFile(path).value();
    CHECK(std::count(once.begin(), once.end(), '\n') == 4);
    CHECK_THAT(once, Catch::StartsWith(RecordToJson([&] {
                                         CallRecord first = r;
                                         first.row_id = "0";
                                         return first;
                                       }()) +
                                       "\n"));
    CHECK_THAT(once, Catch::EndsWith("{\"kind\":\"verdict\"}\n"));
    r.row_id = "9";
    w.Append(r);  // dropped without a Flush: the destructor still writes it
  }
  const std::string all = ReadWholeFile(path).value();
  CHECK(std::count(all.begin(), all.end(), '\n') == 5);
  CallRecord back;
  CHECK(RecordFromJson(all.substr(all.rfind('\n', all.size() - 2) + 1), &back));
  CHECK(back.row_id == "9");
}

TEST_CASE("started_at is RFC 3339 UTC to the millisecond and reads back", "[results]") {
  const SystemTime t = std::chrono::system_clock::from_time_t(1764669845) +
                       std::chrono::milliseconds(7);  // 2025-12-02T10:04:05.007Z
  CHECK(Rfc3339Ms(t) == "2025-12-02T10:04:05.007Z");
  CHECK(Rfc3339Ms(std::chrono::system_clock::from_time_t(0)) == "1970-01-01T00:00:00.000Z");
  SystemTime back;
  REQUIRE(ParseRfc3339Ms(Rfc3339Ms(t), &back));
  CHECK(back == t);
  // The date and time of the last second are kept: a later millisecond, the next second, the
  // one before and a day later each come out whole.
  using std::chrono::milliseconds;
  CHECK(Rfc3339Ms(t) == "2025-12-02T10:04:05.007Z");
  CHECK(Rfc3339Ms(t + milliseconds(992)) == "2025-12-02T10:04:05.999Z");
  CHECK(Rfc3339Ms(t + milliseconds(993)) == "2025-12-02T10:04:06.000Z");
  CHECK(Rfc3339Ms(t - milliseconds(8)) == "2025-12-02T10:04:04.999Z");
  CHECK(Rfc3339Ms(t + milliseconds(86400000)) == "2025-12-03T10:04:05.007Z");
  CHECK(Rfc3339Ms(t + milliseconds(86400001)) == "2025-12-03T10:04:05.008Z");
}

TEST_CASE("a record line nested absurdly deep is refused, not a stack overflow", "[results]") {
  CallRecord r;
  const std::string line =
      R"({"run_id":"r","model":"m","dataset":"d","row_id":"1","repeat":0,"status":"ok","x":)" +
      std::string(500000, '{') + "}";
  CHECK_FALSE(RecordFromJson(line, &r));
  const std::string ok =
      R"({"run_id":"r","model":"m","dataset":"d","row_id":"1","repeat":0,"status":"ok","x":)" +
      std::string(100, '[') + std::string(100, ']') + "}";
  CHECK(RecordFromJson(ok, &r));
}

TEST_CASE("the record line's writer writes what RapidJSON's Writer writes, byte for byte",
          "[results]") {
  // Every escape, control characters, NUL, UTF-8 left as it is, and doubles under the decimal cap.
  const std::string texts[] = {
      "", "plain", "q\"b\\s/", std::string("nul\0in", 6), "\b\f\n\r\t\x01\x1f\x7f",
      "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x99\x82", "\"\"\\\\end\n",
      // past the appender's own 1 KiB buffer, in runs and in escapes
      std::string(3000, 'a') + "\n" + std::string(700, '"') + "z"};
  const double numbers[] = {
      0.0,   -0.0,       200.627, 1e21, 1e-7, 0.1 + 0.2, 1.0 / 3, 5.3e22, 123456789.123456789,
      -42.5, 0.000001234};
  for (int places : {324, 12, 3}) {
    rapidjson::StringBuffer theirs;
    rapidjson::Writer<rapidjson::StringBuffer> w(theirs);
    std::string ours;
    std::optional<JsonAppender> appender(&ours);  // its lines reach `ours` when it is destroyed
    JsonAppender& a = *appender;
    w.SetMaxDecimalPlaces(places);
    a.SetMaxDecimalPlaces(places);
    w.StartObject();
    a.StartObject();
    for (const std::string& t : texts) {
      const auto n = static_cast<rapidjson::SizeType>(t.size());
      w.Key(t.data(), n);
      a.Key(t.data(), n);
      w.String(t.data(), n);
      a.String(t.data(), n);
    }
    w.Key("numbers");
    a.Key("numbers");
    w.StartArray();
    a.StartArray();
    for (double d : numbers) {
      w.Double(d);
      a.Double(d);
    }
    for (int64_t i : {int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX}) {
      w.Int64(i);
      a.Int64(i);
    }
    w.Uint64(UINT64_MAX);
    a.Uint64(UINT64_MAX);
    w.StartObject();
    a.StartObject();
    w.EndObject();
    a.EndObject();
    w.StartArray();
    a.StartArray();
    w.Null();
    a.Null();
    w.Bool(true);
    a.Bool(true);
    w.Bool(false);
    a.Bool(false);
    w.EndArray();
    a.EndArray();
    w.EndArray();
    a.EndArray();
    w.Key("raw");
    a.Key("raw");
    w.RawValue("1", 1, rapidjson::kNumberType);
    a.RawValue("1", 1, rapidjson::kNumberType);
    w.Key("lit\"eral\n");  // a literal key that needs escapes
    a.Key("lit\"eral\n");
    w.RawValue("[1,{}]", 6, rapidjson::kArrayType);
    a.RawValue("[1,{}]", 6, rapidjson::kArrayType);
    w.EndObject();
    a.EndObject();
    appender.reset();
    CHECK(ours == std::string(theirs.GetString(), theirs.GetSize()));
  }
  // Where the Writer would leave a key without a value, this writes null.
  std::string line;
  {
    JsonAppender a(&line);
    a.StartObject();
    a.Key("latency_ms");
    a.Double(std::nan(""));
    a.Key("x");
    a.Double(HUGE_VAL);
    a.EndObject();
  }
  CHECK(line == R"({"latency_ms":null,"x":null})");
}

TEST_CASE("the record reader's JSON reader gives RapidJSON Reader's events, and refuses the same",
          "[results]") {
  const std::string texts[] = {
      R"({"a":1,"b":[true,false,null,-0,1.5e+3,2E-2,0.25],"c":{"d":"e"},"":""})",
      " \t\r\n{ \"a\" : [ ] , \"b\" : { } } \n",
      R"(["esc \" \\ \/ \b \f \n \r \t", "\u00e9\u65e5\ud83d\ude42", "\u0000x", "\udc00"])",
      R"("a string of more than sixteen characters, to the end of the text")",
      "\"plain then an escape past sixteen bytes: \\n and more past it\"",
      "\"caf\xc3\xa9 \xff\xfe unchecked bytes\"", "123", "-0.5", "[1e5]", "[]", "{}", "null",
      // refused by both
      "", " ", "{", "[1,]", R"({"a":1,})", R"({"a" 1})", R"({a:1})", "[01]", "[1.]", "[.5]", "[1e]",
      "[-]", "[+1]", "tru", "nul", "[1] [2]", R"("\x")", R"("\u12")", R"("\ud800")",
      R"("\ud800\u0041")", "\"tab\tinside\"", "\"unterminated", "'single'", "[NaN]", R"({"a":1}})",
      std::string(200, '[') + std::string(200, ']')};
  for (const std::string& text : texts) {
    testing::JsonEvents ours, theirs;
    std::string scratch;
    const bool ours_ok = JsonSax<testing::JsonEvents>(ours, &scratch).Parse(text);
    const bool theirs_ok = !testing::RapidJsonEvents(text, &theirs).IsError();
    INFO(text);
    CHECK(ours_ok == theirs_ok);
    if (ours_ok && theirs_ok) CHECK(ours.log == theirs.log);
  }
  // A NUL ends the text for RapidJSON in situ; JsonSax refuses what follows the value.
  testing::JsonEvents events;
  std::string scratch;
  CHECK_FALSE(JsonSax<testing::JsonEvents>(events, &scratch).Parse(std::string("{}\0{}", 5)));
}

// A fresh run's reports are built from the records the sink was handed, not from the file: each
// must read back from its line exactly as it was, times included.
TEST_CASE("a record with its times rounded reads back from its line exactly", "[results]") {
  CallRecord r;
  r.run_id = "run";
  r.model = r.model_id = "m";
  r.dataset = "d";
  r.row_id = "1";
  r.started_at = "2026-12-04T10:00:00.000Z";
  r.latency_ms = 1234.5678912;
  r.ttft_ms = 0.0004999;
  r.itl_ms = 3.14159265;
  r.ttfa_ms = 1e7 + 0.0006;
  r.queue_ms = 2.0000004;
  r.usage = Usage{12, 3, 15, 0};
  r.cost_usd = 0.1 + 0.2;
  r.scores["exact"] = 1;
  RoundTimes(&r);
  CHECK(r.latency_ms == 1234.568);
  CHECK(*r.ttft_ms == 0);
  CallRecord again = r;
  RoundTimes(&again);  // rounding twice is rounding once
  CHECK(again.latency_ms == r.latency_ms);
  CHECK(*again.itl_ms == *r.itl_ms);
  CallRecord back;
  REQUIRE(RecordFromJson(RecordToJson(r), &back));
  CHECK(back.latency_ms == r.latency_ms);
  CHECK(back.ttft_ms == r.ttft_ms);
  CHECK(back.itl_ms == r.itl_ms);
  CHECK(back.ttfa_ms == r.ttfa_ms);
  CHECK(back.queue_ms == r.queue_ms);
  CHECK(back.cost_usd == r.cost_usd);
  CHECK(back.scores == r.scores);
}
