#include "tokenizer/chat_template.h"

#include <ctime>

namespace evalrun {
namespace {

bool Has(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

/// Jinja's `trim` (Python's str.strip()): whitespace off both ends.
std::string Trim(std::string_view s) {
  auto space = [](std::string_view t, size_t at, size_t* len) {
    const auto c = static_cast<unsigned char>(t[at]);
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) return *len = 1, true;
    // U+0085, U+00A0, U+1680, U+2000-200A, U+2028/9, U+202F, U+205F, U+3000
    static const std::string_view wide[] = {"\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80",
                                            "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
                                            "\xE2\x81\x9F", "\xE3\x80\x80"};
    for (auto w : wide)
      if (t.substr(at, w.size()) == w) return *len = w.size(), true;
    if (t.size() >= at + 3 && c == 0xE2 && static_cast<unsigned char>(t[at + 1]) == 0x80 &&
        static_cast<unsigned char>(t[at + 2]) >= 0x80 &&
        static_cast<unsigned char>(t[at + 2]) <= 0x8A)
      return *len = 3, true;
    return false;
  };
  size_t b = 0, len = 0;
  while (b < s.size() && space(s, b, &len)) b += len;
  size_t e = s.size();
  while (e > b) {
    // Step back over one UTF-8 character and see if it is whitespace.
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (!space(s, start, &len) || start + len != e) break;
    e = start;
  }
  return std::string(s.substr(b, e - b));
}

std::string StripChar(std::string_view s, char c, bool left, bool right) {
  size_t b = 0, e = s.size();
  while (left && b < e && s[b] == c) ++b;
  while (right && e > b && s[e - 1] == c) --e;
  return std::string(s.substr(b, e - b));
}

std::string Today(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

std::string RenderLlama3(const ChatTemplate& t, const std::vector<ChatMessage>& messages) {
  std::string out;
  size_t first = 0;
  if (t.format == ChatFormat::kLlama3Date) {
    std::string system;
    if (!messages.empty() && messages[0].role == "system") {
      system = Trim(messages[0].content);
      first = 1;
    }
    const std::string date = t.date_from_clock ? Today("%d %b %Y") : "26 Jul 2024";
    out = t.bos +
          "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
          "Today Date: " +
          date + "\n\n" + system + "<|eot_id|>";
  }
  for (size_t i = first; i < messages.size(); ++i) {
    if (i == 0 && t.format == ChatFormat::kLlama3) out += t.bos;
    out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" +
           Trim(messages[i].content) + "<|eot_id|>";
  }
  return out + "<|start_header_id|>assistant<|end_header_id|>\n\n";
}

std::string RenderChatMl(const ChatTemplate& t, const std::vector<ChatMessage>& messages) {
  std::string out;
  if (t.default_qwen_system && (messages.empty() || messages[0].role != "system"))
    out =
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
        "assistant.<|im_end|>\n";
  // Qwen 3 keeps the thinking only of assistant turns after the last user message.
  size_t last_query = messages.empty() ? 0 : messages.size() - 1;
  for (size_t i = messages.size(); i-- > 0;) {
    if (messages[i].role == "user") {
      last_query = i;
      break;
    }
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role != "assistant") {
      out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      continue;
    }
    std::string content = m.content, reasoning;
    if (const size_t close = content.rfind("</think>"); close != std::string::npos) {
      std::string before = content.substr(0, content.find("</think>"));
      if (const size_t open = before.rfind("<think>"); open != std::string::npos)
        before = before.substr(open + 7);
      reasoning = StripChar(StripChar(before, '\n', false, true), '\n', true, false);
      content = StripChar(content.substr(close + 8), '\n', true, false);
    }
    out += "<|im_start|>assistant\n";
    if (i > last_query && (i + 1 == messages.size() || !reasoning.empty()))
      out += "<think>\n" + StripChar(reasoning, '\n', true, true) + "\n</think>\n\n" +
             StripChar(content, '\n', true, false);
    else
      out += content;
    out += "<|im_end|>\n";
  }
  return out + "<|im_start|>assistant\n";
}

std::string RenderDeepSeek(const ChatTemplate& t, const std::vector<ChatMessage>& messages) {
  std::string system;
  bool first_system = true;
  for (const auto& m : messages) {
    if (m.role != "system") continue;
    system += (first_system ? "" : "\n\n") + m.content;
    first_system = false;
  }
  std::string out = t.bos + system;
  for (const auto& m : messages) {
    if (m.role == "user") out += "<｜User｜>" + m.content;
    if (m.role == "assistant")
      out += std::string("<｜Assistant｜>") + (t.deepseek_think_close ? "</think>" : "") +
             m.content + "<｜end▁of▁sentence｜>";
  }
  return out + "<｜Assistant｜>" + (t.deepseek_think_close ? "</think>" : "");
}

std::string RenderGemma(const ChatTemplate& t, const std::vector<ChatMessage>& messages) {
  std::string out = t.bos, prefix;
  size_t first = 0;
  if (!messages.empty() && messages[0].role == "system") {
    prefix = messages[0].content + "\n\n";
    first = 1;
  }
  for (size_t i = first; i < messages.size(); ++i) {
    const std::string role = messages[i].role == "assistant" ? "model" : messages[i].role;
    out += "<start_of_turn>" + role + "\n" + (i == first ? prefix : "") +
           Trim(messages[i].content) + "<end_of_turn>\n";
  }
  return out + "<start_of_turn>model\n";
}

std::string RenderHarmony(const std::vector<ChatMessage>& messages) {
  std::string out =
      "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
      "Knowledge cutoff: 2024-06\nCurrent date: " +
      Today("%Y-%m-%d") +
      "\n\nReasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be "
      "included for every message.<|end|>";
  size_t first = 0;
  if (!messages.empty() && (messages[0].role == "system" || messages[0].role == "developer")) {
    first = 1;
    if (!messages[0].content.empty())
      out +=
          "<|start|>developer<|message|># Instructions\n\n" + messages[0].content + "\n\n<|end|>";
  }
  for (size_t i = first; i < messages.size(); ++i) {
    if (messages[i].role == "user")
      out += "<|start|>user<|message|>" + messages[i].content + "<|end|>";
    else if (messages[i].role == "assistant")
      out += "<|start|>assistant<|channel|>final<|message|>" + messages[i].content + "<|end|>";
  }
  return out + "<|start|>assistant";
}

}  // namespace

ChatTemplate ChatTemplate::Recognise(std::string_view text, std::string bos) {
  ChatTemplate t;
  t.bos = std::move(bos);
  if (Has(text, "<|start|>") && Has(text, "<|message|>")) {
    t.format = ChatFormat::kHarmony;
  } else if (Has(text, "<|start_header_id|>")) {
    t.format = Has(text, "Cutting Knowledge Date") ? ChatFormat::kLlama3Date : ChatFormat::kLlama3;
    t.date_from_clock = Has(text, "strftime_now");
  } else if (Has(text, "<|im_start|>")) {
    t.format = ChatFormat::kChatMl;
    t.default_qwen_system = Has(text, "You are Qwen, created by Alibaba Cloud");
  } else if (Has(text, "<｜User｜>") && Has(text, "<｜Assistant｜>")) {
    t.format = ChatFormat::kDeepSeek;
    t.deepseek_think_close = Has(text, "<｜Assistant｜></think>");
  } else if (Has(text, "<start_of_turn>")) {
    t.format = ChatFormat::kGemma;
  }
  return t;
}

std::string ChatTemplate::Render(const std::vector<ChatMessage>& messages) const {
  switch (format) {
    case ChatFormat::kLlama3:
    case ChatFormat::kLlama3Date:
      return RenderLlama3(*this, messages);
    case ChatFormat::kChatMl:
      return RenderChatMl(*this, messages);
    case ChatFormat::kDeepSeek:
      return RenderDeepSeek(*this, messages);
    case ChatFormat::kGemma:
      return RenderGemma(*this, messages);
    case ChatFormat::kHarmony:
      return RenderHarmony(messages);
    case ChatFormat::kUnknown:
      break;
  }
  return {};
}

std::string ChatTemplate::CompletionFraming() const {
  switch (format) {
    case ChatFormat::kLlama3:
    case ChatFormat::kLlama3Date:
      return "<|eot_id|>";
    case ChatFormat::kChatMl:
      return "<|im_end|>";
    case ChatFormat::kDeepSeek:
      return "<｜end▁of▁sentence｜>";
    case ChatFormat::kGemma:
      return "<end_of_turn>";
    case ChatFormat::kHarmony:
      return "<|channel|>final<|message|><|return|>";
    case ChatFormat::kUnknown:
      break;
  }
  return {};
}

std::string_view ChatFormatName(ChatFormat f) {
  switch (f) {
    case ChatFormat::kLlama3:
      return "llama3";
    case ChatFormat::kLlama3Date:
      return "llama3.1";
    case ChatFormat::kChatMl:
      return "chatml";
    case ChatFormat::kDeepSeek:
      return "deepseek";
    case ChatFormat::kGemma:
      return "gemma";
    case ChatFormat::kHarmony:
      return "harmony";
    case ChatFormat::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace evalrun
