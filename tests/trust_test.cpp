// Trust (issue 11), unit level: figures that are unknown stay unknown, costs are exact, every
// failure is one line a person can act on, and input the YAML library lets through is caught.
#include <curl/curl.h>
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "api/chat_response.h"
#include "api/http_status.h"
#include "cli/progress_printer.h"
#include "common/regex.h"
#include "common/text.h"
#include "engine/record_builder.h"
#include "engine/transport_error.h"
#include "estimate/estimate.h"
#include "job/job_parser.h"
#include "report/estimate_report.h"
#include "report/format.h"
#include "report/summary.h"
#include "report/summary_json.h"
#include "results/call_record.h"
#include "scoring/scorer.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using evalrun::testing::ReadStream;
using evalrun::testing::TempDir;

namespace {

// nginx's own error page, byte for byte as nginx 1.22 sends it for a 502.
const char* kNginx502 =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
    "</body>\r\n</html>\r\n";

CallRecord Priced(const std::string& model, std::optional<Usage> usage, std::optional<double> cost,
                  long status = 200) {
  CallRecord r;
  r.model = model;
  r.model_id = model;
  r.dataset = "d";
  r.row_id = "1";
  r.http_status = status;
  r.usage = usage;
  r.cost_usd = cost;
  return r;
}

std::string Problems(const JobParseResult& r) {
  std::string out;
  for (const auto& p : r.problems) out += p.ToString() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a proxy's HTML error page becomes one line: status, reason phrase and title",
          "[trust]") {
  CallContext ctx;
  HttpResult http;
  http.status = 502;
  http.body = kNginx502;
  const CallRecord r = BuildRecord(ctx, http);
  CHECK(r.error_kind == ErrorKind::kServer);
  CHECK(r.error == "HTTP 502 Bad Gateway");  // the title only repeats the status
  http.status = 429;
  http.body = "<html><head><title>Slow down: too many requests from 10.0.0.1</title></head></html>";
  CHECK(BuildRecord(ctx, http).error ==
        "HTTP 429 Too Many Requests: Slow down: too many requests from 10.0.0.1");
  http.status = 504;
  http.body = "\n\n   upstream request timeout\nsecond line\n";
  CHECK(BuildRecord(ctx, http).error == "HTTP 504 Gateway Timeout: upstream request timeout");
  http.status = 500;
  http.body = "";
  CHECK(BuildRecord(ctx, http).error == "HTTP 500 Internal Server Error");
}

TEST_CASE("a record's error is one line of at most 200 bytes, cut on a character boundary",
          "[trust]") {
  CallContext ctx;
  HttpResult http;
  http.status = 400;
  std::string long_message;
  for (int i = 0; i < 100; ++i) long_message += "日本語\n";
  http.body = R"({"error": {"message": ")" + std::string("x\\n") + "日本語日本語日本語" +
              std::string(300, 'y') + "\"}}";
  const CallRecord r = BuildRecord(ctx, http);
  CHECK(r.error.size() <= 200);
  CHECK(r.error.find('\n') == std::string::npos);
  CHECK_THAT(r.error, Catch::StartsWith("HTTP 400 Bad Request: x 日本語"));
  CHECK_THAT(r.error, Catch::EndsWith("..."));
  const std::string whole = OneLine(long_message, 100000);
  const std::string cut = OneLine(long_message, 200);
  CHECK(cut.size() <= 200);
  REQUIRE_THAT(cut, Catch::EndsWith("..."));
  // Whole characters only: the kept part is a prefix of the whole line that ends where a
  // character ends (the next byte is not a UTF-8 continuation byte).
  const std::string kept = cut.substr(0, cut.size() - 3);
  CHECK(whole.compare(0, kept.size(), kept) == 0);
  CHECK((static_cast<unsigned char>(whole[kept.size()]) & 0xC0) != 0x80);
  CHECK(OneLine("a\r\n\tb\x01  c ", 200) == "a b c");
}

TEST_CASE("JSON error bodies of other shapes keep their message", "[trust]") {
  CHECK(ApiErrorMessage(R"({"error": "SyntaxError", "message": "Unexpected token } in JSON"})") ==
        "SyntaxError: Unexpected token } in JSON");
  // FastAPI's 422, as W&B sends it for a parameter a model rejects.
  CHECK(
      ApiErrorMessage(
          R"({"detail":[{"type":"value_error","loc":["body","frequency_penalty"],"msg":"not supported by this model"}]})") ==
      "body.frequency_penalty: not supported by this model");
  CHECK(ApiErrorMessage(R"({"detail": {"msg": "bad"}})") == "bad");
  CHECK(ApiErrorMessage(R"({"error": {"code": 500}, "message": "boom"})") == "boom");
  CHECK(HttpErrorLine(422, ApiErrorMessage(R"({"detail":"Invalid model"})")) ==
        "HTTP 422 Unprocessable Content: Invalid model");
  CHECK(HttpReasonPhrase(500) == "Internal Server Error");
  CHECK(HttpReasonPhrase(599).empty());
  CHECK(HttpErrorLine(599, "") == "HTTP 599");
}

TEST_CASE("an error event inside a stream is classified by its code", "[trust]") {
  StreamTiming timing;
  auto parse = [&](const std::string& error) {
    const std::string body =
        "data: {\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
        "data: {\"error\":" +
        error + "}\n\n";
    return ParseChatStream(200, body, {}, &timing);
  };
  auto limited =
      parse(R"({"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"})");
  CHECK(limited.error == ErrorKind::kRateLimit);
  CHECK_THAT(limited.error_message, Catch::Contains("Rate limit reached"));
  CHECK(parse(R"({"message":"no credits","code":"insufficient_quota"})").error ==
        ErrorKind::kQuota);
  CHECK(parse(R"({"message":"bad key","code":"invalid_api_key"})").error == ErrorKind::kAuth);
  CHECK(parse(R"({"message":"too long","code":"context_length_exceeded"})").error ==
        ErrorKind::kBadRequest);
  CHECK(parse(R"({"message":"slow down","code":429})").error == ErrorKind::kRateLimit);
  CHECK(parse(R"({"message":"it broke"})").error == ErrorKind::kServer);
  CHECK(parse(R"("plain text")").error == ErrorKind::kServer);
}

TEST_CASE("transport errors carry libcurl's detail and what to do", "[trust]") {
  const std::string tls = DescribeTransportError(CURLE_PEER_FAILED_VERIFICATION,
                                                 "SSL certificate problem: self-signed certificate",
                                                 "https://127.0.0.1:8443/v1/models");
  CHECK_THAT(tls, Catch::Contains("127.0.0.1:8443") && Catch::Contains("did not verify") &&
                      Catch::Contains("self-signed certificate") &&
                      Catch::Contains("endpoint.ca_bundle"));
  CHECK(
      DescribeTransportError(CURLE_COULDNT_CONNECT,
                             "Failed to connect to 127.0.0.1 port 9 after 0 ms: Connection refused",
                             "http://127.0.0.1:9/v1/chat/completions") ==
      "cannot connect to 127.0.0.1:9: Failed to connect to 127.0.0.1 port 9 after 0 ms: "
      "Connection refused");
  CHECK_THAT(DescribeTransportError(CURLE_COULDNT_CONNECT, "", "https://example.invalid/v1"),
             Catch::Contains("example.invalid:443"));
  CHECK_THAT(
      DescribeTransportError(CURLE_HTTP2_STREAM,
                             "HTTP/2 stream 1 was not closed cleanly: PROTOCOL_ERROR (err 1)",
                             "https://h:1/v1"),
      Catch::Contains("PROTOCOL_ERROR"));
}

TEST_CASE("a 200 without usage has unknown tokens and cost, never 0", "[trust]") {
  const CallRecord without = Priced("m", std::nullopt, std::nullopt);
  const CallRecord with = Priced("m", Usage{1000, 500, 1500}, 0.00776776);
  const CallRecord failed = Priced("m", std::nullopt, std::nullopt, 500);
  CallRecord cached = without;
  cached.cached = true;
  CHECK(UsageMissing(without));
  CHECK_FALSE(UsageMissing(failed));
  CHECK_FALSE(UsageMissing(cached));
  CHECK_FALSE(KnownCostUsd(without));
  CHECK(KnownCostUsd(failed) == 0.0);  // a 500 without usage was not billed
  CHECK(KnownCostUsd(cached) == 0.0);
  CHECK(KnownCostUsd(with) == 0.00776776);
  CHECK_FALSE(KnownCostUsd(Priced("m", Usage{1, 1, 2}, std::nullopt)));  // no price

  SummaryBuilder b;
  b.Add(with);
  b.Add(without);
  b.Add(failed);
  const Summary s = b.Build(RunInfo{"run", "job", "t0", "t1", 1.0, ""});
  REQUIRE(s.groups.size() == 1);
  CHECK_FALSE(s.groups[0].cost_usd);
  CHECK(s.groups[0].cost_usd_known == 0.00776776);
  CHECK(s.groups[0].calls_without_usage == 1);
  CHECK_FALSE(s.models[0].cost_usd);
  CHECK(s.models[0].calls_without_usage == 1);
  CHECK_FALSE(s.totals.cost_usd);
  CHECK(s.totals.cost_usd_known == 0.00776776);
  CHECK(s.totals.calls_without_usage == 1);
  CHECK(FormatCost(s.totals.cost_usd, s.totals.cost_usd_known, s.totals.calls_without_usage) ==
        "unknown ($0.007768 known; 1 call without usage)");

  rapidjson::Document d;
  d.Parse(SummaryToJson(s).c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(d["totals"]["cost_usd"].IsNull());
  CHECK(d["totals"]["cost_usd_known"].GetDouble() == 0.00776776);
  CHECK(d["totals"]["calls_without_usage"].GetInt() == 1);
  CHECK(d["groups"][0]["cost_usd"].IsNull());
  CHECK(d["models"][0]["calls_without_usage"].GetInt() == 1);
}

TEST_CASE("costs are written exactly, and totals are the exact sum of the records", "[trust]") {
  SummaryBuilder b;
  double sum = 0;
  for (int i = 0; i < 1000; ++i) {
    // Tiny products, as a real price table makes them: 0.00776776, 3.63e-05, ...
    const double cost =
        (static_cast<double>(i % 7) * 0.71 + 36.3) / 1e6 + (i == 0 ? 0.00776776 : 0);
    CallRecord r = Priced(i % 2 ? "a" : "b", Usage{i, i, 2 * i}, cost);
    CallRecord back;
    REQUIRE(RecordFromJson(RecordToJson(r), &back));
    CHECK(back.cost_usd == r.cost_usd);  // bit for bit through results.jsonl
    sum += *back.cost_usd;
    b.Add(back);
  }
  const Summary s = b.Build(RunInfo{"run", "job", "t0", "t1", 1.0, ""});
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(SummaryToJson(s).c_str());
  REQUIRE_FALSE(d.HasParseError());
  const double total = d["totals"]["cost_usd"].GetDouble();
  CHECK(std::fabs(total - sum) <= 1e-12 * sum);
  double groups = 0;
  for (const auto& g : d["groups"].GetArray()) groups += g["cost_usd"].GetDouble();
  CHECK(std::fabs(groups - sum) <= 1e-12 * sum);
  // The truncating writer wrote 0.00776776 as 0.007767; the exact one writes it whole.
  SummaryBuilder one;
  one.Add(Priced("m", Usage{1, 1, 2}, 0.00776776));
  CHECK_THAT(SummaryToJson(one.Build(RunInfo{})), Catch::Contains("\"cost_usd\": 0.00776776,"));
}

TEST_CASE("the progress line never shows $0 for a cost nobody knows", "[trust]") {
  auto line = [](const std::vector<std::pair<std::optional<double>, bool>>& calls) {
    std::FILE* f = std::tmpfile();
    ProgressPrinter p(ProgressMode::kLines, 10, f,
                      [] { return std::chrono::steady_clock::time_point{}; });
    for (const auto& [cost, missing] : calls) p.OnCall(true, 1, cost, missing);
    p.Finish();
    std::string out = ReadStream(f);
    std::fclose(f);
    return out;
  };
  CHECK_THAT(line({{std::nullopt, false}, {std::nullopt, false}}),
             Catch::Contains(", price unknown,"));
  CHECK_THAT(line({{0.5, false}, {std::nullopt, true}}),
             Catch::Contains("$0.5000 known, 1 without usage,"));
  CHECK_THAT(line({{std::nullopt, true}}), Catch::Contains("$0.0000 known, 1 without usage,"));
  CHECK_THAT(line({{0.25, false}, {0.25, false}}), Catch::Contains(", $0.5000, ETA"));
}

TEST_CASE("a key given twice in one mapping is an error at the second one", "[trust]") {
  TempDir dir;
  dir.Write("d.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n");
  auto r =
      ParseJobText("name: t\nconcurrency: 8\nmodels: m1\ndatasets: [d.jsonl]\nconcurrency: 32\n",
                   dir.path() + "/job.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(Problems(r), Catch::Contains("job.yaml:5:1: key 'concurrency' is given twice") &&
                              Catch::Contains("first at line 2"));
  auto nested = ParseJobText(
      "name: t\nmodels:\n  - id: m1\n    label: a\n    label: b\ndatasets: [d.jsonl]\n",
      dir.path() + "/job.yaml");
  REQUIRE_FALSE(nested.ok());
  CHECK_THAT(Problems(nested), Catch::Contains("job.yaml:5:5: key 'label' is given twice"));
}

TEST_CASE("a scorer's regex is compiled once when the job is loaded", "[trust]") {
  TempDir dir;
  dir.Write("d.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n");
  auto bad = ParseJobText(
      "name: t\nmodels: m1\ndatasets: [d.jsonl]\nscoring:\n  - {type: regex, pattern: "
      "\"(unclosed\"}\n",
      dir.path() + "/job.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(Problems(bad), Catch::Contains("job.yaml:5:") &&
                                Catch::Contains("scoring[0].pattern is not a valid regex"));
  auto good = ParseJobText(
      "name: t\nmodels: m1\ndatasets: [d.jsonl]\nscoring:\n"
      "  - {type: regex, pattern: \"^yes\\\\b\", ignore_case: true}\n",
      dir.path() + "/job.yaml");
  INFO(Problems(good));
  REQUIRE(good.ok());
  REQUIRE(good.job.scoring[0].compiled);
  CHECK(Score(good.job.scoring[0], "YES indeed", std::nullopt) == 1.0);
}

TEST_CASE("a regex scorer never crashes or throws on a long or hostile answer", "[trust]") {
  ScorerSpec s;
  s.type = ScorerType::kRegex;
  s.name = "regex";
  s.pattern = "(a|b)*c";
  // std::regex matched by recursion: this answer overflowed the stack and killed the process.
  const std::string long_answer(200000, 'a');
  CHECK(Score(s, long_answer, std::nullopt) == 0.0);
  CHECK(Score(s, long_answer + "c", std::nullopt) == 1.0);
  // Catastrophic backtracking hits the match limit: no score, not a wrong one.
  s.pattern = "^(a+)+$";
  CHECK_FALSE(Score(s, std::string(40, 'a') + "b", std::nullopt));
  CHECK(Score(s, std::string(40, 'a'), std::nullopt) == 1.0);
  // A row's own pattern that does not compile is no score either.
  ScorerSpec row;
  row.type = ScorerType::kRegex;
  CHECK_FALSE(Score(row, "x", std::string("(")));
  // Invalid UTF-8 in an answer is matched, not refused.
  s.pattern = "ok";
  CHECK(Score(s, std::string("\xff\xfe ok"), std::nullopt) == 1.0);
  CHECK_FALSE(Regex::Compile("(", false).ok());
  CHECK_THAT(Regex::Compile("a)", false).status().message(), Catch::Contains("at byte 2"));
}

TEST_CASE("the estimate's JSON writes its costs exactly", "[trust]") {
  Estimate e;
  EstimateLine g;
  g.model = "m";
  g.dataset = "d";
  g.calls = 1;
  g.expected_usd = 0.00776776;
  g.worst_usd = 0.0000363;
  e.groups.push_back(g);
  e.total = g;
  const std::string json = EstimateToJson(e);
  // SetMaxDecimalPlaces(6) truncated these to 0.007767 and 0.000036.
  CHECK_THAT(json, Catch::Contains("\"expected_usd\": 0.00776776") &&
                       Catch::Contains("\"worst_usd\": 3.63e-05"));
}

TEST_CASE("record numbers are read exactly, and odd spellings of them safely", "[trust]") {
  CallRecord r = Priced("m", Usage{1, 2, 3}, 1.6000000000000001e-06);
  r.latency_ms = 12.5;
  const std::string line = RecordToJson(r);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string changed = line;
    const size_t at = changed.find(from);
    REQUIRE(at != std::string::npos);
    return changed.replace(at, from.size(), to);
  };
  CallRecord back;
  REQUIRE(RecordFromJson(line, &back));
  CHECK(back.cost_usd == r.cost_usd);
  // Found by fuzzing: RapidJSON 1.1's full-precision path passed zero to clz on this.
  REQUIRE(RecordFromJson(
      with("\"latency_ms\":12.5", "\"latency_ms\":0.0000000000000000000000000000"), &back));
  CHECK(back.latency_ms == 0);
  REQUIRE(RecordFromJson(with("\"latency_ms\":12.5", "\"latency_ms\":1e-400"), &back));
  CHECK(back.latency_ms == 0);  // too small is 0
  CHECK_FALSE(RecordFromJson(with("\"latency_ms\":12.5", "\"latency_ms\":1e400"), &back));
  REQUIRE(RecordFromJson(with("\"attempts\":1", "\"attempts\":-0"), &back));
  CHECK(back.attempts == 0);
  REQUIRE(RecordFromJson(with("\"attempts\":1", "\"attempts\":18446744073709551615"), &back));
}
