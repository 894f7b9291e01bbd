#include "report/report_md.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/format.h"

namespace evalrun {
namespace {

std::string Ms(const std::optional<LatencyStats>& s, double LatencyStats::*field) {
  return s ? fmt::format("{:.0f}", (*s).*field) : "–";
}

std::string Errors(const GroupSummary& g) {
  if (g.errors.empty()) return "0";
  std::string out;
  for (const auto& [kind, n] : g.errors)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, kind);
  return out;
}

// Cells come from model ids and dataset names; a '|' would split the table.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string OptMs(const std::optional<double>& v) {
  return v ? fmt::format("{:.0f}", *v) : "–";
}

/// Models best first (RankModels), with what the score cost in time and money beside it, and
/// whether each model's lead over the next one holds on the rows both scored.
std::string Ranking(const Summary& s) {
  std::string md =
      "## Ranking\n\n| # | model | score | 95% CI | scored | ok / calls | p50 ms | p95 ms | "
      "prompt tok | completion tok | cost | vs next |\n"
      "|--:|---|--:|---|--:|--:|--:|--:|--:|--:|--:|---|\n";
  const std::vector<size_t> order = RankModels(s.models);
  for (size_t r = 0; r < order.size(); ++r) {
    const ModelSummary& m = s.models[order[r]];
    const ComparisonSummary* next =
        r + 1 < order.size() ? FindComparison(s, m.model, s.models[order[r + 1]].model) : nullptr;
    md += fmt::format("| {} | {} | {} | {} | {} | {} / {} | {} | {} | {} | {} | {} | {} |\n", r + 1,
                      Cell(m.model), m.score ? fmt::format("**{:.3f}**", *m.score) : "–",
                      m.score_ci95 ? FormatInterval(*m.score_ci95) : "–", m.scored, m.ok, m.calls,
                      OptMs(m.p50_latency_ms), OptMs(m.p95_latency_ms), m.prompt_tokens,
                      m.completion_tokens,
                      FormatCost(m.cost_usd, m.cost_usd_known, m.calls_without_usage),
                      next ? FormatVerdict(next->stats) : "–");
  }
  return md + "\n";
}

/// Every paired comparison: the difference on the rows both models scored, with its interval.
std::string Comparisons(const Summary& s) {
  if (s.comparisons.empty()) return "";
  std::string md =
      "## Paired comparisons\n\nOn the rows both models scored (a row's score is the mean of its "
      "repeats); diff = a - b.\n\n| a | b | score | rows | diff | 95% CI | test | verdict | "
      "a only | b only | unpaired | detectable (80%) |\n"
      "|---|---|---|--:|--:|---|---|---|--:|--:|--:|--:|\n";
  for (const ComparisonSummary& c : s.comparisons) {
    const PairedComparison& p = c.stats;
    md +=
        fmt::format("| {} | {} | {} | {} | {:+.3f} | {} | {} | {} | {} | {} | {} | {} |\n",
                    Cell(c.a), Cell(c.b), Cell(c.score), p.n, p.diff,
                    p.ci95 ? fmt::format("{:+.3f} – {:+.3f}", p.ci95->first, p.ci95->second) : "–",
                    p.test, FormatVerdict(p), p.a_only, p.b_only, c.unpaired,
                    p.mde80 ? fmt::format("{:.3f}", *p.mde80) : "–");
  }
  return md + "\n";
}

/// Models stopped for repeated identical errors: why, and how many calls were not sent.
std::string Stopped(const Summary& s) {
  std::string md;
  for (const ModelSummary& m : s.models) {
    if (m.skipped == 0) continue;
    md += fmt::format(
        "**{} was stopped:** {}; {} of its calls were not sent (`--resume` sends "
        "them once the job is fixed).\n\n",
        Cell(m.model), Cell(m.stopped), m.skipped);
  }
  return md;
}

std::string Agreement(const JudgeSummary& j) {
  std::string out;
  for (const auto& [score, a] : j.agreement)
    out += fmt::format("{}{} {:.1f}% of {} rows", out.empty() ? "" : "; ", Cell(score),
                       100 * a.second, a.first);
  return out.empty() ? "–" : out;
}

/// Judge scorers: their own calls and cost, and how often they agree with a right/wrong score.
std::string Judges(const Summary& s) {
  if (s.judges.empty()) return "";
  std::string md =
      "## Judges\n\n| judge | model | calls | verdicts | errors | prompt tok | completion tok | "
      "cost | agrees with |\n|---|---|--:|--:|---|--:|--:|--:|---|\n";
  for (const JudgeSummary& j : s.judges) {
    std::string errors;
    for (const auto& [kind, n] : j.errors)
      errors += fmt::format("{}{} {}", errors.empty() ? "" : ", ", n, kind);
    md += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", Cell(j.judge), Cell(j.model), j.calls,
        j.ok, errors.empty() ? "0" : errors, j.prompt_tokens, j.completion_tokens,
        FormatCost(j.cost_usd, j.cost_usd_known, j.calls_without_usage), Agreement(j));
  }
  return md + "\n";
}

/// Thinking models: the share of their completion tokens spent reasoning.
std::string Thinking(const Summary& s) {
  std::string md;
  for (const ModelSummary& m : s.models) {
    if (!m.reasoning_share) continue;
    if (md.empty())
      md = "## Thinking\n\n| model | completion tok | spent thinking |\n|---|--:|--:|\n";
    md += fmt::format("| {} | {} | {:.1f}% |\n", Cell(m.model), m.completion_tokens,
                      100 * *m.reasoning_share);
  }
  return md.empty() ? md : md + "\n";
}

constexpr size_t kRowsInMarkdown = 10;

/// A row's text in one table cell: one line, cut at `chars` characters.
std::string Short(const std::optional<std::string>& text, size_t chars) {
  if (!text) return "–";
  bool cut = false;
  std::string out = Cell(std::string(CutChars(*text, chars, &cut)));
  return cut ? out + "\u2026" : out;
}

/// One model's cell of a differing row: its scores and the start of its answer, or its error.
std::string AnswerCell(const RowView& row, const std::string& model) {
  for (const RowAnswer& a : row.answers) {
    if (a.model != model) continue;
    if (!a.error.empty()) return "error: " + Short(a.error, 60);
    std::string cell;
    for (const auto& [name, value] : a.scores)
      cell += fmt::format("{}{} {:g}", cell.empty() ? "" : ", ", Cell(name), value);
    return a.response ? cell + ": " + Short(a.response, 60) : cell;
  }
  return "–";
}

/// The first rows whose scores differ between models, each model's scores and answers side by
/// side (report.html has the first 100, with the whole texts).
std::string Differing(const Summary& s) {
  if (s.models.size() < 2 || s.comparisons.empty()) return "";
  const RowViews& v = s.rows;
  std::string md = fmt::format("## Where the models differ\n\n{} row{} scored differently",
                               v.differing, v.differing == 1 ? "" : "s");
  if (static_cast<long long>(std::min(kRowsInMarkdown, v.differ.size())) < v.differing)
    md += fmt::format("; the first {} are below, {} in report.html",
                      std::min(kRowsInMarkdown, v.differ.size()), v.differ.size());
  md += ".\n\n";
  if (!v.note.empty()) md += fmt::format("_{}._\n\n", v.note);
  if (v.differ.empty()) return md;
  md += "| dataset | row | prompt | reference |";
  for (const ModelSummary& m : s.models) md += fmt::format(" {} |", Cell(m.model));
  md += "\n|---|---|---|---|";
  for (size_t i = 0; i < s.models.size(); ++i) md += "---|";
  md += "\n";
  for (size_t r = 0; r < v.differ.size() && r < kRowsInMarkdown; ++r) {
    const RowView& row = v.differ[r];
    md += fmt::format("| {} | {} | {} | {} |", Cell(row.dataset), Cell(row.row_id),
                      Short(row.prompt, 80), Short(row.reference, 40));
    for (const ModelSummary& m : s.models) md += " " + AnswerCell(row, m.model) + " |";
    md += "\n";
  }
  return md + "\n";
}

}  // namespace

std::string SummaryToMarkdown(const Summary& s) {
  std::string md;
  md += fmt::format("# evalrun: {}\n\n", Cell(s.run.job));
  md += fmt::format("Run `{}`, {} → {}, {:.1f} s wall.", s.run.run_id, s.run.started_at,
                    s.run.finished_at, s.run.wall_s);
  if (!s.run.stop_reason.empty()) md += fmt::format(" **Stopped early:** {}.", s.run.stop_reason);
  md += "\n\n";
  if (s.run.concurrency > 0) {
    md += fmt::format("Concurrency {}", s.run.concurrency);
    if (s.run.concurrency_min < s.run.concurrency) {
      md += fmt::format(" (lowered to {} by rate limiting)", s.run.concurrency_min);
    }
    md += fmt::format("; {} retries.\n\n", s.run.retries);
  }
  md += fmt::format(
      "{} calls, {} ok, {} failed; {} prompt + {} completion tokens; cost {}.\n\n", s.totals.calls,
      s.totals.ok, s.totals.calls - s.totals.ok, s.totals.prompt_tokens, s.totals.completion_tokens,
      FormatCost(s.totals.cost_usd, s.totals.cost_usd_known, s.totals.calls_without_usage));

  md += Stopped(s);
  bool any_scores = false;
  for (const auto& g : s.groups) any_scores |= !g.scores.empty();
  if (any_scores) md += Ranking(s) + Comparisons(s) + Differing(s);
  md += Thinking(s);
  md += Judges(s);
  md += "## Models\n\n";
  md += "| model | dataset | calls | ok | errors |";
  if (any_scores) md += " score |";
  md += " p50 ms | p95 ms | p99 ms | prompt tok | completion tok | tok/s out | cost |\n";
  md += "|---|---|--:|--:|---|";
  if (any_scores) md += "--:|";
  md += "--:|--:|--:|--:|--:|--:|--:|\n";
  for (const auto& g : s.groups) {
    md += fmt::format("| {} | {} | {} | {} | {} |", Cell(g.model), Cell(g.dataset), g.calls, g.ok,
                      Errors(g));
    if (any_scores) {
      std::string scores;
      for (const auto& [name, v] : g.scores)
        scores += fmt::format("{}{} {:.3f}", scores.empty() ? "" : ", ", name, v);
      md += fmt::format(" {} |", scores.empty() ? "–" : scores);
    }
    md += fmt::format(" {} | {} | {} | {} | {} | {:.1f} | {} |\n",
                      Ms(g.latency_ms, &LatencyStats::p50), Ms(g.latency_ms, &LatencyStats::p95),
                      Ms(g.latency_ms, &LatencyStats::p99), g.prompt_tokens, g.completion_tokens,
                      g.output_tokens_per_s,
                      FormatCost(g.cost_usd, g.cost_usd_known, g.calls_without_usage));
  }
  bool any_ttft = false;
  for (const auto& g : s.groups) any_ttft |= g.ttft_ms.has_value();
  if (any_ttft) {
    md +=
        "\n## Streaming\n\nTTFT is the first token of any kind (a thinking model's first thought); "
        "TTFA the first token of the answer.\n\n| model | dataset | TTFT p50 ms | TTFT p95 ms | "
        "TTFT p99 ms | TTFA p50 ms | TTFA p95 ms | inter-token p50 ms | inter-token p95 ms |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|\n";
    for (const auto& g : s.groups) {
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", Cell(g.model),
                        Cell(g.dataset), Ms(g.ttft_ms, &LatencyStats::p50),
                        Ms(g.ttft_ms, &LatencyStats::p95), Ms(g.ttft_ms, &LatencyStats::p99),
                        Ms(g.ttfa_ms, &LatencyStats::p50), Ms(g.ttfa_ms, &LatencyStats::p95),
                        Ms(g.itl_ms, &LatencyStats::p50), Ms(g.itl_ms, &LatencyStats::p95));
    }
  }
  if (!s.gates.empty()) {
    md += "\n## Gates\n\n| gate | model | threshold | value | verdict |\n|---|---|--:|--:|---|\n";
    for (const auto& g : s.gates) {
      md += fmt::format("| {} | {} | {} | {} | {} |\n", g.name, Cell(g.model), g.threshold,
                        g.value ? fmt::format("{:.4g}", *g.value) : "–",
                        g.passed ? "pass" : "**FAIL**");
    }
  }
  return md;
}

}  // namespace evalrun
