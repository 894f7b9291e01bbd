// Renders prompt.template: "{{field}}" and "{{field.sub}}" are replaced by values of the row.
// Strings go in as they are, other values as compact JSON. Pure; used by the row parser.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "common/text.h"

namespace evalrun {

/// Renders `tmpl` against `row`; on a missing field returns false with `missing` set to its path.
bool RenderTemplate(std::string_view tmpl, const rapidjson::Value& row, std::string* out,
                    std::string* missing);

/// The one reading of a template, for RenderTemplate and for rows read without a DOM:
/// `field(name, out)` appends the text of the field `name` to *out, or returns false; then this
/// returns false with `name` in *failed.
template <class Field>
bool RenderTemplateWith(std::string_view tmpl, Field&& field, std::string* out,
                        std::string* failed) {
  out->clear();
  size_t pos = 0;
  while (pos < tmpl.size()) {
    const size_t open = tmpl.find("{{", pos);
    const size_t close = open == std::string_view::npos ? open : tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out->append(tmpl.substr(pos));
      break;
    }
    out->append(tmpl.substr(pos, open - pos));
    const std::string_view name = TrimWhitespace(tmpl.substr(open + 2, close - open - 2));
    if (!field(name, out)) {
      *failed = std::string(name);
      return false;
    }
    pos = close + 2;
  }
  return true;
}

/// Looks up a dotted path ("a.b") in a JSON object; nullptr when absent.
const rapidjson::Value* FindPath(const rapidjson::Value& root, std::string_view path);

/// Text of a scalar as a user would write it: strings bare, numbers and others as JSON.
std::string ValueText(const rapidjson::Value& v);

}  // namespace evalrun
