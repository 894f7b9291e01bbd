// JsonSchema: a JSON Schema (draft 4, RapidJSON's validator) that an answer must satisfy, for
// `response_format: json_schema` jobs. Compiled once when the job is loaded, so a schema file
// that is not JSON is a job error there; validating is a pure function of the answer.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace evalrun {

class JsonSchema {
 public:
  /// Reads and compiles the schema in `path`.
  static Result<JsonSchema> Load(const std::string& path);
  /// Compiles `text`.
  static Result<JsonSchema> FromText(const std::string& text);

  /// Whether `doc` satisfies the schema; `why` (may be null) gets the first violation.
  bool Accepts(const rapidjson::Value& doc, std::string* why = nullptr) const;

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace evalrun
