// The BPE model of a Hugging Face tokenizer.json, as the `tokenizers` library applies it
// (models/bpe/model.rs and word.rs): a word's symbols are merged pair by pair, lowest merge rank
// first and leftmost among equals, until no pair of neighbours has a merge. Two flavours:
// byte-level (GPT-2 style: a word is its UTF-8 bytes, every byte has a token) and
// character-level with byte fallback (SentencePiece style: a character missing from the vocabulary
// becomes its <0xXX> byte tokens, else the unknown token). evalrun only counts tokens, so the
// model keeps ids, never strings, once loaded.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace evalrun {

class BpeModel {
 public:
  /// Reads tokenizer.json's "model" object. `byte_level` when the pre-tokenizer or decoder is
  /// ByteLevel: the vocabulary's strings are then GPT-2's byte-to-character mapping of raw bytes.
  static Result<BpeModel> FromJson(const rapidjson::Value& model, bool byte_level);

  /// Tokens of one pre-tokenized word (raw UTF-8; the byte-level mapping is applied inside).
  size_t CountWord(std::string_view word) const;

  /// The id of a token given as raw text (a byte-level vocabulary's strings are mapped back).
  std::optional<uint32_t> IdOf(std::string_view token) const;

  size_t vocab_size() const { return vocab_.size(); }
  bool byte_level() const { return byte_level_; }

 private:
  struct Merge {
    uint32_t rank;
    uint32_t merged;
  };
  static uint64_t PairKey(uint32_t a, uint32_t b) { return (uint64_t{a} << 32) | b; }
  /// The word's first symbols: one per byte (byte-level) or per character, with fallbacks.
  void InitialSymbols(std::string_view word, std::vector<uint32_t>* ids) const;
  size_t MergeAll(std::vector<uint32_t>* ids) const;

  bool byte_level_ = false;
  bool ignore_merges_ = false;
  bool byte_fallback_ = false;
  bool fuse_unk_ = false;
  std::optional<uint32_t> unk_;
  std::unordered_map<std::string, uint32_t> vocab_;  // raw text of each token
  std::unordered_map<uint64_t, Merge> merges_;
  uint32_t byte_ids_[256] = {};      // byte-level: the token of each single byte
  bool byte_known_[256] = {};        // byte-level: whether it has one
  uint32_t fallback_ids_[256] = {};  // byte fallback: the <0xXX> token of each byte
  bool fallback_known_[256] = {};
  // Words repeat (prose is mostly the same few thousand words): their counts are kept, up to a
  // bound. This makes CountWord unsafe to call from two threads at once.
  mutable std::unordered_map<std::string, uint32_t> cache_;
};

}  // namespace evalrun
