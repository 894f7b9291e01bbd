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
  out->clear();
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find("{{", pos);
    size_t close = open == std::string_view::npos ? open : tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out->append(tmpl.substr(pos));
      break;
    }
    out->append(tmpl.substr(pos, open - pos));
    std::string_view name = TrimWhitespace(tmpl.substr(open + 2, close - open - 2));
    const rapidjson::Value* v = FindPath(row, name);
    if (!v) {
      *missing = std::string(name);
      return false;
    }
    AppendValueText(*v, out);
    pos = close + 2;
  }
  return true;
}

}  // namespace evalrun
