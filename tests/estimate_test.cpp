// The estimate: call counts from the run's own planner, the stated token rules, worst cases, and
// calibration from a history of real usage.
#include "estimate/estimate.h"

#include <catch2/catch.hpp>

#include "api/prompt_tokens.h"
#include "dataset/dataset_scan.h"
#include "engine/call_planner.h"
#include "job/job_parser.h"
#include "report/estimate_report.h"
#include "support/process.h"
#include "tokenizer/script_rule.h"

using namespace evalrun;
using evalrun::testing::TempDir;

namespace {

// Two fields rows with a reference answer and one chat row without, two models, two repeats.
Job TestJob(const TempDir& dir) {
  dir.Write(
      "d.jsonl",
      "{\"id\": \"a\", \"q\": \"What is 1 + 2?\", \"answer\": \"3\"}\n"
      "{\"id\": \"b\", \"q\": \"What is 10 + 20?\", \"answer\": \"30 exactly\"}\n"
      "{\"id\": \"c\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello there\"}]}\n");
  auto r = ParseJobText(
      "name: t\nmodels:\n  - id: m1\n    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}\n"
      "  - m2\ndatasets: [d.jsonl]\nprompt: {system: Be brief., template: '{{q}}'}\n"
      "params: {max_tokens: 10}\nrepeats: 2\nscoring: [{type: exact, field: answer}]\n",
      dir.path() + "/job.yaml");
  REQUIRE(r.ok());
  return r.job;
}

long long Counted(const std::string& system, const std::string& user) {
  // The rule: 3 per call, 4 per message (no family known), each text by script.
  return 3 + 4 + RuleTokens(system) + 4 + RuleTokens(user);
}

}  // namespace

TEST_CASE("the rule counts text by script, and 3 a call and 4 a message without a family",
          "[estimate]") {
  const TextFeatures f = FeaturesOf("Be brief, 東京へ 42 👍🏽\n");
  CHECK(f[kAsciiWords] == 2);
  CHECK(f[kAsciiLetters] == 7);
  CHECK(f[kAsciiSymbols] == 1);
  CHECK(f[kHan] == 2);
  CHECK(f[kKana] == 1);
  CHECK(f[kDigits] == 2);
  CHECK(f[kEmoji] == 2);  // the thumb and its skin tone
  CHECK(f[kNewlines] == 1);
  // One English word is about one token whatever its length; a kanji about three quarters.
  CHECK(RuleTokens("Hello") == 1);
  CHECK(RuleTokens("東京都庁") == 3);
  CHECK(RuleTokens("") == 0);
  CHECK(RuleTokens(".") == 1);  // never 0 for text
  CHECK(CountPromptTokens(std::string_view(
            R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}])")) ==
        3 + 4 + RuleTokens("Be brief.") + 4 + RuleTokens("Hello"));
  CHECK(
      CountPromptTokens(std::string_view(
          R"([{"role":"user","content":[{"type":"text","text":"12345678"},{"type":"image"}]}])")) ==
      3 + 4 + RuleTokens("12345678"));
  CHECK(CountPromptTokens(std::string_view("not json")) == 0);
  // A model id that names a family brings that family's framing, measured with its template.
  CHECK(FormatFromModelId("meta-llama/Llama-3.1-8B-Instruct") == ChatFormat::kLlama3Date);
  CHECK(FormatFromModelId("Qwen/Qwen3-235B-A22B-Instruct-2507") == ChatFormat::kChatMl);
  CHECK(FormatFromModelId("openai/gpt-oss-120b") == ChatFormat::kHarmony);
  CHECK(FormatFromModelId("mock-large") == ChatFormat::kUnknown);
  CHECK(FramingOf(ChatFormat::kLlama3Date).per_call == 30);
}

TEST_CASE("the estimate counts the run's calls, prompt tokens by the rule and output by reference",
          "[estimate]") {
  TempDir dir;
  Job job = TestJob(dir);
  auto est = EstimateJob(job, {}, std::nullopt, {}, nullptr);
  REQUIRE(est.ok());
  REQUIRE(est->groups.size() == 2);
  const EstimateLine& m1 = est->groups[0];
  CHECK(m1.model == "m1");
  CHECK(m1.calls == 6);  // 3 rows x 2 repeats
  const long long prompt = Counted("Be brief.", "What is 1 + 2?") +
                           Counted("Be brief.", "What is 10 + 20?") +
                           Counted("Be brief.", "Hello there");
  CHECK(m1.prompt_tokens == Approx(2.0 * static_cast<double>(prompt)));
  // A reference is counted as a completion: its tokens and the end-of-turn token; the chat row
  // has no reference: half of max_tokens.
  CHECK(m1.completion_tokens ==
        Approx(2.0 *
               static_cast<double>((RuleTokens("3") + 1) + (RuleTokens("30 exactly") + 1) + 5)));
  CHECK(m1.completion_basis == "mixed");
  REQUIRE(m1.worst_completion_tokens);
  CHECK(*m1.worst_completion_tokens == 60);
  CHECK(m1.worst_prompt_tokens > m1.prompt_tokens);  // bytes bound tokens from above
  REQUIRE(m1.expected_usd);
  CHECK(*m1.expected_usd == Approx((m1.prompt_tokens * 1.0 + m1.completion_tokens * 2.0) / 1e6));
  REQUIRE(m1.worst_usd);
  CHECK(*m1.worst_usd == Approx((m1.worst_prompt_tokens + 60 * 2.0) / 1e6));
  // m2 has no price: its credit is unknown, and so is the total's, never 0.
  CHECK_FALSE(est->groups[1].expected_usd);
  CHECK(est->total.calls == 12);
  CHECK_FALSE(est->total.expected_usd);
  CHECK(est->calibration.empty());
}

TEST_CASE("a row limit and a shard shrink the estimate exactly as they shrink the run",
          "[estimate]") {
  TempDir dir;
  Job job = TestJob(dir);
  auto limited = EstimateJob(job, {}, 1, {}, nullptr);
  REQUIRE(limited.ok());
  CHECK(limited->total.calls == 4);  // 1 row x 2 models x 2 repeats
  long long sharded = 0;
  for (int i = 0; i < 3; ++i) {
    Shard shard{i, 3};
    auto part = EstimateJob(job, {}, std::nullopt, shard, nullptr);
    REQUIRE(part.ok());
    sharded += part->total.calls;
  }
  CHECK(sharded == 12);
}

TEST_CASE("history calibrates prompt tokens per model and output length per model and dataset",
          "[estimate]") {
  TempDir dir;
  Job job = TestJob(dir);
  auto plain = EstimateJob(job, {}, std::nullopt, {}, nullptr);
  REQUIRE(plain.ok());
  History history;
  for (const char* id : {"a", "b"}) {  // m1 ran two of the rows; the API counted twice our rule
    CallRecord r;
    r.model = "m1";
    r.dataset = "d";
    r.row_id = id;
    const long long counted =
        Counted("Be brief.", std::string(id) == "a" ? "What is 1 + 2?" : "What is 10 + 20?");
    r.usage = Usage{2 * counted, 7, 2 * counted + 7};
    history.Add(r);
  }
  auto est = EstimateJob(job, {}, std::nullopt, {}, &history);
  REQUIRE(est.ok());
  const EstimateLine& m1 = est->groups[0];
  CHECK(m1.prompt_tokens == Approx(2 * plain->groups[0].prompt_tokens));
  CHECK(m1.completion_tokens == Approx(7.0 * 6));
  CHECK(m1.completion_basis == "history");
  // m2 is not in the history: it borrows m1's prompt ratio and keeps the reference rule.
  CHECK(est->groups[1].prompt_tokens == Approx(2 * plain->groups[1].prompt_tokens));
  CHECK(est->groups[1].completion_basis == "mixed");
  REQUIRE(est->calibration.size() == 2);
  CHECK(est->calibration[0].matched_rows == 2);
  REQUIRE(est->calibration[0].prompt_ratio);
  CHECK(*est->calibration[0].prompt_ratio == Approx(2.0));
  CHECK_FALSE(est->calibration[1].prompt_ratio);
}

TEST_CASE("a job without models estimates each batch row against its own body.model",
          "[estimate]") {
  TempDir dir;
  dir.Write("b.jsonl",
            "{\"custom_id\": \"1\", \"body\": {\"model\": \"x\", \"messages\": "
            "[{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 4}}\n"
            "{\"custom_id\": \"2\", \"body\": {\"model\": \"y\", \"messages\": "
            "[{\"role\": \"user\", \"content\": \"hi\"}]}}\n"
            "{\"custom_id\": \"3\", \"body\": {\"model\": \"x\", \"messages\": "
            "[{\"role\": \"user\", \"content\": \"hi\"}]}}\n");
  auto r = ParseJobText("name: b\ndatasets: [b.jsonl]\n", dir.path() + "/job.yaml");
  REQUIRE(r.ok());
  std::vector<std::string> ids;
  ScanDataset(r.job.datasets[0], r.job.prompt, std::nullopt, 10, {}, &ids);
  AddModelsFromRows(&r.job, ids);
  auto est = EstimateJob(r.job, {}, std::nullopt, {}, nullptr);
  REQUIRE(est.ok());
  REQUIRE(est->groups.size() == 2);
  CHECK(est->groups[0].model == "x");
  CHECK(est->groups[0].calls == 2);
  CHECK(est->groups[1].model == "y");
  CHECK(est->groups[1].calls == 1);
  CHECK(EstimateToJson(*est).find("\"calls\": 3") != std::string::npos);
}

TEST_CASE("a history on other datasets calibrates each script apart, and completions by reference",
          "[estimate]") {
  TempDir dir;
  // Yesterday: 60 English questions and Japanese ones of varied length, the server billing
  // English text at 1.2x the rule, Japanese at 0.8x, 3 tokens a call more than the framing, and
  // answers 3x the reference. (The fit's prior weighs eight records: the history outweighs it.)
  std::string rows;
  const std::string english = "Which of these rivers is the longest one in the region";
  const std::string japanese = "日本で一番高い山はどこにありますか教えてください";
  for (int i = 0; i < 60; ++i) {
    const std::string q =
        i % 2 ? english.substr(0, 10 + i % 40) + "?" : japanese.substr(0, 3 * (4 + i % 16)) + "？";
    rows += "{\"id\": \"" + std::to_string(i) + "\", \"q\": \"" + q + "\", \"answer\": \"" +
            (i % 2 ? "The Nile" : "富士山") + "\"}\n";
  }
  dir.Write("h.jsonl", rows);
  // Today: another dataset, Japanese and English mixed in each row, none of its rows run before.
  dir.Write("n.jsonl",
            "{\"id\": \"x\", \"q\": \"東京 is the capital of which country?\", \"answer\": "
            "\"日本\"}\n"
            "{\"id\": \"y\", \"q\": \"大阪 and 京都: which is larger?\", \"answer\": \"Osaka\"}\n");
  const std::string models =
      "models:\n  - id: m1\n  - id: m2\n  - {id: m3, thinks: true}\nprompt: {template: "
      "'{{q}}'}\nparams: {max_tokens: 100}\n"
      "scoring: [{type: exact, field: answer}]\n";
  auto today = ParseJobText("name: n\ndatasets: [n.jsonl]\n" + models, dir.path() + "/n.yaml");
  auto yesterday = ParseJobText("name: h\ndatasets: [h.jsonl]\n" + models, dir.path() + "/h.yaml");
  REQUIRE(today.ok());
  REQUIRE(yesterday.ok());
  const TokenCounter rule;
  auto billed = [&](const PlannedCall& call) {
    rapidjson::Document d;
    d.Parse(call.body.c_str());
    const PromptParts p = rule.Parts(ChatMessagesOf(d["messages"]));
    return p.framing + 1.2 * p.text[kAlphabeticPart] + 0.8 * p.text[kCjkPart] + 3;
  };
  History history;
  Job h = yesterday.job;
  h.models.erase(h.models.begin() + 1);  // m2 never ran
  CallPlanner planner(h, std::nullopt, nullptr, Shard{});
  PlannedCall call;
  while (planner.Next(&call)) {
    CallRecord r;
    r.model = h.models[call.model_index].label;
    if (r.model == "m3") {  // a thinking model: 40 tokens a call, whatever the reference
      r.dataset = call.dataset;
      r.row_id = call.row_id;
      r.usage = Usage{std::llround(billed(call)), 40, 0};
      history.Add(r);
      continue;
    }
    r.dataset = call.dataset;
    r.row_id = call.row_id;
    const long long completion = 3 * rule.Completion(*call.references[0]);
    r.usage = Usage{std::llround(billed(call)), completion, 0};
    history.Add(r);
  }
  auto est = EstimateJob(today.job, {}, std::nullopt, {}, &history, {yesterday.job});
  REQUIRE(est.ok());
  REQUIRE(est->calibration.size() == 3);
  const ModelCalibration& c = est->calibration[0];
  CHECK(c.in_history);
  CHECK(c.matched_rows == 0);
  CHECK(c.fitted_records == 60);
  REQUIRE(c.prompt_fit);
  CHECK(c.prompt_fit->slope[kAlphabeticPart] == Approx(1.2).epsilon(0.05));
  CHECK(c.prompt_fit->slope[kCjkPart] == Approx(0.8).epsilon(0.08));
  REQUIRE(c.completion_ratio);
  CHECK(*c.completion_ratio == Approx(3.0));
  CHECK(c.reference_records == 60);
  CHECK_FALSE(est->calibration[1].in_history);
  // Today's prompts as the server would bill them, to within the rounding of the records.
  double expected_prompt = 0, expected_completion = 0;
  CallPlanner today_planner(today.job, std::nullopt, nullptr, Shard{});
  while (today_planner.Next(&call)) {
    if (call.model_index != 0) continue;
    expected_prompt += billed(call);
    expected_completion += 3.0 * static_cast<double>(rule.Completion(*call.references[0]));
  }
  const EstimateLine& m1 = est->groups[0];
  CHECK(m1.prompt_tokens == Approx(expected_prompt).epsilon(0.03));
  CHECK(m1.completion_tokens == Approx(expected_completion));
  CHECK(m1.completion_basis == "reference_x_history");
  // The thinking model's length is its thinking's: its mean, not the references scaled.
  const EstimateLine& m3 = est->groups[2];
  REQUIRE(m3.model == "m3");
  CHECK(m3.completion_tokens == Approx(40.0 * static_cast<double>(m3.calls)));
  CHECK(est->calibration[2].reference_records == 0);
  const std::string text = EstimateToText(today.job, *est);
  CHECK_THAT(text, Catch::Contains("m2 (not in the history"));
  CHECK_THAT(text, Catch::Contains("completions 3.00 x the reference (60 records)"));
}
