// Converts YAML values from a job file (request params, scorer options) into JSON text, keeping
// YAML's scalar typing: a plain 0.7 is a number, a quoted "0.7" stays a string.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/diagnostic.h"

namespace evalrun {

/// Every key given twice in one mapping, anywhere below `node`, located at its second occurrence.
/// yaml-cpp accepts them and its lookups silently take the first, so `concurrency: 8` ...
/// `concurrency: 32` would run at 8 without a word.
void FindDuplicateKeys(const YAML::Node& node, const std::string& file, Diagnostics* problems);

/// JSON text for `node`; `error` names the first node that has no JSON form (e.g. a complex key).
bool YamlToJson(const YAML::Node& node, std::string* json, std::string* error);

/// True when a plain (unquoted) scalar reads as YAML 1.2 core-schema null/bool/int/float.
bool IsPlainNull(const YAML::Node& node);
bool ReadPlainBool(const YAML::Node& node, bool* out);
bool ReadPlainInt(const YAML::Node& node, long long* out);
bool ReadPlainNumber(const YAML::Node& node, double* out);

}  // namespace evalrun
