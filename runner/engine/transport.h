// Transport: the one place where HTTP requests are in flight. The run loop hands it requests and
// waits for finished ones; it knows nothing about jobs, rows or records. Kept behind an interface
// (as ninja keeps its CommandRunner) so the engine (CurlTransport, socket_action over epoll) and
// the scripted fake of the tests are interchangeable without touching scheduling.
// Single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/chat_response.h"

namespace evalrun {

struct HttpRequest {
  uint64_t tag = 0;  // the caller's handle for this request, returned with its result
  // Read by Start() alone, which keeps what it needs of it: a view of a URL that outlives the
  // call (the loop's), not a copy made and freed per call.
  std::string_view url;
  std::string body;     // POSTed as JSON when not empty; empty means GET
  bool stream = false;  // time each piece of the body as it arrives
};

struct HttpResult {
  uint64_t tag = 0;
  long status = 0;         // HTTP status; 0 when no response arrived
  int curl_code = 0;       // CURLcode; 0 on a completed exchange
  std::string curl_error;  // libcurl's message when curl_code != 0
  std::string body;
  std::string request_id;         // x-request-id response header, when present
  std::string retry_after;        // Retry-After response header, when present
  double latency_ms = 0;          // first byte sent to last byte received (libcurl's timings)
  std::string request_body;       // the body sent, handed back so a retry need not keep a copy
  std::vector<ChunkTime> chunks;  // streamed requests: when each piece of the body arrived
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Start(HttpRequest request) = 0;
  virtual size_t InFlight() const = 0;
  /// Blocks until at least one request has finished, `max_wait_ms` has passed, or Wakeup() is
  /// called, and appends the finished ones to `out`. Waits the full time when none is in flight.
  virtual void Wait(std::vector<HttpResult>* out, int max_wait_ms) = 0;
  /// Makes a blocked Wait return early; safe to call from a signal handler's thread.
  virtual void Wakeup() = 0;
  /// No call is planned beyond those in flight (a retry aside): each connection may close as its
  /// transfer ends instead of waiting for a call that will not come.
  virtual void Draining() {}
};

}  // namespace evalrun
