#include "common/json_schema.h"

#include <fmt/format.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include "common/files.h"
#include "common/json_limits.h"

namespace evalrun {

struct JsonSchema::Compiled {
  explicit Compiled(const rapidjson::Document& d) : schema(d) {}
  rapidjson::SchemaDocument schema;
};

Result<JsonSchema> JsonSchema::FromText(const std::string& text) {
  rapidjson::Document d;
  if (!ParseBoundedJson(text, &d)) return Status::InvalidInput("the schema is not valid JSON");
  if (!d.IsObject()) return Status::InvalidInput("the schema is not a JSON object");
  JsonSchema out;
  out.compiled_ = std::make_shared<const Compiled>(d);
  return out;
}

Result<JsonSchema> JsonSchema::Load(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return FromText(text.value());
}

bool JsonSchema::Accepts(const rapidjson::Value& doc, std::string* why) const {
  if (!compiled_) return true;
  rapidjson::SchemaValidator validator(compiled_->schema);
  if (doc.Accept(validator)) return true;
  if (why) {
    rapidjson::StringBuffer where;
    validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
    *why = fmt::format("{} at {}", validator.GetInvalidSchemaKeyword(), where.GetString());
  }
  return false;
}

}  // namespace evalrun
