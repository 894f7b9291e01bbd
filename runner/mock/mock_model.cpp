#include "mock/mock_model.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "api/prompt_tokens.h"
#include "common/text.h"

namespace evalrun {
namespace {

constexpr std::array<const char*, 32> kWords = {
    "the",    "model", "answer", "because", "data",  "result", "token", "value",
    "first",  "then",  "so",     "which",   "small", "large",  "clear", "step",
    "number", "check", "reason", "simple",  "given", "this",   "that",  "with",
    "each",   "case",  "more",   "less",    "true",  "likely", "here",  "final"};

double Unit(uint64_t h) {
  return static_cast<double>(h >> 11) / 9007199254740992.0;
}

bool ParseInt(std::string_view text, size_t* pos, long long* out) {
  size_t start = *pos;
  size_t i = start;
  if (i < text.size() && text[i] == '-') ++i;
  if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, *out);
  if (ec != std::errc()) return false;
  *pos = i;
  return true;
}

void SkipSpaces(std::string_view text, size_t* pos) {
  while (*pos < text.size() && text[*pos] == ' ') ++*pos;
}

std::string LastUserText(const rapidjson::Value& messages) {
  std::string text;
  if (!messages.IsArray()) return text;
  for (const auto& m : messages.GetArray()) {
    if (!m.IsObject()) continue;
    auto role = m.FindMember("role");
    auto content = m.FindMember("content");
    if (role == m.MemberEnd() || content == m.MemberEnd() || !role->value.IsString() ||
        !content->value.IsString()) {
      continue;
    }
    if (std::string_view(role->value.GetString()) == "user") text = content->value.GetString();
  }
  return text;
}

}  // namespace

const std::vector<MockModel>& MockModels() {
  static const std::vector<MockModel> models = {
      {"mock-small", 0.60, 0.5, 24},
      {"mock-medium", 0.80, 1.0, 40},
      {"mock-large", 0.97, 2.0, 64},
      // Thinks first (W&B's reasoning models do), then answers about as well as mock-large.
      {"mock-thinker", 0.95, 1.0, 24, 48},
      // Grades answers from evalrun's default judge prompt (see MockJudge).
      {"mock-judge", 0.95, 0.5, 16},
  };
  return models;
}

const MockModel* FindMockModel(std::string_view id) {
  for (const auto& m : MockModels()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

bool SolveArithmetic(std::string_view text, std::string* answer) {
  for (size_t start = 0; start < text.size(); ++start) {
    const char c = text[start];
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-') continue;
    if (start > 0 && std::isdigit(static_cast<unsigned char>(text[start - 1]))) continue;
    size_t pos = start;
    long long a = 0, b = 0;
    if (!ParseInt(text, &pos, &a)) continue;
    SkipSpaces(text, &pos);
    if (pos >= text.size()) return false;
    char op = text[pos];
    if (op != '+' && op != '-' && op != '*' && op != 'x' && op != '/') continue;
    ++pos;
    SkipSpaces(text, &pos);
    if (!ParseInt(text, &pos, &b)) continue;
    if (std::llabs(a) > 1000000000 || std::llabs(b) > 1000000000) return false;
    switch (op) {
      case '+':
        *answer = std::to_string(a + b);
        break;
      case '-':
        *answer = std::to_string(a - b);
        break;
      case '*':
      case 'x':
        *answer = std::to_string(a * b);
        break;
      case '/':
        if (b == 0) return false;
        if (a % b == 0)
          *answer = std::to_string(a / b);
        else
          *answer = fmt::format("{:.2f}", static_cast<double>(a) / static_cast<double>(b));
        break;
    }
    return true;
  }
  return false;
}

namespace {

std::string Words(uint64_t seed, int count) {
  std::string out;
  uint64_t w = seed;
  for (int i = 0; i < count; ++i) {
    w = StableHash(std::string_view(reinterpret_cast<const char*>(&w), sizeof w), i);
    if (i) out += ' ';
    out += kWords[w % kWords.size()];
  }
  return out;
}

/// Cuts `text` to about `tokens` tokens, never inside a UTF-8 sequence.
void CutToTokens(std::string* text, long long tokens) {
  text->resize(std::min(text->size(), static_cast<size_t>(std::max(0LL, tokens)) * 4));
  while (!text->empty() && (static_cast<unsigned char>(text->back()) & 0xC0) == 0x80)
    text->pop_back();
  if (!text->empty() && static_cast<unsigned char>(text->back()) >= 0xC0) text->pop_back();
}

std::string JsonString(const std::string& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s);
  return std::string(buf.GetString(), buf.GetSize());
}

/// The text between `start` and `end` (or the end of `text`), trimmed; nullopt without `start`.
std::optional<std::string> Section(const std::string& text, std::string_view start,
                                   std::string_view end) {
  const size_t a = text.find(start);
  if (a == std::string::npos) return std::nullopt;
  const size_t from = a + start.size();
  const size_t b = text.find(end, from);
  return std::string(TrimWhitespace(
      std::string_view(text).substr(from, b == std::string::npos ? std::string::npos : b - from)));
}

double NumberAfter(const std::string& text, std::string_view key, double fallback) {
  const size_t at = text.find(key);
  if (at == std::string::npos) return fallback;
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

}  // namespace

std::string MockJudgeVerdict(const MockModel& model, const std::string& prompt, double garbage) {
  const uint64_t h = StableHash(prompt, StableHash(model.id));
  if (Unit(StableHash("garbage", h)) < garbage) return "I cannot decide on this one.";
  const auto reference = Section(prompt, "Reference answer:\n", "\n\nAnswer to grade:");
  const std::string answer = Section(prompt, "Answer to grade:\n", "\n\nRubric:").value_or("");
  const double lo = NumberAfter(prompt, "a number from ", 0);
  const double hi = NumberAfter(prompt, "does not meet the rubric) to ", 1);
  bool right = reference ? answer == *reference : !answer.empty();
  if (Unit(h) >= model.accuracy) right = !right;  // a judge errs too, at a known rate
  const double score = right ? hi : lo;
  const std::string reason = reference ? fmt::format("The answer is {}; the reference is {}.",
                                                     answer.substr(0, 40), reference->substr(0, 40))
                                       : "The answer addresses the question.";
  const std::string object =
      fmt::format(R"({{"score": {:g}, "reason": {}}})", score, JsonString(reason));
  // Every accepted form, chosen by the prompt: a grader must read them all.
  switch ((h >> 13) % 6) {
    case 0:
      return object;
    case 1:
      return "```json\n" + object + "\n```";
    case 2:
      return "Comparing the answer with the reference first. " + reason + "\n" + object;
    case 3:
      return reason + "\nScore: " + fmt::format("{:g}", score);
    case 4:
      return right ? "PASS" : "FAIL";
    default:
      return fmt::format(R"({{"score": {}, "reason": {}}})", right ? "true" : "false",
                         JsonString(reason));
  }
}

MockReply MockComplete(const MockModel& model, const rapidjson::Value& messages,
                       std::optional<long long> max_tokens, const MockLatency& latency,
                       uint64_t nonce, const MockAsk& ask) {
  static const TokenCounter kRule;
  const TokenCounter& tokens = ask.tokens ? *ask.tokens : kRule;
  MockReply reply;
  reply.prompt_tokens = tokens.Prompt(messages);
  const std::string prompt = LastUserText(messages);
  const uint64_t h = StableHash(prompt, StableHash(model.id));
  std::string answer;
  if (model.id == "mock-judge") {
    reply.content = MockJudgeVerdict(model, prompt, ask.judge_garbage);
  } else if (SolveArithmetic(prompt, &answer)) {
    if (Unit(h) >= model.accuracy) {
      // A plausible slip: off by a small amount, the way weak models err.
      long long delta = static_cast<long long>(1 + (h >> 20) % 9) * ((h >> 40) % 2 ? 1 : -1);
      double v = std::strtod(answer.c_str(), nullptr);
      answer = answer.find('.') == std::string::npos
                   ? std::to_string(static_cast<long long>(v) + delta)
                   : fmt::format("{:.2f}", v + static_cast<double>(delta));
    }
    reply.content = answer;
  } else {
    const int words = static_cast<int>(static_cast<double>(model.words) * (0.5 + Unit(h)));
    reply.content = Words(h, words) + '.';
  }
  reply.finish_reason = "stop";
  // The answer's form: a tool call carrying it, or a JSON object holding it.
  if (!ask.tool.empty()) {
    reply.tool_name = ask.tool;
    reply.tool_arguments = "{\"answer\": " + JsonString(reply.content) + "}";
    reply.content.clear();
    reply.finish_reason = "tool_calls";
  } else if (ask.json) {
    reply.content = "{\"answer\": " + JsonString(reply.content) + "}";
  }
  if (model.thinking_words > 0) {
    reply.reasoning =
        "Let me work this out: " + Words(StableHash("think", h), model.thinking_words) +
        ". So the answer is " + (reply.content.empty() ? reply.tool_arguments : reply.content) +
        ".";
    reply.reasoning_tokens = tokens.Text(reply.reasoning);
  }
  // The answer and the end-of-turn token the model ends it with, as servers bill it.
  const long long answer_tokens =
      tokens.Completion(reply.content) + tokens.Text(reply.tool_arguments);
  reply.completion_tokens = reply.reasoning_tokens + answer_tokens;
  if (max_tokens && *max_tokens > 0 && reply.completion_tokens > *max_tokens) {
    // One bound for thinking and answer: the thinking comes first and may use it all.
    if (reply.reasoning_tokens >= *max_tokens) {
      CutToTokens(&reply.reasoning, *max_tokens);
      reply.reasoning_tokens = *max_tokens;
      reply.content.clear();
      reply.tool_name.clear();
      reply.tool_arguments.clear();
    } else {
      CutToTokens(&reply.content, *max_tokens - reply.reasoning_tokens);
      CutToTokens(&reply.tool_arguments, *max_tokens - reply.reasoning_tokens);
    }
    reply.completion_tokens = *max_tokens;
    reply.finish_reason = "length";
  }
  const double jitter = 1 + latency.jitter * (2 * Unit(StableHash("jitter", nonce)) - 1);
  reply.delay_ms =
      (latency.base_ms + latency.per_token_ms * static_cast<double>(reply.completion_tokens)) *
      model.latency_scale * jitter;
  return reply;
}

}  // namespace evalrun
