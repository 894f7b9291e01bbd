// CurlTransport: Transport over libcurl multi handles driven by curl_multi_socket_action over
// epoll (curl's ephiperfifo.c design): libcurl says which sockets to watch and when its timer is
// due, and only sockets with activity are handed back to it, so a wake-up costs the same with 10
// or 10,000 calls in flight (curl_multi_perform + curl_multi_poll walk every transfer each time:
// at 1,000 in flight that was 4x the CPU per call). Plain HTTP/1.1 calls are spread over one multi
// handle per kTransfersPerMulti in flight, all on the one epoll: libcurl 7.88 walks its lists of a
// multi's transfers and connections for each call, which made a call cost 4x more at 2,000 in
// flight than at 64 (bench/run.sh). Multiplexed HTTP/2 calls share one multi, and so one
// connection. Transfers are pooled and reused, each with its own easy handle for life, so TCP
// and TLS connections stay open across calls and the options that point at a transfer are set
// once, not per call. Single-threaded apart from Wakeup().
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/transport.h"
#include "job/job.h"

namespace evalrun {

struct TransportOptions {
  std::vector<std::string> headers;
  double timeout_s = 120;
  double connect_timeout_s = 10;
  HttpVersion http = HttpVersion::kAuto;
  std::string ca_bundle;
  int max_in_flight = 16;      // sizes the connection cache
  double stall_timeout_s = 0;  // > 0: a transfer receiving no byte this long fails as a timeout
};

class CurlTransport : public Transport {
 public:
  struct Transfer;
  struct Multi;
  /// Calls in flight per multi handle, beyond which another is used (HTTP/1.1).
  static constexpr size_t kTransfersPerMulti = 128;
  static Result<std::unique_ptr<CurlTransport>> Create(const TransportOptions& options);
  ~CurlTransport() override;

  void Start(HttpRequest request) override;
  size_t InFlight() const override { return in_flight_ + failed_.size(); }
  void Wait(std::vector<HttpResult>* out, int max_wait_ms) override;
  void Wakeup() override;
  void Draining() override;

 private:
  explicit CurlTransport(const TransportOptions& options);
  /// An idle transfer, or a new one with its easy handle set up; null when libcurl cannot make
  /// one. Kept for the next call when done: no allocation per call.
  Transfer* AcquireTransfer();
  void Recycle(Transfer* t);
  void Collect(std::vector<HttpResult>* out);
  void Collect(Multi& multi, std::vector<HttpResult>* out);
  static int OnSocket(CURL* easy, curl_socket_t s, int what, void* multi, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);
  /// Where a new transfer goes: the least busy multi, or the first for multiplexed HTTP/2.
  Multi& MultiFor(bool multiplexed);
  /// Hands libcurl its due timer and the sockets epoll reports within `wait_ms`; false when
  /// Wakeup() was called.
  bool Drive(int wait_ms);

  TransportOptions options_;
  bool proxy_in_environment_ = false;  // read once: see AcquireTransfer
  std::vector<std::unique_ptr<Multi>> multis_;
  curl_slist* headers_ = nullptr;
  std::vector<Transfer*> all_;      // every transfer (owned), for cleanup
  std::vector<Transfer*> idle_;     // transfers free for the next call
  std::vector<HttpResult> failed_;  // transfers that could not start, reported by the next Wait
  size_t in_flight_ = 0;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: Wakeup() writes it, which is async-signal-safe
  std::atomic<bool> interrupted_{false};
};

/// One blocking GET with the same options; for `evalrun models` and preflight checks.
Result<HttpResult> HttpGet(const TransportOptions& options, const std::string& url);

}  // namespace evalrun
