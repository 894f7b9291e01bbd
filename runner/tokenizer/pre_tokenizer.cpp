#include "tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

#include "tokenizer/json_fields.h"

namespace evalrun {
namespace {

// GPT-2's pattern, what ByteLevel splits with when use_regex is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

enum class Behavior { kIsolated, kRemoved, kMergedWithPrevious, kMergedWithNext };

/// Where a pattern matches in a piece: [begin, end) byte ranges, left to right.
using Matches = std::vector<std::pair<size_t, size_t>>;

class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual void FindAll(std::string_view text, Matches* out) const = 0;
};

// What \s matches, as the reference encoder (transformers.js, JavaScript's \s) has it: PCRE2's
// Unicode \s also takes U+0085 and leaves out U+FEFF. Rust's tokenizers is said to follow Unicode's
// White_Space here, so on text holding those two a server may differ by a token; the oracle
// test pins this choice.
constexpr const char* kSpaceSet =
    R"(\t\n\x0B\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff})";

/// The pattern with \s and \S spelled out as kSpaceSet (inside a class: its members).
std::string WithJsSpaces(const std::string& pattern) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[++i];
      if (e == 's')
        out += in_class ? std::string(kSpaceSet) : "[" + std::string(kSpaceSet) + "]";
      else if (e == 'S' && !in_class)
        out += "[^" + std::string(kSpaceSet) + "]";
      else
        out += {c, e};
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out.push_back(c);
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out.push_back(c);
  }
  return out;
}

class RegexMatcher : public Matcher {
 public:
  static Result<std::unique_ptr<RegexMatcher>> Compile(const std::string& source) {
    const std::string pattern = WithJsSpaces(source);
    int error = 0;
    PCRE2_SIZE offset = 0;
    // UCP: \s, \d and \w by Unicode properties, as the regex engines tokenizers run on.
    // MATCH_INVALID_UTF: text that is not UTF-8 matches what it can instead of failing.
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
    if (!code) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      return Status::InvalidInput(fmt::format("pre_tokenizer regex at byte {}: {}", offset,
                                              reinterpret_cast<const char*>(message)));
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // without JIT it still matches, slower
    auto m = std::unique_ptr<RegexMatcher>(new RegexMatcher());
    m->code_.reset(code);
    return m;
  }

  void FindAll(std::string_view text, Matches* out) const override {
    thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
        pcre2_match_data_create(4, nullptr), &pcre2_match_data_free);
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t at = 0;
    while (at <= text.size()) {
      const int rc = pcre2_match(code_.get(), subject, text.size(), at, 0, data.get(), nullptr);
      if (rc < 0) break;
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
      if (ov[1] == ov[0]) {  // an empty match: step over one character
        at = ov[0] + 1;
        while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
        continue;
      }
      out->emplace_back(ov[0], ov[1]);
      at = ov[1];
    }
  }

 private:
  struct Free {
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
  };
  std::unique_ptr<pcre2_code, Free> code_;
};

class StringMatcher : public Matcher {
 public:
  explicit StringMatcher(std::string s) : s_(std::move(s)) {}
  void FindAll(std::string_view text, Matches* out) const override {
    if (s_.empty()) return;
    for (size_t at = text.find(s_); at != std::string_view::npos;
         at = text.find(s_, at + s_.size()))
      out->emplace_back(at, at + s_.size());
  }

 private:
  std::string s_;
};

class SplitPre : public PreTokenizer {
 public:
  SplitPre(std::unique_ptr<Matcher> m, Behavior b) : matcher_(std::move(m)), behavior_(b) {}
  void Split(std::vector<std::string>* pieces) const override {
    std::vector<std::string> out;
    Matches matches;
    for (const std::string& piece : *pieces) {
      matches.clear();
      matcher_->FindAll(piece, &matches);
      // Every byte of the piece is in a match or between two: the cut points are the matches'
      // edges; the behaviour says what a match is joined to.
      size_t at = 0;
      std::string carry;  // MergedWithNext: a match waiting for what follows it
      auto emit = [&](std::string s) {
        if (!s.empty()) out.push_back(std::move(s));
      };
      for (const auto& [b, e] : matches) {
        std::string gap = piece.substr(at, b - at);
        std::string hit = piece.substr(b, e - b);
        switch (behavior_) {
          case Behavior::kIsolated:
            emit(std::move(gap));
            emit(std::move(hit));
            break;
          case Behavior::kRemoved:
            emit(std::move(gap));
            break;
          case Behavior::kMergedWithPrevious:
            emit(gap + hit);
            break;
          case Behavior::kMergedWithNext:
            emit(carry + gap);
            carry = std::move(hit);
            break;
        }
        at = e;
      }
      emit(carry + piece.substr(at));
    }
    *pieces = std::move(out);
  }

 private:
  std::unique_ptr<Matcher> matcher_;
  Behavior behavior_;
};

class ByteLevelPre : public PreTokenizer {
 public:
  ByteLevelPre(bool prefix_space, std::unique_ptr<Matcher> regex)
      : prefix_space_(prefix_space), regex_(std::move(regex)) {}
  void Split(std::vector<std::string>* pieces) const override {
    // As tokenizers does: every piece that does not start with a space gets one.
    if (prefix_space_)
      for (std::string& p : *pieces)
        if (!p.empty() && p[0] != ' ') p.insert(0, 1, ' ');
    if (!regex_) return;
    std::vector<std::string> out;
    Matches m;
    for (const std::string& p : *pieces) {
      m.clear();
      regex_->FindAll(p, &m);
      size_t at = 0;
      for (const auto& [b, e] : m) {
        if (b > at) out.push_back(p.substr(at, b - at));
        out.push_back(p.substr(b, e - b));
        at = e;
      }
      if (at < p.size()) out.push_back(p.substr(at));
    }
    *pieces = std::move(out);
  }
  bool byte_level() const override { return true; }

 private:
  bool prefix_space_;
  std::unique_ptr<Matcher> regex_;
};

class MetaspacePre : public PreTokenizer {
 public:
  MetaspacePre(std::string replacement, bool prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {}
  void Split(std::vector<std::string>* pieces) const override {
    for (std::string& p : *pieces) {
      std::string r;
      for (char c : p) {
        if (c == ' ')
          r += replacement_;
        else
          r.push_back(c);
      }
      if (prepend_ && r.compare(0, replacement_.size(), replacement_) != 0) r = replacement_ + r;
      p = std::move(r);
    }
    if (split_)
      SplitPre(std::make_unique<StringMatcher>(replacement_), Behavior::kMergedWithNext)
          .Split(pieces);
  }

 private:
  std::string replacement_;
  bool prepend_, split_;
};

class SequencePre : public PreTokenizer {
 public:
  explicit SequencePre(std::vector<std::unique_ptr<PreTokenizer>> steps)
      : steps_(std::move(steps)) {}
  void Split(std::vector<std::string>* pieces) const override {
    for (const auto& s : steps_) s->Split(pieces);
  }
  bool byte_level() const override {
    for (const auto& s : steps_)
      if (s->byte_level()) return true;
    return false;
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

class WholePre : public PreTokenizer {
 public:
  void Split(std::vector<std::string>*) const override {}
};

Result<std::unique_ptr<Matcher>> PatternOf(const rapidjson::Value& spec) {
  auto pattern = spec.FindMember("pattern");
  if (pattern == spec.MemberEnd() || !pattern->value.IsObject())
    return Status::InvalidInput("pre_tokenizer Split has no pattern");
  if (pattern->value.HasMember("Regex")) {
    auto m = RegexMatcher::Compile(StringField(pattern->value, "Regex"));
    if (!m.ok()) return m.status();
    return std::unique_ptr<Matcher>(std::move(*m));
  }
  if (pattern->value.HasMember("String"))
    return std::unique_ptr<Matcher>(
        std::make_unique<StringMatcher>(StringField(pattern->value, "String")));
  return Status::InvalidInput("pre_tokenizer Split: pattern is neither Regex nor String");
}

}  // namespace

Result<std::unique_ptr<PreTokenizer>> PreTokenizer::FromJson(const rapidjson::Value& spec) {
  if (spec.IsNull()) return std::unique_ptr<PreTokenizer>(std::make_unique<WholePre>());
  if (!spec.IsObject()) return Status::InvalidInput("pre_tokenizer is not an object");
  const std::string type = StringField(spec, "type");
  if (type == "Sequence") {
    auto list = spec.FindMember("pretokenizers");
    if (list == spec.MemberEnd() || !list->value.IsArray())
      return Status::InvalidInput("pre_tokenizer Sequence has no pretokenizers array");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (const auto& s : list->value.GetArray()) {
      auto p = FromJson(s);
      if (!p.ok()) return p.status();
      steps.push_back(std::move(*p));
    }
    return std::unique_ptr<PreTokenizer>(std::make_unique<SequencePre>(std::move(steps)));
  }
  if (type == "Split") {
    if (BoolField(spec, "invert", false))
      return Status::InvalidInput("pre_tokenizer Split with invert is not supported");
    const std::string b = StringField(spec, "behavior");
    Behavior behavior;
    if (b == "Isolated")
      behavior = Behavior::kIsolated;
    else if (b == "Removed")
      behavior = Behavior::kRemoved;
    else if (b == "MergedWithPrevious")
      behavior = Behavior::kMergedWithPrevious;
    else if (b == "MergedWithNext")
      behavior = Behavior::kMergedWithNext;
    else
      return Status::InvalidInput(
          fmt::format("pre_tokenizer Split behavior \"{}\" is not supported", b));
    auto m = PatternOf(spec);
    if (!m.ok()) return m.status();
    return std::unique_ptr<PreTokenizer>(std::make_unique<SplitPre>(std::move(*m), behavior));
  }
  if (type == "ByteLevel") {
    std::unique_ptr<Matcher> regex;
    if (BoolField(spec, "use_regex", true)) {
      auto m = RegexMatcher::Compile(kGpt2Pattern);
      if (!m.ok()) return m.status();
      regex = std::move(*m);
    }
    return std::unique_ptr<PreTokenizer>(std::make_unique<ByteLevelPre>(
        BoolField(spec, "add_prefix_space", true), std::move(regex)));
  }
  if (type == "Metaspace") {
    std::string replacement = StringField(spec, "replacement");
    if (replacement.empty()) replacement = "\xE2\x96\x81";
    std::string scheme = StringField(spec, "prepend_scheme");
    const bool prepend =
        scheme.empty() ? BoolField(spec, "add_prefix_space", true) : scheme != "never";
    return std::unique_ptr<PreTokenizer>(
        std::make_unique<MetaspacePre>(replacement, prepend, BoolField(spec, "split", true)));
  }
  return Status::InvalidInput(fmt::format("pre_tokenizer type \"{}\" is not supported", type));
}

}  // namespace evalrun
