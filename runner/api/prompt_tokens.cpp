#include "api/prompt_tokens.h"

#include <fmt/format.h>

#include "common/json_limits.h"
#include "tokenizer/script_rule.h"

namespace evalrun {

std::vector<ChatMessage> ChatMessagesOf(const rapidjson::Value& messages) {
  std::vector<ChatMessage> out;
  if (!messages.IsArray()) return out;
  for (const auto& m : messages.GetArray()) {
    ChatMessage cm;
    if (!m.IsObject()) {
      out.push_back(std::move(cm));
      continue;
    }
    auto role = m.FindMember("role");
    if (role != m.MemberEnd() && role->value.IsString()) cm.role = role->value.GetString();
    auto content = m.FindMember("content");
    if (content != m.MemberEnd()) {
      if (content->value.IsString()) {
        cm.content.assign(content->value.GetString(), content->value.GetStringLength());
      } else if (content->value.IsArray()) {
        for (const auto& part : content->value.GetArray()) {
          if (!part.IsObject()) continue;
          auto text = part.FindMember("text");
          if (text != part.MemberEnd() && text->value.IsString())
            cm.content.append(text->value.GetString(), text->value.GetStringLength());
        }
      }
    }
    out.push_back(std::move(cm));
  }
  return out;
}

TokenCounter::TokenCounter(ChatFormat framing) : framing_(framing) {}

TokenCounter::TokenCounter(std::shared_ptr<const ModelTokenizer> tokenizer)
    : tokenizer_(std::move(tokenizer)) {
  if (tokenizer_) framing_ = tokenizer_->chat_template().format;
}

long long TokenCounter::Text(std::string_view text) const {
  return tokenizer_ ? tokenizer_->CountText(text) : RuleTokens(text, framing_);
}

long long TokenCounter::Completion(std::string_view text) const {
  if (tokenizer_) return tokenizer_->CountCompletion(text);
  return RuleTokens(text, framing_) + static_cast<long long>(FramingOf(framing_).completion);
}

long long TokenCounter::Prompt(const std::vector<ChatMessage>& messages) const {
  if (tokenizer_)
    if (auto exact = tokenizer_->CountPrompt(messages)) return *exact;
  // A tokenizer without a known template, or none: the framing's overheads around the text.
  const RuleFraming f = tokenizer_ ? RuleFraming{} : FramingOf(framing_);
  double n = f.per_call;
  for (const auto& m : messages) n += f.per_message + static_cast<double>(Text(m.content));
  return static_cast<long long>(n);
}

PromptParts TokenCounter::Parts(const std::vector<ChatMessage>& messages) const {
  PromptParts p;
  p.messages = static_cast<double>(messages.size());
  if (tokenizer_) {
    if (auto exact = tokenizer_->CountPrompt(messages)) {
      p.text[kAlphabeticPart] = static_cast<double>(*exact);
      return p;
    }
  }
  const RuleFraming f = tokenizer_ ? RuleFraming{} : FramingOf(framing_);
  p.framing = f.per_call + f.per_message * p.messages;
  for (const auto& m : messages) {
    if (tokenizer_) {
      p.text[kAlphabeticPart] += static_cast<double>(tokenizer_->CountText(m.content));
    } else {
      const RuleParts r = RulePartsOf(m.content, framing_);
      for (size_t k = 0; k < r.size(); ++k) p.text[k] += r[k];
    }
  }
  return p;
}

long long TokenCounter::Prompt(const rapidjson::Value& messages) const {
  return Prompt(ChatMessagesOf(messages));
}

std::string TokenCounter::Basis() const {
  if (tokenizer_)
    return fmt::format("tokenizer {} ({} template)", tokenizer_->source(),
                       ChatFormatName(tokenizer_->chat_template().format));
  if (framing_ == ChatFormat::kUnknown) return "rule";
  return fmt::format("rule ({} framing from the model id)", ChatFormatName(framing_));
}

long long CountPromptTokens(const rapidjson::Value& messages) {
  return TokenCounter().Prompt(messages);
}

long long CountPromptTokens(std::string_view messages_json) {
  rapidjson::Document d;
  if (!ParseBoundedJson(messages_json, &d)) return 0;
  return CountPromptTokens(d);
}

}  // namespace evalrun
