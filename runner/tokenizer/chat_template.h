// The chat template's framing, written out for the families W&B serves: what a server puts around
// the messages before it tokenizes (special tokens, role headers, Llama 3.1's date block, ChatML's
// im_start/im_end, DeepSeek's and Gemma's turns, gpt-oss's harmony system message, the generation
// prompt). The family is recognised from the template text in tokenizer_config.json, never from a
// model id: two snapshots of one model can carry different templates. Anything else is kUnknown,
// and its messages are counted as text plus a per-message and per-call overhead.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace evalrun {

struct ChatMessage {
  std::string role;
  std::string content;
};

enum class ChatFormat {
  kUnknown,
  kLlama3,      // <|start_header_id|>role<|end_header_id|>\n\n ... <|eot_id|> (Llama 3.0)
  kLlama3Date,  // the same after a system block with "Cutting Knowledge Date" (Llama 3.1-3.3)
  kChatMl,      // <|im_start|>role\n ... <|im_end|>\n (Qwen 2.5 and 3)
  kDeepSeek,  // <｜User｜> ... <｜Assistant｜> ... <｜end▁of▁sentence｜> (DeepSeek V3, V3.1)
  kGemma,     // <start_of_turn>user\n ... <end_of_turn>\n (Gemma 2 and 3)
  kHarmony,  // <|start|>role<|message|> ... <|end|> with gpt-oss's system message
};

struct ChatTemplate {
  ChatFormat format = ChatFormat::kUnknown;
  std::string bos;  // the tokenizer's bos_token, where the template writes it
  // Llama 3.2+ asks the server for today's date (strftime_now); 3.1 fixes "26 Jul 2024".
  bool date_from_clock = false;
  bool default_qwen_system = false;   // Qwen 2.5 adds its own system message when there is none
  bool deepseek_think_close = false;  // DeepSeek V3.1 opens the answer with </think> (no thinking)

  /// Recognises the family from the template's text; `bos` is tokenizer_config's bos_token.
  static ChatTemplate Recognise(std::string_view template_text, std::string bos);

  /// The text the server tokenizes for these messages, the generation prompt included;
  /// kUnknown renders nothing (its count is not a rendering).
  std::string Render(const std::vector<ChatMessage>& messages) const;

  /// Tokens a completion carries beyond its text: the end-of-turn token a model ends with and
  /// the server bills (and gpt-oss's final-channel header).
  std::string CompletionFraming() const;
};

std::string_view ChatFormatName(ChatFormat f);

}  // namespace evalrun
