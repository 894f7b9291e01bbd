// The parts of report.html that compare models row by row: the paired comparisons (a forest plot
// and its table) and the row views (where the models differ, each model's failed rows). Apart
// from report_html.cpp, which draws the run's own figures, so each file stays one concern.
#pragma once

#include <string>

#include "report/summary.h"

namespace evalrun {

/// Each model keeps one colour on every chart and list: its place in the summary.
int SeriesOf(const Summary& s, const std::string& model);

/// A small filled circle in the model's series colour.
std::string Dot(int series);

std::string ComparisonsHtml(const Summary& s);

std::string RowViewsHtml(const Summary& s);

/// Each judge's calls, cost and agreement with the run's right/wrong scores.
std::string JudgesHtml(const Summary& s);

}  // namespace evalrun
