#include "tokenizer/script_rule.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "tokenizer/utf8.h"

namespace evalrun {

TextFeatures FeaturesOf(std::string_view text) {
  TextFeatures f{};
  bool in_word = false;
  size_t spaces = 0;
  for (size_t i = 0; i < text.size();) {
    const uint32_t cp = NextCodePoint(text, &i);
    const bool letter = cp < 0x80 && std::isalpha(static_cast<int>(cp));
    if (letter) {
      if (!in_word) f[kAsciiWords] += 1;
      f[kAsciiLetters] += 1;
    }
    in_word = letter;
    if (cp == ' ') {
      ++spaces;
      continue;
    }
    if (spaces >= 2) f[kSpaceRuns] += 1;
    spaces = 0;
    if (letter) continue;
    if (cp < 0x80) {
      if (cp >= '0' && cp <= '9')
        f[kDigits] += 1;
      else if (cp == '\n' || cp == '\r' || cp == '\t')
        f[kNewlines] += 1;
      else if (cp > 0x20)
        f[kAsciiSymbols] += 1;
      else
        f[kOtherChars] += 1;
    } else if (cp >= 0xC0 && cp <= 0x24F) {
      f[kLatinAccented] += 1;
    } else if (cp >= 0x370 && cp < 0x2000) {
      f[kOtherLetters] += 1;
    } else if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
               (cp >= 0xFF66 && cp <= 0xFF9F)) {
      f[kKana] += 1;
    } else if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
               (cp >= 0x20000 && cp <= 0x2FFFF) || (cp >= 0xF900 && cp <= 0xFAFF)) {
      f[kHan] += 1;
    } else if ((cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF) ||
               (cp >= 0x3130 && cp <= 0x318F)) {
      f[kHangul] += 1;
    } else if (cp >= 0x1F000 || (cp >= 0x2600 && cp <= 0x27BF) || cp == 0x200D ||
               (cp >= 0xFE00 && cp <= 0xFE0F)) {
      f[kEmoji] += 1;
    } else {
      f[kOtherChars] += 1;
    }
  }
  if (spaces >= 2) f[kSpaceRuns] += 1;
  return f;
}

const TextFeatures& RuleWeights() {
  // Fitted by bench/fit_token_rule.cpp (least squares over the five oracle tokenizers' counts
  // of machine text; see the README for the data and the error).
  static const TextFeatures kWeights = {
      /*kAsciiWords*/ 0.721,   /*kAsciiLetters*/ 0.078, /*kDigits*/ 1.114,
      /*kAsciiSymbols*/ 0.495,
      /*kNewlines*/ 0.483,     /*kSpaceRuns*/ 2.088,    /*kLatinAccented*/ 0.776,
      /*kOtherLetters*/ 0.392,
      /*kKana*/ 0.592,         /*kHan*/ 0.743,          /*kHangul*/ 0.703,
      /*kEmoji*/ 1.571,        /*kOtherChars*/ 0.672,
  };
  return kWeights;
}

DigitRule DigitRuleOf(ChatFormat family) {
  switch (family) {
    case ChatFormat::kLlama3:
    case ChatFormat::kLlama3Date:
    case ChatFormat::kDeepSeek:
    case ChatFormat::kHarmony:
      return DigitRule::kGroupsOfThree;
    case ChatFormat::kChatMl:
    case ChatFormat::kGemma:
      return DigitRule::kEachDigit;
    case ChatFormat::kUnknown:
      break;
  }
  return DigitRule::kFittedMean;
}

namespace {

/// The tokens the digits of `text` cost under `rule`, in place of their fitted weight.
double DigitTokens(std::string_view text, DigitRule rule, double digits) {
  if (rule == DigitRule::kFittedMean) return digits * RuleWeights()[kDigits];
  double n = 0;
  size_t run = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    const bool digit = i < text.size() && text[i] >= '0' && text[i] <= '9';
    if (digit) {
      if (run == 0 && i > 0 && text[i - 1] == ' ') n += 1;
      ++run;
      continue;
    }
    n += rule == DigitRule::kGroupsOfThree ? static_cast<double>((run + 2) / 3)
                                           : static_cast<double>(run);
    run = 0;
  }
  return n;
}

}  // namespace

long long RuleTokens(std::string_view text, ChatFormat family) {
  if (text.empty()) return 0;
  double n = 0;
  for (double part : RulePartsOf(text, family)) n += part;
  return std::max<long long>(1, std::llround(n));
}

RuleParts RulePartsOf(std::string_view text, ChatFormat family) {
  const TextFeatures f = FeaturesOf(text);
  const TextFeatures& w = RuleWeights();
  RuleParts p{};
  for (size_t k = 0; k < kFeatureCount; ++k) {
    if (k == kDigits) continue;
    const bool cjk = k == kKana || k == kHan || k == kHangul || k == kEmoji || k == kOtherChars;
    p[cjk ? kCjkPart : kAlphabeticPart] += f[k] * w[k];
  }
  if (f[kDigits] > 0) p[kAlphabeticPart] += DigitTokens(text, DigitRuleOf(family), f[kDigits]);
  return p;
}

const char* RulePartName(RulePart part) {
  return part == kAlphabeticPart ? "alphabetic" : "cjk";
}

RuleFraming FramingOf(ChatFormat format) {
  // Measured with the real templates and tokenizers (tests/script_rule_test.cpp holds them to it).
  switch (format) {
    case ChatFormat::kLlama3:
      return {5, 5, 1};
    case ChatFormat::kLlama3Date:
      return {30, 5, 1};
    case ChatFormat::kChatMl:
      return {3, 5, 1};
    case ChatFormat::kDeepSeek:
      return {2, 1, 1};
    case ChatFormat::kGemma:
      return {4, 5, 1};
    case ChatFormat::kHarmony:
      return {63, 4, 4};
    case ChatFormat::kUnknown:
      break;
  }
  return {};
}

ChatFormat FormatFromModelId(std::string_view model_id) {
  std::string id(model_id);
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
  auto has = [&](const char* s) { return id.find(s) != std::string::npos; };
  if (has("llama-3.1") || has("llama-3.2") || has("llama-3.3")) return ChatFormat::kLlama3Date;
  if (has("llama-3")) return ChatFormat::kLlama3;
  if (has("qwen")) return ChatFormat::kChatMl;
  if (has("deepseek")) return ChatFormat::kDeepSeek;
  if (has("gemma")) return ChatFormat::kGemma;
  if (has("gpt-oss")) return ChatFormat::kHarmony;
  return ChatFormat::kUnknown;
}

}  // namespace evalrun
