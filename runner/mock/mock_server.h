// MockServer: a local OpenAI-compatible server on libevent's evhttp, for the demo, the tests and
// the benchmarks. Serves GET /v1/models, POST /v1/chat/completions (MockComplete behind it) and
// GET /mock/stats (request counters, so tests can prove what was or was not sent). Replies with a
// latency are held on timers, never by sleeping, so thousands of calls wait at once.
// One thread; Run() blocks until Stop() or SIGINT/SIGTERM.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "mock/mock_model.h"

namespace evalrun {

struct MockServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port
  MockLatency latency;
  std::string api_key;  // when set, the bearer token must equal it; otherwise any non-empty one
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
