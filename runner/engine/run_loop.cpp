#include "engine/run_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <random>

#include "api/chat_request.h"
#include "api/http_status.h"
#include "common/clock.h"
#include "common/text.h"
#include "engine/concurrency_window.h"
#include "engine/rate_limiter.h"
#include "engine/record_builder.h"
#include "engine/retry_policy.h"
#include "money/cost.h"
#include "scoring/judge_verdict.h"

namespace evalrun {
namespace {

/// One call of the plan from its first attempt to its record.
struct CallState {
  size_t model_index = 0;
  std::string dataset;
  std::string row_id;
  int repeat = 0;
  std::string cluster;
  std::vector<std::optional<std::string>> references;
  std::string started_at;  // of the first attempt
  int attempts = 0;
  double queue_ms = 0;  // time spent waiting to retry
  std::string body;     // kept only while waiting to retry
  SteadyTime failed_at;
  double worst_usd = 0;   // what this call could cost at most, held against the budget
  double est_tokens = 0;  // taken from the tokens-per-minute bucket before each attempt
  std::string cache_key;  // set when an ok answer should be cached
  // The last failed attempt, recorded if no retry follows; empty (and cheap to move, as a call
  // is moved from planner to queue to flight) until an attempt fails.
  std::optional<CallRecord> last;
  int judge = -1;  // >= 0: a judge call (of RunLoopOptions::judges[judge]) about this graded call
  std::vector<std::string> judge_prompts;     // a graded call's judges' prompts, until it is judged
  std::optional<VerdictRecord> last_verdict;  // a judge call's last failed attempt
};

/// A model's run of identical final errors, in finishing order.
struct ErrorStreak {
  long status = 0;
  std::string error;
  int count = 0;
  std::string stopped;  // why the model's calls are no longer sent; empty while they are
};

/// 4xx answers that say the request itself cannot succeed: a wrong or retired model (404), a
/// parameter the model rejects (400, 422). Retrying or resending them changes nothing.
bool CannotSucceed(const CallRecord& r) {
  return r.http_status == 400 || r.http_status == 404 || r.http_status == 422;
}

class Loop {
 public:
  Loop(const Job& job, CallPlanner& planner, Transport& transport, RecordSink& sink,
       const RunLoopOptions& options)
      : job_(job),
        planner_(planner),
        transport_(transport),
        sink_(sink),
        options_(options),
        window_(options.concurrency, options.adaptive_concurrency),
        limiter_(options.rate_limit.requests_per_minute, options.rate_limit.tokens_per_minute),
        budget_(options.budget_usd),
        clock_(options.clock ? *options.clock : Clock::Real()),
        rng_(options.seed) {}

  RunOutcome Run();

 private:
  int StopLevel() const { return options_.stop_request ? options_.stop_request->load() : 0; }
  bool Stopping() const { return stopping_; }
  /// No new call starts from now on; the first reason given is the one the run reports.
  void Stop(std::string reason) {
    if (stopping_) return;
    stopping_ = true;
    outcome_.stop_reason = std::move(reason);
  }
  void StartCalls();
  void Start(CallState&& state);  // moved once, into a slot of in_flight_
  void OnFinished(HttpResult& http);
  /// To the sink, its times rounded as its line holds them (RoundTimes).
  void Emit(CallRecord& record);
  /// The sink writes what this wake-up finished; false (and the run stops) if it cannot.
  bool FlushSink();
  /// The sink could not take a record or verdict, or write them: the run stops with its status.
  void SinkFailed(Status status, const char* what);
  int MsUntilNextRetry() const;
  bool HoldNextCall(SteadyTime now);
  bool AnswerFromCache(const CallState& state, std::string body);
  CallContext Context(const CallState& state) const;
  double WorstUsd(size_t model_index, size_t body_bytes) const;
  /// The plan of a model; a test that gives none gets the defaults (no price, no cache).
  const ModelPlan& Plan(size_t model_index) const {
    static const ModelPlan kNone;
    return model_index < options_.models.size() ? options_.models[model_index] : kNone;
  }
  bool FitsBudget(double worst);
  void CountStreak(const CallRecord& record, size_t model_index);
  void Skip(const CallState& state);
  bool WillRetry(ErrorKind kind, const CallState& state) const {
    return IsRetryable(kind) && state.attempts < options_.retry.max_attempts && !Stopping();
  }
  /// Queues a failed attempt again after its back-off (Retry-After wins), keeping its body.
  void RetryLater(CallState state, HttpResult& http);
  void EnqueueJudges(const CallState& graded, const std::string& answer);
  void OnJudgeFinished(CallState& state, HttpResult& http);
  VerdictRecord VerdictBase(const CallState& state) const;
  void EmitVerdict(const VerdictRecord& verdict);

  const Job& job_;
  CallPlanner& planner_;
  Transport& transport_;
  RecordSink& sink_;
  const RunLoopOptions& options_;
  ConcurrencyWindow window_;
  RateLimiter limiter_;
  Budget budget_;
  const Clock& clock_;
  std::mt19937_64 rng_;
  // The next call, taken from the retry queue or the plan, while it waits for the rate limit.
  std::optional<CallState> held_;
  SteadyTime held_since_{};
  SteadyTime rate_ready_at_{};
  RunOutcome outcome_;
  bool plan_done_ = false;
  bool draining_ = false;  // the transport was told that no call follows those in flight
  bool stopping_ = false;
  bool sink_failed_ = false;
  uint64_t next_tag_ = 0;
  // The calls on the wire, each in a slot kept and reused as calls end (not a hash node made and
  // freed per call); a call's tag is its slot in the low 32 bits and its number above them, so
  // a tag names one call only, even after its slot is reused.
  struct InFlight {
    uint64_t tag = 0;
    std::optional<CallState> state;
  };
  std::vector<InFlight> in_flight_;
  std::vector<uint32_t> free_slots_;  // the slots of in_flight_ that hold no call
  size_t InFlightCount() const { return in_flight_.size() - free_slots_.size(); }
  std::multimap<SteadyTime, CallState> retries_;  // by when they may go again
  std::vector<ErrorStreak> streaks_ = std::vector<ErrorStreak>(job_.models.size());
  // Judge calls of graded calls already saved, sent before new graded calls: verdicts keep up
  // with answers, and the queue stays within about a window of calls.
  std::deque<CallState> judge_queue_;
};

void Loop::CountStreak(const CallRecord& r, size_t model_index) {
  if (model_index >= streaks_.size() || options_.retry.stop_after_same_error <= 0) return;
  ErrorStreak& s = streaks_[model_index];
  if (!s.stopped.empty()) return;
  if (!CannotSucceed(r)) {
    s.count = 0;
    return;
  }
  if (s.count > 0 && s.status == r.http_status && s.error == r.error) {
    ++s.count;
  } else {
    s = ErrorStreak{r.http_status, r.error, 1, {}};
  }
  if (s.count < options_.retry.stop_after_same_error) return;
  s.stopped =
      OneLine(fmt::format("{} calls in a row failed with {}", s.count, r.error), kMaxErrorBytes);
  outcome_.stopped_models.emplace_back(job_.models[model_index].label, s.stopped);
}

void Loop::RetryLater(CallState state, HttpResult& http) {
  const SteadyTime now = clock_.Steady();
  const auto retry_after = ParseRetryAfterMs(http.retry_after, clock_.Wall());
  const double unit = std::uniform_real_distribution<double>(0, 1)(rng_);
  const double wait_ms = BackoffMs(options_.retry, state.attempts, retry_after, unit);
  state.body = std::move(http.request_body);
  state.failed_at = now;
  retries_.emplace(now + std::chrono::microseconds(static_cast<long long>(wait_ms * 1000)),
                   std::move(state));
}

VerdictRecord Loop::VerdictBase(const CallState& state) const {
  const JudgePlan& plan = options_.judges[static_cast<size_t>(state.judge)];
  const ScorerSpec& scorer = job_.scoring[plan.scorer];
  VerdictRecord v;
  v.run_id = options_.run_id;
  v.model = job_.models[state.model_index].label;
  v.dataset = state.dataset;
  v.row_id = state.row_id;
  v.repeat = state.repeat;
  v.judge = scorer.name;
  v.judge_model = scorer.judge->model.id;
  v.attempts = state.attempts;
  v.started_at = state.started_at;
  return v;
}

void Loop::EnqueueJudges(const CallState& graded, const std::string& answer) {
  for (size_t j = 0; j < options_.judges.size(); ++j) {
    const JudgePlan& plan = options_.judges[j];
    const ScorerSpec& scorer = job_.scoring[plan.scorer];
    if (!scorer.judge || plan.scorer >= graded.judge_prompts.size()) continue;
    const std::string& label = job_.models[graded.model_index].label;
    if (options_.verdicts_done &&
        options_.verdicts_done->count(
            VerdictKey(label, graded.dataset, graded.row_id, graded.repeat, scorer.name)))
      continue;  // judged in an earlier run
    std::string prompt = graded.judge_prompts[plan.scorer];
    const std::string_view marker = kJudgeResponseMarker;
    for (size_t at = prompt.find(marker); at != std::string::npos;
         at = prompt.find(marker, at + answer.size()))
      prompt.replace(at, marker.size(), answer);
    Row row;
    row.messages_json = BuildUserMessages(prompt);
    CallState js;
    js.model_index = graded.model_index;
    js.dataset = graded.dataset;
    js.row_id = graded.row_id;
    js.repeat = graded.repeat;
    js.judge = static_cast<int>(j);
    js.body = BuildChatBody(scorer.judge->model.id, scorer.judge->model.params, row, false);
    js.failed_at = clock_.Steady();
    if (options_.budget_usd)
      js.worst_usd = WorstCaseUsd(plan.price, static_cast<double>(js.body.size()),
                                  static_cast<double>(plan.max_tokens))
                         .value_or(0);
    js.est_tokens = static_cast<double>(js.body.size()) / 4 + static_cast<double>(plan.max_tokens);
    if (options_.cache && plan.cacheable) {
      js.cache_key = options_.cache->Key(options_.base_url, 0, js.body);
      if (auto body = options_.cache->Get(js.cache_key)) {
        HttpResult http;
        http.status = 200;
        http.body = std::move(*body);
        js.attempts = 1;
        js.started_at = Rfc3339Ms(clock_.Wall());
        const ChatResponse resp = ParseChatResponse(200, http.body);
        const Verdict read =
            ReadVerdict(resp.content, scorer.judge->scale_lo, scorer.judge->scale_hi);
        // Only readable verdicts are cached; anything else (a torn entry) is a miss: sent.
        if (resp.error == ErrorKind::kNone && read.score) {
          VerdictRecord v = VerdictBase(js);
          v.verdict = resp.content;
          v.score = read.score;
          v.raw = read.raw;
          v.reason = read.reason;
          v.usage = resp.usage;
          v.cost_usd = resp.usage ? std::optional<double>(0.0) : std::nullopt;
          v.cached = true;
          EmitVerdict(v);
          continue;
        }
        js.attempts = 0;
      }
    }
    judge_queue_.push_back(std::move(js));
  }
}

void Loop::OnJudgeFinished(CallState& state, HttpResult& http) {
  const JudgePlan& plan = options_.judges[static_cast<size_t>(state.judge)];
  const JudgeSpec& judge = *job_.scoring[plan.scorer].judge;
  VerdictRecord v = VerdictBase(state);
  v.latency_ms = http.latency_ms;
  v.http_status = http.status;
  ChatResponse resp;
  if (http.curl_code != 0) {
    v.error_kind = ClassifyTransportError(http.curl_code);
    v.error = OneLine(Redact(http.curl_error, options_.api_key), kMaxErrorBytes);
  } else {
    resp = ParseChatResponse(http.status, http.body);
    v.error_kind = resp.error;
    if (resp.error != ErrorKind::kNone)
      v.error = OneLine(Redact(http.status >= 200 && http.status < 300
                                   ? resp.error_message
                                   : HttpErrorLine(http.status, resp.error_message),
                               options_.api_key),
                        kMaxErrorBytes);
    v.usage = resp.usage;
    if (resp.usage) v.cost_usd = CostUsd(plan.price, *resp.usage);
  }
  limiter_.Correct(state.est_tokens, v.usage ? static_cast<double>(v.usage->total_tokens) : 0);
  const bool answered = http.curl_code == 0 && http.status >= 200 && http.status < 300;
  double charged = 0;
  if (v.usage && v.cost_usd)
    charged = *v.cost_usd;
  else if (answered)
    charged = state.worst_usd;  // billed, for all we know: the worst case it held
  budget_.Settle(state.worst_usd, charged);
  if (v.error_kind == ErrorKind::kRateLimit)
    window_.OnRateLimited();
  else if (v.error_kind == ErrorKind::kNone)
    window_.OnSuccess();
  if (StopsRun(v.error_kind))
    Stop(fmt::format("the API answered {} to a judge call: {}", v.http_status, v.error));
  if (WillRetry(v.error_kind, state)) {
    state.last_verdict = std::move(v);
    return RetryLater(std::move(state), http);
  }
  if (v.error_kind == ErrorKind::kNone) {
    const Verdict read = ReadVerdict(resp.content, judge.scale_lo, judge.scale_hi);
    v.verdict = resp.content;
    v.score = read.score;
    v.raw = read.raw;
    v.reason = read.reason;
    if (!read.score) {
      v.error_kind = ErrorKind::kParse;  // an answer, but not a verdict: --resume asks again
      v.error = read.error;
    } else if (!state.cache_key.empty() && options_.cache) {
      options_.cache->Put(state.cache_key, http.body);
    }
  }
  EmitVerdict(v);
}

void Loop::EmitVerdict(const VerdictRecord& verdict) {
  ++outcome_.judge_calls;
  if (Status s = sink_.OnVerdict(verdict); !s.ok()) SinkFailed(std::move(s), "verdicts");
}

void Loop::Skip(const CallState& state) {
  CallRecord r = BuildRecord(Context(state), HttpResult{});
  r.skipped = true;
  r.error_kind = ErrorKind::kBadRequest;
  r.error = streaks_[state.model_index].stopped;
  r.http_status = 0;  // nothing was sent
  r.attempts = 0;
  r.started_at = Rfc3339Ms(clock_.Wall());
  r.latency_ms = 0;
  ++outcome_.skipped;
  Emit(r);
}

void Loop::Start(CallState&& state) {
  ++state.attempts;
  if (state.attempts == 1)
    state.started_at = Rfc3339Ms(clock_.Wall());
  else
    ++outcome_.retries;
  std::string body = std::move(state.body);
  const bool stream = job_.stream && state.judge < 0;  // a verdict is read whole
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(in_flight_.size());
    in_flight_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  const uint64_t tag = (next_tag_++ << 32) | slot;
  in_flight_[slot].tag = tag;
  in_flight_[slot].state = std::move(state);
  transport_.Start(HttpRequest{tag, options_.chat_url, std::move(body), stream});
}

double Loop::WorstUsd(size_t model_index, size_t body_bytes) const {
  if (!options_.budget_usd) return 0;
  const ModelPlan& m = Plan(model_index);
  return WorstCaseUsd(m.price, static_cast<double>(body_bytes), static_cast<double>(m.max_tokens))
      .value_or(0);
}

bool Loop::FitsBudget(double worst) {
  if (budget_.Fits(worst)) return true;
  Stop(budget_.Refusal(worst));
  return false;
}

bool Loop::AnswerFromCache(const CallState& state, std::string body) {
  HttpResult http;
  http.status = 200;
  http.body = std::move(body);
  std::string answer;
  CallContext ctx = Context(state);
  ctx.answer_out = options_.judges.empty() ? nullptr : &answer;  // judges read it
  CallRecord record = BuildRecord(ctx, http);
  // An entry that does not read as an answer (a torn or foreign file) is a miss: the call is sent.
  if (!record.ok()) return false;
  record.cached = true;
  record.started_at = Rfc3339Ms(clock_.Wall());
  if (record.usage) record.cost_usd = 0.0;
  ++outcome_.started;
  ++outcome_.cached;
  Emit(record);
  EnqueueJudges(state, answer);
  return true;
}

bool Loop::HoldNextCall(SteadyTime now) {
  if (!retries_.empty() && retries_.begin()->first <= now) {
    held_ = std::move(retries_.begin()->second);
    retries_.erase(retries_.begin());
    held_since_ = held_->failed_at;  // back-off and rate-limit waits both count as queue time
    return true;
  }
  if (!judge_queue_.empty()) {
    held_ = std::move(judge_queue_.front());
    judge_queue_.pop_front();
    held_since_ = held_->failed_at;  // the queue time starts when the graded call was saved
    return true;
  }
  if (plan_done_) return false;
  PlannedCall call;
  if (!planner_.Next(&call)) {
    plan_done_ = true;
    if (!planner_.status().ok()) {
      outcome_.status = planner_.status();
      Stop("a dataset could not be read");
    }
    return false;
  }
  CallState state;
  state.model_index = call.model_index;
  state.dataset = std::move(call.dataset);
  state.row_id = std::move(call.row_id);
  state.repeat = call.repeat;
  state.cluster = std::move(call.cluster);
  state.references = std::move(call.references);
  state.judge_prompts = std::move(call.judge_prompts);
  if (call.judge_only) {  // done in an earlier run, not yet judged
    EnqueueJudges(state, call.answer);
    return !Stopping();
  }
  if (state.model_index < streaks_.size() && !streaks_[state.model_index].stopped.empty()) {
    Skip(state);  // its model was stopped: recorded, not sent, and no slot taken
    return !Stopping();
  }
  if (options_.cache && Plan(call.model_index).cacheable) {
    state.cache_key = options_.cache->Key(options_.base_url, call.repeat, call.body);
    if (auto body = options_.cache->Get(state.cache_key);
        body && AnswerFromCache(state, std::move(*body))) {
      return !Stopping();  // the caller asks again; a cached call takes no slot
    }
  }
  state.worst_usd = WorstUsd(call.model_index, call.body.size());
  const double max_out = static_cast<double>(Plan(call.model_index).max_tokens);
  state.est_tokens = static_cast<double>(call.body.size()) / 4 + max_out;
  state.body = std::move(call.body);
  held_ = std::move(state);
  held_since_ = now;
  return true;
}

void Loop::StartCalls() {
  while (!Stopping() && StopLevel() == 0 &&
         transport_.InFlight() < static_cast<size_t>(window_.limit())) {
    const SteadyTime now = clock_.Steady();
    if (!held_) {
      if (!HoldNextCall(now)) return;
      if (!held_) continue;  // answered from the cache, or skipped
    }
    if (held_->attempts == 0 && held_->model_index < streaks_.size() &&
        !streaks_[held_->model_index].stopped.empty()) {
      Skip(*held_);  // its model was stopped while it waited for the rate limit
      held_.reset();
      continue;
    }
    if (!FitsBudget(held_->worst_usd)) {
      // A retry ends with its last error; a call never started is left for a resume.
      if (held_->attempts > 0) retries_.emplace(now, std::move(*held_));
      held_.reset();
      return;
    }
    const double wait_ms = limiter_.WaitMs(held_->est_tokens, now);
    if (wait_ms > 0) {
      rate_ready_at_ = now + std::chrono::microseconds(static_cast<long long>(wait_ms * 1000) + 1);
      return;
    }
    limiter_.Take(held_->est_tokens, now);
    held_->queue_ms += MsBetween(held_since_, now);
    budget_.Reserve(held_->worst_usd);
    const bool fresh = held_->attempts == 0;
    Start(std::move(*held_));
    held_.reset();
    if (fresh) ++outcome_.started;
  }
}

void Loop::Emit(CallRecord& record) {
  ++outcome_.finished;
  RoundTimes(&record);
  if (Status s = sink_.OnRecord(record); !s.ok()) SinkFailed(std::move(s), "results");
}

bool Loop::FlushSink() {
  if (Status s = sink_.Flush(); !s.ok()) SinkFailed(std::move(s), "results");
  return !sink_failed_;
}

void Loop::SinkFailed(Status status, const char* what) {
  outcome_.status = std::move(status);
  Stop(fmt::format("{} could not be written", what));
  sink_failed_ = true;
}

void Loop::OnFinished(HttpResult& http) {
  const auto slot = static_cast<uint32_t>(http.tag);
  if (slot >= in_flight_.size() || !in_flight_[slot].state || in_flight_[slot].tag != http.tag)
    return;
  CallState state = std::move(*in_flight_[slot].state);
  in_flight_[slot].state.reset();
  free_slots_.push_back(slot);
  if (state.judge >= 0) return OnJudgeFinished(state, http);
  std::string answer;
  CallContext ctx = Context(state);
  ctx.answer_out = options_.judges.empty() ? nullptr : &answer;  // judges read it
  CallRecord record = BuildRecord(ctx, http);
  limiter_.Correct(state.est_tokens,
                   record.usage ? static_cast<double>(record.usage->total_tokens) : 0);
  // A 2xx without usage, or a malformed answer, may have been billed without saying how much: the
  // budget counts the worst case it held for the call, so the cap still holds.
  double charged = 0;
  if (record.usage && record.cost_usd)
    charged = *record.cost_usd;
  else if (UsageMissing(record) || record.error_kind == ErrorKind::kParse)
    charged = state.worst_usd;
  budget_.Settle(state.worst_usd, charged);

  if (record.error_kind == ErrorKind::kRateLimit)
    window_.OnRateLimited();
  else if (record.ok())
    window_.OnSuccess();
  if (record.ok() && !state.cache_key.empty() && options_.cache)
    options_.cache->Put(state.cache_key, http.body);
  if (StopsRun(record.error_kind)) {
    Stop(fmt::format("the API answered {}: {}", record.http_status, record.error));
  }
  if (WillRetry(record.error_kind, state)) {
    state.last = std::move(record);
    return RetryLater(std::move(state), http);
  }
  Emit(record);
  CountStreak(record, state.model_index);
  if (record.ok()) EnqueueJudges(state, answer);
}

CallContext Loop::Context(const CallState& state) const {
  const ModelSpec& model = job_.models[state.model_index];
  CallContext ctx;
  ctx.run_id = options_.run_id;
  ctx.model = model.label;
  ctx.model_id = model.id;
  ctx.dataset = state.dataset;
  ctx.row_id = state.row_id;
  ctx.repeat = state.repeat;
  ctx.cluster = state.cluster;
  ctx.attempts = state.attempts;
  ctx.started_at = state.started_at;
  ctx.queue_ms = state.queue_ms;
  ctx.price = Plan(state.model_index).price;
  ctx.save_responses = options_.save_responses;
  ctx.api_key = options_.api_key;
  ctx.scorers = &job_.scoring;
  ctx.references = &state.references;
  ctx.stream = job_.stream;
  return ctx;
}

int Loop::MsUntilNextRetry() const {
  const SteadyTime now = clock_.Steady();
  SteadyTime next = now + std::chrono::seconds(1);
  if (!retries_.empty()) next = std::min(next, retries_.begin()->first);
  if (held_) next = std::min(next, rate_ready_at_);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::clamp<long long>(ms + 1, 0, 1000));
}

RunOutcome Loop::Run() {
  std::vector<HttpResult> finished;
  std::optional<SteadyTime> signalled;
  for (;;) {
    StartCalls();
    // A judge call follows each answer, so a run with judges keeps its connections to the end.
    if (!draining_ && plan_done_ && !held_ && retries_.empty() && judge_queue_.empty() &&
        options_.judges.empty()) {
      draining_ = true;
      transport_.Draining();
    }
    if (StopLevel() > 0 && !signalled) {
      signalled = clock_.Steady();
      Stop("interrupted by a signal");
    }
    // After a stop signal, calls in flight get a grace period to finish; then they are abandoned.
    const bool grace_over = signalled && clock_.Steady() - *signalled >= options_.stop_grace;
    if (sink_failed_ || StopLevel() > 1 || grace_over) break;
    const bool waiting = (!retries_.empty() || held_ || !judge_queue_.empty()) && !Stopping();
    if (transport_.InFlight() == 0 && !waiting && (plan_done_ || Stopping())) break;
    // Every record is written before the loop waits again (StartCalls records cache hits and
    // skipped calls): a crash of evalrun while it waits loses none of them.
    if (!FlushSink()) break;
    finished.clear();
    transport_.Wait(&finished, MsUntilNextRetry());
    for (HttpResult& http : finished) {
      OnFinished(http);
      if (sink_failed_) break;
    }
    // And before the next calls start: what is on the wire and not in the file is never more
    // than the calls in flight.
    if (!FlushSink()) break;
  }
  // Calls that were waiting to retry when the run stopped end with their last failure.
  if (held_ && held_->attempts > 0) retries_.emplace(clock_.Steady(), std::move(*held_));
  for (auto& [when, state] : retries_) {
    if (sink_failed_) break;
    if (state.judge >= 0) {
      EmitVerdict(state.last_verdict.value());  // set before any retry is queued
      continue;
    }
    CallRecord& last = state.last.value();
    last.queue_ms = state.queue_ms;
    Emit(last);
  }
  FlushSink();
  // Judge calls never sent: their graded calls are saved, so --resume sends just these.
  outcome_.judges_pending = static_cast<long long>(judge_queue_.size()) +
                            (held_ && held_->judge >= 0 && held_->attempts == 0 ? 1 : 0);
  outcome_.abandoned = static_cast<long long>(InFlightCount());
  outcome_.concurrency_min = window_.min_reached();
  outcome_.spent_usd = budget_.spent();
  return outcome_;
}

}  // namespace

RunOutcome RunPlan(const Job& job, CallPlanner& planner, Transport& transport, RecordSink& sink,
                   const RunLoopOptions& options) {
  Loop loop(job, planner, transport, sink, options);
  return loop.Run();
}

}  // namespace evalrun
