#include "tokenizer/bpe.h"

#include <fmt/format.h>

#include <algorithm>
#include <queue>

#include "tokenizer/utf8.h"

namespace evalrun {
namespace {

constexpr size_t kCachedWordBytes = 48;
constexpr size_t kCacheEntries = 1 << 17;

/// GPT-2's bytes_to_unicode, inverted: the byte each mapped code point stands for.
const std::unordered_map<uint32_t, uint8_t>& ByteOfCodePoint() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<uint32_t, uint8_t>();
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
      (*t)[printable ? b : next++] = static_cast<uint8_t>(b);
    }
    return t;
  }();
  return *table;
}

/// A byte-level vocabulary string back to the raw bytes it stands for; nullopt when a character
/// is outside the mapping (then the token can never come out of byte-level text).
std::optional<std::string> RawBytes(std::string_view mapped) {
  const auto& table = ByteOfCodePoint();
  std::string raw;
  raw.reserve(mapped.size());
  for (size_t i = 0; i < mapped.size();) {
    auto it = table.find(NextCodePoint(mapped, &i));
    if (it == table.end()) return std::nullopt;
    raw.push_back(static_cast<char>(it->second));
  }
  return raw;
}

}  // namespace

Result<BpeModel> BpeModel::FromJson(const rapidjson::Value& model, bool byte_level) {
  BpeModel m;
  m.byte_level_ = byte_level;
  auto flag = [&](const char* key) {
    auto it = model.FindMember(key);
    return it != model.MemberEnd() && it->value.IsBool() && it->value.GetBool();
  };
  m.ignore_merges_ = flag("ignore_merges");
  m.byte_fallback_ = flag("byte_fallback");
  m.fuse_unk_ = flag("fuse_unk");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    auto it = model.FindMember(key);
    if (it != model.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0)
      return Status::InvalidInput(
          fmt::format("model.{} is not supported (WordPiece-style BPE)", key));
  }
  auto dropout = model.FindMember("dropout");
  if (dropout != model.MemberEnd() && dropout->value.IsNumber() && dropout->value.GetDouble() > 0)
    return Status::InvalidInput(
        "model.dropout is set: a tokenizer with BPE dropout has no one count");
  auto vocab = model.FindMember("vocab");
  if (vocab == model.MemberEnd() || !vocab->value.IsObject())
    return Status::InvalidInput("model.vocab is missing or not an object");
  auto raw = [&](std::string_view s) -> std::optional<std::string> {
    if (!byte_level) return std::string(s);
    return RawBytes(s);
  };
  m.vocab_.reserve(vocab->value.MemberCount());
  for (const auto& v : vocab->value.GetObject()) {
    if (!v.value.IsUint()) return Status::InvalidInput("model.vocab: an id is not a number");
    auto key = raw(std::string_view(v.name.GetString(), v.name.GetStringLength()));
    if (key) m.vocab_.emplace(std::move(*key), v.value.GetUint());
  }
  auto merges = model.FindMember("merges");
  if (merges == model.MemberEnd() || !merges->value.IsArray())
    return Status::InvalidInput("model.merges is missing or not an array");
  m.merges_.reserve(merges->value.Size());
  uint32_t rank = 0;
  for (const auto& merge : merges->value.GetArray()) {
    std::string_view a, b;
    if (merge.IsString()) {  // "a b"
      std::string_view s(merge.GetString(), merge.GetStringLength());
      const size_t space = s.find(' ');
      if (space == std::string_view::npos)
        return Status::InvalidInput(fmt::format("model.merges[{}] has no space", rank));
      a = s.substr(0, space);
      b = s.substr(space + 1);
    } else if (merge.IsArray() && merge.Size() == 2 && merge[0].IsString() && merge[1].IsString()) {
      a = std::string_view(merge[0].GetString(), merge[0].GetStringLength());
      b = std::string_view(merge[1].GetString(), merge[1].GetStringLength());
    } else {
      return Status::InvalidInput(fmt::format("model.merges[{}] is not \"a b\" or [a, b]", rank));
    }
    auto ra = raw(a), rb = raw(b);
    if (!ra || !rb)
      return Status::InvalidInput(fmt::format("model.merges[{}]: not byte-level text", rank));
    auto ia = m.vocab_.find(*ra), ib = m.vocab_.find(*rb), im = m.vocab_.find(*ra + *rb);
    if (ia == m.vocab_.end() || ib == m.vocab_.end() || im == m.vocab_.end())
      return Status::InvalidInput(
          fmt::format("model.merges[{}]: a token of it is not in the vocabulary", rank));
    // The first of two equal pairs wins, as in `tokenizers`.
    m.merges_.try_emplace(PairKey(ia->second, ib->second), Merge{rank, im->second});
    ++rank;
  }
  for (int b = 0; b < 256; ++b) {
    const std::string one(1, static_cast<char>(b));
    if (auto it = m.vocab_.find(one); it != m.vocab_.end() && byte_level) {
      m.byte_ids_[b] = it->second;
      m.byte_known_[b] = true;
    }
    if (auto it = m.vocab_.find(fmt::format("<0x{:02X}>", b)); it != m.vocab_.end()) {
      m.fallback_ids_[b] = it->second;
      m.fallback_known_[b] = true;
    }
  }
  auto unk = model.FindMember("unk_token");
  if (unk != model.MemberEnd() && unk->value.IsString()) {
    auto it = m.vocab_.find(std::string(unk->value.GetString(), unk->value.GetStringLength()));
    if (it == m.vocab_.end())
      return Status::InvalidInput("model.unk_token is not in the vocabulary");
    m.unk_ = it->second;
  }
  return m;
}

std::optional<uint32_t> BpeModel::IdOf(std::string_view token) const {
  auto it = vocab_.find(std::string(token));
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

void BpeModel::InitialSymbols(std::string_view word, std::vector<uint32_t>* ids) const {
  ids->clear();
  if (byte_level_) {
    for (char c : word) {
      const auto b = static_cast<unsigned char>(c);
      if (byte_known_[b]) ids->push_back(byte_ids_[b]);  // a vocabulary lacking a byte drops it
    }
    return;
  }
  // tokenizers' merge_word: a known character is its token; else its bytes' <0xXX> tokens when
  // all exist; else the unknown token, consecutive ones fused into one when fuse_unk is set.
  bool pending_unk = false;
  for (size_t i = 0; i < word.size();) {
    const size_t len = std::min(Utf8Length(static_cast<unsigned char>(word[i])), word.size() - i);
    const std::string_view ch = word.substr(i, len);
    i += len;
    if (auto it = vocab_.find(std::string(ch)); it != vocab_.end()) {
      if (pending_unk) ids->push_back(*unk_);
      pending_unk = false;
      ids->push_back(it->second);
      continue;
    }
    if (byte_fallback_ && std::all_of(ch.begin(), ch.end(), [&](char c) {
          return fallback_known_[static_cast<unsigned char>(c)];
        })) {
      // As in tokenizers, a pending unknown is not flushed here: it comes out after these.
      for (char c : ch) ids->push_back(fallback_ids_[static_cast<unsigned char>(c)]);
      continue;
    }
    if (!unk_) continue;
    if (pending_unk && !fuse_unk_) ids->push_back(*unk_);
    pending_unk = true;
  }
  if (pending_unk) ids->push_back(*unk_);
}

size_t BpeModel::MergeAll(std::vector<uint32_t>* ids) const {
  const size_t n = ids->size();
  if (n < 2) return n;
  struct Candidate {
    uint32_t rank, pos, merged;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::vector<int> prev(n), next(n);
  std::vector<char> alive(n, 1);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<int>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int>(i + 1) : -1;
  }
  std::vector<uint32_t>& id = *ids;
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto consider = [&](int left) {
    if (left < 0 || next[left] < 0) return;
    auto it = merges_.find(PairKey(id[left], id[next[left]]));
    if (it != merges_.end())
      queue.push({it->second.rank, static_cast<uint32_t>(left), it->second.merged});
  };
  for (size_t i = 0; i + 1 < n; ++i) consider(static_cast<int>(i));
  size_t count = n;
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    const int pos = static_cast<int>(top.pos);
    if (!alive[pos] || next[pos] < 0) continue;
    const int right = next[pos];
    auto it = merges_.find(PairKey(id[pos], id[right]));
    if (it == merges_.end() || it->second.merged != top.merged) continue;  // a stale entry
    id[pos] = top.merged;
    alive[right] = 0;
    next[pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = pos;
    --count;
    consider(prev[pos]);
    consider(pos);
  }
  return count;
}

size_t BpeModel::CountWord(std::string_view word) const {
  if (word.empty()) return 0;
  if (ignore_merges_ && vocab_.count(std::string(word))) return 1;
  const bool cacheable = word.size() <= kCachedWordBytes;
  if (cacheable) {
    if (auto it = cache_.find(std::string(word)); it != cache_.end()) return it->second;
  }
  thread_local std::vector<uint32_t> ids;
  InitialSymbols(word, &ids);
  const size_t count = MergeAll(&ids);
  if (cacheable) {
    if (cache_.size() >= kCacheEntries) cache_.clear();
    cache_.emplace(std::string(word), static_cast<uint32_t>(count));
  }
  return count;
}

}  // namespace evalrun
