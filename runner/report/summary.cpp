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

/// A mean over rows as the summary shows it: single 0/1 scores of unclustered rows keep Wilson's
/// interval (honest near 0 and 1); anything else gets the t interval of the rows' (or clusters')
/// standard error, clamped to the score's range [0, 1].
void Publish(const MeanEstimate& est, const ScoreTally& tally, double* mean,
             std::pair<double, double>* ci95, std::map<std::string, double>* se,
             const std::string& name) {
  *mean = est.mean;
  if (est.se) (*se)[name] = *est.se;
  if (est.single_binary && !est.clusters) {
    *ci95 = tally.Ci95();
  } else if (est.ci95) {
    *ci95 = {std::max(0.0, est.ci95->first), std::min(1.0, est.ci95->second)};
  } else {
    *ci95 = {0, 1};  // n cannot bound it: the whole range
  }
}

}  // namespace

SummaryBuilder::Group& SummaryBuilder::GroupFor(const CallRecord& r, uint16_t model) {
  // The group of the record before, most times: two comparisons, not a key of two strings
  // copied (a model's name is often too long to copy without the heap) and looked up.
  if (last_group_ < groups_.size()) {
    Group& last = groups_[last_group_];
    if (last.out.model == r.model && last.out.dataset == r.dataset) return last;
  }
  auto key = std::make_pair(r.model, r.dataset);
  auto it = index_.find(key);
  if (it != index_.end()) {
    last_group_ = it->second;
    return groups_[it->second];
  }
  last_group_ = groups_.size();
  index_.emplace(key, groups_.size());
  Group& g = groups_.emplace_back();
  g.model = model;
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
  if (r.skipped) {  // never sent: counted apart, not as a call
    ++m.out.skipped;
    if (m.out.stopped.empty()) m.out.stopped = r.error;
    ++GroupFor(r, static_cast<uint16_t>(&m - models_.data())).out.skipped;
    return;
  }
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
    m.error_rows.push_back(StableHash(r.row_id, StableHash(r.dataset)));
  }
  const std::optional<double> cost = KnownCostUsd(r);
  const bool usage_missing = UsageMissing(r);
  if (r.usage) {
    m.out.prompt_tokens += r.usage->prompt_tokens;
    m.out.completion_tokens += r.usage->completion_tokens;
    if (r.reasoning_tokens) {
      m.any_reasoning = true;
      m.reasoning += *r.reasoning_tokens;
      m.completion_with_reasoning += r.usage->completion_tokens;
    }
  }
  if (cost)
    m.cost += *cost;
  else
    m.cost_unknown = true;
  if (usage_missing) ++m.out.calls_without_usage;
  Group& g = GroupFor(r, static_cast<uint16_t>(&m - models_.data()));
  const auto slot = static_cast<uint16_t>(&g - groups_.data());
  const uint64_t dataset = StableHash(r.dataset);
  const uint64_t row = StableHash(r.row_id, dataset);
  if (!r.cluster.empty()) row_scores_.SetCluster(row, StableHash(r.cluster, dataset + 1));
  for (const auto& [name, v] : r.scores) {
    m.scores.Add(v);
    auto it = std::find(score_names_.begin(), score_names_.end(), name);
    if (it == score_names_.end()) it = score_names_.insert(score_names_.end(), name);
    row_scores_.Add(slot, static_cast<uint16_t>(it - score_names_.begin()), row, v);
  }
  ++g.out.calls;
  if (!r.ok()) {
    ++g.out.errors[ErrorKindName(r.error_kind)];
  } else {
    ++g.out.ok;
    if (!r.cached) g.latency.Add(r.latency_ms);
    if (r.ttft_ms) g.ttft.Add(*r.ttft_ms);
    if (r.ttfa_ms) g.ttfa.Add(*r.ttfa_ms);
    if (r.itl_ms) g.itl.Add(*r.itl_ms);
  }
  // Failed calls can still be billed (a malformed 200), so their usage counts too.
  if (r.usage) {
    g.out.prompt_tokens += r.usage->prompt_tokens;
    g.out.completion_tokens += r.usage->completion_tokens;
    g.out.total_tokens += r.usage->total_tokens;
    if (r.reasoning_tokens)
      g.out.reasoning_tokens = g.out.reasoning_tokens.value_or(0) + *r.reasoning_tokens;
  }
  if (cost)
    g.cost += *cost;
  else
    g.cost_unknown = true;
  if (usage_missing) ++g.out.calls_without_usage;
  for (const auto& [name, v] : r.scores) g.scores[name].Add(v);
  // Is the judge sound? Where a record has a judge's score and a right/wrong score, do they agree.
  for (const std::string& judge : judge_names_) {
    auto j = r.scores.find(judge);
    if (j == r.scores.end()) continue;
    for (const auto& [name, v] : r.scores) {
      if (name == judge || (v != 0 && v != 1) ||
          std::find(judge_names_.begin(), judge_names_.end(), name) != judge_names_.end())
        continue;
      auto& [rows, agreed] = agree_[{judge, name}];
      ++rows;
      agreed += (j->second >= 0.5) == (v == 1);
    }
  }
}

void SummaryBuilder::AddVerdict(const VerdictRecord& v) {
  auto it = std::find_if(judges_.begin(), judges_.end(),
                         [&](const JudgeSummary& j) { return j.judge == v.judge; });
  if (it == judges_.end()) {
    it = judges_.insert(judges_.end(), JudgeSummary{});
    it->judge = v.judge;
    it->model = v.judge_model;
    judge_cost_unknown_.push_back(false);
  }
  JudgeSummary& j = *it;
  ++j.calls;
  if (v.ok())
    ++j.ok;
  else
    ++j.errors[ErrorKindName(v.error_kind == ErrorKind::kNone ? ErrorKind::kParse : v.error_kind)];
  if (v.usage) {
    j.prompt_tokens += v.usage->prompt_tokens;
    j.completion_tokens += v.usage->completion_tokens;
  }
  const bool answered = v.http_status >= 200 && v.http_status < 300;
  if (v.cost_usd)
    j.cost_usd_known += *v.cost_usd;
  else if (answered || v.usage)
    judge_cost_unknown_[static_cast<size_t>(it - judges_.begin())] = true;
  if (answered && !v.usage && !v.cached) ++j.calls_without_usage;
}

Summary SummaryBuilder::Build(const RunInfo& run, const std::string& baseline) {
  std::vector<uint16_t> model_of_slot;
  for (const Group& g : groups_) model_of_slot.push_back(g.model);
  row_scores_.SetModels(std::move(model_of_slot));
  Summary s;
  s.run = run;
  bool cost_unknown = false;
  double cost = 0;
  for (Group& g : groups_) {
    GroupSummary out = g.out;
    out.latency_ms = StatsOf(g.latency);
    out.ttft_ms = StatsOf(g.ttft);
    out.ttfa_ms = StatsOf(g.ttfa);
    out.itl_ms = StatsOf(g.itl);
    out.cost_usd_known = g.cost;
    if (!g.cost_unknown) out.cost_usd = g.cost;
    const auto slot = static_cast<uint16_t>(&g - groups_.data());
    for (const auto& [name, tally] : g.scores) {
      const auto score = std::find(score_names_.begin(), score_names_.end(), name);
      const MeanEstimate est =
          row_scores_.SlotMean(slot, static_cast<uint16_t>(score - score_names_.begin()));
      Publish(est, tally, &out.scores[name], &out.score_ci95[name], &out.score_se, name);
      if (est.clusters) out.clusters = est.clusters;
    }
    if (run.wall_s > 0) {
      out.calls_per_s = static_cast<double>(out.calls) / run.wall_s;
      out.output_tokens_per_s = static_cast<double>(out.completion_tokens) / run.wall_s;
    }
    s.totals.calls += out.calls;
    s.totals.skipped += out.skipped;
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
      const MeanEstimate est = row_scores_.ModelMean(static_cast<uint16_t>(&m - models_.data()));
      std::map<std::string, double> se;
      Publish(est, m.scores, &out.score.emplace(), &out.score_ci95.emplace(), &se, "");
      if (se.count("")) out.score_se = se[""];
      out.clusters = est.clusters;
    }
    out.cost_usd_known = m.cost;
    if (!m.cost_unknown) out.cost_usd = m.cost;
    if (m.any_reasoning) {
      out.reasoning_share =
          m.completion_with_reasoning > 0
              ? static_cast<double>(m.reasoning) / static_cast<double>(m.completion_with_reasoning)
              : 0.0;
    }
    s.models.push_back(std::move(out));
  }
  for (size_t i = 0; i < judges_.size(); ++i) {
    JudgeSummary j = judges_[i];
    if (!judge_cost_unknown_[i]) j.cost_usd = j.cost_usd_known;
    for (const auto& [key, counts] : agree_) {
      if (key.first == j.judge && counts.first > 0)
        j.agreement[key.second] = {
            counts.first, static_cast<double>(counts.second) / static_cast<double>(counts.first)};
    }
    s.totals.judge_calls += j.calls;
    s.totals.prompt_tokens += j.prompt_tokens;
    s.totals.completion_tokens += j.completion_tokens;
    s.totals.total_tokens += j.prompt_tokens + j.completion_tokens;
    s.totals.calls_without_usage += j.calls_without_usage;
    s.totals.cost_usd_known += j.cost_usd_known;
    if (!j.cost_usd)
      s.totals.cost_usd.reset();
    else if (s.totals.cost_usd)
      *s.totals.cost_usd += *j.cost_usd;
    s.judges.push_back(std::move(j));
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

RowSelection SummaryBuilder::Rows() {
  RowSelection out;
  out.differing = row_scores_.DifferingRows();
  for (size_t i = 0; i < models_.size(); ++i) {
    std::vector<uint64_t> rows = row_scores_.ZeroRows(static_cast<uint16_t>(i));
    rows.insert(rows.end(), models_[i].error_rows.begin(), models_[i].error_rows.end());
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    out.failed.push_back(std::move(rows));
  }
  return out;
}

const ComparisonSummary* FindComparison(const Summary& s, const std::string& a,
                                        const std::string& b) {
  for (const ComparisonSummary& c : s.comparisons) {
    if (c.score != s.comparisons.front().score) break;
    if (c.a == a && c.b == b) return &c;
  }
  return nullptr;
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
