#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "api/completion_fast_path.h"
#include "common/json_limits.h"
#include "common/text.h"
#include "engine/record_builder.h"
#include "support/same_response.h"

using namespace evalrun;

TEST_CASE("the request body has model, messages and params in order", "[api]") {
  Row row;
  row.messages_json = R"([{"role":"user","content":"hi"}])";
  JsonParams params = {{"temperature", "0"}, {"max_tokens", "64"}, {"stop", R"(["\n"])"}};
  std::string body = BuildChatBody("meta-llama/Llama-3.1-8B-Instruct", params, row);
  CHECK(
      body ==
      R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":64,"stop":["\n"]})");
  rapidjson::Document d;
  d.Parse(body.c_str());
  CHECK_FALSE(d.HasParseError());
}

TEST_CASE(
    "job params win over an openai-batch row's body params, model and messages are never "
    "overridden",
    "[api]") {
  Row row;
  row.messages_json = R"([{"role":"user","content":"hi"}])";
  row.body_params = {{"max_tokens", "5"}, {"top_p", "0.9"}};
  JsonParams params = {{"max_tokens", "64"}, {"model", "\"evil\""}};
  CHECK(BuildChatBody("m", params, row) ==
        R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":64,"top_p":0.9})");
}

TEST_CASE("headers carry the bearer key, the project and the job's extras", "[api]") {
  Endpoint e;
  e.project = "team/proj";
  e.headers = {{"X-Trace", "1"}};
  auto h = BuildHeaders(e, "sekrit");
  CHECK(std::find(h.begin(), h.end(), "Authorization: Bearer sekrit") != h.end());
  CHECK(std::find(h.begin(), h.end(), "OpenAI-Project: team/proj") != h.end());
  CHECK(std::find(h.begin(), h.end(), "X-Trace: 1") != h.end());
  Endpoint bare;
  auto h2 = BuildHeaders(bare, "k");
  CHECK(std::none_of(h2.begin(), h2.end(),
                     [](const std::string& s) { return s.rfind("OpenAI-Project", 0) == 0; }));
}

TEST_CASE("the API key comes from the named variable, empty counts as unset", "[api]") {
  Endpoint e;
  e.api_key_env = "EVALRUN_TEST_KEY_VAR";
  std::string searched;
  setenv("EVALRUN_TEST_KEY_VAR", "", 1);
  CHECK(FindApiKey(e, &searched).empty());
  CHECK(searched == "EVALRUN_TEST_KEY_VAR");
  setenv("EVALRUN_TEST_KEY_VAR", "abc", 1);
  CHECK(FindApiKey(e, &searched) == "abc");
  unsetenv("EVALRUN_TEST_KEY_VAR");
  Endpoint def;
  FindApiKey(def, &searched);
  CHECK(searched == "WANDB_API_KEY or OPENAI_API_KEY");
}

TEST_CASE("a completion's content, finish reason and usage are read", "[api]") {
  auto r = ParseChatResponse(
      200,
      R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Here"},"finish_reason":"stop"}],"usage":{"prompt_tokens":25,"completion_tokens":50,"total_tokens":75}})");
  CHECK(r.error == ErrorKind::kNone);
  CHECK(r.content == "Here");
  CHECK(r.finish_reason == "stop");
  CHECK(r.id == "chatcmpl-1");
  REQUIRE(r.usage);
  CHECK(r.usage->prompt_tokens == 25);
  CHECK(r.usage->completion_tokens == 50);
  CHECK(r.usage->total_tokens == 75);
}

TEST_CASE("a 200 without usage is ok with usage unknown, total is derived when absent", "[api]") {
  auto r = ParseChatResponse(200, R"({"choices":[{"message":{"content":"x"}}]})");
  CHECK(r.error == ErrorKind::kNone);
  CHECK_FALSE(r.usage);
  auto t = ParseChatResponse(
      200,
      R"({"choices":[{"message":{"content":null}}],"usage":{"prompt_tokens":2,"completion_tokens":3}})");
  REQUIRE(t.usage);
  CHECK(t.usage->total_tokens == 5);
  CHECK(t.content.empty());
}

TEST_CASE("a malformed 200 is a parse error", "[api]") {
  CHECK(ParseChatResponse(200, "{not json").error == ErrorKind::kParse);
  CHECK(ParseChatResponse(200, "[]").error == ErrorKind::kParse);
  CHECK(ParseChatResponse(200, R"({"choices":[]})").error == ErrorKind::kParse);
  CHECK(ParseChatResponse(200, R"({"choices":[{"message":{"content":5}}]})").error ==
        ErrorKind::kParse);
  CHECK(ParseChatResponse(200, R"({"error":{"message":"boom"}})").error == ErrorKind::kParse);
  // Parsed in place in a NUL-terminated copy: a NUL inside the body must not end it early.
  const std::string ok = R"({"choices":[{"message":{"content":"x"}}]})";
  CHECK(ParseChatResponse(200, ok + std::string("\0{}", 3)).error == ErrorKind::kParse);
  CHECK(ParseChatResponse(
            200, R"({"choices":[{"message":{"content":"a)" + std::string(1, '\0') + R"(b"}}]})")
            .error == ErrorKind::kParse);
  // A UTF-8 BOM before the JSON is skipped, as Document::Parse skips it; the answer survives.
  CHECK(ParseChatResponse(200, "\xEF\xBB\xBF" + ok).content == "x");
  CHECK(ParseChatResponse(200, ok + " \n").content == "x");
}

TEST_CASE("HTTP errors map to the contract's error kinds", "[api]") {
  CHECK(ParseChatResponse(401, R"({"error":{"message":"Authentication failed"}})").error ==
        ErrorKind::kAuth);
  CHECK(ParseChatResponse(403, "{}").error == ErrorKind::kAuth);
  auto quota = ParseChatResponse(402, R"({"error":{"message":"You exceeded your current quota"}})");
  CHECK(quota.error == ErrorKind::kQuota);
  CHECK(quota.error_message == "You exceeded your current quota");
  CHECK(ParseChatResponse(429, R"({"error":"Concurrency limit reached for requests"})").error ==
        ErrorKind::kRateLimit);
  CHECK(
      ParseChatResponse(
          429,
          R"({"error":{"message":"You exceeded your current quota, please check your plan and billing details"}})")
          .error == ErrorKind::kQuota);
  CHECK(ParseChatResponse(400, R"({"detail":"bad"})").error == ErrorKind::kBadRequest);
  CHECK(ParseChatResponse(404, "").error == ErrorKind::kBadRequest);
  CHECK(ParseChatResponse(500, "oops").error == ErrorKind::kServer);
  CHECK(ParseChatResponse(503, "").error == ErrorKind::kServer);
  CHECK(StopsRun(ErrorKind::kAuth));
  CHECK(StopsRun(ErrorKind::kQuota));
  CHECK_FALSE(StopsRun(ErrorKind::kRateLimit));
}

TEST_CASE("error messages come from every common error body shape", "[api]") {
  CHECK(ApiErrorMessage(R"({"error":{"message":"m1"}})") == "m1");
  CHECK(ApiErrorMessage(R"({"error":"m2"})") == "m2");
  CHECK(ApiErrorMessage(R"({"detail":"m3"})") == "m3");
  CHECK(ApiErrorMessage("  <html>bad gateway</html>\n") == "<html>bad gateway</html>");
}

TEST_CASE("the models list is read from data[].id", "[api]") {
  auto ids = ParseModelList(R"({"object":"list","data":[{"id":"a"},{"id":"b"},{"x":1}]})");
  REQUIRE(ids.ok());
  CHECK(ids.value() == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(ParseModelList("[]").ok());
  CHECK_FALSE(ParseModelList(R"({"data":{}})").ok());
}

TEST_CASE("a record is built from a finished transfer", "[api]") {
  CallContext ctx;
  ctx.model = "small";
  ctx.model_id = "m/small";
  ctx.price = Pricing{1.0, 2.0};
  HttpResult http;
  http.status = 200;
  http.latency_ms = 12.5;
  http.body =
      R"({"id":"c1","choices":[{"message":{"content":"42"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}})";
  CallRecord r = BuildRecord(ctx, http);
  CHECK(r.ok());
  CHECK(r.response == std::optional<std::string>("42"));
  CHECK(r.request_id == "c1");
  REQUIRE(r.cost_usd);
  CHECK(*r.cost_usd == Approx((1000 * 1.0 + 500 * 2.0) / 1e6));
  ctx.save_responses = false;
  CHECK_FALSE(BuildRecord(ctx, http).response);
  ctx.price.reset();
  CHECK_FALSE(BuildRecord(ctx, http).cost_usd);  // unknown price stays unknown
}

TEST_CASE("transport failures become timeout or network records", "[api]") {
  CallContext ctx;
  HttpResult http;
  http.curl_code = 28;  // CURLE_OPERATION_TIMEDOUT
  http.curl_error = "Timeout was reached";
  CHECK(BuildRecord(ctx, http).error_kind == ErrorKind::kTimeout);
  http.curl_code = 7;  // CURLE_COULDNT_CONNECT
  CHECK(BuildRecord(ctx, http).error_kind == ErrorKind::kNetwork);
}

TEST_CASE("an API error echoing the key never carries it into the record", "[api]") {
  CallContext ctx;
  const std::string key = "sk-abcdefghijklmnopqrstuvwxyz123456";
  ctx.api_key = key;
  HttpResult http;
  http.status = 401;
  http.body =
      R"x({"error":{"message":"Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz123456 and sk-abcd********************3456 (partial)"}})x";
  CallRecord r = BuildRecord(ctx, http);
  CHECK(r.error.find("abcdefgh") == std::string::npos);
  CHECK_THAT(r.error, Catch::Contains("[redacted]"));
  CHECK(Redact("plain text", key) == "plain text");
}

TEST_CASE("a body's reasoning (either field name), tool calls and reasoning tokens", "[api]") {
  auto r = ParseChatResponse(
      200, R"({"choices":[{"message":{"role":"assistant","content":"42","reasoning":"6 x 7."},)"
           R"("finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":9,)"
           R"("total_tokens":14,"completion_tokens_details":{"reasoning_tokens":7}}})");
  REQUIRE(r.error == ErrorKind::kNone);
  CHECK(r.content == "42");
  CHECK(r.reasoning == "6 x 7.");
  CHECK(r.reasoning_tokens == 7);
  auto old = ParseChatResponse(
      200,
      R"({"choices":[{"message":{"content":"42","reasoning":null,"reasoning_content":"hm"}}]})");
  CHECK(old.reasoning == "hm");
  CHECK_FALSE(old.reasoning_tokens);
  auto plain =
      ParseChatResponse(200, R"({"choices":[{"message":{"content":"x","reasoning":null}}]})");
  CHECK_FALSE(plain.reasoning);  // null for models that do not reason
  // A tool call and no content is an answer, kept as the API sent it.
  auto call = ParseChatResponse(
      200, R"({"choices":[{"message":{"content":null,"tool_calls":[{"id":"c","type":"function",)"
           R"("function":{"name":"f","arguments":"{\"x\":1}"}}]},"finish_reason":"tool_calls"}]})");
  REQUIRE(call.error == ErrorKind::kNone);
  CHECK(call.content.empty());
  REQUIRE(call.tool_calls);
  CHECK(FirstToolArguments(*call.tool_calls) == "{\"x\":1}");
  CHECK(
      ParseChatResponse(200, R"({"choices":[{"message":{"content":"x","tool_calls":7}}]})").error ==
      ErrorKind::kParse);
  CHECK_FALSE(FirstToolArguments("[]"));
  CHECK(FirstToolArguments(R"([{"function":{"arguments":{"x":1}}}])") == R"({"x":1})");
}

TEST_CASE("a retired model's family: the offered ids that share its prefix", "[api]") {
  const std::vector<std::string> offered = {"moonshotai/Kimi-K2.5", "moonshotai/Kimi-K2.6",
                                            "zai-org/GLM-5.1", "deepseek-ai/DeepSeek-V3.1"};
  CHECK(SharingPrefix("moonshotai/Kimi-K2-Instruct", offered) ==
        std::vector<std::string>{"moonshotai/Kimi-K2.5", "moonshotai/Kimi-K2.6"});
  CHECK(SharingPrefix("zai-org/GLM-4.5", offered) == std::vector<std::string>{"zai-org/GLM-5.1"});
  CHECK(SharingPrefix("meta-llama/Llama-4-Scout", offered).empty());
}

TEST_CASE(
    "outside JSON nested past the bound is refused at that bracket, never by overflowing the stack",
    "[api]") {
  auto nested = [](int depth) {
    return std::string(static_cast<size_t>(depth), '[') +
           std::string(static_cast<size_t>(depth), ']');
  };
  rapidjson::Document d;
  CHECK(ParseBoundedJson(nested(kMaxJsonDepth), &d));
  CHECK_FALSE(ParseBoundedJson(nested(kMaxJsonDepth + 1), &d));
  CHECK_FALSE(ParseBoundedJson(std::string(1000000, '['), &d));  // recursion stops at 129
  CHECK_FALSE(ParseBoundedJson("[1, 2", &d));
  CHECK(
      ParseBoundedJson("\xEF\xBB\xBF{\"a\": [1, {\"b\": null}]}", &d));  // a BOM, as Parse skips it
  CHECK(d["a"][1].HasMember("b"));
  const std::string deep_answer =
      R"({"choices":[{"message":{"content":"x","tool_calls":)" + std::string(500000, '[') + "}]}";
  const ChatResponse r = ParseChatResponse(200, deep_answer);
  CHECK(r.error == ErrorKind::kParse);
}

TEST_CASE("a pooled document's parse stack is the block the last parse gave back", "[api]") {
  for (int i = 0; i < 3; ++i) {
    PooledDocument pooled;
    REQUIRE_FALSE(pooled.Parse(R"({"id": 7, "q": ["a", {"b": null}]})").IsError());
    CHECK(pooled.doc()["q"][1].HasMember("b"));
  }
  // RapidJSON frees its stack as each parse ends; the allocator keeps that block for the next.
  ReusedStackAllocator a;
  void* const kept = a.Malloc(4096);
  ReusedStackAllocator::Free(kept);
  void* again = a.Malloc(1024);
  CHECK(again == kept);
  void* grown = a.Realloc(again, 1024, 4000);  // within the block's capacity: the same block
  CHECK(grown == kept);
  void* other = a.Malloc(64);  // the kept block is taken: a new one
  CHECK(other != kept);
  ReusedStackAllocator::Free(other);  // none was kept: this one is
  ReusedStackAllocator::Free(grown);  // larger: kept instead, the smaller freed
  CHECK(a.Malloc(4096) == kept);
  void* big = a.Malloc(1u << 20);  // past 64 KiB: given back to malloc, not kept
  ReusedStackAllocator::Free(big);
  void* small = a.Malloc(16);
  CHECK(small != big);
  ReusedStackAllocator::Free(small);
  ReusedStackAllocator::Free(kept);
}

TEST_CASE("the usual completion's SAX reader reads what the DOM reader reads, and no more",
          "[api]") {
  // Read by the SAX pass: every field of the usual shape, in any order, with escapes, duplicates
  // (the first counts, as FindMember has it), fields of other choices and unknown keys.
  const std::string usual[] = {
      R"({"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"36","reasoning":null},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":14,"completion_tokens":3,"total_tokens":17}})",
      R"({"usage":{"completion_tokens":3,"prompt_tokens":14,"prompt_tokens_details":)"
      R"({"cached_tokens":20},"completion_tokens_details":{"reasoning_tokens":2}},)"
      R"("choices":[{"finish_reason":"length","message":{"reasoning_content":"hm \u00e9",)"
      R"("content":"a\nb \"q\""}},{"message":{"content":"second"}}],"id":7})",
      R"({"choices":[{"message":{"content":null,"reasoning":"r","reasoning_content":"rc",)"
      R"("tool_calls":null}}],"choices":[],"usage":{"prompt_tokens":"x","completion_tokens":1}})",
      R"({"choices":[{"message":{"content":"x","content":5}}],"usage":[1],"id":{"a":[1,2]}})",
      R"({"choices":[{"message":{}}],"usage":{"prompt_tokens":-2,"completion_tokens":0,)"
      R"("prompt_tokens_details":"none","completion_tokens_details":7}})",
      "\xEF\xBB\xBF {\"choices\":[{\"message\":{\"content\":\"bom\"}}]} \n",
  };
  for (const std::string& body : usual) {
    INFO(body);
    const std::optional<ChatResponse> fast = ReadUsualCompletion(body);
    REQUIRE(fast);
    CHECK(testing::SameResponse(*fast, ReadCompletionDom(body)));
    CHECK(testing::SameResponse(ParseChatResponse(200, body), ReadCompletionDom(body)));
  }
  // Left to the DOM reader, which gives its answer or its error.
  const std::string unusual[] = {
      R"({"choices":[{"message":{"content":"x","tool_calls":[{"id":"t","function":{}}]}}]})",
      R"({"choices":[{"message":{"content":"x","tool_calls":[]}}]})",
      R"({"error":{"message":"boom"},"choices":[{"message":{"content":"x"}}]})",
      R"({"choices":[]})",
      R"({"choices":{}})",
      R"({"choices":[5]})",
      R"({"choices":[{}]})",
      R"({"choices":[{"message":"x"}]})",
      R"({"choices":[{"message":{"content":["x"]}}]})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":1.5e1,)"
      R"("completion_tokens":2}})",
      R"({"choices":[{"message":{"content":"x"}}],"created":0e999})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":)"
      R"(123456789012345678901234,"completion_tokens":2}})",
      R"([{"choices":[]}])",
      "5",
      "",
      "{",
      R"({"choices":[{"message":{"content":"x"}}]} x)",
      std::string(R"({"choices":[{"message":{"content":"x"}}]})") + std::string("\0", 1),
      std::string(300, '[') + std::string(300, ']')};
  for (const std::string& body : unusual) {
    INFO(body);
    CHECK_FALSE(ReadUsualCompletion(body));
    CHECK(testing::SameResponse(ParseChatResponse(200, body), ReadCompletionDom(body)));
  }
}
