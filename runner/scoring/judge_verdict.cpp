#include "scoring/judge_verdict.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <charconv>

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

std::optional<double> Number(std::string_view s) {
  s = TrimWhitespace(s);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p == s.data()) return std::nullopt;
  return v;
}

/// PASS / FAIL (any case, markdown emphasis and a final full stop stripped).
std::optional<bool> PassFail(std::string_view s) {
  std::string t = Lower(TrimWhitespace(s));
  while (!t.empty() && (t.back() == '.' || t.back() == '*')) t.pop_back();
  while (!t.empty() && t.front() == '*') t.erase(t.begin());
  if (t == "pass") return true;
  if (t == "fail") return false;
  return std::nullopt;
}

/// The value of a "score" member, on the judge's scale.
std::optional<double> ScoreValue(const rapidjson::Value& v, double lo, double hi) {
  if (v.IsNumber()) return v.GetDouble();
  if (v.IsBool()) return v.GetBool() ? hi : lo;
  if (v.IsString()) {
    if (auto pf = PassFail(v.GetString())) return *pf ? hi : lo;
    return Number(v.GetString());
  }
  return std::nullopt;
}

/// The last JSON object in `text` that has a "score" the scale can read.
bool LastScoreObject(std::string_view text, double lo, double hi, Verdict* out) {
  for (size_t at = text.rfind('{'); at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : text.rfind('{', at - 1)) {
    const std::string_view rest = text.substr(at);
    if (JsonNestingDepth(rest) > kMaxJsonDepth) continue;
    rapidjson::Document d;
    d.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(rest.data(),
                                                                                rest.size());
    if (d.HasParseError() || !d.IsObject()) continue;
    auto score = d.FindMember("score");
    if (score == d.MemberEnd()) continue;
    out->raw = ScoreValue(score->value, lo, hi);
    if (!out->raw) {
      out->error = "the verdict's \"score\" is not a number, true/false or PASS/FAIL";
      return true;
    }
    if (auto reason = d.FindMember("reason"); reason != d.MemberEnd() && reason->value.IsString())
      out->reason = reason->value.GetString();
    return true;
  }
  return false;
}

std::string_view LastLine(std::string_view text) {
  text = TrimWhitespace(text);
  const size_t nl = text.find_last_of('\n');
  return TrimWhitespace(nl == std::string_view::npos ? text : text.substr(nl + 1));
}

}  // namespace

Verdict ReadVerdict(std::string_view text, double lo, double hi) {
  Verdict v;
  if (!LastScoreObject(text, lo, hi, &v)) {
    std::string_view line = LastLine(text);
    std::string lower = Lower(line);
    while (!lower.empty() && lower.front() == '*') lower.erase(lower.begin());
    if (lower.rfind("score:", 0) == 0) {
      std::string_view number = std::string_view(lower).substr(6);
      while (!number.empty() && (number.back() == '*' || number.back() == '.'))
        number.remove_suffix(1);
      v.raw = Number(number);
      if (!v.raw)
        v.error = fmt::format("the verdict's last line is not a score: {}", OneLine(line, 80));
    } else if (auto pf = PassFail(line)) {
      v.raw = *pf ? hi : lo;
    } else {
      v.error = "no verdict: neither a JSON object with \"score\", nor \"Score: N\", nor PASS/FAIL";
    }
  }
  if (!v.raw) return v;
  if (*v.raw < lo || *v.raw > hi) {
    v.error = fmt::format("the score {:g} is outside the scale [{:g}, {:g}]", *v.raw, lo, hi);
    return v;
  }
  v.score = (*v.raw - lo) / (hi - lo);
  return v;
}

}  // namespace evalrun
