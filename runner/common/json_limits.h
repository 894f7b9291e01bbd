// Guards for parsing JSON that comes from outside (datasets, API responses, results files):
// parse without recursion, and refuse nesting deeper than any real request or response needs,
// since later recursive walks (RapidJSON's Accept when a row's messages are copied into a
// request) would otherwise overflow the stack on "[[[[...".
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace evalrun {

constexpr int kMaxJsonDepth = 128;

/// Deepest nesting of arrays and objects in `text`, ignoring brackets inside strings.
int JsonNestingDepth(std::string_view text);

/// Parses `text` iteratively; false when it is not valid JSON or nests deeper than kMaxJsonDepth.
template <unsigned kFlags = rapidjson::kParseDefaultFlags>
bool ParseBoundedJson(std::string_view text, rapidjson::Document* doc) {
  if (JsonNestingDepth(text) > kMaxJsonDepth) return false;
  doc->Parse<kFlags | rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc->HasParseError();
}

}  // namespace evalrun
