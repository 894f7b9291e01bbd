// Counting without a tokenizer: characters by script, each class with a tokens-per-unit weight
// fitted on the real tokenizers (bench/fit_token_rule.cpp; the weights and their measured error
// are in the README). A BPE vocabulary spends about one token on a common English word whatever
// its length, one to two on a kanji, less than one on a kana: counting bytes (the old rule, 1 per
// 4) is wrong in both directions at once. Chat framing without a template comes from the family the
// model id names, measured with the same tokenizers, else 4 per message and 3 per call.
#pragma once

#include <array>
#include <string_view>

#include "tokenizer/chat_template.h"

namespace evalrun {

/// The units the rule counts in a text.
enum TextFeature {
  kAsciiWords,    // runs of ASCII letters
  kAsciiLetters,  // their letters (long words split)
  kDigits,
  kAsciiSymbols,   // ASCII punctuation and symbols
  kNewlines,       // \n, \r, \t
  kSpaceRuns,      // runs of two or more spaces (indentation)
  kLatinAccented,  // U+00C0-U+024F
  kOtherLetters,   // Greek, Cyrillic, Arabic, Hebrew, Indic and the rest below U+2000
  kKana,           // U+3040-U+30FF, U+31F0-U+31FF, U+FF66-U+FF9F
  kHan,            // CJK ideographs
  kHangul,         // syllables and jamo
  kEmoji,          // U+1F000 and up, U+2600-U+27BF, with their joiners and selectors
  kOtherChars,     // CJK punctuation, full-width forms, everything else
  kFeatureCount,
};

using TextFeatures = std::array<double, kFeatureCount>;

TextFeatures FeaturesOf(std::string_view text);

/// The rule's weights, per unit of each feature.
const TextFeatures& RuleWeights();

/// Tokens of `text` by the rule (at least 1 for non-empty text). A known `family` brings its
/// tokenizer's digit rule (DigitRuleOf) in place of the fitted mean per digit.
long long RuleTokens(std::string_view text, ChatFormat family = ChatFormat::kUnknown);

/// The rule's tokens of a text in the parts whose errors differ by tokenizer: alphabetic scripts
/// (ASCII, accented Latin, Greek, Cyrillic, ..., with digits, symbols and whitespace) and CJK
/// (kana, Han, Hangul, emoji, CJK punctuation). A history calibrates each part apart, so a run on
/// English prose says nothing false about Japanese (estimate/prompt_fit.h). (Assigning whole
/// lines by their larger part, or digits and symbols as a third part, carried worse across
/// datasets in bench/estimate_accuracy.sh.)
enum RulePart { kAlphabeticPart, kCjkPart, kRulePartCount };
using RuleParts = std::array<double, kRulePartCount>;
RuleParts RulePartsOf(std::string_view text, ChatFormat family = ChatFormat::kUnknown);
/// "alphabetic", "cjk"
const char* RulePartName(RulePart part);

/// How a family's tokenizer splits numbers, measured on the real ones: Llama 3, DeepSeek V3 and
/// gpt-oss in groups of up to three digits ("20261203": 3 tokens), Qwen and Gemma digit by digit
/// (8); in both a space before a number is a token of its own.
enum class DigitRule { kFittedMean, kGroupsOfThree, kEachDigit };
DigitRule DigitRuleOf(ChatFormat family);

/// What a chat format adds around messages, in tokens, when only the rule can count the text.
struct RuleFraming {
  double per_call = 3;     // the fixed framing and the generation prompt
  double per_message = 4;  // role header and end-of-turn
  double completion = 1;   // the end-of-turn token a completion ends with
};

RuleFraming FramingOf(ChatFormat format);

/// The family a model id names (meta-llama/Llama-3.1-8B-Instruct: kLlama3Date), for the framing
/// alone; kUnknown when it names none.
ChatFormat FormatFromModelId(std::string_view model_id);

}  // namespace evalrun
