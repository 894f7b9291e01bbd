// A SAX handler that writes down every event it gets, to hold two JSON readers to the same
// events (JsonSax against RapidJSON's Reader): used by a test and by a fuzz target.
#pragma once

#include <rapidjson/reader.h>

#include <string>

#include "common/json_limits.h"

namespace evalrun::testing {

struct JsonEvents {
  std::string log;
  int depth = 0;
  bool Null() { return log += "n;", true; }
  bool Bool(bool b) { return log += b ? "t;" : "f;", true; }
  bool Int(int) { return false; }  // numbers come as text (kParseNumbersAsStringsFlag)
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return log += "#" + std::string(s, n) + ";", true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return log += "s" + std::to_string(n) + ":" + std::string(s, n) + ";", true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    return log += "k" + std::to_string(n) + ":" + std::string(s, n) + ";", true;
  }
  bool StartObject() { return log += "{", ++depth <= kMaxJsonDepth; }
  bool EndObject(rapidjson::SizeType n) {
    return log += "}" + std::to_string(n) + ";", --depth, true;
  }
  bool StartArray() { return log += "[", ++depth <= kMaxJsonDepth; }
  bool EndArray(rapidjson::SizeType n) {
    return log += "]" + std::to_string(n) + ";", --depth, true;
  }
};

/// RapidJSON's Reader as the record reader used it: in situ, numbers as text, recursive.
inline rapidjson::ParseResult RapidJsonEvents(std::string_view text, JsonEvents* events) {
  std::string copy(text);
  rapidjson::InsituStringStream in(copy.data());
  rapidjson::Reader reader;
  return reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag>(in,
                                                                                           *events);
}

}  // namespace evalrun::testing
