#include "api/prompt_tokens.h"

#include "common/json_limits.h"
#include "common/token_count.h"

namespace evalrun {
namespace {

long long ContentTokens(const rapidjson::Value& content) {
  if (content.IsString())
    return CountTextTokens(std::string_view(content.GetString(), content.GetStringLength()));
  long long n = 0;
  if (!content.IsArray()) return n;
  for (const auto& part : content.GetArray()) {
    if (!part.IsObject()) continue;
    auto text = part.FindMember("text");
    if (text != part.MemberEnd() && text->value.IsString())
      n +=
          CountTextTokens(std::string_view(text->value.GetString(), text->value.GetStringLength()));
  }
  return n;
}

}  // namespace

long long CountPromptTokens(const rapidjson::Value& messages) {
  long long n = kTokensPerRequest;
  if (!messages.IsArray()) return n;
  for (const auto& m : messages.GetArray()) {
    n += kTokensPerMessage;
    if (!m.IsObject()) continue;
    auto content = m.FindMember("content");
    if (content != m.MemberEnd()) n += ContentTokens(content->value);
  }
  return n;
}

long long CountPromptTokens(std::string_view messages_json) {
  rapidjson::Document d;
  if (!ParseBoundedJson(messages_json, &d)) return 0;
  return CountPromptTokens(d);
}

}  // namespace evalrun
