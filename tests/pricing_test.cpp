// Prices: the shipped W&B price list (each entry dated and sourced), a job's own price over it,
// and prompt-cache hits charged at the cached price from the API's usage to the record's cost.
#include "money/pricing.h"

#include <catch2/catch.hpp>

#include "api/chat_response.h"
#include "estimate/estimate.h"
#include "job/job_parser.h"
#include "money/cost.h"
#include "report/estimate_report.h"
#include "results/call_record.h"
#include "support/process.h"

using namespace evalrun;
using evalrun::testing::TempDir;

TEST_CASE("the shipped W&B price list loads, every entry with its date and source", "[pricing]") {
  Diagnostics problems;
  const PricingTable t = LoadPricingFile(
      std::string(EVALRUN_SOURCE_DIR) + "/configs/pricing/wandb-inference.yaml", &problems);
  CHECK(problems.empty());
  CHECK(t.models.size() >= 20);
  for (const auto& [id, p] : t.models) {
    INFO(id);
    CHECK(p.as_of.size() == 10);  // YYYY-MM-DD
    CHECK_FALSE(p.source.empty());
    CHECK(p.input_per_mtok > 0);
    CHECK(p.output_per_mtok > 0);
  }
  const Pricing& kimi = t.models.at("moonshotai/Kimi-K2.6");
  REQUIRE(kimi.cached_input_per_mtok);
  CHECK(*kimi.cached_input_per_mtok == 0.15);
  CHECK_FALSE(t.models.at("meta-llama/Llama-3.1-8B-Instruct").cached_input_per_mtok);
}

TEST_CASE("a pricing file's bad entry is located, and an unknown key named", "[pricing]") {
  TempDir dir;
  dir.Write("p.yaml",
            "date: 2026-01-01\nsource: here\nmodels:\n"
            "  a: {input_per_mtok: 1, output_per_mtok: 2}\n"
            "  b: {input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: cheap}\n"
            "  c: {input_per_mtok: 1, output_per_mtok: 2, cache_price: 0.1}\n");
  Diagnostics problems;
  const PricingTable t = LoadPricingFile(dir.path() + "/p.yaml", &problems);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].line == 5);
  CHECK_THAT(problems[0].message, Catch::Contains("cached_input_per_mtok"));
  CHECK(problems[1].line == 6);
  CHECK_THAT(problems[1].message, Catch::Contains("cache_price"));
  // An entry without its own date and source takes the file's.
  CHECK(t.models.at("a").as_of == "2026-01-01");
  CHECK(t.models.at("a").source == "here");
}

TEST_CASE(
    "cached prompt tokens are charged at the cached price, from the API's usage to the record",
    "[pricing]") {
  const ChatResponse resp = ParseChatResponse(
      200, R"({"choices":[{"message":{"role":"assistant","content":"4"},"finish_reason":"stop"}],)"
           R"("usage":{"prompt_tokens":1000000,"completion_tokens":100000,"total_tokens":1100000,)"
           R"("prompt_tokens_details":{"cached_tokens":600000}}})");
  REQUIRE(resp.usage);
  CHECK(resp.usage->cached_tokens == 600000);
  Pricing price{0.65, 3.41};
  // Without a cached price every prompt token is an input token.
  CHECK(*CostUsd(price, *resp.usage) == Approx(0.65 + 0.341));
  price.cached_input_per_mtok = 0.15;
  CHECK(*CostUsd(price, *resp.usage) == Approx(0.4 * 0.65 + 0.6 * 0.15 + 0.341));
  // The record keeps the cached count, and reads it back.
  CallRecord r;
  r.run_id = "r";
  r.model = "m";
  r.dataset = "d";
  r.row_id = "1";
  r.usage = *resp.usage;
  const std::string line = RecordToJson(r);
  CHECK_THAT(line, Catch::Contains(R"("cached_tokens":600000)"));
  CallRecord back;
  REQUIRE(RecordFromJson(line, &back));
  REQUIRE(back.usage);
  CHECK(back.usage->cached_tokens == 600000);
  // A count above the prompt's is the prompt's; a usage without details has none.
  const ChatResponse odd =
      ParseChatResponse(200, R"({"choices":[{"message":{"role":"assistant","content":"4"}}],)"
                             R"("usage":{"prompt_tokens":10,"completion_tokens":1,)"
                             R"("prompt_tokens_details":{"cached_tokens":99}}})");
  REQUIRE(odd.usage);
  CHECK(odd.usage->cached_tokens == 10);
  CHECK_THAT(RecordToJson(CallRecord{}), !Catch::Contains("cached_tokens"));
}

TEST_CASE("a job's own price wins over the file's, and the estimate says it assumes no cache hits",
          "[pricing]") {
  TempDir dir;
  dir.Write("d.jsonl", "{\"id\": \"1\", \"prompt\": \"hi\"}\n");
  dir.Write("p.yaml",
            "models:\n  m: {input_per_mtok: 1, output_per_mtok: 1, as_of: 2026-01-01, source: "
            "file}\n");
  auto r = ParseJobText(
      "name: t\npricing_file: p.yaml\nmodels:\n  - id: m\n    pricing: {input_per_mtok: 2, "
      "output_per_mtok: 3, cached_input_per_mtok: 0.5, as_of: 2026-12-01, source: our contract}\n"
      "datasets: [d.jsonl]\nprompt: {template: '{{prompt}}'}\nparams: {max_tokens: 8}\n",
      dir.path() + "/job.yaml");
  REQUIRE(r.ok());
  Diagnostics problems;
  const PricingTable table = LoadPricingFile(dir.path() + "/p.yaml", &problems);
  auto est = EstimateJob(r.job, table, std::nullopt, {}, nullptr);
  INFO(est.status().message());
  REQUIRE(est.ok());
  REQUIRE(est->prices.size() == 1);
  REQUIRE(est->prices[0].price);
  CHECK(est->prices[0].price->input_per_mtok == 2);
  const std::string text = EstimateToText(r.job, *est);
  CHECK_THAT(text, Catch::Contains("m: 2 / 3, cached input 0.5, as of 2026-12-01 (our contract)"));
  CHECK_THAT(text, Catch::Contains("no prompt-cache hits assumed"));
  CHECK_THAT(EstimateToJson(*est), Catch::Contains("\"assumes_cache_hits\": false"));
}
