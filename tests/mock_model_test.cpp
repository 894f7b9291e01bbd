#include "mock/mock_model.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "tokenizer/script_rule.h"

using namespace evalrun;

namespace {

rapidjson::Document Messages(const std::string& user) {
  rapidjson::Document d;
  d.SetArray();
  rapidjson::Value m(rapidjson::kObjectType);
  m.AddMember("role", "user", d.GetAllocator());
  m.AddMember("content", rapidjson::Value(user.c_str(), d.GetAllocator()), d.GetAllocator());
  d.PushBack(m, d.GetAllocator());
  return d;
}

}  // namespace

TEST_CASE("SolveArithmetic finds the first A op B", "[mock]") {
  std::string a;
  REQUIRE(SolveArithmetic("What is 12 + 7?", &a));
  CHECK(a == "19");
  REQUIRE(SolveArithmetic("compute 6 * -3 please", &a));
  CHECK(a == "-18");
  REQUIRE(SolveArithmetic("10/4", &a));
  CHECK(a == "2.50");
  REQUIRE(SolveArithmetic("99 - 100", &a));
  CHECK(a == "-1");
  CHECK_FALSE(SolveArithmetic("no numbers here", &a));
  CHECK_FALSE(SolveArithmetic("5 / 0", &a));
}

TEST_CASE("replies are deterministic and counted by the token rule", "[mock]") {
  const MockModel& m = *FindMockModel("mock-medium");
  auto msgs = Messages("Tell me about latency.");
  MockReply a = MockComplete(m, msgs, std::nullopt, {}, 1);
  MockReply b = MockComplete(m, msgs, std::nullopt, {}, 2);
  CHECK(a.content == b.content);
  CHECK(a.prompt_tokens == 3 + 4 + RuleTokens("Tell me about latency."));
  CHECK(a.completion_tokens == RuleTokens(a.content) + 1);  // and its end-of-turn token
  MockReply other = MockComplete(*FindMockModel("mock-small"), msgs, std::nullopt, {}, 1);
  CHECK(other.content != a.content);  // depends on the model
  MockReply other_prompt = MockComplete(m, Messages("Something else."), std::nullopt, {}, 1);
  CHECK(other_prompt.content != a.content);  // and on the prompt
}

TEST_CASE("max_tokens cuts the reply and says length", "[mock]") {
  MockReply r =
      MockComplete(*FindMockModel("mock-large"), Messages("Tell me a long story."), 3, {}, 1);
  CHECK(r.completion_tokens == 3);
  CHECK(r.finish_reason == "length");
  CHECK(r.content.size() <= 12);
}

TEST_CASE("the larger mock model is slower and right more often", "[mock]") {
  const MockModel& small = *FindMockModel("mock-small");
  const MockModel& large = *FindMockModel("mock-large");
  int small_right = 0, large_right = 0;
  for (int i = 0; i < 400; ++i) {
    std::string q = "What is " + std::to_string(i * 7 % 97 + 3) + " + " + std::to_string(i) + "?";
    std::string answer;
    REQUIRE(SolveArithmetic(q, &answer));
    small_right += MockComplete(small, Messages(q), std::nullopt, {}, i).content == answer;
    large_right += MockComplete(large, Messages(q), std::nullopt, {}, i).content == answer;
  }
  CHECK(large_right > small_right + 60);
  CHECK(large_right > 360);
  MockLatency lat{100, 1, 0};
  CHECK(MockComplete(large, Messages("x"), std::nullopt, lat, 1).delay_ms >
        MockComplete(small, Messages("x"), std::nullopt, lat, 1).delay_ms);
}
