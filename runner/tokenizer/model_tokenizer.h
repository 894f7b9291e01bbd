// A model's tokenizer as a server has it: tokenizer.json and the chat template of
// tokenizer_config.json (or chat_template.jinja) from a path the job names, or from the Hugging
// Face hub cache where the model was ever downloaded. Counts a request's prompt tokens exactly
// (the template rendered, then encoded) and a completion's (its text and end-of-turn token).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace evalrun {

class ModelTokenizer {
 public:
  /// `path` is a tokenizer.json or a directory holding it (and tokenizer_config.json).
  static Result<std::shared_ptr<ModelTokenizer>> Load(const std::string& path);

  /// The snapshot directory of `model_id` in the Hugging Face hub cache ($HF_HUB_CACHE, else
  /// $HF_HOME/hub, else ~/.cache/huggingface/hub) that refs/main names, when it has a
  /// tokenizer.json.
  static std::optional<std::string> FindInHubCache(const std::string& model_id);

  /// Prompt tokens of these messages as the server counts them; nullopt for a template of no
  /// known family (the caller adds its own per-message overhead to CountText's).
  std::optional<long long> CountPrompt(const std::vector<ChatMessage>& messages) const;
  long long CountText(std::string_view text) const;
  /// Completion tokens of an answer `text`: its tokens and the end-of-turn token.
  long long CountCompletion(std::string_view text) const;

  const ChatTemplate& chat_template() const { return template_; }
  /// Where it was read from, for what the estimate and the mock say they used.
  const std::string& source() const { return source_; }

 private:
  std::unique_ptr<Tokenizer> tokenizer_;
  ChatTemplate template_;
  long long completion_framing_ = 0;
  std::string source_;
};

}  // namespace evalrun
