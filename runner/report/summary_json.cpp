#include "report/summary_json.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "common/json_write.h"

namespace evalrun {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Stats(Writer& w, const char* key, const std::optional<LatencyStats>& s) {
  w.Key(key);
  if (!s) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("mean");
  w.Double(s->mean);
  w.Key("p50");
  w.Double(s->p50);
  w.Key("p90");
  w.Double(s->p90);
  w.Key("p95");
  w.Double(s->p95);
  w.Key("p99");
  w.Double(s->p99);
  w.Key("max");
  w.Double(s->max);
  w.EndObject();
}

void OptionalCount(Writer& w, const char* key, const std::optional<long long>& n) {
  w.Key(key);
  if (n)
    w.Int64(*n);
  else
    w.Null();
}

/// {"name": count, ...}: failed calls by error_kind.
void Counts(Writer& w, const char* key, const std::map<std::string, long long>& counts) {
  w.Key(key);
  w.StartObject();
  for (const auto& [name, n] : counts) {
    w.Key(name);
    w.Int64(n);
  }
  w.EndObject();
}

/// cost_usd (null when any part is unknown), the known part and the calls that said no usage,
/// written exactly: totals are sums of the exact figures, never of rounded ones.
void Cost(Writer& w, const std::optional<double>& usd, double known, long long without_usage) {
  WriteExactNumber(w, "cost_usd", usd);
  WriteExactNumber(w, "cost_usd_known", known);
  w.Key("calls_without_usage");
  w.Int64(without_usage);
}

void Interval(Writer& w, const std::pair<double, double>& ci) {
  w.StartArray();
  w.Double(ci.first);
  w.Double(ci.second);
  w.EndArray();
}

/// {"exact": {"pass_at_k": [k = 1, 2, ...], "pass_all_k": [...], "within_row_variance_share"}}
void WriteRepeats(Writer& w, const std::map<std::string, RepeatSummary>& repeats) {
  w.Key("repeats");
  w.StartObject();
  for (const auto& [score, r] : repeats) {
    w.Key(score);
    w.StartObject();
    w.Key("pass_at_k");
    w.StartArray();
    for (double v : r.pass_at_k) w.Double(v);
    w.EndArray();
    w.Key("pass_all_k");
    w.StartArray();
    for (double v : r.pass_all_k) w.Double(v);
    w.EndArray();
    WriteOptionalNumber(w, "within_row_variance_share", r.within_row_variance_share);
    w.EndObject();
  }
  w.EndObject();
}

void Models(Writer& w, const Summary& s) {
  w.Key("models");
  w.StartArray();
  int rank = 0;
  for (size_t i : RankModels(s.models)) {
    const ModelSummary& m = s.models[i];
    w.StartObject();
    w.Key("rank");
    w.Int(++rank);
    w.Key("model");
    w.String(m.model);
    w.Key("calls");
    w.Int64(m.calls);
    w.Key("ok");
    w.Int64(m.ok);
    WriteOptionalNumber(w, "score", m.score);
    w.Key("score_ci95");
    if (m.score_ci95)
      Interval(w, *m.score_ci95);
    else
      w.Null();
    WriteExactNumber(w, "score_se", m.score_se);
    OptionalCount(w, "clusters", m.clusters);
    w.Key("scored");
    w.Int64(m.scored);
    WriteOptionalNumber(w, "p50_latency_ms", m.p50_latency_ms);
    WriteOptionalNumber(w, "p95_latency_ms", m.p95_latency_ms);
    w.Key("prompt_tokens");
    w.Int64(m.prompt_tokens);
    w.Key("completion_tokens");
    w.Int64(m.completion_tokens);
    WriteOptionalNumber(w, "reasoning_share", m.reasoning_share);
    w.Key("skipped");
    w.Int64(m.skipped);
    w.Key("stopped");
    if (m.stopped.empty())
      w.Null();
    else
      w.String(m.stopped);
    Cost(w, m.cost_usd, m.cost_usd_known, m.calls_without_usage);
    Counts(w, "errors", m.errors);
    WriteRepeats(w, m.repeats);
    w.Key("failed_rows");  // the row views count them; the rows themselves are in report.html
    long long failed = 0;
    for (const FailedRows& f : s.rows.failed) {
      if (f.model == m.model) failed = f.count;
    }
    w.Int64(failed);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

namespace {

/// run_id ... retries: what the run was, before what it did.
void WriteRun(Writer& w, const RunInfo& run) {
  w.Key("run_id");
  w.String(run.run_id);
  w.Key("job");
  w.String(run.job);
  w.Key("started_at");
  w.String(run.started_at);
  w.Key("finished_at");
  w.String(run.finished_at);
  w.Key("wall_s");
  w.Double(run.wall_s);
  w.Key("stop_reason");
  if (run.stop_reason.empty())
    w.Null();
  else
    w.String(run.stop_reason);
  w.Key("concurrency");
  if (run.concurrency > 0) {
    w.StartObject();
    w.Key("configured");
    w.Int(run.concurrency);
    w.Key("min_reached");
    w.Int(run.concurrency_min);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("retries");
  w.Int64(run.retries);
}

void WriteGroup(Writer& w, const GroupSummary& g) {
  w.StartObject();
  w.Key("model");
  w.String(g.model);
  w.Key("model_id");
  w.String(g.model_id);
  w.Key("dataset");
  w.String(g.dataset);
  w.Key("calls");
  w.Int64(g.calls);
  w.Key("ok");
  w.Int64(g.ok);
  Counts(w, "errors", g.errors);
  Stats(w, "latency_ms", g.latency_ms);
  Stats(w, "ttft_ms", g.ttft_ms);
  Stats(w, "ttfa_ms", g.ttfa_ms);
  Stats(w, "itl_ms", g.itl_ms);
  w.Key("prompt_tokens");
  w.Int64(g.prompt_tokens);
  w.Key("completion_tokens");
  w.Int64(g.completion_tokens);
  w.Key("total_tokens");
  w.Int64(g.total_tokens);
  OptionalCount(w, "reasoning_tokens", g.reasoning_tokens);
  w.Key("skipped");
  w.Int64(g.skipped);
  Cost(w, g.cost_usd, g.cost_usd_known, g.calls_without_usage);
  w.Key("scores");
  w.StartObject();
  for (const auto& [name, v] : g.scores) {
    w.Key(name);
    w.Double(v);
  }
  w.EndObject();
  w.Key("score_ci95");
  w.StartObject();
  for (const auto& [name, ci] : g.score_ci95) {
    w.Key(name);
    Interval(w, ci);
  }
  w.EndObject();
  w.Key("score_se");
  w.StartObject();
  for (const auto& [name, se] : g.score_se) {
    w.Key(name);
    WriteExactNumber(w, se);
  }
  w.EndObject();
  OptionalCount(w, "clusters", g.clusters);
  w.Key("calls_per_s");
  w.Double(g.calls_per_s);
  w.Key("output_tokens_per_s");
  w.Double(g.output_tokens_per_s);
  w.EndObject();
}

void WriteTotals(Writer& w, const Totals& t) {
  w.Key("totals");
  w.StartObject();
  w.Key("calls");
  w.Int64(t.calls);
  w.Key("ok");
  w.Int64(t.ok);
  w.Key("judge_calls");
  w.Int64(t.judge_calls);
  w.Key("skipped");
  w.Int64(t.skipped);
  w.Key("prompt_tokens");
  w.Int64(t.prompt_tokens);
  w.Key("completion_tokens");
  w.Int64(t.completion_tokens);
  w.Key("total_tokens");
  w.Int64(t.total_tokens);
  Cost(w, t.cost_usd, t.cost_usd_known, t.calls_without_usage);
  w.EndObject();
}

void WriteJudges(Writer& w, const std::vector<JudgeSummary>& judges) {
  w.Key("judges");
  w.StartArray();
  for (const JudgeSummary& j : judges) {
    w.StartObject();
    w.Key("judge");
    w.String(j.judge);
    w.Key("model");
    w.String(j.model);
    w.Key("calls");
    w.Int64(j.calls);
    w.Key("ok");
    w.Int64(j.ok);
    Counts(w, "errors", j.errors);
    w.Key("prompt_tokens");
    w.Int64(j.prompt_tokens);
    w.Key("completion_tokens");
    w.Int64(j.completion_tokens);
    Cost(w, j.cost_usd, j.cost_usd_known, j.calls_without_usage);
    w.Key("agreement");
    w.StartObject();
    for (const auto& [score, a] : j.agreement) {
      w.Key(score);
      w.StartObject();
      w.Key("rows");
      w.Int64(a.first);
      w.Key("share");
      WriteExactNumber(w, a.second);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
}

void WriteComparisons(Writer& w, const std::vector<ComparisonSummary>& comparisons) {
  w.Key("comparisons");
  w.StartArray();
  for (const ComparisonSummary& c : comparisons) {
    w.StartObject();
    w.Key("a");
    w.String(c.a);
    w.Key("b");
    w.String(c.b);
    w.Key("score");
    w.String(c.score);
    WriteComparisonFields(w, c.stats, c.unpaired);
    w.EndObject();
  }
  w.EndArray();
}

void WriteGates(Writer& w, const std::vector<GateResult>& gates) {
  w.Key("gates");
  w.StartArray();
  for (const GateResult& g : gates) {
    w.StartObject();
    w.Key("name");
    w.String(g.name);
    w.Key("model");
    w.String(g.model);
    w.Key("threshold");
    w.Double(g.threshold);
    WriteOptionalNumber(w, "value", g.value);
    w.Key("passed");
    w.Bool(g.passed);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void WriteComparisonFields(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w,
                           const PairedComparison& p, long long unpaired) {
  // Written exactly (shortest round-trip), not to six places: a p of 2e-22 is not 0, and a
  // difference of 0.18 is not 0.179999.
  w.Key("n");
  w.Int64(p.n);
  WriteExactNumber(w, "mean_a", p.mean_a);
  WriteExactNumber(w, "mean_b", p.mean_b);
  WriteExactNumber(w, "diff", p.diff);
  WriteExactNumber(w, "se", p.se);
  w.Key("ci95");
  if (p.ci95) {
    w.StartArray();
    WriteExactNumber(w, p.ci95->first);
    WriteExactNumber(w, p.ci95->second);
    w.EndArray();
  } else {
    w.Null();
  }
  WriteExactNumber(w, "p_value", p.p_value);
  w.Key("test");
  w.String(p.test);
  WriteExactNumber(w, "correlation", p.correlation);
  w.Key("a_only");
  w.Int64(p.a_only);
  w.Key("b_only");
  w.Int64(p.b_only);
  w.Key("unpaired");
  w.Int64(unpaired);
  OptionalCount(w, "clusters", p.clusters);
  WriteExactNumber(w, "mde80", p.mde80);
}

std::string SummaryToJson(const Summary& s) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetMaxDecimalPlaces(6);  // latencies and rates; costs are written exactly by Cost()
  w.StartObject();
  WriteRun(w, s.run);
  w.Key("groups");
  w.StartArray();
  for (const GroupSummary& g : s.groups) WriteGroup(w, g);
  w.EndArray();
  Models(w, s);
  WriteTotals(w, s.totals);
  WriteGates(w, s.gates);
  WriteComparisons(w, s.comparisons);
  w.Key("differing_rows");
  w.Int64(s.rows.differing);
  WriteJudges(w, s.judges);
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out.push_back('\n');
  return out;
}

}  // namespace evalrun
