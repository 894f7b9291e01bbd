#include "report/report_html_rows.h"

#include <fmt/format.h>

#include "common/text.h"
#include "report/format.h"
#include "report/svg_chart.h"

namespace evalrun {
namespace {

constexpr size_t kCutChars = 300;

std::string E(std::string_view s) {
  return XmlEscape(std::string(s));
}

/// A text of the row, cut at kCutChars characters with the whole of it behind a <details>.
std::string TextBlock(const std::string& text, const char* what) {
  bool cut = false;
  const std::string_view head = CutChars(text, kCutChars, &cut);
  if (!cut) return fmt::format("<div class=\"text\">{}</div>", E(text));
  return fmt::format(
      "<div class=\"text\">{}\u2026</div><details><summary>the whole {} ({} bytes)</summary>"
      "<div class=\"text\">{}</div></details>",
      E(head), what, text.size(), E(text));
}

std::string Scores(const std::map<std::string, double>& scores) {
  std::string out;
  for (const auto& [name, v] : scores) out += fmt::format(" <b>{} {:g}</b>", E(name), v);
  return out;
}

std::string Answer(const Summary& s, const RowAnswer& a) {
  std::string html = fmt::format("<div class=\"answer\"><div class=\"who\">{}{}{}",
                                 Dot(SeriesOf(s, a.model)), E(a.model), Scores(a.scores));
  if (a.repeats > 1)
    html += fmt::format(" <span class=\"note\">(repeat {} of {})</span>", a.shown_repeat + 1,
                        a.repeats);
  html += "</div>";
  if (!a.error.empty()) html += fmt::format("<p class=\"fail\">{}</p>", E(a.error));
  for (const auto& [judge, reason] : a.reasons)  // why each judge scored it so
    html += fmt::format("<p class=\"note\">{}: {}</p>", E(judge), E(reason));
  if (a.response)
    html += TextBlock(*a.response, "answer");
  else if (a.error.empty())
    html += "<p class=\"note\">answer not saved (save_responses: false)</p>";
  return html + "</div>";
}

std::string Row(const Summary& s, const RowView& v) {
  std::string html =
      fmt::format("<article class=\"row\"><h3>{} · {}</h3>", E(v.dataset), E(v.row_id));
  if (v.prompt) html += "<div class=\"label\">prompt</div>" + TextBlock(*v.prompt, "prompt");
  if (v.reference)
    html += "<div class=\"label\">reference</div>" + TextBlock(*v.reference, "reference");
  for (const RowAnswer& a : v.answers) html += Answer(s, a);
  return html + "</article>\n";
}

std::string Shown(long long count, size_t shown) {
  return static_cast<long long>(shown) < count ? fmt::format("; the first {} are shown", shown)
                                               : "";
}

}  // namespace

int SeriesOf(const Summary& s, const std::string& model) {
  for (size_t i = 0; i < s.models.size(); ++i) {
    if (s.models[i].model == model) return static_cast<int>(i);
  }
  return 0;
}

std::string Dot(int series) {
  return fmt::format(R"(<svg class="dot" viewBox="0 0 10 10" aria-hidden="true"><circle )"
                     R"(class="s{}" cx="5" cy="5" r="5"/></svg>)",
                     series % kSeriesColours);
}

std::string ComparisonsHtml(const Summary& s) {
  if (s.comparisons.empty()) return "";
  std::vector<ForestRow> rows;
  bool one_score = true;
  for (const ComparisonSummary& c : s.comparisons) one_score &= c.score == s.comparisons[0].score;
  std::string table =
      "<div class=\"table\"><table><thead><tr><th class=\"l\">a − b</th><th class=\"l\">score"
      "</th><th>rows</th><th>diff</th><th>95% CI</th><th class=\"l\">verdict</th><th>a only</th>"
      "<th>b only</th><th>unpaired</th><th>detectable (80%)</th></tr></thead><tbody>\n";
  for (const ComparisonSummary& c : s.comparisons) {
    const PairedComparison& p = c.stats;
    const bool significant = p.p_value && *p.p_value < 0.05;
    const std::string label = c.a + " − " + c.b + (one_score ? "" : " (" + c.score + ")");
    rows.push_back({label, p.diff, p.ci95, significant, fmt::format("{:+.3f}", p.diff)});
    table += fmt::format(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{:+.3f}</td><td>{}</td>"
        "<td class=\"l{}\">{} · {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        E(c.a + " − " + c.b), E(c.score), p.n, p.diff,
        p.ci95 ? fmt::format("{:+.3f} – {:+.3f}", p.ci95->first, p.ci95->second) : "–",
        significant ? " pass" : "", E(p.test), E(FormatVerdict(p)), p.a_only, p.b_only, c.unpaired,
        p.mde80 ? fmt::format("{:.3f}", *p.mde80) : "–");
  }
  return "<h2 id=\"comparisons\">Paired comparisons</h2>\n<p class=\"note\">On the rows both "
         "models scored (a row's "
         "score is the mean of its repeats). Each dot is a difference a − b with its 95% "
         "interval: solid where it is significant (p &lt; 0.05); an interval across the zero line "
         "is a difference these rows cannot tell from none.</p>\n" +
         ForestPlot(rows, "paired differences with 95% intervals") + "\n" + table +
         "</tbody></table></div>\n";
}

std::string JudgesHtml(const Summary& s) {
  if (s.judges.empty()) return "";
  std::string html =
      "<h2 id=\"judges\">Judges</h2>\n<p class=\"note\">Judge calls are counted apart from the "
      "graded models' and included in the totals. Agreement: the share of rows on which the judge "
      "(a score of at least 0.5) and a right/wrong score of the same answer agree.</p>\n<div "
      "class=\"table\"><table><thead><tr><th class=\"l\">judge</th><th class=\"l\">model</th>"
      "<th>calls</th><th>verdicts</th><th class=\"l\">errors</th><th>cost</th><th "
      "class=\"l\">agrees with</th></tr></thead><tbody>\n";
  for (const JudgeSummary& j : s.judges) {
    std::string errors, agreement;
    for (const auto& [kind, n] : j.errors)
      errors += fmt::format("{}{} {}", errors.empty() ? "" : ", ", n, kind);
    for (const auto& [score, a] : j.agreement)
      agreement += fmt::format("{}{} {:.1f}% of {} rows", agreement.empty() ? "" : "; ", E(score),
                               100 * a.second, a.first);
    html += fmt::format(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td "
        "class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td></tr>\n",
        E(j.judge), E(j.model), j.calls, j.ok, errors.empty() ? "0" : E(errors),
        E(FormatCost(j.cost_usd, j.cost_usd_known, j.calls_without_usage)),
        agreement.empty() ? "–" : agreement);
  }
  return html + "</tbody></table></div>\n";
}

std::string RowViewsHtml(const Summary& s) {
  const RowViews& v = s.rows;
  std::string html;
  if (s.models.size() > 1 && !s.comparisons.empty()) {
    html += "<h2 id=\"differ\">Where the models differ</h2>\n";
    html += fmt::format("<p>{} row{} scored differently between models{}.</p>\n", v.differing,
                        v.differing == 1 ? "" : "s", Shown(v.differing, v.differ.size()));
    if (!v.note.empty()) html += fmt::format("<p class=\"note\">{}.</p>\n", E(v.note));
    for (const RowView& row : v.differ) html += Row(s, row);
  }
  bool any_failed = false;
  for (const FailedRows& f : v.failed) any_failed |= f.count > 0;
  if (!any_failed) return html;
  html +=
      "<h2 id=\"failed\">Failed rows</h2>\n<p class=\"note\">Per model, the rows it scored 0 on or "
      "whose "
      "call failed.</p>\n";
  for (const FailedRows& f : v.failed) {
    if (f.count == 0) continue;
    html += fmt::format("<h3>{}{}: {} failed row{}{}</h3>\n", Dot(SeriesOf(s, f.model)), E(f.model),
                        f.count, f.count == 1 ? "" : "s", Shown(f.count, f.shown.size()));
    for (const RowView& row : f.shown) html += Row(s, row);
  }
  return html;
}

}  // namespace evalrun
