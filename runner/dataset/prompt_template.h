// Renders prompt.template: "{{field}}" and "{{field.sub}}" are replaced by values of the row.
// Strings go in as they are, other values as compact JSON. Pure; used by the row parser.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace evalrun {

/// Renders `tmpl` against `row`; on a missing field returns false with `missing` set to its path.
bool RenderTemplate(std::string_view tmpl, const rapidjson::Value& row, std::string* out,
                    std::string* missing);

/// Looks up a dotted path ("a.b") in a JSON object; nullptr when absent.
const rapidjson::Value* FindPath(const rapidjson::Value& root, std::string_view path);

/// Text of a scalar as a user would write it: strings bare, numbers and others as JSON.
std::string ValueText(const rapidjson::Value& v);

}  // namespace evalrun
