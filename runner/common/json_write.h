// Small helpers for the RapidJSON writers of records, summaries and manifests.
#pragma once

#include <fmt/format.h>
#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/itoa.h>
#include <rapidjson/rapidjson.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace evalrun {

/// Compact JSON appended to a std::string, byte for byte what RapidJSON's Writer writes (its
/// escapes, its dtoa under SetMaxDecimalPlaces), for the lines written once per call: the Writer
/// puts a character at a time through its stream; this copies each run of plain characters into
/// a buffer of its own, which goes to the string in one append when full and when it is
/// destroyed. Nesting is at most 63 deep; a non-finite double is written as null (the Writer
/// would write nothing after the key, and the line would not be JSON).
class JsonAppender {
 public:
  explicit JsonAppender(std::string* out) : out_(*out) {}
  ~JsonAppender() { Spill(); }
  JsonAppender(const JsonAppender&) = delete;
  JsonAppender& operator=(const JsonAppender&) = delete;
  void SetMaxDecimalPlaces(int places) { max_decimal_places_ = places; }

  bool StartObject() { return Open('{'); }
  bool EndObject(rapidjson::SizeType = 0) { return Close('}'); }
  bool StartArray() { return Open('['); }
  bool EndArray(rapidjson::SizeType = 0) { return Close(']'); }
  bool Key(std::string_view key) {
    Prefix();
    Quoted(key);
    Put(':');
    after_key_ = true;
    return true;
  }
  bool Key(const char* key, rapidjson::SizeType n, bool = false) { return Key({key, n}); }
  /// A key given as a literal: its length is known where it is written, and it goes in with one
  /// copy unless it holds a character to escape. Inlined, so that the check of the literal and
  /// the copy of its known length fold where it is written (18 keys a record).
  template <size_t N>
  [[gnu::always_inline]] bool Key(const char (&key)[N]) {
    const std::string_view k(key, N - 1);
    for (char c : k) {
      if (kEscape[static_cast<unsigned char>(c)]) return Key(k);
    }
    Prefix();
    Put('"');
    Put(key, N - 1);
    Put('"');
    Put(':');
    after_key_ = true;
    return true;
  }
  bool String(std::string_view s) {
    Prefix();
    Quoted(s);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool = false) { return String({s, n}); }
  bool Null() { return Raw("null", 4); }
  bool Bool(bool b) { return b ? Raw("true", 4) : Raw("false", 5); }
  bool Int(int i) { return Int64(i); }
  bool Uint(unsigned u) { return Int64(u); }
  bool Int64(int64_t i) {
    char buf[24];
    return Raw(buf, static_cast<size_t>(rapidjson::internal::i64toa(i, buf) - buf));
  }
  bool Uint64(uint64_t u) {
    char buf[24];
    return Raw(buf, static_cast<size_t>(rapidjson::internal::u64toa(u, buf) - buf));
  }
  bool Double(double d) {
    if (!std::isfinite(d)) return Null();
    char buf[32];
    return Raw(buf,
               static_cast<size_t>(rapidjson::internal::dtoa(d, buf, max_decimal_places_) - buf));
  }
  bool RawValue(const char* json, size_t n, rapidjson::Type) { return Raw(json, n); }
  /// Goes on inside an object whose opening and first members are `written` (by another
  /// appender, once, and copied here each time): the next key gets its comma.
  void ResumeObject(std::string_view written) {
    Prefix();
    Put(written.data(), written.size());
    ++depth_;
    has_members_ |= uint64_t{1} << (depth_ & 63);
  }

 private:
  static constexpr size_t kBuffer = 1024;
  // What RapidJSON's Writer escapes: '"', '\\' and the control characters, by name or \u00XX.
  static constexpr std::array<char, 256> kEscape = [] {
    std::array<char, 256> e{};
    for (int c = 0; c < 0x20; ++c) e[c] = 'u';
    e['\b'] = 'b', e['\t'] = 't', e['\n'] = 'n', e['\f'] = 'f', e['\r'] = 'r';
    e['"'] = '"', e['\\'] = '\\';
    return e;
  }();

  void Spill() {
    out_.append(buf_, static_cast<size_t>(at_ - buf_));
    at_ = buf_;
  }
  // Inlined where it is called, as Prefix() is: out of line, the call cost more than the
  // store (31 single characters a record: 1,900 instructions a call, measured with callgrind).
  [[gnu::always_inline]] void Put(char c) {
    if (at_ == buf_ + kBuffer) [[unlikely]]
      Spill();
    *at_++ = c;
  }
  [[gnu::always_inline]] void Put(const char* s, size_t n) {
    if (n > static_cast<size_t>(buf_ + kBuffer - at_)) {
      Spill();
      if (n > kBuffer) {
        out_.append(s, n);
        return;
      }
    }
    std::memcpy(at_, s, n);
    at_ += n;
  }
  bool Open(char c) {
    Prefix();
    Put(c);
    ++depth_;
    has_members_ &= ~(uint64_t{1} << (depth_ & 63));
    return true;
  }
  bool Close(char c) {
    Put(c);
    --depth_;
    return true;
  }
  bool Raw(const char* text, size_t n) {
    Prefix();
    Put(text, n);
    return true;
  }
  /// The comma before a value that is not the first of its object or array.
  [[gnu::always_inline]] void Prefix() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ == 0) return;
    const uint64_t bit = uint64_t{1} << (depth_ & 63);
    if (has_members_ & bit) Put(',');
    has_members_ |= bit;
  }
  void Quoted(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    Put('"');
    const char* p = s.data();
    const char* const end = p + s.size();
    while (p < end) {
      const char* run = p;
      while (p < end && !kEscape[static_cast<unsigned char>(*p)]) ++p;
      Put(run, static_cast<size_t>(p - run));
      if (p == end) break;
      const unsigned char c = static_cast<unsigned char>(*p++);
      const char e = kEscape[c];
      if (e == 'u') {
        const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        Put(u, sizeof u);
      } else {
        const char named[] = {'\\', e};
        Put(named, sizeof named);
      }
    }
    Put('"');
  }

  std::string& out_;
  char buf_[kBuffer];
  char* at_ = buf_;
  int max_decimal_places_ = 324;  // RapidJSON's default: no cap
  int depth_ = 0;
  uint64_t has_members_ = 0;  // bit d: the open object or array at depth d has a value already
  bool after_key_ = false;
};

/// `"key": value`, or `"key": null` when there is no value (an unknown is never written as 0).
template <class Writer, class Key>
void WriteOptionalNumber(Writer& w, const Key& key, const std::optional<double>& v) {
  w.Key(key);
  if (v)
    w.Double(*v);
  else
    w.Null();
}

/// A number written exactly: the shortest text that reads back as the same double (fmt's
/// Dragonbox), never cut to a number of decimal places as the writers' SetMaxDecimalPlaces does
/// (it truncates: 0.00776776 became 0.007767). For money, whose sums must add up.
template <class Writer>
void WriteExactNumber(Writer& w, double v) {
  if (!std::isfinite(v)) {
    w.Null();
    return;
  }
  const std::string text = fmt::format("{}", v);
  w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

/// `"key": exact value`, or `"key": null`.
template <class Writer, class Key>
void WriteExactNumber(Writer& w, const Key& key, const std::optional<double>& v) {
  w.Key(key);
  if (v)
    WriteExactNumber(w, *v);
  else
    w.Null();
}

}  // namespace evalrun
