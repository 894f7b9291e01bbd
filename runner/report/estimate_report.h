// Renders an Estimate: a table for people (`estimate`, `run --dry-run`) and the JSON of
// `estimate --json` (CONTRACT.md), whose token counts are rounded to whole tokens.
#pragma once

#include <string>

#include "estimate/estimate.h"

namespace evalrun {

std::string EstimateToText(const Job& job, const Estimate& estimate);
std::string EstimateToJson(const Estimate& estimate);

}  // namespace evalrun
