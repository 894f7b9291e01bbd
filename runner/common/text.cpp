#include "common/text.h"

#include <algorithm>
#include <numeric>

namespace evalrun {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string_view TrimWhitespace(std::string_view s) {
  // A test of each end's character, not find_first_not_of's memchr over the set per character:
  // every dataset line and template field is trimmed, and most have nothing to trim.
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };  // \t\n\v\f\r
  size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

bool IsBlank(std::string_view s) {
  return TrimWhitespace(s).empty();
}

std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
    text.replace(pos, secret.size(), "[redacted]");
  }
  // APIs echo keys partly masked ("sk-abc1****wxyz"): any word sharing 8 bytes with the key goes.
  constexpr size_t kWindow = 8;
  if (secret.size() < kWindow) return text;
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(" \t\n\"'", i);
    if (end == std::string::npos) end = text.size();
    std::string_view word(text.data() + i, end - i);
    bool leaks = false;
    for (size_t k = 0; !leaks && k + kWindow <= secret.size(); ++k) {
      leaks = word.find(secret.substr(k, kWindow)) != std::string_view::npos;
    }
    out += leaks ? std::string_view("[redacted]") : word;
    if (end < text.size()) out += text[end];
    i = end + 1;
  }
  return out;
}

std::string OneLine(std::string_view text, size_t max_bytes) {
  std::string out;
  bool space = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u == ' ' || (u >= '\t' && u <= '\r')) {
      space = !out.empty();
      continue;
    }
    if (u < 0x20 || u == 0x7f) continue;
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= max_bytes) return out;
  constexpr std::string_view kEllipsis = "...";
  size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  // Back up over UTF-8 continuation bytes so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + std::string(kEllipsis.substr(0, max_bytes - out.size()));
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

}  // namespace evalrun
