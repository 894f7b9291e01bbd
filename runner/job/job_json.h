// The effective job as JSON, for manifest.json and `run --dry-run`: defaults filled in, header
// values withheld (they may carry credentials), the API key never present.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

#include "job/job.h"

namespace evalrun {

std::string EffectiveJobJson(const Job& job);

/// Writes `params` as one JSON object, and `prompt` as {"system", "template"}.
void WriteJsonParams(rapidjson::Writer<rapidjson::StringBuffer>& w, const JsonParams& params);
void WritePrompt(rapidjson::Writer<rapidjson::StringBuffer>& w, const PromptSpec& prompt);
/// The "id", "label" and "params" keys of a model (inside an object the caller opens): what makes
/// its calls what they are, as the manifest and a resume's plan check record it.
void WriteModelKeys(rapidjson::Writer<rapidjson::StringBuffer>& w, const ModelSpec& model);
/// The names the job file gives the enums (each Name is the inverse of the parser's reading).
const char* DatasetFormatName(DatasetFormat f);
const char* HttpVersionName(HttpVersion v);
const char* ScorerTypeName(ScorerType t);
const char* ReportFormatName(ReportFormat f);

}  // namespace evalrun
