#include "api/sse.h"

#include <catch2/catch.hpp>

#include "api/chat_response.h"

using namespace evalrun;

namespace {

std::vector<std::string> FeedInPieces(const std::string& text, size_t piece) {
  SseParser p;
  std::vector<std::string> events;
  for (size_t i = 0; i < text.size(); i += piece)
    p.Feed(std::string_view(text).substr(i, piece), &events);
  p.Finish(&events);
  return events;
}

std::string Chunk(const std::string& content) {
  return R"(data: {"choices":[{"index":0,"delta":{"content":")" + content +
         R"("},"finish_reason":null}]})"
         "\n\n";
}

}  // namespace

TEST_CASE("SSE events survive being split at every byte", "[sse]") {
  const std::string stream =
      "data: a\n\n: keep-alive\n\nevent: x\ndata: b1\ndata: b2\nid: 7\n\ndata:c\n\n";
  for (size_t piece : {1, 2, 3, 5, 100}) {
    CHECK(FeedInPieces(stream, piece) == std::vector<std::string>{"a", "b1\nb2", "c"});
  }
}

TEST_CASE("SSE accepts CRLF and CR line ends, even split between reads", "[sse]") {
  CHECK(FeedInPieces("data: a\r\n\r\ndata: b\r\rdata: c\n\n", 1) ==
        std::vector<std::string>{"a", "b", "c"});
  CHECK(FeedInPieces("data: a\r\n\r\n", 100) == std::vector<std::string>{"a"});
}

TEST_CASE("an SSE stream cut off without a blank line still yields its last event", "[sse]") {
  CHECK(FeedInPieces("data: a\n\ndata: last", 4) == std::vector<std::string>{"a", "last"});
  CHECK(FeedInPieces("", 1).empty());
  CHECK(FeedInPieces(": only a comment\n\n", 1).empty());
}

TEST_CASE("a streamed completion joins deltas, reads usage and times the first token", "[sse]") {
  std::string body =
      Chunk("") + Chunk("Hel") + Chunk("lo") +
      R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
      "\n\n"
      R"(data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})"
      "\n\n"
      "data: [DONE]\n\n";
  const size_t first = Chunk("").size();
  const size_t second = first + Chunk("Hel").size();
  std::vector<ChunkTime> chunks = {{first, 5}, {second, 40}, {body.size(), 70}};
  StreamTiming timing;
  ChatResponse r = ParseChatStream(200, body, chunks, &timing);
  CHECK(r.error == ErrorKind::kNone);
  CHECK(r.content == "Hello");
  CHECK(r.finish_reason == "stop");
  REQUIRE(r.usage);
  CHECK(r.usage->total_tokens == 5);
  CHECK(timing.ttft_ms == 40.0);  // the empty role delta is not a token
  CHECK(timing.itl_ms == 30.0);
}

TEST_CASE("a stream without [DONE] or usage is still a completion, garbage is a parse error",
          "[sse]") {
  StreamTiming t;
  ChatResponse r = ParseChatStream(200, Chunk("x"), {}, &t);
  CHECK(r.error == ErrorKind::kNone);
  CHECK(r.content == "x");
  CHECK_FALSE(r.usage);
  CHECK(ParseChatStream(200, "data: {not json\n\n", {}, &t).error == ErrorKind::kParse);
  CHECK(ParseChatStream(200, "", {}, &t).error == ErrorKind::kParse);
  CHECK(ParseChatStream(200,
                        R"(data: {"error":{"message":"overloaded"}})"
                        "\n\n",
                        {}, &t)
            .error == ErrorKind::kServer);
  CHECK(
      ParseChatStream(429, R"({"error":"Concurrency limit reached for requests"})", {}, &t).error ==
      ErrorKind::kRateLimit);
}

namespace {

std::string Event(const std::string& delta) {
  return R"(data: {"choices":[{"index":0,"delta":)" + delta +
         R"(,"finish_reason":null}]})"
         "\n\n";
}

}  // namespace

TEST_CASE(
    "a thinking model's stream: reasoning apart, TTFT at the first thought, TTFA at the "
    "first answer token",
    "[sse]") {
  for (const std::string field : {"reasoning", "reasoning_content"}) {
    INFO(field);
    const std::vector<std::string> events = {
        Event(R"({"role":"assistant","content":""})"),
        Event(R"({")" + field + R"(":"Let me "})"),                // reasoning only
        Event(R"({")" + field + R"(":"think.","content":null})"),  // null content: no token
        Event(R"({"content":"4","reasoning":null})"),
        R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
        "\n\n",
        R"(data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,)"
        R"("total_tokens":21,"completion_tokens_details":{"reasoning_tokens":11}}})"
        "\n\n"};
    std::string body;
    std::vector<ChunkTime> chunks;
    const double at[] = {1, 10, 20, 50, 60, 61};
    for (size_t i = 0; i < events.size(); ++i) {
      body += events[i];
      chunks.push_back({body.size(), at[i]});
    }
    StreamTiming t;
    ChatResponse r = ParseChatStream(200, body, chunks, &t);
    REQUIRE(r.error == ErrorKind::kNone);
    CHECK(r.content == "4");  // what the scorers read
    CHECK(r.reasoning == "Let me think.");
    CHECK(r.reasoning_tokens == 11);
    CHECK(t.ttft_ms == 10.0);
    CHECK(t.ttfa_ms == 50.0);
    CHECK(t.itl_ms == 20.0);  // 10, 20, 50: gaps of 10 and 30
  }
}

TEST_CASE("streamed tool calls are assembled by index, arguments joined across chunks", "[sse]") {
  const std::string body =
      Event(R"({"role":"assistant","content":null})") +
      Event(R"({"tool_calls":[{"index":0,"id":"call_1","type":"function",)"
            R"("function":{"name":"add","arguments":""}}]})") +
      Event(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"a\": "}}]})") +
      Event(R"({"tool_calls":[{"index":1,"id":"call_2","type":"function",)"
            R"("function":{"name":"log","arguments":"{}"}}]})") +
      Event(R"({"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]})") +
      R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"
      "\n\n";
  StreamTiming t;
  ChatResponse r = ParseChatStream(200, body, {{body.size(), 30}}, &t);
  REQUIRE(r.error == ErrorKind::kNone);
  CHECK(r.content.empty());
  CHECK(r.finish_reason == "tool_calls");
  REQUIRE(r.tool_calls);
  CHECK(*r.tool_calls ==
        R"([{"id":"call_1","type":"function","function":{"name":"add","arguments":"{\"a\": 1}"}},)"
        R"({"id":"call_2","type":"function","function":{"name":"log","arguments":"{}"}}])");
  CHECK(FirstToolArguments(*r.tool_calls) == "{\"a\": 1}");
  CHECK(t.ttfa_ms == 30.0);  // a tool call is the answer
  // An index far past any real call is ignored, not allocated.
  const std::string hostile = Event(R"({"tool_calls":[{"index":4000000000,"id":"x"}]})");
  CHECK(ParseChatStream(200, hostile, {}, &t).tool_calls == std::nullopt);
}
