#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "money/cost.h"
#include "money/pricing.h"
#include "report/junit_xml.h"
#include "report/report_md.h"
#include "report/results_csv.h"
#include "report/score_tally.h"
#include "report/stats.h"
#include "report/summary.h"
#include "report/summary_json.h"
#include "results/call_record.h"
#include "results/response_cache.h"
#include "support/process.h"

using namespace evalrun;

namespace {

CallRecord Ok(const std::string& model, const std::string& dataset, double latency, long long p,
              long long c, std::optional<double> cost) {
  CallRecord r;
  r.run_id = "run";
  r.model = model;
  r.model_id = model;
  r.dataset = dataset;
  r.row_id = "1";
  r.latency_ms = latency;
  r.usage = Usage{p, c, p + c};
  r.cost_usd = cost;
  return r;
}

}  // namespace

TEST_CASE("Samples gives interpolated percentiles, mean and max", "[report]") {
  Samples s;
  for (int v : {5, 1, 4, 2, 3}) s.Add(v);
  CHECK(s.count() == 5);
  CHECK(s.Mean() == Approx(3));
  CHECK(s.Max() == Approx(5));
  CHECK(s.Percentile(0) == Approx(1));
  CHECK(s.Percentile(50) == Approx(3));
  CHECK(s.Percentile(100) == Approx(5));
  CHECK(s.Percentile(90) == Approx(4.6));
  Samples empty;
  CHECK(empty.Percentile(50) == 0);
}

TEST_CASE("the summary sums tokens and costs and counts errors per model and dataset", "[report]") {
  SummaryBuilder b;
  b.Add(Ok("a", "d", 10, 100, 10, 0.5));
  b.Add(Ok("a", "d", 30, 100, 20, 0.25));
  CallRecord err;
  err.model = "a";
  err.dataset = "d";
  err.error_kind = ErrorKind::kServer;
  b.Add(err);
  b.Add(Ok("b", "d", 20, 7, 3, std::nullopt));  // unknown price
  Summary s = b.Build(RunInfo{"run", "job", "t0", "t1", 2.0, ""});
  REQUIRE(s.groups.size() == 2);
  const GroupSummary& a = s.groups[0];
  CHECK(a.model == "a");
  CHECK(a.calls == 3);
  CHECK(a.ok == 2);
  CHECK(a.errors.at("server") == 1);
  CHECK(a.prompt_tokens == 200);
  CHECK(a.completion_tokens == 30);
  CHECK(a.total_tokens == 230);
  REQUIRE(a.cost_usd);
  CHECK(*a.cost_usd == Approx(0.75));
  REQUIRE(a.latency_ms);
  CHECK(a.latency_ms->p50 == Approx(20));
  CHECK(a.latency_ms->max == Approx(30));
  CHECK(a.calls_per_s == Approx(1.5));
  CHECK(a.output_tokens_per_s == Approx(15));
  CHECK_FALSE(s.groups[1].cost_usd);
  CHECK(s.totals.calls == 4);
  CHECK(s.totals.total_tokens == 240);
  CHECK_FALSE(s.totals.cost_usd);  // one unknown price makes the total unknown, never a low guess
}

TEST_CASE("summary.json has the contract's fields", "[report]") {
  SummaryBuilder b;
  b.Add(Ok("a", "d", 10, 1, 1, 0.1));
  Summary s = b.Build(RunInfo{"run", "job", "t0", "t1", 1.0, ""});
  rapidjson::Document d;
  d.Parse(SummaryToJson(s).c_str());
  REQUIRE_FALSE(d.HasParseError());
  for (const char* k :
       {"run_id", "job", "started_at", "finished_at", "wall_s", "groups", "totals", "gates"}) {
    CHECK(d.HasMember(k));
  }
  const auto& g = d["groups"][0];
  for (const char* k : {"model", "dataset", "calls", "ok", "errors", "latency_ms", "ttft_ms",
                        "prompt_tokens", "completion_tokens", "total_tokens", "cost_usd", "scores",
                        "calls_per_s", "output_tokens_per_s"}) {
    CHECK(g.HasMember(k));
  }
  for (const char* k : {"mean", "p50", "p90", "p95", "p99", "max"})
    CHECK(g["latency_ms"].HasMember(k));
  CHECK(g["ttft_ms"].IsNull());
}

TEST_CASE("report.md has one table row per model and dataset", "[report]") {
  SummaryBuilder b;
  b.Add(Ok("fast|model", "d", 10, 1, 1, 0.1));
  b.Add(Ok("slow", "d", 10, 1, 1, std::nullopt));
  std::string md = SummaryToMarkdown(b.Build(RunInfo{"run", "job", "t0", "t1", 1.0, ""}));
  CHECK_THAT(md, Catch::Contains("| fast\\|model | d | 1 | 1 | 0 |"));
  CHECK_THAT(md, Catch::Contains("| slow | d |"));
  CHECK_THAT(md, Catch::Contains("unknown"));
}

TEST_CASE("a record survives a round trip through its JSON line", "[report]") {
  CallRecord r = Ok("m", "d", 12.3456, 5, 6, 0.0000363);
  r.row_id = "row-1";
  r.repeat = 2;
  r.response = "日本語 🚀";
  r.scores["exact"] = 1;
  r.ttft_ms = 3.5;
  std::string line = RecordToJson(r);
  CHECK(line.find('\n') == std::string::npos);
  // Exact: the shortest text that reads back as the same double, never cut to decimal places.
  // (a cap of 12 decimal places, truncating, wrote 0.000036299999).
  CHECK_THAT(line, Catch::Contains("\"cost_usd\":3.63e-05,"));
  CallRecord back;
  REQUIRE(RecordFromJson(line, &back));
  CHECK(back.row_id == "row-1");
  CHECK(back.repeat == 2);
  CHECK(back.response == r.response);
  CHECK(back.latency_ms == Approx(12.346));
  CHECK(back.usage->completion_tokens == 6);
  CHECK(back.scores.at("exact") == 1);
  CHECK(*back.ttft_ms == Approx(3.5));
  CHECK(back.cost_usd == r.cost_usd);  // the same double, bit for bit
  CHECK_FALSE(
      RecordFromJson(line.substr(0, line.size() / 2), &back));  // a torn line is not a record
}

TEST_CASE("a pricing file gives per-model prices, a job's own price wins", "[report]") {
  evalrun::testing::TempDir dir;
  auto path = dir.Write("p.yaml",
                        "date: 2026-11-24\nsource: test\nmodels:\n  a: {input_per_mtok: 1, "
                        "output_per_mtok: 2}\n  b: {input_per_mtok: x}\n");
  Diagnostics problems;
  PricingTable t = LoadPricingFile(path, &problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].line == 5);
  ModelSpec a{"a", "a", {}, std::nullopt};
  REQUIRE(PriceFor(a, t));
  CHECK(PriceFor(a, t)->output_per_mtok == 2);
  a.pricing = Pricing{9, 9};
  CHECK(PriceFor(a, t)->input_per_mtok == 9);
  ModelSpec c{"c", "c", {}, std::nullopt};
  CHECK_FALSE(PriceFor(c, t));
  CHECK(*CostUsd(Pricing{1, 2}, Usage{1000000, 500000, 1500000}) == Approx(2.0));
}

TEST_CASE("CSV fields and XML text are escaped", "[report]") {
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"\nnow") == "\"say \"\"hi\"\"\nnow\"");
  CHECK(XmlEscape("<a href=\"x\">&'</a>\x01") ==
        "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;?");
}

TEST_CASE("only an explicit temperature of zero makes calls cacheable", "[report]") {
  CHECK(ResponseCache::Cacheable({{"temperature", "0"}}));
  CHECK(ResponseCache::Cacheable({{"max_tokens", "5"}, {"temperature", "0.0"}}));
  CHECK_FALSE(ResponseCache::Cacheable({{"temperature", "0.7"}}));
  CHECK_FALSE(ResponseCache::Cacheable({{"temperature", "null"}}));
  CHECK_FALSE(ResponseCache::Cacheable({{"temperature", "\"0\""}}));
  CHECK_FALSE(ResponseCache::Cacheable({{"max_tokens", "5"}}));
}

TEST_CASE("score intervals: Wilson for 0/1 scores, normal otherwise, inside [0, 1]", "[report]") {
  ScoreTally binary;
  for (int i = 0; i < 10; ++i) binary.Add(i < 8 ? 1 : 0);
  CHECK(binary.Mean() == Approx(0.8));
  auto [lo, hi] = binary.Ci95();
  CHECK(lo == Approx(0.4902).margin(1e-4));  // Wilson, z = 1.96, 8 of 10
  CHECK(hi == Approx(0.9433).margin(1e-4));
  ScoreTally all_right;
  for (int i = 0; i < 5; ++i) all_right.Add(1);
  CHECK(all_right.Ci95().second == 1.0);
  CHECK(all_right.Ci95().first < 1.0);  // 5 of 5 does not prove a perfect model
  ScoreTally partial;
  for (double v : {0.5, 0.7, 0.9, 0.5, 0.7, 0.9}) partial.Add(v);
  auto [plo, phi] = partial.Ci95();
  CHECK(partial.Mean() == Approx(0.7));
  CHECK(plo == Approx(0.7 - 1.96 * std::sqrt(0.032 / 6)).margin(1e-3));
  CHECK(phi == Approx(0.7 + 1.96 * std::sqrt(0.032 / 6)).margin(1e-3));
}

TEST_CASE("models rank by score, then by lower cost, unscored models come last", "[report]") {
  std::vector<ModelSummary> m(4);
  m[0].model = "unscored";
  m[1].model = "good";
  m[1].score = 0.9;
  m[1].cost_usd = 2.0;
  m[2].model = "best";
  m[2].score = 0.95;
  m[3].model = "good-cheap";
  m[3].score = 0.9;
  m[3].cost_usd = 1.0;
  CHECK(RankModels(m) == std::vector<size_t>{2, 3, 1, 0});
}

TEST_CASE("report.md ranks models with their interval, summary.json lists them by rank",
          "[report]") {
  SummaryBuilder b;
  for (int i = 0; i < 20; ++i) {
    CallRecord weak = Ok("weak", "d", 10, 5, 1, 0.001);
    weak.row_id = std::to_string(i);
    weak.scores["exact"] = i < 10 ? 1 : 0;
    b.Add(weak);
    CallRecord strong = Ok("strong", "d", 30, 5, 1, 0.004);
    strong.row_id = std::to_string(i);
    strong.scores["exact"] = i < 19 ? 1 : 0;
    b.Add(strong);
  }
  RunInfo run;
  run.wall_s = 1.0;
  Summary s = b.Build(run);
  const std::string md = SummaryToMarkdown(s);
  const auto ranking = md.find("## Ranking");
  REQUIRE(ranking != std::string::npos);
  CHECK(md.find("| 1 | strong | **0.950** |") > ranking);
  CHECK(md.find("| 2 | weak | **0.500** |") > md.find("| 1 | strong"));
  rapidjson::Document d;
  d.Parse(SummaryToJson(s).c_str());
  REQUIRE(d["models"].Size() == 2);
  CHECK(std::string(d["models"][0]["model"].GetString()) == "strong");
  CHECK(d["models"][0]["rank"].GetInt() == 1);
  CHECK(d["models"][0]["score_ci95"][0].GetDouble() < 0.95);
  CHECK(d["groups"][0]["score_ci95"]["exact"].IsArray());
}
