// The effective job as JSON, for manifest.json and `run --dry-run`: defaults filled in, header
// values withheld (they may carry credentials), the API key never present.
#pragma once

#include <string>

#include "job/job.h"

namespace evalrun {

std::string EffectiveJobJson(const Job& job);
const char* DatasetFormatName(DatasetFormat f);

}  // namespace evalrun
