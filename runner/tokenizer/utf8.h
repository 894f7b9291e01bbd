// UTF-8 decoding for the tokenizer and the rule: one code point at a time, never stuck on bytes
// that are not UTF-8 (each comes out alone as U+FFFD).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace evalrun {

/// The byte length a lead byte announces; 1 for a byte that leads nothing.
inline size_t Utf8Length(unsigned char lead) {
  return lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 1;
}

/// Decodes the code point at `*i`, advancing past it; invalid bytes give U+FFFD one byte at a time.
inline uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto c = static_cast<unsigned char>(s[*i]);
  const size_t len = Utf8Length(c);
  if (len == 1 || *i + len > s.size()) {
    ++*i;
    return c < 0x80 ? c : 0xFFFD;
  }
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc >> 6) != 2) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += len;
  return cp;
}

}  // namespace evalrun
