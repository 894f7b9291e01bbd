// Small string helpers shared by the parsers and the CLI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace evalrun {

/// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, or "" when none is close enough to be a plausible typo.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

std::string_view TrimWhitespace(std::string_view s);
bool IsBlank(std::string_view s);

/// Whether a JSON number's text has an exponent: a loop over a few digits, not
/// find_first_of's memchr of the set per character (the parsers ask it of every number).
inline bool HasExponent(std::string_view number) {
  for (char c : number)
    if ((c | 0x20) == 'e') return true;
  return false;
}

/// Removes `secret` from `text`: every occurrence, and every word that shares 8 bytes with it (APIs
/// echo keys partly masked). No-op for an empty secret.
std::string Redact(std::string text, std::string_view secret);

/// `text` as one line of at most `max_bytes` bytes: every run of white space (newlines included)
/// becomes one space, control bytes are dropped, and a longer text is cut at a UTF-8 character
/// boundary with "..." at the end. For messages that go into CSV rows, JUnit and grep.
std::string OneLine(std::string_view text, size_t max_bytes);

/// Text escaped for XML 1.0; characters XML cannot hold become '?'.
std::string XmlEscape(const std::string& s);

}  // namespace evalrun
