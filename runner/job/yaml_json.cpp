#include "job/yaml_json.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace evalrun {
namespace {

bool IsQuoted(const YAML::Node& node) {
  return node.Tag() == "!";
}

bool Write(const YAML::Node& node, rapidjson::Writer<rapidjson::StringBuffer>& w,
           std::string* error) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      w.Null();
      return true;
    case YAML::NodeType::Scalar: {
      if (IsPlainNull(node)) return w.Null();
      bool b;
      if (ReadPlainBool(node, &b)) return w.Bool(b);
      long long i;
      if (ReadPlainInt(node, &i)) return w.Int64(i);
      double d;
      if (ReadPlainNumber(node, &d)) return w.Double(d);
      const std::string& s = node.Scalar();
      return w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    }
    case YAML::NodeType::Sequence:
      w.StartArray();
      for (const auto& item : node) {
        if (!Write(item, w, error)) return false;
      }
      return w.EndArray();
    case YAML::NodeType::Map:
      w.StartObject();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          *error = "a map key must be a plain value";
          return false;
        }
        const std::string& k = kv.first.Scalar();
        w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
        if (!Write(kv.second, w, error)) return false;
      }
      return w.EndObject();
  }
  return false;
}

}  // namespace

bool IsPlainNull(const YAML::Node& node) {
  if (node.IsNull()) return true;
  if (!node.IsScalar() || IsQuoted(node)) return false;
  const std::string& s = node.Scalar();
  return s == "null" || s == "Null" || s == "NULL" || s == "~";
}

bool ReadPlainBool(const YAML::Node& node, bool* out) {
  if (!node.IsScalar() || IsQuoted(node)) return false;
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return *out = true, true;
  if (s == "false" || s == "False" || s == "FALSE") return *out = false, true;
  return false;
}

bool ReadPlainInt(const YAML::Node& node, long long* out) {
  if (!node.IsScalar() || IsQuoted(node)) return false;
  const std::string& s = node.Scalar();
  if (s.empty()) return false;
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ReadPlainNumber(const YAML::Node& node, double* out) {
  if (!node.IsScalar() || IsQuoted(node)) return false;
  const std::string& s = node.Scalar();
  if (s.empty()) return false;
  // strtod also accepts hex, "inf" and "nan", which YAML's core schema spells differently.
  if (s.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return false;
  *out = d;
  return true;
}

bool YamlToJson(const YAML::Node& node, std::string* json, std::string* error) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  if (!Write(node, w, error)) return false;
  json->assign(buf.GetString(), buf.GetSize());
  return true;
}

void FindDuplicateKeys(const YAML::Node& node, const std::string& file, Diagnostics* problems) {
  if (node.IsSequence()) {
    for (const auto& item : node) FindDuplicateKeys(item, file, problems);
    return;
  }
  if (!node.IsMap()) return;
  std::vector<std::pair<std::string, YAML::Mark>> seen;
  for (const auto& kv : node) {
    if (kv.first.IsScalar()) {
      const std::string key = kv.first.Scalar();
      auto first =
          std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key; });
      const YAML::Mark m = kv.first.Mark();
      if (first != seen.end()) {
        problems->push_back(
            {file, m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1,
             fmt::format("key '{}' is given twice in this mapping (first at line {}); keep one",
                         key, first->second.line + 1)});
      } else {
        seen.emplace_back(key, m);
      }
    }
    FindDuplicateKeys(kv.second, file, problems);
  }
}

}  // namespace evalrun
