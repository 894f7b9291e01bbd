// MockServer: a local OpenAI-compatible server on libevent's evhttp, for the demo, the tests and
// the benchmarks. Serves GET /v1/models, POST /v1/chat/completions (MockComplete behind it) and
// GET /mock/stats (request counters, so tests can prove what was or was not sent). Replies with a
// latency are held on timers, never by sleeping, so thousands of calls wait at once.
// One thread; Run() blocks until Stop() or SIGINT/SIGTERM.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "mock/mock_model.h"

namespace evalrun {

/// Failures the mock injects, to test a client against what real APIs do. Rates are per request.
struct MockFaults {
  double rate_429 = 0;       // "Concurrency limit reached for requests", with Retry-After
  double retry_after_s = 1;  // the Retry-After of injected 429s; 0 sends none
  double rate_500 = 0;
  double rate_503 = 0;
  double rate_401 = 0;
  long long quota_after = -1;  // from this many chat requests on, every one gets 402
  double rate_malformed = 0;   // 200 with a body that is not JSON
  double rate_no_usage = 0;    // 200 without "usage"
  double rate_drop = 0;        // connection closed without a reply
  double rate_stall = 0;       // never answered
  int max_concurrency = 0;     // > 0: requests past this many in flight get 429
  uint64_t seed = 1;
  std::string only_model;    // set: faults go only to requests for this model (a judge, say)
  double judge_garbage = 0;  // mock-judge: the share of its replies that are no verdict
};

struct MockServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port
  MockLatency latency;
  std::string api_key;  // when set, the bearer token must equal it; otherwise any non-empty one
  MockFaults faults;
  std::string tls_cert;  // PEM files; when set the server speaks HTTPS only
  std::string tls_key;
  bool list_no_models = false;  // GET /v1/models answers an empty list, as some servers do
  /// The field a thinking model's reasoning goes in: "reasoning" (W&B today) or
  /// "reasoning_content" (older servers).
  std::string reasoning_field = "reasoning";
  /// Request keys answered with 422 and W&B's `detail`, as models that do not support a
  /// parameter (frequency_penalty, logprobs, response_format) answer.
  std::vector<std::string> reject_params;
  /// A model's real tokenizer, for `usage` that a tokenizer nobody here wrote counts (the
  /// estimate is judged against it); null counts by the rule, as the estimate does without one.
  std::shared_ptr<const ModelTokenizer> tokenizer;
  /// Further ids served, each as a copy of a mock model ("meta-llama/Llama-3.1-8B-Instruct" as
  /// mock-large): a job written for W&B runs against the mock unchanged.
  std::vector<std::pair<std::string, std::string>> aliases;  // (id, mock model id)
};

class MockServer {
 public:
  static Result<std::unique_ptr<MockServer>> Start(const MockServerOptions& options);
  ~MockServer();

  /// "http://HOST:PORT/v1"
  std::string base_url() const;
  /// Serves until a signal or Stop().
  void Run();
  void Stop();

  struct State;

 private:
  MockServer() = default;
  std::unique_ptr<State> state_;
};

}  // namespace evalrun
