// How a model's tokens are counted where the API's own usage is not yet known: the pre-run
// estimate and the mock server's `usage`. With the model's tokenizer (tokenizer/model_tokenizer.h)
// a prompt is its chat template rendered and encoded, exactly as a server counts it; without one,
// the rule of tokenizer/script_rule.h counts the text and the framing comes from the family the
// model id names (else 4 per message and 3 per call).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/chat_template.h"
#include "tokenizer/model_tokenizer.h"
#include "tokenizer/script_rule.h"

namespace evalrun {

/// A chat request's messages as the template sees them: each content's text (a parts array's
/// "text" parts joined).
std::vector<ChatMessage> ChatMessagesOf(const rapidjson::Value& messages);

/// A prompt's count in the parts a history calibrates apart (estimate/prompt_fit.h).
struct PromptParts {
  RuleParts text = {};  // the text by the rule's parts; with a tokenizer all in the first
  double framing = 0;   // the overheads assumed around messages; 0 where a template counted
  double messages = 0;
  double text_total() const {
    double n = 0;
    for (double part : text) n += part;
    return n;
  }
};

class TokenCounter {
 public:
  /// The rule with the framing of `framing` (kUnknown: 4 per message, 3 per call).
  explicit TokenCounter(ChatFormat framing = ChatFormat::kUnknown);
  explicit TokenCounter(std::shared_ptr<const ModelTokenizer> tokenizer);

  long long Prompt(const rapidjson::Value& messages) const;
  long long Prompt(const std::vector<ChatMessage>& messages) const;
  /// The same count in parts, unrounded.
  PromptParts Parts(const std::vector<ChatMessage>& messages) const;
  long long Text(std::string_view text) const;
  /// An answer's completion tokens: its text and the end-of-turn token the model ends with.
  long long Completion(std::string_view text) const;

  bool has_tokenizer() const { return tokenizer_ != nullptr; }
  /// What counts, in words: "tokenizer PATH (llama3.1 template)", "rule (llama3.1 framing)".
  std::string Basis() const;

 private:
  std::shared_ptr<const ModelTokenizer> tokenizer_;
  ChatFormat framing_ = ChatFormat::kUnknown;
};

/// The rule's count of a "messages" array (TokenCounter's, with no framing known).
long long CountPromptTokens(const rapidjson::Value& messages);
/// The same over the array's JSON text; 0 when it does not parse.
long long CountPromptTokens(std::string_view messages_json);

}  // namespace evalrun
