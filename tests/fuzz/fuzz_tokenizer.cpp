// libFuzzer target: tokenizer.json files (every normaliser, pre-tokenizer and BPE option a file
// can name) and chat templates. The input is a tokenizer.json, then after a 0xFF byte a chat
// template's text; the tokenizer counts the input's own bytes and a chat rendered with the
// template.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evalrun;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find('\xff');
  const std::string_view json = input.substr(0, cut);
  const std::string_view tmpl = cut == std::string_view::npos ? "" : input.substr(cut + 1);
  const ChatTemplate chat = ChatTemplate::Recognise(tmpl, "<s>");
  const std::vector<ChatMessage> messages = {{"system", std::string(tmpl.substr(0, 64))},
                                             {"user", std::string(json.substr(0, 64))}};
  const std::string rendered = chat.Render(messages);
  auto tok = Tokenizer::FromJson(json, "fuzz");
  if (!tok.ok()) return 0;
  (*tok)->Count(input);
  (*tok)->Count(rendered);
  return 0;
}
