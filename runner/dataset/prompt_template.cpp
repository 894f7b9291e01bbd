#include "dataset/prompt_template.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/text.h"

namespace evalrun {

const rapidjson::Value* FindPath(const rapidjson::Value& root, std::string_view path) {
  const rapidjson::Value* cur = &root;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (!cur->IsObject()) return nullptr;
    auto it = cur->FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == cur->MemberEnd()) return nullptr;
    cur = &it->value;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

namespace {

/// A value's text (a string as it is, anything else as JSON) at the end of `out`: a template's
/// fields go into the prompt without a string of their own on the way.
void AppendValueText(const rapidjson::Value& v, std::string* out) {
  if (v.IsString()) {
    out->append(v.GetString(), v.GetStringLength());
    return;
  }
  // Ids are mostly integers, read twice a row (the scan, then the planner): the Writer's digits
  // without its buffer.
  if (v.IsInt64()) {
    out->append(std::to_string(v.GetInt64()));
    return;
  }
  if (v.IsUint64()) {
    out->append(std::to_string(v.GetUint64()));
    return;
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  out->append(buf.GetString(), buf.GetSize());
}

}  // namespace

std::string ValueText(const rapidjson::Value& v) {
  std::string text;
  AppendValueText(v, &text);
  return text;
}

bool RenderTemplate(std::string_view tmpl, const rapidjson::Value& row, std::string* out,
                    std::string* missing) {
  auto field = [&row](std::string_view name, std::string* text) {
    const rapidjson::Value* v = FindPath(row, name);
    if (v) AppendValueText(*v, text);
    return v != nullptr;
  };
  return RenderTemplateWith(tmpl, field, out, missing);
}

}  // namespace evalrun
