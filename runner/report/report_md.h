// report.md: the model comparison for people and CI job summaries, rendered from a Summary.
#pragma once

#include <string>

#include "report/summary.h"

namespace evalrun {

std::string SummaryToMarkdown(const Summary& summary);

}  // namespace evalrun
