// report.html: one self-contained page rendered from a Summary: inline CSS and SVG, no script, no
// font or image from anywhere (a Content-Security-Policy of default-src 'none' makes sure), light
// and dark themes from the reader's preference, readable at phone width.
#pragma once

#include <string>

#include "report/summary.h"

namespace evalrun {

std::string SummaryToHtml(const Summary& summary);

}  // namespace evalrun
