// Pre-tokenizers of tokenizer.json: how text is cut into the words BPE sees. Split on a regex
// (the Unicode-aware patterns of Llama 3, Qwen, DeepSeek and gpt-oss, run with PCRE2 in UCP mode,
// JIT-compiled), Split on a string, ByteLevel (with GPT-2's own pattern when use_regex is set),
// Metaspace, Whitespace-free Sequence of those. Byte-level character mapping is not done here:
// the BPE model works on raw bytes.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace evalrun {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  /// Cuts each piece of `pieces` further, in place.
  virtual void Split(std::vector<std::string>* pieces) const = 0;
  /// Reads a tokenizer.json "pre_tokenizer" (null gives one that keeps text whole).
  static Result<std::unique_ptr<PreTokenizer>> FromJson(const rapidjson::Value& spec);
  /// Whether ByteLevel appears in it: the vocabulary is then byte-level.
  virtual bool byte_level() const { return false; }
};

}  // namespace evalrun
