#include "scoring/scorer.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "common/json_limits.h"
#include "common/text.h"

namespace evalrun {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

double Bool(bool b) {
  return b ? 1.0 : 0.0;
}

/// Models often wrap JSON in a Markdown code fence; the JSON scorer looks inside it.
std::string_view StripFence(std::string_view s) {
  s = TrimWhitespace(s);
  if (s.substr(0, 3) != "```") return s;
  size_t nl = s.find('\n');
  size_t end = s.rfind("```");
  if (nl == std::string_view::npos || end <= nl) return s;
  return TrimWhitespace(s.substr(nl + 1, end - nl - 1));
}

}  // namespace

std::optional<double> LastNumber(std::string_view text) {
  std::optional<double> last;
  size_t i = 0;
  while (i < text.size()) {
    const bool sign = (text[i] == '-' || text[i] == '+') && i + 1 < text.size() &&
                      std::isdigit(static_cast<unsigned char>(text[i + 1]));
    if (!sign && !std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::string digits;
    if (sign) digits += text[i++];
    while (i < text.size()) {
      const char c = text[i];
      if (std::isdigit(static_cast<unsigned char>(c)) || c == '.')
        digits += c;
      else if (c == ',' && i + 1 < text.size() &&
               std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        // thousands separator: skip
      } else
        break;
      ++i;
    }
    if (!digits.empty() && digits.back() == '.') digits.pop_back();  // sentence end
    char* end = nullptr;
    double v = std::strtod(digits.c_str(), &end);
    if (end != digits.c_str() && std::isfinite(v)) last = v;
  }
  return last;
}

std::optional<double> Score(const ScorerSpec& s, std::string_view response,
                            const std::optional<std::string>& reference) {
  const std::string_view got = TrimWhitespace(response);
  if (s.type == ScorerType::kJudge) return std::nullopt;  // a judge model scores it, later
  if (s.type == ScorerType::kJson) {
    rapidjson::Document d;
    std::string_view body = StripFence(got);
    if (!ParseBoundedJson(body, &d)) return 0.0;
    for (const auto& key : s.required_keys) {
      if (!d.IsObject() || !d.HasMember(key.c_str())) return 0.0;
    }
    if (s.schema && !s.schema->Accepts(d)) return 0.0;
    return 1.0;
  }
  if (s.type == ScorerType::kRegex && !s.pattern.empty()) {
    // The job parser compiles the pattern once; a spec built elsewhere compiles it here.
    auto regex = s.compiled ? Result<Regex>(*s.compiled) : Regex::Compile(s.pattern, s.ignore_case);
    if (!regex.ok()) return std::nullopt;
    auto found = regex->Search(got);
    return found ? std::optional<double>(Bool(*found)) : std::nullopt;  // a runaway match: no score
  }
  if (!reference) return std::nullopt;
  const std::string_view want = TrimWhitespace(*reference);
  if (s.type == ScorerType::kExact)
    return Bool(s.ignore_case ? Lower(got) == Lower(want) : got == want);
  if (s.type == ScorerType::kContains) {
    return Bool(s.ignore_case ? Lower(got).find(Lower(want)) != std::string::npos
                              : got.find(want) != std::string_view::npos);
  }
  if (s.type == ScorerType::kRegex) {
    auto regex = Regex::Compile(want, s.ignore_case);
    if (!regex.ok()) return std::nullopt;  // the row's pattern is broken: not the model's fault
    auto found = regex->Search(got);
    return found ? std::optional<double>(Bool(*found)) : std::nullopt;
  }
  if (s.type == ScorerType::kNumber) {
    auto expected = LastNumber(want);
    if (!expected) return std::nullopt;
    auto actual = LastNumber(got);
    return Bool(actual && std::fabs(*actual - *expected) <= s.tolerance);
  }
  return std::nullopt;
}

std::map<std::string, double> ScoreAll(const std::vector<ScorerSpec>& scorers,
                                       std::string_view response,
                                       const std::vector<std::optional<std::string>>& references,
                                       const std::optional<std::string>& tool_arguments) {
  std::map<std::string, double> out;
  for (size_t i = 0; i < scorers.size(); ++i) {
    const std::optional<std::string> none;
    if (scorers[i].target == ScoreTarget::kToolArguments && !tool_arguments) {
      out[scorers[i].name] = 0;  // the answer was meant to be a tool call and is not one
      continue;
    }
    const std::string_view text =
        scorers[i].target == ScoreTarget::kToolArguments ? *tool_arguments : response;
    if (auto v = Score(scorers[i], text, i < references.size() ? references[i] : none)) {
      out[scorers[i].name] = *v;
    }
  }
  return out;
}

}  // namespace evalrun
