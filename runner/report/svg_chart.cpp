#include "report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/text.h"
#include "report/format.h"

namespace evalrun {
namespace {

constexpr double kWidth = 640;
constexpr double kLabelWidth = 190;  // left column of bar charts
constexpr double kValueWidth = 170;  // right column: the printed value
constexpr double kRow = 26;

std::string Esc(const std::string& s) {
  return XmlEscape(s);
}

/// Long model ids are cut for the label column; the whole id stays in the <title>.
std::string ShortLabel(const std::string& s) {
  constexpr size_t kMax = 28;
  if (s.size() <= kMax) return s;
  size_t cut = kMax - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "\u2026";
}

std::string Open(double height, const std::string& aria) {
  return fmt::format(R"(<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" )"
                     R"(xmlns="http://www.w3.org/2000/svg">)",
                     kWidth, height, Esc(aria));
}

std::string Series(int s) {
  return fmt::format("s{}", ((s % kSeriesColours) + kSeriesColours) % kSeriesColours);
}

std::string Tick(double v) {
  if (v == 0) return "0";
  if (std::abs(v) >= 1) return fmt::format("{:g}", v);
  return fmt::format("{:.2g}", v);
}

}  // namespace

std::string ForestPlot(const std::vector<ForestRow>& rows, const std::string& aria_label) {
  double reach = 0;
  for (const auto& r : rows) {
    reach = std::max(reach, std::fabs(r.estimate));
    if (r.ci95) reach = std::max({reach, std::fabs(r.ci95->first), std::fabs(r.ci95->second)});
  }
  reach = NiceCeiling(reach > 0 ? reach : 0.1);
  const double plot = kWidth - kLabelWidth - kValueWidth;
  const double top = 4, height = kRow * static_cast<double>(rows.size());
  auto x = [&](double v) { return kLabelWidth + plot * (v + reach) / (2 * reach); };
  std::string svg = Open(top + height + 22, aria_label);
  for (double v : {-reach, 0.0, reach}) {
    svg += fmt::format(R"(<line class="{}" x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{:.1f}"/>)"
                       R"(<text class="axis" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                       v == 0 ? "marker" : "grid", x(v), top, x(v), top + height, x(v),
                       top + height + 16, v > 0 ? "+" + Tick(v) : Tick(v));
  }
  double y = top;
  for (const auto& r : rows) {
    const double mid = y + 9;
    std::string interval = "no interval";
    svg += fmt::format(R"(<g><title>{}: {:+.4f})", Esc(r.label), r.estimate);
    if (r.ci95) {
      interval = fmt::format("{:+.4f} to {:+.4f}", r.ci95->first, r.ci95->second);
      svg += fmt::format(", 95% CI {}", interval);
    }
    svg += fmt::format(R"(</title><text class="label" x="{}" y="{}" text-anchor="end">{}</text>)",
                       kLabelWidth - 8, y + 13, Esc(ShortLabel(r.label)));
    if (r.ci95) {
      svg += fmt::format(
          R"(<line class="whisker" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)",
          x(std::max(-reach, r.ci95->first)), mid, x(std::min(reach, r.ci95->second)), mid);
    }
    svg += fmt::format(R"(<circle class="{}" cx="{:.1f}" cy="{:.1f}" r="5"/>)"
                       R"(<text class="value" x="{:.1f}" y="{}">{}</text></g>)",
                       r.significant ? "point" : "point open", x(r.estimate), mid,
                       kLabelWidth + plot + 8, y + 13, Esc(r.text));
    y += kRow;
  }
  return svg + "</svg>";
}

double NiceCeiling(double v) {
  if (!(v > 0)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v * (1 - 1e-12)) return m * p;
  }
  return 10 * p;
}

std::string HorizontalBars(const std::vector<Bar>& bars, const std::string& aria_label) {
  double max = 0;
  for (const auto& b : bars) max = std::max(max, b.value);
  const double plot = kWidth - kLabelWidth - kValueWidth;
  std::string svg = Open(kRow * static_cast<double>(bars.size()) + 8, aria_label);
  double y = 4;
  for (const auto& b : bars) {
    const double w = max > 0 ? std::max(1.0, plot * b.value / max) : 1;
    svg += fmt::format(
        R"(<g><title>{0}: {1}</title><text class="label" x="{2}" y="{3}" text-anchor="end">{4})"
        R"(</text><rect class="{5}" x="{6}" y="{7}" width="{8:.1f}" height="16" rx="2"/>)"
        R"(<text class="value" x="{9:.1f}" y="{3}">{1}</text></g>)",
        Esc(b.label), Esc(b.text), kLabelWidth - 8, y + 13, Esc(ShortLabel(b.label)),
        Series(b.series), kLabelWidth, y, w, kLabelWidth + w + 6);
    y += kRow;
  }
  return svg + "</svg>";
}

std::string StackedBars(const std::vector<StackedBar>& bars, const std::string& aria_label) {
  double max = 0;
  std::vector<std::pair<std::string, int>> legend;
  for (const auto& b : bars) {
    double sum = 0;
    for (const auto& s : b.segments) {
      sum += s.value;
      if (std::find(legend.begin(), legend.end(), std::make_pair(s.name, s.series)) == legend.end())
        legend.emplace_back(s.name, s.series);
    }
    max = std::max(max, sum);
  }
  const double plot = kWidth - kLabelWidth - kValueWidth;
  std::string svg = Open(kRow * static_cast<double>(bars.size() + 1) + 8, aria_label);
  double y = 4;
  for (const auto& b : bars) {
    double x = kLabelWidth, total = 0;
    svg += fmt::format(R"(<text class="label" x="{}" y="{}" text-anchor="end">{}</text>)",
                       kLabelWidth - 8, y + 13, Esc(ShortLabel(b.label)));
    for (const auto& s : b.segments) {
      const double w = max > 0 ? plot * s.value / max : 0;
      svg += fmt::format(
          R"(<rect class="{}" x="{:.1f}" y="{}" width="{:.1f}" height="16"><title>{}: {:g} {})"
          R"(</title></rect>)",
          Series(s.series), x, y, w, Esc(b.label), s.value, Esc(s.name));
      x += w;
      total += s.value;
    }
    svg +=
        fmt::format(R"(<text class="value" x="{:.1f}" y="{}">{:g}</text>)", x + 6, y + 13, total);
    y += kRow;
  }
  double x = kLabelWidth;
  for (const auto& [name, series] : legend) {
    svg += fmt::format(
        R"(<rect class="{}" x="{:.1f}" y="{}" width="12" height="12"/><text class="label" )"
        R"(x="{:.1f}" y="{}">{}</text>)",
        Series(series), x, y + 2, x + 16, y + 12, Esc(name));
    x += 26 + 7.5 * static_cast<double>(name.size());
  }
  return svg + "</svg>";
}

std::string Histogram(const std::vector<long long>& counts, const std::vector<double>& edges,
                      size_t first, int series, const std::vector<HistogramMarker>& markers,
                      const std::string& aria_label) {
  constexpr double kHeight = 150, kLeft = 40, kBottom = 24, kTop = 14;
  const double plot_w = kWidth - kLeft - 10;
  const double plot_h = kHeight - kBottom - kTop;
  long long max = 1;
  for (long long c : counts) max = std::max(max, c);
  const double bw = counts.empty() ? plot_w : plot_w / static_cast<double>(counts.size());
  // Bucket i spans [edge(i-1), edge(i)); its lower edge is 0 for the first bucket of all.
  auto lower = [&](size_t i) { return i == 0 ? 0.0 : edges[i - 1]; };
  std::string svg = Open(kHeight, aria_label);
  svg += fmt::format(R"(<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>)", kLeft - 4,
                     kTop + 4, max);
  svg += fmt::format(R"(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>)", kLeft,
                     kTop + plot_h, kWidth - 10, kTop + plot_h);
  for (size_t k = 0; k < counts.size(); ++k) {
    const size_t i = first + k;
    const double h = plot_h * static_cast<double>(counts[k]) / static_cast<double>(max);
    const double x = kLeft + bw * static_cast<double>(k);
    const std::string range = i < edges.size()
                                  ? fmt::format("{} to {}", FormatMs(lower(i)), FormatMs(edges[i]))
                                  : fmt::format("{} or more", FormatMs(lower(i)));
    svg += fmt::format(
        R"(<rect class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{}: {} )"
        R"(calls</title></rect>)",
        Series(series), x + 1, kTop + plot_h - h, std::max(1.0, bw - 2), h, range, counts[k]);
    if (k % 2 == 0) {
      svg += fmt::format(R"(<text class="axis" x="{:.1f}" y="{}" text-anchor="middle">{}</text>)",
                         x, kHeight - 8, FormatMs(lower(i)));
    }
  }
  for (size_t n = 0; n < markers.size(); ++n) {
    const HistogramMarker& m = markers[n];
    const size_t i = std::upper_bound(edges.begin(), edges.end(), m.value) - edges.begin();
    if (i < first || i >= first + counts.size()) continue;
    const double lo = std::max(lower(i), 1e-3);
    const double hi = i < edges.size() ? edges[i] : lo * 1.5;
    const double f = std::clamp(std::log(std::max(m.value, lo) / lo) / std::log(hi / lo), 0.0, 1.0);
    const double x = kLeft + bw * (static_cast<double>(i - first) + f);
    const bool near_right = x > kWidth - 110;  // label on the left of the line, inside the chart
    svg += fmt::format(
        R"(<line class="marker" x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}"/><text class="axis" )"
        R"(x="{3:.1f}" y="{4}" text-anchor="{5}">{6} {7}</text>)",
        x, kTop - 2, kTop + plot_h, near_right ? x - 3 : x + 3,
        kTop + 8 + 12 * static_cast<double>(n), near_right ? "end" : "start", Esc(m.name),
        FormatMs(m.value));
  }
  return svg + "</svg>";
}

std::string Scatter(const std::vector<Point>& points, const std::string& x_title,
                    const std::string& y_title, const std::string& aria_label) {
  constexpr double kHeight = 300, kLeft = 48, kRight = 150, kTop = 12, kBottom = 40;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double max_x = 0;
  for (const auto& p : points) max_x = std::max(max_x, p.x);
  max_x = NiceCeiling(max_x);
  std::string svg = Open(kHeight, aria_label);
  for (int t = 0; t <= 4; ++t) {
    const double fx = t / 4.0;
    const double x = kLeft + plot_w * fx, y = kTop + plot_h * (1 - fx);
    svg += fmt::format(
        R"(<line class="grid" x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}"/><text class="axis" )"
        R"(x="{3}" y="{4:.1f}" text-anchor="end">{5}</text><line class="grid" x1="{6:.1f}" )"
        R"(y1="{7}" x2="{6:.1f}" y2="{8}"/><text class="axis" x="{6:.1f}" y="{9}" )"
        R"(text-anchor="middle">{10}</text>)",
        kLeft, y, kLeft + plot_w, kLeft - 6, y + 4, Tick(fx), x, kTop, kTop + plot_h,
        kTop + plot_h + 16, Tick(max_x * fx));
  }
  svg += fmt::format(
      R"(<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text><text class="axis" )"
      R"svg(transform="translate(12 {}) rotate(-90)" text-anchor="middle">{}</text>)svg",
      kLeft + plot_w / 2, kHeight - 6, Esc(x_title), kTop + plot_h / 2, Esc(y_title));
  for (const auto& p : points) {
    const double x = kLeft + plot_w * (max_x > 0 ? p.x / max_x : 0);
    const double y = kTop + plot_h * (1 - std::clamp(p.y, 0.0, 1.0));
    svg += fmt::format(
        R"(<g><title>{0}: {1} {2:g}, {3} {4:.3f}</title><circle class="{5}" cx="{6:.1f}" )"
        R"(cy="{7:.1f}" r="7"/><text class="label" x="{8:.1f}" y="{9:.1f}">{10}</text></g>)",
        Esc(p.label), Esc(x_title), p.x, Esc(y_title), p.y, Series(p.series), x, y, x + 10, y + 4,
        Esc(ShortLabel(p.label)));
  }
  return svg + "</svg>";
}

}  // namespace evalrun
