// summary.json: the Summary as the stable, documented JSON of CONTRACT.md.
#pragma once

#include <string>

#include "report/summary.h"

namespace evalrun {

std::string SummaryToJson(const Summary& summary);

}  // namespace evalrun
