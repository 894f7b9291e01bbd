#include <catch2/catch.hpp>
#include <deque>
#include <functional>

#include "engine/call_planner.h"
#include "engine/concurrency_window.h"
#include "engine/rate_limiter.h"
#include "engine/retry_policy.h"
#include "engine/run_loop.h"
#include "support/process.h"

using namespace evalrun;

TEST_CASE("retryable kinds are the transient ones", "[engine]") {
  for (ErrorKind k :
       {ErrorKind::kRateLimit, ErrorKind::kServer, ErrorKind::kTimeout, ErrorKind::kNetwork}) {
    CHECK(IsRetryable(k));
  }
  for (ErrorKind k : {ErrorKind::kAuth, ErrorKind::kQuota, ErrorKind::kBadRequest,
                      ErrorKind::kParse, ErrorKind::kNone}) {
    CHECK_FALSE(IsRetryable(k));
  }
}

TEST_CASE("back-off is full jitter under an exponential cap, and Retry-After wins", "[engine]") {
  RetrySpec r{5, 500, 30000};
  CHECK(BackoffMs(r, 1, std::nullopt, 0.999) == Approx(499.5));
  CHECK(BackoffMs(r, 3, std::nullopt, 0.5) == Approx(1000));    // cap 2000
  CHECK(BackoffMs(r, 20, std::nullopt, 1.0) == Approx(30000));  // max_backoff_ms caps
  CHECK(BackoffMs(r, 1, std::nullopt, 0.0) == 0);
  CHECK(BackoffMs(r, 1, 60000.0, 0.1) == Approx(60000));  // past max_backoff_ms too
  CHECK(BackoffMs(r, 4, 10.0, 0.5) ==
        Approx(2000));  // never sooner than Retry-After, later is fine
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date", "[engine]") {
  const SystemTime now =
      std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  CHECK(ParseRetryAfterMs("120", now) == 120000.0);
  CHECK(ParseRetryAfterMs(" 1.5 ", now) == 1500.0);
  CHECK(ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:30 GMT", now) == Approx(30000));
  CHECK(ParseRetryAfterMs("Wed, 21 Oct 2015 07:27:00 GMT", now) == 0.0);  // in the past: go now
  CHECK_FALSE(ParseRetryAfterMs("", now));
  CHECK_FALSE(ParseRetryAfterMs("soon", now));
  CHECK_FALSE(ParseRetryAfterMs("-5", now));
}

TEST_CASE("the adaptive window halves once per window of 429s and grows back", "[engine]") {
  ConcurrencyWindow w(32, true);
  CHECK(w.limit() == 32);
  w.OnRateLimited();
  CHECK(w.limit() == 16);
  for (int i = 0; i < 31; ++i) w.OnRateLimited();  // the rest of the old window's 429s
  CHECK(w.limit() == 16);
  w.OnRateLimited();
  CHECK(w.limit() == 8);
  CHECK(w.min_reached() == 8);
  for (int i = 0; i < 1000; ++i) w.OnSuccess();
  CHECK(w.limit() == 32);
  ConcurrencyWindow fixed(32, false);
  fixed.OnRateLimited();
  CHECK(fixed.limit() == 32);
}

namespace {

/// The engine's time in these tests: it moves only when a transport waits, so no test sleeps and
/// every interval is exact.
class FakeClock : public Clock {
 public:
  SteadyTime Steady() const override { return steady_; }
  SystemTime Wall() const override { return wall_; }
  void Advance(std::chrono::milliseconds ms) {
    steady_ += ms;
    wall_ += ms;
  }

 private:
  SteadyTime steady_{std::chrono::hours(1)};
  SystemTime wall_{std::chrono::seconds(1764633600)};  // 2025-12-02T00:00:00Z
};

/// A Transport that answers from a script, instantly, and logs what was started. Waiting with
/// nothing in flight moves the fake clock on by the time the loop asked to wait.
class ScriptedTransport : public Transport {
 public:
  explicit ScriptedTransport(FakeClock& clock) : clock_(clock) {}
  std::deque<HttpResult> script;  // answers in order; tag and body are filled in
  std::vector<std::pair<uint64_t, SteadyTime>> started;
  size_t max_in_flight = 0;
  std::optional<size_t> drained_at;  // how many had started when Draining() came
  bool echo_previous = false;        // each answer comes after the previous one again, stale

  void Start(HttpRequest r) override {
    started.emplace_back(r.tag, clock_.Steady());
    pending_.push_back(std::move(r));
    max_in_flight = std::max(max_in_flight, pending_.size());
  }
  size_t InFlight() const override { return pending_.size(); }
  void Wait(std::vector<HttpResult>* out, int max_wait_ms) override {
    if (pending_.empty()) {
      clock_.Advance(std::chrono::milliseconds(max_wait_ms));
      return;
    }
    HttpResult r = script.front();
    script.pop_front();
    r.tag = pending_.front().tag;
    r.request_body = std::move(pending_.front().body);
    pending_.pop_front();
    if (echo_previous && previous_) out->push_back(*previous_);
    previous_ = r;
    out->push_back(std::move(r));
  }
  void Wakeup() override {}
  void Draining() override {
    if (!drained_at) drained_at = started.size();
  }

 private:
  FakeClock& clock_;
  std::deque<HttpRequest> pending_;
  std::optional<HttpResult> previous_;
};

class VectorSink : public RecordSink {
 public:
  std::vector<CallRecord> records;
  Status OnRecord(const CallRecord& r) override {
    records.push_back(r);
    return Status::Ok();
  }
};

HttpResult Answer(long status, const std::string& retry_after = "") {
  HttpResult r;
  r.status = status;
  r.retry_after = retry_after;
  r.body =
      status == 200
          ? R"({"choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":1,"completion_tokens":1}})"
          : R"({"error":{"message":"nope"}})";
  return r;
}

/// `n` identical chat rows.
std::string ChatRows(int n) {
  std::string rows;
  for (int i = 0; i < n; ++i) rows += "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\n";
  return rows;
}

Job OneRowJob(const std::string& path) {
  Job job;
  job.models.push_back({"m", "m", {}, std::nullopt});
  DatasetSpec ds;
  ds.path = path;
  ds.given_path = "d.jsonl";
  ds.name = "d";
  job.datasets.push_back(ds);
  return job;
}

}  // namespace

TEST_CASE("the run loop retries after Retry-After and records the attempts", "[engine]") {
  evalrun::testing::TempDir dir;
  Job job =
      OneRowJob(dir.Write("d.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\n"));
  FakeClock clock;
  ScriptedTransport t(clock);
  t.script = {Answer(429, "0.05"), Answer(503), Answer(200)};
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.retry = RetrySpec{4, 1, 2};
  RunOutcome out = RunPlan(job, planner, t, sink, o);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].ok());
  CHECK(sink.records[0].attempts == 3);
  CHECK(sink.records[0].queue_ms >= 50);
  CHECK(sink.records[0].queue_ms <= 55);  // Retry-After, plus at most the 1 ms wake-up rounding
  CHECK(out.retries == 2);
  REQUIRE(t.started.size() == 3);
  CHECK(t.started[1].second - t.started[0].second >= std::chrono::milliseconds(50));
  CHECK(t.started[1].second - t.started[0].second <= std::chrono::milliseconds(55));
}

TEST_CASE("the transport hears that the run is draining once no call is left to start",
          "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(3)));
  FakeClock clock;
  ScriptedTransport t(clock);
  // The first call's 429 leaves a retry waiting 50 ms after the plan has run out.
  t.script = {Answer(429, "0.05"), Answer(200), Answer(200), Answer(200)};
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 3;
  o.retry = RetrySpec{2, 1, 2};
  RunPlan(job, planner, t, sink, o);
  REQUIRE(t.started.size() == 4);
  CHECK(t.drained_at == 4u);  // after the retry went, not when the plan ran out at 3
}

TEST_CASE("an answer delivered again after its call ended is not taken for a later call's",
          "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(2)));
  FakeClock clock;
  ScriptedTransport t(clock);
  t.script = {Answer(500), Answer(200)};
  // The first call's 500 comes again just before the second call's 200, when the second call
  // holds the first one's place in the loop.
  t.echo_previous = true;
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 1;
  o.retry = RetrySpec{1, 0, 0};
  RunPlan(job, planner, t, sink, o);
  REQUIRE(sink.records.size() == 2);
  CHECK(sink.records[0].http_status == 500);
  CHECK(sink.records[1].row_id == "2");
  CHECK(sink.records[1].http_status == 200);
}

TEST_CASE("the run loop gives up after max_attempts and keeps the last error", "[engine]") {
  evalrun::testing::TempDir dir;
  Job job =
      OneRowJob(dir.Write("d.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\n"));
  FakeClock clock;
  ScriptedTransport t(clock);
  t.script = {Answer(500), Answer(502)};
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.retry = RetrySpec{2, 0, 0};
  RunPlan(job, planner, t, sink, o);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].error_kind == ErrorKind::kServer);
  CHECK(sink.records[0].http_status == 502);
  CHECK(sink.records[0].attempts == 2);
}

TEST_CASE("the run loop never has more than the window in flight", "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(50)));
  job.models.push_back({"m2", "m2", {}, std::nullopt});
  FakeClock clock;
  ScriptedTransport t(clock);
  for (int i = 0; i < 100; ++i) t.script.push_back(Answer(200));
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 7;
  RunOutcome out = RunPlan(job, planner, t, sink, o);
  CHECK(sink.records.size() == 100);
  CHECK(t.max_in_flight == 7);
  CHECK(out.started == 100);
}

TEST_CASE("a token bucket paces to its rate with one second of burst", "[engine]") {
  const SteadyTime t0 = std::chrono::steady_clock::now();
  TokenBucket b(600);  // 10 a second, holds 10
  for (int i = 0; i < 10; ++i) {
    CHECK(b.WaitMs(1, t0) == 0);
    b.Take(1, t0);
  }
  CHECK(b.WaitMs(1, t0) == Approx(100));
  CHECK(b.WaitMs(1, t0 + std::chrono::milliseconds(100)) == Approx(0).margin(1e-6));
  b.Adjust(5);  // a call used 5 fewer than estimated
  CHECK(b.WaitMs(5, t0 + std::chrono::milliseconds(100)) == Approx(0).margin(1e-6));
  TokenBucket big(60);  // 1 a second, holds 1: a 5-token call waits for a full bucket, then borrows
  big.Take(1, t0);
  CHECK(big.WaitMs(5, t0) == Approx(1000));
  CHECK(TokenBucket(0).WaitMs(1e9, t0) == 0);
}

TEST_CASE("the run loop holds calls to rate_limit and counts the wait as queue time", "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(30)));
  FakeClock clock;
  ScriptedTransport t(clock);
  for (int i = 0; i < 30; ++i) t.script.push_back(Answer(200));
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 30;
  o.rate_limit.requests_per_minute = 1200;  // 20 a second, 20 at once
  RunPlan(job, planner, t, sink, o);
  REQUIRE(t.started.size() == 30);
  // The burst of 20 goes at once; the other ten one token (50 ms) apart, to the millisecond.
  CHECK(t.started[19].second == t.started[0].second);
  CHECK(t.started[29].second - t.started[0].second >= std::chrono::milliseconds(500));
  CHECK(t.started[29].second - t.started[0].second <= std::chrono::milliseconds(520));
  // Calls are taken from the plan one at a time, so each of the last ten waited for one token.
  int waited = 0;
  for (const auto& r : sink.records) waited += r.queue_ms >= 40;
  CHECK(waited >= 9);
}

namespace {

/// A Transport whose requests never finish, like a server that stopped answering. Its waits move
/// the fake clock; `on_start` runs as each request starts (a test raises its stop signal there).
class SilentTransport : public Transport {
 public:
  explicit SilentTransport(FakeClock& clock) : clock_(clock) {}
  std::function<void(size_t in_flight)> on_start;
  void Start(HttpRequest) override {
    ++in_flight_;
    if (on_start) on_start(in_flight_);
  }
  size_t InFlight() const override { return in_flight_; }
  void Wait(std::vector<HttpResult>*, int max_wait_ms) override {
    clock_.Advance(std::chrono::milliseconds(std::min(max_wait_ms, 20)));
  }
  void Wakeup() override {}

 private:
  FakeClock& clock_;
  size_t in_flight_ = 0;
};

}  // namespace

TEST_CASE("after a stop signal, calls in flight get the grace period, then are abandoned",
          "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(
      dir.Write("d.jsonl", std::string(50, ' ') +
                               "\n{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\n"
                               "{\"messages\":[{\"role\":\"user\",\"content\":\"y\"}]}\n"));
  FakeClock clock;
  SilentTransport t(clock);
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  std::atomic<int> stop{0};
  RunLoopOptions o;
  o.clock = &clock;
  o.stop_request = &stop;
  o.stop_grace = std::chrono::milliseconds(100);
  // The signal comes once both calls are in flight, as a handler would set it.
  t.on_start = [&](size_t in_flight) {
    if (in_flight == 2) stop = 1;
  };
  const SteadyTime start = clock.Steady();
  RunOutcome out = RunPlan(job, planner, t, sink, o);
  CHECK(clock.Steady() - start >= std::chrono::milliseconds(100));
  CHECK(clock.Steady() - start <= std::chrono::milliseconds(120));
  CHECK(out.abandoned == 2);
  CHECK(out.stop_reason == "interrupted by a signal");
  CHECK(sink.records.empty());
}

TEST_CASE("a rate-limit error inside a stream is retried and lowers the window like a 429",
          "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(3)));
  job.stream = true;
  auto stream = [](const std::string& last) {
    HttpResult r;
    r.status = 200;
    r.body = "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"o\"}}]}\n\n" + last;
    return r;
  };
  FakeClock clock;
  ScriptedTransport t(clock);
  t.script = {
      stream("data: {\"error\":{\"message\":\"Rate limit "
             "reached\",\"code\":\"rate_limit_exceeded\"}}\n\n"),
      stream("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],"
             "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n"),
      stream("data: [DONE]\n\n"), stream("data: [DONE]\n\n")};
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 8;
  o.retry = RetrySpec{3, 0, 0};
  RunOutcome out = RunPlan(job, planner, t, sink, o);
  REQUIRE(sink.records.size() == 3);
  CHECK(out.retries == 1);
  CHECK(out.concurrency_min == 4);  // as a 429 would: a plain server error leaves it at 8
  int retried = 0;
  for (const auto& r : sink.records) {
    CHECK(r.ok());
    retried += r.attempts == 2;
  }
  CHECK(retried == 1);
}

TEST_CASE("a model stops after N identical unmendable errors in a row, its calls are skipped",
          "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(12)));
  FakeClock clock;
  ScriptedTransport t(clock);
  auto rejected = [](const std::string& message, long status = 422) {
    HttpResult r;
    r.status = status;
    r.body = R"({"detail":")" + message + R"("})";
    return r;
  };
  // An ok call and a different message both end a streak; a 500 (mendable) does too.
  t.script = {rejected("a"), rejected("a"), Answer(200),   rejected("a"), rejected("a"),
              rejected("b"), Answer(500),   rejected("a"), rejected("a"), rejected("a")};
  VectorSink sink;
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 1;
  o.retry = RetrySpec{1, 0, 0, 3};
  RunOutcome out = RunPlan(job, planner, t, sink, o);
  CHECK(t.started.size() == 10);  // the third "a" in a row was the last call sent
  REQUIRE(sink.records.size() == 12);
  REQUIRE(out.stopped_models.size() == 1);
  CHECK(out.stopped_models[0].first == "m");
  CHECK_THAT(out.stopped_models[0].second,
             Catch::StartsWith("3 calls in a row failed with HTTP 422"));
  CHECK(out.skipped == 2);
  for (size_t i = 10; i < 12; ++i) {
    CHECK(sink.records[i].skipped);
    CHECK_FALSE(sink.records[i].ok());
    CHECK(sink.records[i].attempts == 0);
    CHECK(sink.records[i].error == out.stopped_models[0].second);
  }
  CHECK_FALSE(sink.records[9].skipped);
  // 0 never stops a model.
  FakeClock clock2;
  ScriptedTransport t2(clock2);
  for (int i = 0; i < 12; ++i) t2.script.push_back(rejected("a", 404));
  VectorSink sink2;
  CallPlanner planner2(job, std::nullopt);
  o.clock = &clock2;
  o.retry.stop_after_same_error = 0;
  RunOutcome out2 = RunPlan(job, planner2, t2, sink2, o);
  CHECK(t2.started.size() == 12);
  CHECK(out2.stopped_models.empty());
}

namespace {

/// A sink that batches as the results writer does, and a transport that checks, each time the
/// loop waits, that nothing finished is still unwritten.
class BatchingSink : public RecordSink {
 public:
  size_t unflushed = 0, flushes = 0, written = 0;
  Status OnRecord(const CallRecord&) override {
    ++unflushed;
    return Status::Ok();
  }
  Status Flush() override {
    written += unflushed;
    flushes += unflushed > 0 ? 1 : 0;
    unflushed = 0;
    return Status::Ok();
  }
};

class CheckingTransport : public ScriptedTransport {
 public:
  CheckingTransport(FakeClock& clock, const BatchingSink& sink, size_t per_wait)
      : ScriptedTransport(clock), sink_(sink), per_wait_(per_wait) {}
  size_t waits_with_unwritten = 0, starts_with_unwritten = 0;
  void Start(HttpRequest r) override {
    if (sink_.unflushed > 0) ++starts_with_unwritten;
    ScriptedTransport::Start(std::move(r));
  }
  void Wait(std::vector<HttpResult>* out, int max_wait_ms) override {
    if (sink_.unflushed > 0) ++waits_with_unwritten;
    // Several calls finish in one wake-up, as on a busy connection pool.
    for (size_t i = 0; i < per_wait_ && InFlight() > 0; ++i)
      ScriptedTransport::Wait(out, max_wait_ms);
  }

 private:
  const BatchingSink& sink_;
  size_t per_wait_;
};

}  // namespace

TEST_CASE("the loop has its sink write each wake-up's records before it sends or waits again",
          "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(40)));
  job.concurrency = 8;
  FakeClock clock;
  BatchingSink sink;
  CheckingTransport t(clock, sink, 4);
  for (int i = 0; i < 40; ++i) t.script.push_back(Answer(200));
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 8;
  RunPlan(job, planner, t, sink, o);
  CHECK(sink.written == 40);
  CHECK(sink.unflushed == 0);
  CHECK(t.waits_with_unwritten == 0);
  CHECK(t.starts_with_unwritten == 0);  // nor does a call start with a finished one unwritten
  CHECK(sink.flushes == 10);  // 4 records a wake-up: one write for each 4, not one per record
}

TEST_CASE("a sink that cannot write stops the run", "[engine]") {
  evalrun::testing::TempDir dir;
  Job job = OneRowJob(dir.Write("d.jsonl", ChatRows(20)));
  struct FailingSink : RecordSink {
    Status OnRecord(const CallRecord&) override { return Status::Ok(); }
    Status Flush() override { return Status::Io("results.jsonl: write failed: No space left"); }
  } sink;
  FakeClock clock;
  ScriptedTransport t(clock);
  for (int i = 0; i < 20; ++i) t.script.push_back(Answer(200));
  CallPlanner planner(job, std::nullopt);
  RunLoopOptions o;
  o.clock = &clock;
  o.concurrency = 2;
  RunOutcome out = RunPlan(job, planner, t, sink, o);
  CHECK_FALSE(out.status.ok());
  CHECK_THAT(out.status.message(), Catch::Contains("No space left"));
  CHECK(out.finished < 20);
}
