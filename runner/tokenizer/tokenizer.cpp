#include "tokenizer/tokenizer.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json_limits.h"
#include "tokenizer/json_fields.h"

namespace evalrun {
namespace {

bool MentionsByteLevel(const rapidjson::Value& v) {
  if (v.IsObject()) {
    auto type = v.FindMember("type");
    if (type != v.MemberEnd() && type->value.IsString() &&
        std::string_view(type->value.GetString()) == "ByteLevel")
      return true;
    for (const auto& m : v.GetObject())
      if (MentionsByteLevel(m.value)) return true;
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      if (MentionsByteLevel(e)) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromJson(std::string_view json,
                                                       const std::string& source) {
  auto fail = [&](const std::string& why) {
    return Status::InvalidInput(fmt::format("{}: {}", source, why));
  };
  rapidjson::Document d;
  if (!ParseBoundedJson(json, &d) || !d.IsObject()) return fail("not a JSON object");
  const rapidjson::Value& model = MemberOrNull(d, "model");
  if (!model.IsObject()) return fail("no \"model\" object");
  const rapidjson::Value& type = MemberOrNull(model, "type");
  // Old files leave the type out when the model is BPE (it has merges).
  const bool bpe =
      type.IsString() ? std::string_view(type.GetString()) == "BPE" : model.HasMember("merges");
  if (!bpe)
    return fail(fmt::format("model type \"{}\" is not supported (only BPE)",
                            type.IsString() ? type.GetString() : "?"));
  auto t = std::unique_ptr<Tokenizer>(new Tokenizer());
  auto normalizer = NormalizerFromJson(MemberOrNull(d, "normalizer"));
  if (!normalizer.ok()) return fail(normalizer.status().message());
  t->normalizer_ = std::move(*normalizer);
  auto pre = PreTokenizer::FromJson(MemberOrNull(d, "pre_tokenizer"));
  if (!pre.ok()) return fail(pre.status().message());
  t->pre_ = std::move(*pre);
  // A byte-level vocabulary is said by its pre-tokenizer or, when that does no ByteLevel step, by
  // its decoder (some files split with a regex and decode ByteLevel only).
  const bool byte_level = t->pre_->byte_level() || MentionsByteLevel(MemberOrNull(d, "decoder"));
  auto bpe_model = BpeModel::FromJson(model, byte_level);
  if (!bpe_model.ok()) return fail(bpe_model.status().message());
  t->model_ = std::move(*bpe_model);
  const rapidjson::Value& added = MemberOrNull(d, "added_tokens");
  if (added.IsArray()) {
    for (const auto& a : added.GetArray()) {
      const rapidjson::Value& content = MemberOrNull(a, "content");
      if (!content.IsString() || content.GetStringLength() == 0) continue;
      t->added_.emplace_back(content.GetString(), content.GetStringLength());
      t->added_first_[static_cast<unsigned char>(content.GetString()[0])] = true;
    }
  }
  std::sort(t->added_.begin(), t->added_.end());
  t->added_.erase(std::unique(t->added_.begin(), t->added_.end()), t->added_.end());
  return t;
}

size_t Tokenizer::AddedTokenAt(std::string_view text, size_t at) const {
  if (!added_first_[static_cast<unsigned char>(text[at])]) return 0;
  // Binary search narrows to the tokens sharing each longer prefix; the last hit is the longest.
  size_t best = 0;
  auto lo = added_.begin(), hi = added_.end();
  for (size_t len = 1; at + len <= text.size() && lo != hi; ++len) {
    const std::string_view prefix = text.substr(at, len);
    lo = std::lower_bound(lo, hi, prefix, [&](const std::string& s, std::string_view p) {
      return std::string_view(s).substr(0, len) < p;
    });
    hi = std::upper_bound(lo, hi, prefix, [&](std::string_view p, const std::string& s) {
      return p < std::string_view(s).substr(0, len);
    });
    if (lo != hi && lo->size() == len) best = len;
  }
  return best;
}

bool Tokenizer::IsAddedToken(std::string_view token) const {
  return std::binary_search(added_.begin(), added_.end(), token,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

size_t Tokenizer::CountPlain(std::string_view text) const {
  if (text.empty()) return 0;
  std::vector<std::string> pieces{normalizer_(std::string(text))};
  pre_->Split(&pieces);
  size_t n = 0;
  for (const auto& p : pieces) n += model_->CountWord(p);
  return n;
}

size_t Tokenizer::Count(std::string_view text) const {
  size_t n = 0, start = 0;
  for (size_t at = 0; at < text.size();) {
    if (const size_t len = AddedTokenAt(text, at)) {
      n += CountPlain(text.substr(start, at - start)) + 1;
      at += len;
      start = at;
    } else {
      ++at;
    }
  }
  return n + CountPlain(text.substr(start));
}

}  // namespace evalrun
