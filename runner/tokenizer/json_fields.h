// Reading tokenizer.json's objects: a missing or mistyped field reads as empty, and the parsers
// say which field they needed (a file of another kind is refused with its reason, not a crash).
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace evalrun {

inline const rapidjson::Value& MemberOrNull(const rapidjson::Value& v, const char* key) {
  static const rapidjson::Value kNull;
  if (!v.IsObject()) return kNull;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() ? kNull : it->value;
}

inline std::string StringField(const rapidjson::Value& v, const char* key) {
  const rapidjson::Value& s = MemberOrNull(v, key);
  return s.IsString() ? std::string(s.GetString(), s.GetStringLength()) : std::string();
}

inline bool BoolField(const rapidjson::Value& v, const char* key, bool fallback) {
  const rapidjson::Value& b = MemberOrNull(v, key);
  return b.IsBool() ? b.GetBool() : fallback;
}

}  // namespace evalrun
