// A Hugging Face tokenizer.json, loaded to count tokens as the model's server does: added and
// special tokens first (leftmost longest, as tokenizers' AddedVocabulary), then the normalizer,
// the pre-tokenizer and the BPE model on the text between them. Only BPE models are read (every
// model W&B serves has one); a WordPiece, Unigram or WordLevel tokenizer is refused with a
// message, and the caller counts by the rule instead. Not thread-safe (the BPE word cache).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tokenizer/bpe.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/pre_tokenizer.h"

namespace evalrun {

class Tokenizer {
 public:
  /// Parses tokenizer.json's text; `source` names it in errors.
  static Result<std::unique_ptr<Tokenizer>> FromJson(std::string_view json,
                                                     const std::string& source);

  /// Tokens of `text`, special tokens written in it counted as one each (as a server renders a
  /// chat template to text and encodes it without adding more).
  size_t Count(std::string_view text) const;

  /// Whether `token` is one of the added (special) tokens.
  bool IsAddedToken(std::string_view token) const;

 private:
  Tokenizer() = default;
  size_t CountPlain(std::string_view text) const;
  /// The length of the longest added token starting at text[at], else 0.
  size_t AddedTokenAt(std::string_view text, size_t at) const;

  Normalizer normalizer_;
  std::unique_ptr<PreTokenizer> pre_;
  std::optional<BpeModel> model_;
  std::vector<std::string> added_;  // sorted, for the longest match at a position
  bool added_first_[256] = {};      // first bytes of added tokens: most positions skip the search
};

}  // namespace evalrun
