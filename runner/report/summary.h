// Summary: the numbers every report shows, computed once from the records (SummaryBuilder) and
// rendered by the json, md and html writers, which never recompute them. Fed record by record
// from results.jsonl, by `run` once its calls are done and by `evalrun report` alike: one path.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/row_scores.h"
#include "report/row_views.h"
#include "report/score_tally.h"
#include "report/stats.h"
#include "results/call_record.h"
#include "results/verdict_record.h"

namespace evalrun {

struct LatencyStats {
  double mean = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0;
};

struct GroupSummary {
  std::string model;
  std::string model_id;
  std::string dataset;
  long long calls = 0;
  long long ok = 0;
  std::map<std::string, long long> errors;  // error_kind -> count
  std::optional<LatencyStats> latency_ms;   // over ok calls
  std::optional<LatencyStats> ttft_ms;      // over ok calls that recorded one
  std::optional<LatencyStats> ttfa_ms;      // first answer token: after a thinking model thinks
  std::optional<LatencyStats> itl_ms;       // mean inter-token latency of each streamed call
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  long long total_tokens = 0;
  std::optional<long long> reasoning_tokens;  // of completion_tokens; null when none reported
  long long skipped = 0;  // not sent: the model was stopped (not in calls, ok or errors)
  long long calls_without_usage = 0;     // 2xx answers without usage (UsageMissing)
  std::optional<double> cost_usd;        // null where a price is unknown or a call lacks usage
  double cost_usd_known = 0;             // the part of the cost that is known
  std::map<std::string, double> scores;  // scorer name -> mean
  std::map<std::string, std::pair<double, double>> score_ci95;  // scorer name -> {low, high}
  std::map<std::string, double> score_se;  // scorer name -> standard error, where n defines it
  std::optional<long long> clusters;       // of the dataset's cluster_field, when it has one
  double calls_per_s = 0;
  double output_tokens_per_s = 0;
};

/// One model over every dataset: what gates judge and the ranking compares.
struct ModelSummary {
  std::string model;
  long long calls = 0;
  long long ok = 0;
  std::optional<double> p50_latency_ms;  // over ok calls
  std::optional<double> p95_latency_ms;
  /// Over rows: a row's value is the mean of its scores and repeats (the unit is a row).
  std::optional<double> score;
  std::optional<std::pair<double, double>> score_ci95;
  std::optional<double> score_se;
  std::optional<long long> clusters;  // when a dataset names a cluster_field: how many
  long long scored = 0;               // scores behind `score`
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  /// The share of completion tokens spent thinking, over the calls that reported
  /// reasoning_tokens; null when none did.
  std::optional<double> reasoning_share;
  long long skipped = 0;  // calls not sent because the model was stopped
  std::string stopped;    // why the model was stopped, when it was
  long long calls_without_usage = 0;
  std::optional<double> cost_usd;  // null where a price is unknown or a call lacks usage
  double cost_usd_known = 0;
  std::map<std::string, long long> errors;  // error_kind -> count, over every dataset
  /// ok calls per latency bucket (report/latency_buckets.h); cached answers are not counted.
  std::vector<long long> latency_histogram;
  /// Per 0/1 score whose rows were tried more than once (repeats >= 2): pass@k and pass^k.
  std::map<std::string, RepeatSummary> repeats;
};

/// One judge scorer: its own calls, apart from the graded models' (and in the totals).
struct JudgeSummary {
  std::string judge;  // the scorer's name
  std::string model;  // the judge model's id
  long long calls = 0, ok = 0;
  std::map<std::string, long long> errors;  // error_kind -> count; "parse": unreadable verdicts
  long long prompt_tokens = 0, completion_tokens = 0;
  long long calls_without_usage = 0;
  std::optional<double> cost_usd;
  double cost_usd_known = 0;
  /// Per other 0/1 score of the same records: how many rows both scored, and the share on which
  /// the judge (a score of at least 0.5) agreed with it.
  std::map<std::string, std::pair<long long, double>> agreement;
};

struct Totals {
  long long calls = 0, ok = 0;
  long long skipped = 0;
  long long judge_calls = 0;  // beside `calls`; their tokens and cost are in the totals
  long long prompt_tokens = 0, completion_tokens = 0, total_tokens = 0;
  long long calls_without_usage = 0;
  std::optional<double> cost_usd;
  double cost_usd_known = 0;
};

struct GateResult {
  std::string name;
  std::string model;
  double threshold = 0;
  std::optional<double> value;
  bool passed = false;
};

struct RunInfo {
  std::string run_id;
  std::string job;
  std::string started_at;
  std::string finished_at;
  double wall_s = 0;
  std::string stop_reason;  // empty when the run finished its plan
  int concurrency = 0;      // configured window; 0 when unknown (rebuilt reports)
  int concurrency_min = 0;  // smallest window the adaptive limit reached
  long long retries = 0;    // attempts after the first
};

struct Summary {
  RunInfo run;
  std::vector<GroupSummary> groups;
  std::vector<ModelSummary> models;  // in the order models first appear
  Totals totals;
  std::vector<GateResult> gates;
  /// Each score, each pair of models (the better-ranked first): paired over the rows both scored.
  std::vector<ComparisonSummary> comparisons;
  /// The rows behind the figures (filled by the report writer, which reads them back).
  RowViews rows;
  std::vector<JudgeSummary> judges;
};

/// The comparison of `a` with `b` on the summary's first score; null when there is none.
const ComparisonSummary* FindComparison(const Summary& s, const std::string& a,
                                        const std::string& b);

/// Indexes into `models`, best first: by score (higher first), a tie by cost (lower first, an
/// unknown cost last); models without a score follow in their order.
std::vector<size_t> RankModels(const std::vector<ModelSummary>& models);

class SummaryBuilder {
 public:
  void Add(const CallRecord& record);
  /// Names of the job's judge scorers, before any Add: their scores are compared with the
  /// others' for the agreement figure.
  void SetJudges(std::vector<std::string> names) { judge_names_ = std::move(names); }
  /// One judge call's latest verdict record.
  void AddVerdict(const VerdictRecord& verdict);
  /// `run.wall_s` is the denominator of the throughput figures. With a `baseline` (a model label)
  /// the comparisons are each model against it; otherwise every pair.
  Summary Build(const RunInfo& run, const std::string& baseline = "");
  /// After Build: the rows whose scores differ between models, and each model's failed rows (a
  /// row mean of 0 on some score, or a call that failed), for the row views.
  RowSelection Rows();

 private:
  struct Group {
    GroupSummary out;
    uint16_t model = 0;  // into models_
    Samples latency, ttft, ttfa, itl;
    bool cost_unknown = false;
    double cost = 0;
    std::map<std::string, ScoreTally> scores;
  };
  struct Model {
    ModelSummary out;
    Samples latency;
    ScoreTally scores;  // every score value: Wilson's interval when rows are single 0/1 scores
    double cost = 0;
    bool cost_unknown = false;
    std::vector<uint64_t> error_rows;  // rows of its failed calls: 8 bytes a failed call
    long long reasoning = 0, completion_with_reasoning = 0;  // over calls reporting reasoning
    bool any_reasoning = false;
  };
  Group& GroupFor(const CallRecord& r, uint16_t model);
  Model& ModelFor(const std::string& model);
  std::vector<Group> groups_;
  std::vector<Model> models_;
  std::vector<std::string> score_names_;  // in the order records first name them
  std::vector<std::string> judge_names_;
  std::vector<JudgeSummary> judges_;
  std::vector<bool> judge_cost_unknown_;
  std::map<std::pair<std::string, std::string>, std::pair<long long, long long>> agree_;
  RowScores row_scores_;
  std::map<std::pair<std::string, std::string>, size_t> index_;
  size_t last_group_ = 0;  // GroupFor's last answer: records come in runs of one model and dataset
};

}  // namespace evalrun
