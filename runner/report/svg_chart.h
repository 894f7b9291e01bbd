// SVG charts for report.html: plain functions from numbers to inline SVG text, no script. Sizes
// are in a fixed viewBox that the page scales to its width, so one chart serves a phone and a
// desktop. Colours come from CSS classes (s0..s7 for series), so the page's light and dark
// themes restyle them; every chart carries an aria-label and <title>s for exact values.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace evalrun {

/// Number of series colours; series indexes wrap around.
constexpr int kSeriesColours = 8;

struct Bar {
  std::string label;
  double value = 0;
  int series = 0;
  std::string text;  // printed at the end of the bar
};

/// One horizontal bar per item, scaled to the largest value.
std::string HorizontalBars(const std::vector<Bar>& bars, const std::string& aria_label);

struct Segment {
  std::string name;
  double value = 0;
  int series = 0;
};

struct StackedBar {
  std::string label;
  std::vector<Segment> segments;
};

/// One horizontal bar per item made of segments, with a legend of the segment names.
std::string StackedBars(const std::vector<StackedBar>& bars, const std::string& aria_label);

struct HistogramMarker {
  std::string name;  // "p50"
  double value = 0;  // in the units of the bucket edges
};

/// Vertical bars over consecutive buckets; `edges` are the upper edges of buckets
/// first..first+counts.size()-2 (the last bucket may be open). Markers are drawn as dashed lines
/// at their value on a log scale inside their bucket.
std::string Histogram(const std::vector<long long>& counts, const std::vector<double>& edges,
                      size_t first, int series, const std::vector<HistogramMarker>& markers,
                      const std::string& aria_label);

struct Point {
  std::string label;
  double x = 0, y = 0;
  int series = 0;
};

/// A scatter plot of labelled points; y runs from 0 to 1, x from 0 to a round number at or above
/// the largest x.
std::string Scatter(const std::vector<Point>& points, const std::string& x_title,
                    const std::string& y_title, const std::string& aria_label);

struct ForestRow {
  std::string label;
  double estimate = 0;
  std::optional<std::pair<double, double>> ci95;  // without one, only the estimate is drawn
  bool significant = false;                       // drawn solid; others hollow
  std::string text;                               // printed on the right
};

/// A forest plot: each row's estimate and 95% interval on one axis symmetric around zero, so an
/// interval that crosses the zero line is a difference the rows cannot tell from none.
std::string ForestPlot(const std::vector<ForestRow>& rows, const std::string& aria_label);

/// 1-2-5 steps: the smallest "nice" number at or above `v` (> 0).
double NiceCeiling(double v);

}  // namespace evalrun
