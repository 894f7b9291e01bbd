// A strict JSON reader that sends SAX events to a handler with RapidJSON's handler interface, as
// RapidJSON's Reader does with kParseNumbersAsStringsFlag (every number comes as its text, to
// RawNumber): for results.jsonl, which `evalrun report` reads millions of lines of. RapidJSON's
// reader takes each character through its stream one at a time; this one passes a string without
// escapes to the handler where it lies in the line, copying nothing, and decodes only those with
// escapes. It accepts what RFC 8259 accepts, without checking UTF-8 (as the Reader without
// kParseValidateEncodingFlag), and refuses anything after the value but whitespace, a NUL
// included. The handler bounds the nesting (its StartObject/StartArray returning false ends the
// parse), so the recursion is as deep as the handler allows. A fuzz target checks it against
// RapidJSON's Reader event for event.
#pragma once

#include <rapidjson/reader.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace evalrun {

template <class Handler>
class JsonSax {
 public:
  /// `scratch` holds a string whose escapes were decoded while the handler reads it.
  JsonSax(Handler& handler, std::string* scratch) : h_(handler), scratch_(*scratch) {}

  /// True when `text` is one JSON value and the handler took every event.
  bool Parse(std::string_view text) {
    p_ = text.data();
    end_ = p_ + text.size();
    SkipSpace();
    if (!Value()) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    // Most of what follows a token is not white space: one comparison says so (every byte
    // above ' ' is not), four only for a byte at or below it.
    while (p_ < end_ && static_cast<unsigned char>(*p_) <= ' ' &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }
  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }
  bool Value() {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object();
      case '[':
        return Array();
      case '"': {
        std::string_view s;
        return String(&s) && h_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()), true);
      }
      case 't':
        return Literal("true") && h_.Bool(true);
      case 'f':
        return Literal("false") && h_.Bool(false);
      case 'n':
        return Literal("null") && h_.Null();
      default:
        return Number();
    }
  }
  /// Past the bracket that opens an object or array at p_: true when `close` follows at once
  /// (and is consumed).
  bool Opened(char close) {
    ++p_;
    SkipSpace();
    const bool empty = p_ < end_ && *p_ == close;
    if (empty) ++p_;
    return empty;
  }
  /// After a member or an element: true with *more set when a ',' follows, unset when `close`
  /// ends the container; false on anything else.
  bool Next(char close, bool* more) {
    SkipSpace();
    if (p_ == end_ || (*p_ != ',' && *p_ != close)) return false;
    *more = *p_++ == ',';
    SkipSpace();
    return true;
  }
  bool Object() {
    if (!h_.StartObject()) return false;
    const bool empty = Opened('}');
    bool more = true;
    rapidjson::SizeType members = 0;
    while (!empty && more) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string_view key;
      if (!String(&key) || !h_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), true))
        return false;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      if (!Value() || !Next('}', &more)) return false;
      ++members;
    }
    return h_.EndObject(members);
  }
  bool Array() {
    if (!h_.StartArray()) return false;
    const bool empty = Opened(']');
    bool more = true;
    rapidjson::SizeType elements = 0;
    while (!empty && more) {
      if (!Value() || !Next(']', &more)) return false;
      ++elements;
    }
    return h_.EndArray(elements);
  }
  static bool Digit(char c) { return c >= '0' && c <= '9'; }
  bool Number() {
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !Digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && Digit(*p_)) ++p_;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ < end_ && Digit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ < end_ && Digit(*p_)) ++p_;
    }
    return h_.RawNumber(start, static_cast<rapidjson::SizeType>(p_ - start), true);
  }
  /// Moves p_ to the first '"', '\\' or control character at or after it, or to end_.
  void SkipPlain() {
#if defined(__SSE2__)
    // 16 bytes at a time while 16 are left: most strings of a record are shorter than 32.
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x1F);
    while (end_ - p_ >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
      const __m128i stop =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmpeq_epi8(_mm_min_epu8(v, space), v));  // c <= 0x1F
      if (const int mask = _mm_movemask_epi8(stop)) {
        p_ += __builtin_ctz(static_cast<unsigned>(mask));
        return;
      }
      p_ += 16;
    }
#endif
    while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
  }
  /// The string at p_ (its opening quote), decoded: a view of the text itself when it has no
  /// escape, else of scratch_.
  /// Inlined where a key or a string value is read: most have no escape, and end at the first
  /// stop SkipPlain finds.
  [[gnu::always_inline]] bool String(std::string_view* out) {
    const char* start = ++p_;
    SkipPlain();
    if (p_ < end_ && *p_ == '"') [[likely]] {
      *out = std::string_view(start, static_cast<size_t>(p_ - start));
      ++p_;
      return true;
    }
    return Escaped(start, out);
  }
  /// The rest of a string that SkipPlain stopped in at p_ before its closing quote: at an escape
  /// (decoded into scratch_), a control character or the end of the text (neither is JSON).
  [[gnu::noinline]] bool Escaped(const char* start, std::string_view* out) {
    if (p_ == end_ || *p_ != '\\') return false;
    scratch_.assign(start, static_cast<size_t>(p_ - start));
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *out = scratch_;
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c != '\\') {
        const char* run = p_;
        SkipPlain();
        scratch_.append(run, static_cast<size_t>(p_ - run));
        continue;
      }
      if (++p_ == end_) return false;
      const char e = *p_++;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          scratch_ += e;
          break;
        case 'b':
          scratch_ += '\b';
          break;
        case 'f':
          scratch_ += '\f';
          break;
        case 'n':
          scratch_ += '\n';
          break;
        case 'r':
          scratch_ += '\r';
          break;
        case 't':
          scratch_ += '\t';
          break;
        case 'u': {
          unsigned cp = 0;
          if (!Hex4(&cp)) return false;
          // A high surrogate must be followed by a low one; a lone low surrogate is written as
          // it is, as RapidJSON 1.1 does.
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = (((cp - 0xD800) << 10) | (low - 0xDC00)) + 0x10000;
          }
          AppendUtf8(cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool Hex4(unsigned* cp) {
    if (end_ - p_ < 4) return false;
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        return false;
    }
    *cp = v;
    return true;
  }
  void AppendUtf8(unsigned cp) {
    if (cp < 0x80) {
      scratch_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      scratch_ += static_cast<char>(0xC0 | (cp >> 6));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      scratch_ += static_cast<char>(0xE0 | (cp >> 12));
      scratch_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      scratch_ += static_cast<char>(0xF0 | (cp >> 18));
      scratch_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      scratch_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Handler& h_;
  std::string& scratch_;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

}  // namespace evalrun
