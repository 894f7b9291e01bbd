#include "report/summary.h"

#include <algorithm>

#include "common/stable_hash.h"
#include "report/latency_buckets.h"

namespace evalrun {
namespace {

std::optional<LatencyStats> StatsOf(Samples& s) {
  if (s.empty()) return std::nullopt;
  return LatencyStats{s.Mean(),         s.Percentile(50), s.Percentile(90),
                      s.Percentile(95), s.Percentile(99), s.Max()};
}

}  // namespace

SummaryBuilder::Group& SummaryBuilder::GroupFor(const CallRecord& r) {
  auto key = std::make_pair(r.model, r.dataset);
  auto it = index_.find(key);
  if (it != index_.end()) return groups_[it->second];
  index_.emplace(key, groups_.size());
  Group& g = groups_.emplace_back();
  g.out.model = r.model;
  g.out.model_id = r.model_id;
  g.out.dataset = r.dataset;
  return g;
}

SummaryBuilder::Model& SummaryBuilder::ModelFor(const std::string& model) {
  for (Model& m : models_) {
    if (m.out.model == model) return m;
  }
  Model& m = models_.emplace_back();
  m.out.model = model;
  return m;
}

void SummaryBuilder::Add(const CallRecord& r) {
  Model& m = ModelFor(r.model);
  ++m.out.calls;
  if (r.ok()) {
    ++m.out.ok;
    if (!r.cached) {  // a cached answer took no API time
      m.latency.Add(r.latency_ms);
      auto& histogram = m.out.latency_histogram;
      if (histogram.empty()) histogram.resize(LatencyBucketEdgesMs().size() + 1);
      ++histogram[LatencyBucket(r.latency_ms)];
    }
  } else {
    ++m.out.errors[ErrorKindName(r.error_kind)];
  }
  const std::optional<double> cost = KnownCostUsd(r);
  const bool usage_missing = UsageMissing(r);
  if (r.usage) {
    m.out.prompt_tokens += r.usage->prompt_tokens;
    m.out.completion_tokens += r.usage->completion_tokens;
  }
  if (cost)
    m.cost += *cost;
  else
    m.cost_unknown = true;
  if (usage_missing) ++m.out.calls_without_usage;
  const auto model_index = static_cast<uint16_t>(&m - models_.data());
  const uint64_t row = StableHash(r.row_id, StableHash(r.dataset));
  for (const auto& [name, v] : r.scores) {
    m.scores.Add(v);
    auto it = std::find(score_names_.begin(), score_names_.end(), name);
    if (it == score_names_.end()) it = score_names_.insert(score_names_.end(), name);
    row_scores_.Add(model_index, static_cast<uint16_t>(it - score_names_.begin()), row, v);
  }
  Group& g = GroupFor(r);
  ++g.out.calls;
  if (!r.ok()) {
    ++g.out.errors[ErrorKindName(r.error_kind)];
  } else {
    ++g.out.ok;
    if (!r.cached) g.latency.Add(r.latency_ms);
    if (r.ttft_ms) g.ttft.Add(*r.ttft_ms);
    if (r.itl_ms) g.itl.Add(*r.itl_ms);
  }
  // Failed calls can still be billed (a malformed 200), so their usage counts too.
  if (r.usage) {
    g.out.prompt_tokens += r.usage->prompt_tokens;
    g.out.completion_tokens += r.usage->completion_tokens;
    g.out.total_tokens += r.usage->total_tokens;
  }
  if (cost)
    g.cost += *cost;
  else
    g.cost_unknown = true;
  if (usage_missing) ++g.out.calls_without_usage;
  for (const auto& [name, v] : r.scores) g.scores[name].Add(v);
}

Summary SummaryBuilder::Build(const RunInfo& run, const std::string& baseline) {
  Summary s;
  s.run = run;
  bool cost_unknown = false;
  double cost = 0;
  for (Group& g : groups_) {
    GroupSummary out = g.out;
    out.latency_ms = StatsOf(g.latency);
    out.ttft_ms = StatsOf(g.ttft);
    out.itl_ms = StatsOf(g.itl);
    out.cost_usd_known = g.cost;
    if (!g.cost_unknown) out.cost_usd = g.cost;
    for (const auto& [name, tally] : g.scores) {
      out.scores[name] = tally.Mean();
      out.score_ci95[name] = tally.Ci95();
    }
    if (run.wall_s > 0) {
      out.calls_per_s = static_cast<double>(out.calls) / run.wall_s;
      out.output_tokens_per_s = static_cast<double>(out.completion_tokens) / run.wall_s;
    }
    s.totals.calls += out.calls;
    s.totals.ok += out.ok;
    s.totals.prompt_tokens += out.prompt_tokens;
    s.totals.completion_tokens += out.completion_tokens;
    s.totals.total_tokens += out.total_tokens;
    s.totals.calls_without_usage += out.calls_without_usage;
    cost_unknown |= g.cost_unknown;
    cost += g.cost;
    s.groups.push_back(std::move(out));
  }
  s.totals.cost_usd_known = cost;
  if (!cost_unknown) s.totals.cost_usd = cost;
  for (Model& m : models_) {
    ModelSummary out = m.out;
    if (!m.latency.empty()) {
      out.p50_latency_ms = m.latency.Percentile(50);
      out.p95_latency_ms = m.latency.Percentile(95);
    }
    out.scored = m.scores.count();
    if (m.scores.count() > 0) {
      out.score = m.scores.Mean();
      out.score_ci95 = m.scores.Ci95();
    }
    out.cost_usd_known = m.cost;
    if (!m.cost_unknown) out.cost_usd = m.cost;
    s.models.push_back(std::move(out));
  }
  std::vector<std::string> labels;
  for (size_t i = 0; i < s.models.size(); ++i) {
    labels.push_back(s.models[i].model);
    for (size_t k = 0; k < score_names_.size(); ++k) {
      if (auto r = row_scores_.Repeats(static_cast<uint16_t>(i), static_cast<uint16_t>(k)))
        s.models[i].repeats[score_names_[k]] = std::move(*r);
    }
  }
  std::optional<size_t> base;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!baseline.empty() && labels[i] == baseline) base = i;
  }
  s.comparisons = row_scores_.Compare(labels, RankModels(s.models), score_names_, base);
  return s;
}

std::vector<size_t> RankModels(const std::vector<ModelSummary>& models) {
  std::vector<size_t> order(models.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const ModelSummary& x = models[a];
    const ModelSummary& y = models[b];
    if (x.score.has_value() != y.score.has_value()) return x.score.has_value();
    if (!x.score) return false;
    if (*x.score != *y.score) return *x.score > *y.score;
    if (x.cost_usd.has_value() != y.cost_usd.has_value()) return x.cost_usd.has_value();
    return x.cost_usd && *x.cost_usd < *y.cost_usd;
  });
  return order;
}

}  // namespace evalrun
