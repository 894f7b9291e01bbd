#include "tokenizer/normalizer.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <cstdlib>
#include <vector>

#include "tokenizer/json_fields.h"

namespace evalrun {
namespace {

std::string Nfc(std::string text) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                              static_cast<utf8proc_ssize_t>(text.size()), &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return text;  // not UTF-8: left as it is, as the server would have to
  std::string composed(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return composed;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (size_t hit; (hit = text.find(from, at)) != std::string::npos; at = hit + from.size()) {
    out.append(text, at, hit - at);
    out += to;
  }
  out.append(text, at, std::string::npos);
  return out;
}

}  // namespace

Result<Normalizer> NormalizerFromJson(const rapidjson::Value& spec) {
  if (spec.IsNull()) return Normalizer([](std::string s) { return s; });
  if (!spec.IsObject()) return Status::InvalidInput("normalizer is not an object");
  const std::string type = StringField(spec, "type");
  if (type == "NFC") return Normalizer(Nfc);
  if (type == "Replace") {
    auto pattern = spec.FindMember("pattern");
    if (pattern == spec.MemberEnd() || !pattern->value.IsObject() ||
        !pattern->value.HasMember("String"))
      return Status::InvalidInput("normalizer Replace: only a String pattern is supported");
    const std::string from = StringField(pattern->value, "String");
    const std::string to = StringField(spec, "content");
    return Normalizer([from, to](std::string s) { return ReplaceAll(std::move(s), from, to); });
  }
  if (type == "Prepend") {
    const std::string prefix = StringField(spec, "prepend");
    return Normalizer([prefix](std::string s) { return s.empty() ? s : prefix + s; });
  }
  if (type == "Sequence") {
    auto list = spec.FindMember("normalizers");
    if (list == spec.MemberEnd() || !list->value.IsArray())
      return Status::InvalidInput("normalizer Sequence has no normalizers array");
    std::vector<Normalizer> steps;
    for (const auto& step : list->value.GetArray()) {
      auto n = NormalizerFromJson(step);
      if (!n.ok()) return n.status();
      steps.push_back(std::move(*n));
    }
    return Normalizer([steps](std::string s) {
      for (const auto& step : steps) s = step(std::move(s));
      return s;
    });
  }
  return Status::InvalidInput(fmt::format("normalizer type \"{}\" is not supported", type));
}

}  // namespace evalrun
