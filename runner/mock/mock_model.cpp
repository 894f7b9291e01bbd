#include "mock/mock_model.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "api/prompt_tokens.h"
#include "common/token_count.h"

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

MockReply MockComplete(const MockModel& model, const rapidjson::Value& messages,
                       std::optional<long long> max_tokens, const MockLatency& latency,
                       uint64_t nonce) {
  MockReply reply;
  reply.prompt_tokens = CountPromptTokens(messages);
  const std::string prompt = LastUserText(messages);
  const uint64_t h = StableHash(prompt, StableHash(model.id));
  std::string answer;
  if (SolveArithmetic(prompt, &answer)) {
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
    uint64_t w = h;
    for (int i = 0; i < words; ++i) {
      w = StableHash(std::string_view(reinterpret_cast<const char*>(&w), sizeof w), i);
      if (i) reply.content += ' ';
      reply.content += kWords[w % kWords.size()];
    }
    reply.content += '.';
  }
  reply.finish_reason = "stop";
  reply.completion_tokens = std::max<long long>(1, CountTextTokens(reply.content));
  if (max_tokens && *max_tokens > 0 && reply.completion_tokens > *max_tokens) {
    reply.content.resize(static_cast<size_t>(*max_tokens) * 4);
    // Never cut a UTF-8 sequence in half: back off to a character boundary.
    while (!reply.content.empty() &&
           (static_cast<unsigned char>(reply.content.back()) & 0xC0) == 0x80) {
      reply.content.pop_back();
    }
    if (!reply.content.empty() && static_cast<unsigned char>(reply.content.back()) >= 0xC0) {
      reply.content.pop_back();
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
