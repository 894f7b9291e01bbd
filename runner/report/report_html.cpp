#include "report/report_html.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.h"
#include "report/format.h"
#include "report/latency_buckets.h"
#include "report/report_html_rows.h"
#include "report/svg_chart.h"

namespace evalrun {
namespace {

// The series colours are Tableau 10's first eight: distinct for the common kinds of colour
// blindness and on both backgrounds (the dark theme lightens them).
constexpr const char* kStyle = R"css(
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;
--card:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--s0:#4e79a7;--s1:#f28e2b;--s2:#59a14f;
--s3:#e15759;--s4:#76b7b2;--s5:#edc948;--s6:#b07aa1;--s7:#9c755f}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#3d444d;--card:#161b22;--pass:#3fb950;--fail:#f85149;--s0:#79a6d9;--s1:#ffa857;
--s2:#7fc97a;--s3:#ff7b7d;--s4:#8fd3ce;--s5:#f5d76e;--s6:#d19cc4;--s7:#c49a83}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:980px;margin:0 auto;padding:16px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.6em 0 .5em}
h3{font-size:1em;margin:1em 0 .2em;font-weight:600}
.meta,.note{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 12px;
min-width:120px}.card b{display:block;font-size:1.2em}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{font-weight:600}.l{text-align:left}
svg.chart{width:100%;height:auto;display:block;color:var(--fg);max-width:760px}
.chart text{fill:currentColor;font-size:12px}.chart .axis{fill:var(--muted);font-size:11px}
.chart .grid{stroke:var(--line)}.chart .marker{stroke:var(--fg);stroke-dasharray:4 3}
.s0{fill:var(--s0)}.s1{fill:var(--s1)}.s2{fill:var(--s2)}.s3{fill:var(--s3)}
.s4{fill:var(--s4)}.s5{fill:var(--s5)}.s6{fill:var(--s6)}.s7{fill:var(--s7)}
.dot{display:inline-block;width:.7em;height:.7em;border-radius:50%;margin-right:.4em}
.chart .whisker{stroke:var(--fg);stroke-width:2}.chart .point{fill:var(--fg)}
.chart .point.open{fill:var(--bg);stroke:var(--fg);stroke-width:2}
.row{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:10px 0}
.row h3{margin:0 0 .4em}.row .label{color:var(--muted);font-size:.85em;margin-top:.4em}
.text{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--card);border-radius:4px;
padding:4px 8px;margin:2px 0}.answer{margin-top:.6em}.who b{margin-left:.5em}
details summary{cursor:pointer;color:var(--muted);font-size:.85em}
.pass{color:var(--pass);font-weight:600}.fail{color:var(--fail);font-weight:700}
@media (max-width:600px){body{font-size:14px}main{padding:10px}th,td{padding:5px 6px}
.chart text{font-size:17px}.chart .axis{font-size:15px}}
)css";

std::string E(const std::string& s) {
  return XmlEscape(s);
}

std::string OptMs(const std::optional<double>& v) {
  return v ? FormatMs(*v) : "–";
}

std::string Header(const Summary& s) {
  std::string h =
      fmt::format("<h1>evalrun: {}</h1>\n<p class=\"meta\">Run <code>{}</code>, {} to {}",
                  E(s.run.job), E(s.run.run_id), E(s.run.started_at), E(s.run.finished_at));
  if (!s.run.stop_reason.empty())
    h += fmt::format(". <strong class=\"fail\">Stopped early:</strong> {}", E(s.run.stop_reason));
  h += ".</p>\n";
  for (const ModelSummary& m : s.models) {
    if (m.skipped > 0)
      h += fmt::format(
          "<p><strong class=\"fail\">{} was stopped:</strong> {}; {} of its calls were not sent "
          "(<code>--resume</code> sends them once the job is fixed).</p>\n",
          E(m.model), E(m.stopped), m.skipped);
  }
  h += "<div class=\"cards\">";
  auto card = [&](const std::string& name, const std::string& value) {
    h += fmt::format("<div class=\"card\">{}<b>{}</b></div>", name, value);
  };
  card("calls", fmt::format("{}", s.totals.calls));
  card("ok", fmt::format("{}", s.totals.ok));
  card("failed", fmt::format("{}", s.totals.calls - s.totals.ok));
  card("tokens", fmt::format("{}", s.totals.total_tokens));
  card("cost",
       FormatCost(s.totals.cost_usd, s.totals.cost_usd_known, s.totals.calls_without_usage));
  card("wall time", FormatMs(s.run.wall_s * 1000));
  return h + "</div>\n";
}

std::string RankingTable(const Summary& s) {
  std::string t =
      "<h2>Ranking</h2>\n<div class=\"table\"><table><thead><tr><th>#</th><th "
      "class=\"l\">model</th><th>score</th><th>95% CI</th><th>ok / calls</th><th>p50</th>"
      "<th>p95</th><th>prompt tok</th><th>completion tok</th><th>cost</th><th class=\"l\">vs "
      "next</th></tr></thead><tbody>";
  const std::vector<size_t> order = RankModels(s.models);
  for (size_t r = 0; r < order.size(); ++r) {
    const ModelSummary& m = s.models[order[r]];
    // Whether this model's lead over the next one holds on the rows both scored.
    const ComparisonSummary* next =
        r + 1 < order.size() ? FindComparison(s, m.model, s.models[order[r + 1]].model) : nullptr;
    t += fmt::format(
        "<tr><td>{}</td><td class=\"l\">{}{}</td><td><b>{}</b></td><td>{}</td><td>{} / {}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
        r + 1, Dot(static_cast<int>(order[r])), E(m.model),
        m.score ? fmt::format("{:.3f}", *m.score) : "–",
        m.score_ci95 ? FormatInterval(*m.score_ci95) : "–", m.ok, m.calls, OptMs(m.p50_latency_ms),
        OptMs(m.p95_latency_ms), m.prompt_tokens, m.completion_tokens,
        FormatCost(m.cost_usd, m.cost_usd_known, m.calls_without_usage),
        next ? E(FormatVerdict(next->stats)) : "–");
  }
  return t + "</tbody></table></div>\n";
}

/// One histogram per model over the same buckets, so their shapes compare at a glance.
std::string LatencySection(const Summary& s) {
  const auto& edges = LatencyBucketEdgesMs();
  size_t lo = edges.size() + 1, hi = 0;
  for (const auto& m : s.models) {
    for (size_t i = 0; i < m.latency_histogram.size(); ++i) {
      if (m.latency_histogram[i] == 0) continue;
      lo = std::min(lo, i);
      hi = std::max(hi, i);
    }
  }
  std::string out = "<h2>Latency</h2>\n";
  if (lo > hi) return out + "<p class=\"note\">No call finished with an answer.</p>\n";
  for (size_t i = 0; i < s.models.size(); ++i) {
    const ModelSummary& m = s.models[i];
    if (m.latency_histogram.empty()) continue;
    std::vector<long long> counts(m.latency_histogram.begin() + static_cast<long>(lo),
                                  m.latency_histogram.begin() + static_cast<long>(hi) + 1);
    std::vector<HistogramMarker> markers;
    if (m.p50_latency_ms) markers.push_back({"p50", *m.p50_latency_ms});
    if (m.p95_latency_ms) markers.push_back({"p95", *m.p95_latency_ms});
    out += fmt::format("<h3>{}{}</h3>\n", Dot(static_cast<int>(i)), E(m.model));
    out += Histogram(counts, edges, lo, static_cast<int>(i), markers,
                     "latency distribution of " + m.model) +
           "\n";
  }
  return out;
}

std::string TtftSection(const Summary& s) {
  std::vector<Bar> bars;
  for (const auto& g : s.groups) {
    if (!g.ttft_ms) continue;
    std::string text =
        fmt::format("p50 {} · p95 {}", FormatMs(g.ttft_ms->p50), FormatMs(g.ttft_ms->p95));
    // A thinking model's answer starts later than its first token: both, side by side.
    if (g.ttfa_ms && g.ttfa_ms->p50 > g.ttft_ms->p50)
      text += fmt::format(" · answer p50 {}", FormatMs(g.ttfa_ms->p50));
    bars.push_back({g.model + " / " + g.dataset, g.ttft_ms->p50, SeriesOf(s, g.model), text});
  }
  if (bars.empty()) return "";
  return "<h2>Time to first token</h2>\n<p class=\"note\">The first token of any kind (a thinking "
         "model's first thought); \"answer\" is its first answer token.</p>\n" +
         HorizontalBars(bars, "time to first token per model") + "\n";
}

std::string TokensAndCost(const Summary& s) {
  std::vector<Bar> tokens, cost;
  for (size_t i = 0; i < s.models.size(); ++i) {
    const ModelSummary& m = s.models[i];
    const int series = static_cast<int>(i);
    tokens.push_back({m.model, static_cast<double>(m.prompt_tokens + m.completion_tokens), series,
                      fmt::format("{} in + {} out", m.prompt_tokens, m.completion_tokens)});
    cost.push_back({m.model, m.cost_usd.value_or(m.cost_usd_known), series,
                    FormatCost(m.cost_usd, m.cost_usd_known, m.calls_without_usage)});
  }
  std::string thinking;  // thinking models: what share of the completion was reasoning
  for (const ModelSummary& m : s.models) {
    if (m.reasoning_share)
      thinking += fmt::format("{}{}{}: {:.1f}% of completion tokens spent thinking",
                              thinking.empty() ? "" : "; ", Dot(SeriesOf(s, m.model)), E(m.model),
                              100 * *m.reasoning_share);
  }
  if (!thinking.empty()) thinking = "<p class=\"note\">" + thinking + ".</p>\n";
  return "<h2>Tokens</h2>\n" + HorizontalBars(tokens, "tokens per model") + "\n" + thinking +
         "<h2>Cost</h2>\n" + HorizontalBars(cost, "cost per model in US dollars") + "\n";
}

std::string ScoreAgainstCost(const Summary& s) {
  std::vector<Point> points;
  std::string missing;
  for (size_t i = 0; i < s.models.size(); ++i) {
    const ModelSummary& m = s.models[i];
    if (m.score && m.cost_usd)
      points.push_back({m.model, *m.cost_usd, *m.score, static_cast<int>(i)});
    else if (m.score)
      missing += (missing.empty() ? "" : ", ") + m.model;
  }
  if (points.empty() && missing.empty()) return "";
  std::string out = "<h2>Score against cost</h2>\n";
  if (!points.empty())
    out += Scatter(points, "cost (USD)", "score", "score against cost, one point per model") + "\n";
  if (!missing.empty())
    out += fmt::format("<p class=\"note\">Not drawn, price unknown: {}.</p>\n", E(missing));
  return out;
}

std::string ErrorsSection(const Summary& s) {
  std::vector<std::string> kinds;
  for (const auto& m : s.models) {
    for (const auto& [kind, n] : m.errors) {
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
    }
  }
  std::string out = "<h2>Errors</h2>\n";
  if (kinds.empty()) return out + "<p class=\"note\">No call failed.</p>\n";
  std::vector<StackedBar> bars;
  for (const auto& m : s.models) {
    StackedBar b{m.model, {}};
    for (size_t k = 0; k < kinds.size(); ++k) {
      auto it = m.errors.find(kinds[k]);
      if (it != m.errors.end())
        b.segments.push_back({kinds[k], static_cast<double>(it->second), static_cast<int>(k) + 3});
    }
    bars.push_back(std::move(b));
  }
  return out + StackedBars(bars, "failed calls per model by kind") + "\n";
}

std::string GatesSection(const Summary& s) {
  if (s.gates.empty()) return "";
  std::string t =
      "<h2>Gates</h2>\n<div class=\"table\"><table><thead><tr><th class=\"l\">gate</th><th "
      "class=\"l\">model</th><th>threshold</th><th>value</th><th class=\"l\">verdict</th></tr>"
      "</thead><tbody>";
  for (const auto& g : s.gates) {
    t += fmt::format(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{:g}</td><td>{}</td><td "
        "class=\"l {}\">{}</td></tr>",
        E(g.name), E(g.model), g.threshold, g.value ? fmt::format("{:.4g}", *g.value) : "–",
        g.passed ? "pass" : "fail", g.passed ? "pass" : "FAIL");
  }
  return t + "</tbody></table></div>\n";
}

std::string GroupsTable(const Summary& s) {
  std::string t =
      "<h2>Every model and dataset</h2>\n<div class=\"table\"><table><thead><tr><th "
      "class=\"l\">model</th><th class=\"l\">dataset</th><th>calls</th><th>ok</th><th>scores</th>"
      "<th>p50</th><th>p95</th><th>p99</th><th>tok/s out</th><th>cost</th></tr></thead><tbody>";
  for (const auto& g : s.groups) {
    std::string scores;
    for (const auto& [name, v] : g.scores)
      scores += fmt::format("{}{} {:.3f}", scores.empty() ? "" : ", ", E(name), v);
    auto p = [&](double LatencyStats::*f) {
      return g.latency_ms ? FormatMs((*g.latency_ms).*f) : "–";
    };
    t += fmt::format(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td><td>{}</td></tr>",
        E(g.model), E(g.dataset), g.calls, g.ok, scores.empty() ? "–" : scores,
        p(&LatencyStats::p50), p(&LatencyStats::p95), p(&LatencyStats::p99), g.output_tokens_per_s,
        FormatCost(g.cost_usd, g.cost_usd_known, g.calls_without_usage));
  }
  return t + "</tbody></table></div>\n";
}

}  // namespace

std::string SummaryToHtml(const Summary& s) {
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n";
  html += fmt::format("<title>evalrun: {}</title>\n<style>{}</style></head>\n<body><main>\n",
                      E(s.run.job), kStyle);
  html += Header(s);
  bool scored = false;
  for (const auto& m : s.models) scored |= m.score.has_value();
  if (scored) html += RankingTable(s);
  html += ComparisonsHtml(s);
  html += LatencySection(s);
  html += TtftSection(s);
  html += TokensAndCost(s);
  html += ScoreAgainstCost(s);
  html += ErrorsSection(s);
  html += GatesSection(s);
  html += GroupsTable(s);
  html += JudgesHtml(s);
  html += RowViewsHtml(s);
  html += "<p class=\"note\">Written by evalrun " EVALRUN_VERSION
          ". Every number here is in summary.json beside this file.</p>\n";
  return html + "</main></body></html>\n";
}

}  // namespace evalrun
