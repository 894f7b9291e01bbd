// RunPlan: keeps up to a concurrency window of the plan's calls in flight on a Transport, retries
// the failures worth retrying after a back-off, turns each finished call into a CallRecord and
// hands it to a RecordSink. Stops starting calls when the API says no further call can succeed
// (401/402/403, quota) or when asked to stop (a signal); every started call still ends as a
// record. A model whose calls keep failing the same way no retry can mend (a retired model's 404,
// a parameter it rejects) stops alone: its remaining calls are recorded as skipped. Owns no sockets
// and no files: the Transport and the sink do.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "engine/call_planner.h"
#include "engine/transport.h"
#include "job/job.h"
#include "results/call_record.h"
#include "results/response_cache.h"
#include "results/verdict_record.h"

namespace evalrun {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  /// Called once per finished call, in finishing order, with the record as its results.jsonl
  /// line holds it (times rounded to microseconds). A failed sink stops the run.
  virtual Status OnRecord(const CallRecord& record) = 0;
  /// Called once per finished judge call (a verdict, or why there is none).
  virtual Status OnVerdict(const VerdictRecord&) { return Status::Ok(); }
  /// Called after the records of one wake-up of the loop, before it starts more calls or waits
  /// again, and at the end: a sink that batches writes them now. A failed flush stops the run.
  virtual Status Flush() { return Status::Ok(); }
};

/// A judge scorer of the job: one judge call per ok graded call, through the same loop.
struct JudgePlan {
  size_t scorer = 0;  // into Job::scoring
  std::optional<Pricing> price;
  long long max_tokens = 0;
  bool cacheable = false;
};

/// What the loop needs to know of one model of the job, beside its spec.
struct ModelPlan {
  std::optional<Pricing> price;  // none: its cost is unknown (a budget needs one: the CLI checks)
  long long max_tokens = 0;      // the output bound of its calls' worst case (0: none)
  bool cacheable = false;        // its answers come from, and go to, the response cache
};

struct RunLoopOptions {
  std::string run_id;
  std::string chat_url;  // {base_url}/chat/completions
  int concurrency = 16;
  bool adaptive_concurrency = true;  // AIMD on 429s; false keeps the window fixed
  RetrySpec retry;
  bool save_responses = true;
  std::string api_key;            // only to scrub it from error messages
  std::vector<ModelPlan> models;  // one per Job::models entry, in its order
  std::vector<JudgePlan> judges;  // one per judge scorer
  /// Verdicts already saved (VerdictKey), which a resumed run does not ask for again.
  const std::unordered_set<uint64_t>* verdicts_done = nullptr;
  /// No call starts unless spent + the worst case of every call in flight and of the new one stays
  /// within it. Needs a price and a max_tokens for every model.
  std::optional<double> budget_usd;
  RateLimitSpec rate_limit;  // 0 = no limit
  /// Answers of deterministic calls; used for the models whose plan says `cacheable`.
  const ResponseCache* cache = nullptr;
  std::string base_url;  // part of the cache key
  /// Set from a signal handler: 1 = let in-flight calls finish within `stop_grace`, then stop;
  /// 2 = stop at once.
  const std::atomic<int>* stop_request = nullptr;
  std::chrono::milliseconds stop_grace{10000};
  /// Where the loop reads the time (null: the real clocks); tests pass a fake one that their
  /// transport advances while it "waits".
  const Clock* clock = nullptr;
  /// Seeds the back-off jitter: a run draws it at random, a test fixes it.
  uint64_t seed = 1;
};

struct RunOutcome {
  long long started = 0;
  long long finished = 0;
  long long abandoned = 0;  // in flight when a second signal stopped the run
  long long retries = 0;    // attempts after the first, over all calls
  int concurrency_min = 0;  // the smallest window the adaptive limit reached
  long long cached = 0;     // calls answered from the cache
  double spent_usd = 0;     // as the budget counts it
  std::string stop_reason;  // empty when the plan finished
  Status status;            // a planner or sink failure
  /// Models stopped after repeated identical errors (label: why); their later calls were
  /// recorded as skipped, and the other models went on.
  std::vector<std::pair<std::string, std::string>> stopped_models;
  long long skipped = 0;         // calls recorded as skipped
  long long judge_calls = 0;     // judge calls that ended in a verdict record
  long long judges_pending = 0;  // judge calls never sent (the run stopped): --resume sends them
};

RunOutcome RunPlan(const Job& job, CallPlanner& planner, Transport& transport, RecordSink& sink,
                   const RunLoopOptions& options);

}  // namespace evalrun
