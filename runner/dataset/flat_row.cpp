#include "dataset/flat_row.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/rapidjson.h>

#include "common/json_sax.h"
#include "common/text.h"

namespace evalrun {
namespace {

bool IsAscii(std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
#if defined(__SSE2__)
  __m128i any = _mm_setzero_si128();
  for (; end - p >= 16; p += 16)
    any = _mm_or_si128(any, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  if (_mm_movemask_epi8(any) != 0) return false;
#endif
  unsigned char high = 0;
  for (; p < end; ++p) high |= static_cast<unsigned char>(*p);
  return high < 0x80;
}

// Nesting below a row's own members that the reader still walks through (to check the text and
// find the member after); past it the DOM reads the row, and bounds the depth itself.
constexpr int kMaxDepth = 16;

}  // namespace

/// The events of one line, into FlatRow's members: the root must be an object; its members'
/// scalars are kept as text, its containers as kContainer with nothing inside kept.
class FlatRowHandler {
 public:
  using Ch = char;
  FlatRowHandler(FlatRow& row, std::string_view line) : row_(row), line_(line) {}

  bool StartObject() {
    if (depth_ == 0) return ++depth_, true;
    return Container();
  }
  bool StartArray() { return depth_ > 0 && Container(); }
  bool EndObject(rapidjson::SizeType) { return --depth_, true; }
  bool EndArray(rapidjson::SizeType) { return --depth_, true; }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1) key_ = Keep(s, n);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return depth_ == 1 ? Scalar(FlatRow::Kind::kString, Keep(s, n)) : depth_ > 0;
  }
  bool Null() { return Scalar(FlatRow::Kind::kNull, "null"); }
  bool Bool(bool b) { return Scalar(FlatRow::Kind::kBool, b ? "true" : "false"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    // An exponent may be past what the DOM takes ("1e999" is its error), and a long number may
    // be too: the DOM's to say. A fraction, "-0" (which the DOM writes back as 0) and integers
    // past 18 digits (past int64, or near it) are valid, but their text is the DOM's to write.
    const std::string_view text(s, n);
    if (n > 30 || HasExponent(text)) return false;
    const size_t digits = n - (s[0] == '-' ? 1 : 0);
    const bool plain = text.find('.') == std::string_view::npos && text != "-0" && digits <= 18;
    return Scalar(plain ? FlatRow::Kind::kInteger : FlatRow::Kind::kNumber, text);
  }

 private:
  bool Container() {
    if (depth_ == 1) row_.members_.push_back({key_, {}, FlatRow::Kind::kContainer});
    return ++depth_ <= kMaxDepth;
  }
  bool Scalar(FlatRow::Kind kind, std::string_view text) {
    if (depth_ == 0) return false;  // the root is not an object: the DOM's error to give
    if (depth_ == 1) row_.members_.push_back({key_, text, kind});
    return true;
  }
  /// A string JsonSax gives: in the line when it has no escape, else in its scratch, which the
  /// next string reuses: decoded_ keeps it. decoded_ has room for the whole line reserved (a
  /// decoded string is never longer than its JSON), so what it holds does not move.
  std::string_view Keep(const char* s, size_t n) {
    if (s >= line_.data() && s + n <= line_.data() + line_.size()) return {s, n};
    const size_t at = row_.decoded_.size();
    row_.decoded_.append(s, n);
    return std::string_view(row_.decoded_).substr(at, n);
  }

  FlatRow& row_;
  std::string_view line_;
  std::string_view key_;
  int depth_ = 0;
};

bool FlatRow::Read(std::string_view line) {
  members_.clear();
  decoded_.clear();
  if (!IsAscii(line)) return false;  // a BOM, or text whose UTF-8 the DOM validates
  decoded_.reserve(line.size());
  FlatRowHandler handler(*this, line);
  return JsonSax<FlatRowHandler>(handler, &scratch_).Parse(line);
}

FlatRow::Found FlatRow::Find(std::string_view path, const Member** member) const {
  if (path.empty()) return Found::kAskTheDom;  // the row itself
  const size_t dot = path.find('.');
  const std::string_view key = path.substr(0, dot);
  for (const Member& m : members_) {
    if (m.key != key) continue;  // the first of a key is the one FindMember gives
    // "a." is "a", as FindPath reads it; below a scalar there is nothing; below a container,
    // the DOM knows.
    if (dot == std::string_view::npos || dot + 1 == path.size()) {
      *member = &m;
      return Found::kYes;
    }
    return m.kind == Kind::kContainer ? Found::kAskTheDom : Found::kNo;
  }
  return Found::kNo;
}

bool FlatRow::Has(std::string_view key) const {
  for (const Member& m : members_)
    if (m.key == key) return true;
  return false;
}

}  // namespace evalrun
