#include "engine/curl_transport.h"

#include <fmt/format.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

#include "common/text.h"
#include "engine/transport_error.h"

namespace evalrun {
namespace {

// A server that streams an unbounded body must not exhaust memory.
constexpr size_t kMaxBodyBytes = 64u << 20;

bool HeaderIs(std::string_view line, std::string_view name, std::string* value) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  if (strncasecmp(line.data(), name.data(), name.size()) != 0) return false;
  *value = std::string(TrimWhitespace(line.substr(name.size() + 1)));
  return true;
}

// epoll's data of a socket is its multi's index (high half) and the socket (low half); the
// eventfd's is this.
constexpr uint64_t kWakeTag = ~uint64_t{0};

}  // namespace

/// One multi handle and what libcurl asked of it.
struct CurlTransport::Multi {
  CurlTransport* owner = nullptr;
  uint32_t index = 0;
  CURLM* handle = nullptr;
  std::optional<std::chrono::steady_clock::time_point> timer;  // libcurl's, when set
  size_t in_flight = 0;
};

struct CurlTransport::Transfer {
  CURL* easy = nullptr;  // its own for life: WRITEDATA, HEADERDATA, PRIVATE point here
  std::string url;       // what CURLOPT_URL was last set to: set again only when it changes
  long pipewait = -1;    // likewise CURLOPT_PIPEWAIT
  HttpRequest request;
  HttpResult result;
  std::chrono::steady_clock::time_point started;  // at Start(), of a stream only
  double first_header_ms = -1;  // a stream's, since `started`: anchors chunk times to libcurl's
  char error[CURL_ERROR_SIZE] = {};  // libcurl's detail of a failure (CURLOPT_ERRORBUFFER)
  Multi* multi = nullptr;            // the one it was added to; null while idle
};

static double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

static size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<CurlTransport::Transfer*>(user);
  std::string& body = t->result.body;
  if (body.size() + size * n > kMaxBodyBytes) return 0;  // aborts with CURLE_WRITE_ERROR
  body.append(data, size * n);
  if (t->request.stream) t->result.chunks.push_back({body.size(), MsSince(t->started)});
  return size * n;
}

static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<CurlTransport::Transfer*>(user);
  // Only a stream's chunk times need our clock (two reads a call fewer otherwise).
  if (t->request.stream && t->first_header_ms < 0) t->first_header_ms = MsSince(t->started);
  HttpResult* result = &t->result;
  std::string_view line(data, size * n);
  std::string value;
  if (HeaderIs(line, "x-request-id", &value))
    result->request_id = value;
  else if (HeaderIs(line, "retry-after", &value))
    result->retry_after = value;
  return size * n;
}

namespace {

/// Whether a variable libcurl reads a proxy from is set: http_proxy, HTTPS_PROXY, all_proxy,
/// no_proxy and the rest, in either case.
bool ProxyInEnvironment() {
  constexpr std::string_view kSuffix = "_proxy";
  for (char** env = environ; *env; ++env) {
    const std::string_view entry(*env);
    const std::string_view name = entry.substr(0, entry.find('='));
    if (name.size() < kSuffix.size()) continue;
    const std::string_view tail = name.substr(name.size() - kSuffix.size());
    bool match = true;
    for (size_t i = 0; i < kSuffix.size(); ++i)
      match = match && std::tolower(static_cast<unsigned char>(tail[i])) == kSuffix[i];
    if (match) return true;
  }
  return false;
}

}  // namespace

CurlTransport::CurlTransport(const TransportOptions& options)
    : options_(options), proxy_in_environment_(ProxyInEnvironment()) {}

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create(const TransportOptions& options) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) return Status::Internal("libcurl failed to initialise");
  std::unique_ptr<CurlTransport> t(new CurlTransport(options));
  const size_t in_flight = static_cast<size_t>(std::max(1, options.max_in_flight));
  const size_t count = (in_flight + kTransfersPerMulti - 1) / kTransfersPerMulti;
  for (size_t i = 0; i < count; ++i) {
    auto m = std::make_unique<Multi>();
    m->owner = t.get();
    m->index = static_cast<uint32_t>(i);
    m->handle = curl_multi_init();
    if (!m->handle) return Status::Internal("curl_multi_init failed");
    // One multi takes every multiplexed call: its cache holds as many connections as HTTP/1.1
    // would need, should the server not speak HTTP/2.
    const size_t share = i == 0 ? in_flight : (in_flight + count - 1) / count;
    curl_multi_setopt(m->handle, CURLMOPT_MAXCONNECTS, static_cast<long>(share + 8));
    curl_multi_setopt(m->handle, CURLMOPT_SOCKETFUNCTION, &CurlTransport::OnSocket);
    curl_multi_setopt(m->handle, CURLMOPT_SOCKETDATA, m.get());
    curl_multi_setopt(m->handle, CURLMOPT_TIMERFUNCTION, &CurlTransport::OnTimer);
    curl_multi_setopt(m->handle, CURLMOPT_TIMERDATA, m.get());
    t->multis_.push_back(std::move(m));
  }
  t->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  t->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = kWakeTag;
  if (t->epoll_fd_ < 0 || t->wake_fd_ < 0 ||
      epoll_ctl(t->epoll_fd_, EPOLL_CTL_ADD, t->wake_fd_, &wake) != 0)
    return Status::Internal(fmt::format("cannot set up epoll: {}", std::strerror(errno)));
  for (const auto& h : options.headers) {
    curl_slist* next = curl_slist_append(t->headers_, h.c_str());
    if (!next) return Status::Internal("out of memory building headers");
    t->headers_ = next;
  }
  return t;
}

CurlTransport::~CurlTransport() {
  // Transfers still in flight (a hard stop) are abandoned: their results are not wanted.
  for (Transfer* t : all_) {
    if (t->multi) curl_multi_remove_handle(t->multi->handle, t->easy);
    curl_easy_cleanup(t->easy);
    delete t;
  }
  for (auto& m : multis_)
    curl_multi_cleanup(m->handle);  // may still tell OnSocket to forget sockets
  curl_slist_free_all(headers_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

int CurlTransport::OnSocket(CURL*, curl_socket_t s, int what, void* multi, void*) {
  auto* m = static_cast<Multi*>(multi);
  CurlTransport* t = m->owner;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(t->epoll_fd_, EPOLL_CTL_DEL, s, nullptr);  // fails harmlessly if already closed
    return 0;
  }
  epoll_event ev{};
  ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.u64 = (uint64_t{m->index} << 32) | static_cast<uint32_t>(s);
  if (epoll_ctl(t->epoll_fd_, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
    epoll_ctl(t->epoll_fd_, EPOLL_CTL_ADD, s, &ev);
  return 0;
}

int CurlTransport::OnTimer(CURLM*, long timeout_ms, void* multi) {
  auto* m = static_cast<Multi*>(multi);
  if (timeout_ms < 0)
    m->timer.reset();
  else
    m->timer = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

CurlTransport::Multi& CurlTransport::MultiFor(bool multiplexed) {
  if (multiplexed) return *multis_.front();
  Multi* least = multis_.front().get();
  for (auto& m : multis_) {
    if (m->in_flight < least->in_flight) least = m.get();
  }
  return *least;
}

CurlTransport::Transfer* CurlTransport::AcquireTransfer() {
  if (!idle_.empty()) {
    Transfer* t = idle_.back();
    idle_.pop_back();
    return t;
  }
  CURL* e = curl_easy_init();
  if (!e) return nullptr;
  auto* t = new Transfer{};
  t->easy = e;
  all_.push_back(t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_s * 1000));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout_s * 1000));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "evalrun/" EVALRUN_VERSION);
  // Without a proxy option libcurl looks for one in the environment at every transfer: five
  // getenv() calls, each a walk of the environment, and their copies (~5k instructions a call
  // under callgrind, 5% of libcurl's own). With no proxy variable set, "no proxy" said once
  // spares them; with one set, libcurl reads it as it always has.
  if (!proxy_in_environment_) {
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  }
  if (!options_.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  // auto and 2 both offer h2 over TLS (ALPN); plain http:// stays HTTP/1.1 either way.
  const long version =
      options_.http == HttpVersion::k1_1 ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS;
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, version);
  if (options_.stall_timeout_s > 0) {
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(options_.stall_timeout_s)));
  }
  return t;
}

void CurlTransport::Recycle(Transfer* t) {
  // Its request and result were moved out; what is left is reset, and the object kept.
  t->request = HttpRequest{};
  t->result = HttpResult{};
  t->first_header_ms = -1;
  t->error[0] = '\0';
  t->multi = nullptr;
  idle_.push_back(t);
}

void CurlTransport::Start(HttpRequest request) {
  Transfer* t = AcquireTransfer();
  if (!t) {
    // Reported like any other failed transfer so the call still ends as a record.
    HttpResult failed;
    failed.tag = request.tag;
    failed.curl_code = CURLE_OUT_OF_MEMORY;
    failed.curl_error = "could not create a transfer";
    failed.request_body = std::move(request.body);
    failed_.push_back(std::move(failed));
    return;
  }
  t->request = std::move(request);
  t->result.tag = t->request.tag;
  CURL* e = t->easy;
  if (t->url != t->request.url) {
    t->url.assign(t->request.url);
    curl_easy_setopt(e, CURLOPT_URL, t->url.c_str());
  }
  t->request.url = {};  // the caller's: t->url is the transfer's from here on
  // Over TLS, wait for a multiplexed HTTP/2 stream rather than open yet another connection: ALPN
  // says at the handshake whether the server multiplexes. Not over plain http, where libcurl
  // would hold every call until the first response arrived to learn that it cannot.
  const bool tls = t->url.rfind("https://", 0) == 0;
  const bool multiplexed = tls && options_.http != HttpVersion::k1_1;
  if (const long pipewait = multiplexed ? 1L : 0L; t->pipewait != pipewait) {
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, pipewait);
    t->pipewait = pipewait;
  }
  t->multi = &MultiFor(multiplexed);
  if (t->request.body.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(t->request.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.data());
  }
  if (t->request.stream) t->started = std::chrono::steady_clock::now();
  if (const CURLMcode added = curl_multi_add_handle(t->multi->handle, e); added != CURLM_OK) {
    // Never a call that waits forever: it ends now, as a failed transfer, and its handle is kept.
    t->result.curl_code = CURLE_FAILED_INIT;
    t->result.curl_error = fmt::format("the transfer could not start: curl_multi_add_handle: {}",
                                       curl_multi_strerror(added));
    t->result.request_body = std::move(t->request.body);
    failed_.push_back(std::move(t->result));
    Recycle(t);
    return;
  }
  ++t->multi->in_flight;
  ++in_flight_;
}

void CurlTransport::Collect(std::vector<HttpResult>* out) {
  for (auto& m : multis_) Collect(*m, out);
}

void CurlTransport::Collect(Multi& multi, std::vector<HttpResult>* out) {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi.handle, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    Transfer* t = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    HttpResult& r = t->result;
    r.curl_code = msg->data.result;
    if (r.curl_code != CURLE_OK)
      r.curl_error = DescribeTransportError(r.curl_code, t->error, t->url);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
    curl_off_t pretransfer = 0, total = 0, first_byte = 0;
    curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &first_byte);
    curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
    r.latency_ms = static_cast<double>(std::max<curl_off_t>(0, total - pretransfer)) / 1000.0;
    // Chunk times are on our clock, from Start(); libcurl's clock starts a little later. The first
    // response header is the same instant on both (libcurl's start-transfer time), which maps
    // chunk times onto libcurl's clock; the contract then counts from the first byte sent.
    const double offset = t->first_header_ms - static_cast<double>(first_byte) / 1000.0;
    for (ChunkTime& c : r.chunks) {
      c.ms =
          std::clamp(c.ms - offset - static_cast<double>(pretransfer) / 1000.0, 0.0, r.latency_ms);
    }
    curl_multi_remove_handle(multi.handle, e);
    --multi.in_flight;
    --in_flight_;
    r.request_body = std::move(t->request.body);
    out->push_back(std::move(r));
    Recycle(t);
  }
}

bool CurlTransport::Drive(int wait_ms) {
  int running = 0;
  auto now = std::chrono::steady_clock::now();
  bool due = false;
  for (auto& m : multis_) {
    if (m->timer && *m->timer <= now) {
      // Due now: starts transfers just added (timeout 0) and enforces libcurl's timeouts.
      m->timer.reset();
      curl_multi_socket_action(m->handle, CURL_SOCKET_TIMEOUT, 0, &running);
      due = true;
    } else if (m->timer) {
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*m->timer - now);
      wait_ms = std::min<int>(wait_ms, static_cast<int>(until.count()) + 1);
    }
  }
  if (due) return true;
  // Every answer of a wake-up is recorded before any next call goes out, so the first answer of
  // a batch waits for the whole batch: at 1,000 in flight 256 answers a wake-up held a slot's
  // next call 3.4-4.0 ms on average (22 ms at worst), 64 hold it 2.0 ms (10 ms).
  constexpr int kEvents = 64;
  epoll_event events[kEvents];
  const int n = epoll_wait(epoll_fd_, events, kEvents, std::max(0, wait_ms));
  bool woken = false;
  for (int i = 0; i < n; ++i) {
    const uint64_t tag = events[i].data.u64;
    if (tag == kWakeTag) {
      uint64_t count = 0;
      while (read(wake_fd_, &count, sizeof count) > 0) {
      }
      woken = true;
      continue;
    }
    const uint32_t e = events[i].events;
    const int flags = ((e & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                      ((e & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                      ((e & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
    Multi& m = *multis_[tag >> 32];
    curl_multi_socket_action(m.handle, static_cast<curl_socket_t>(tag & 0xffffffffu), flags,
                             &running);
  }
  return !(woken && interrupted_.exchange(false));
}

void CurlTransport::Wait(std::vector<HttpResult>* out, int max_wait_ms) {
  const size_t before = out->size();
  for (auto& r : failed_) out->push_back(std::move(r));
  failed_.clear();
  if (out->size() > before) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const bool go_on = Drive(static_cast<int>(std::clamp<long long>(left.count(), 0, 1000)));
    Collect(out);
    if (out->size() > before || !go_on || left.count() <= 0) return;
  }
}

void CurlTransport::Wakeup() {
  interrupted_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void CurlTransport::Draining() {
  // A cache of one: each connection given back beyond it is closed then, inside the
  // socket_action that ends its transfer. At 1,000 in flight the closes (15-20 us of kernel
  // time each) overlap the wait for the last answers instead of following the last one.
  for (auto& m : multis_) curl_multi_setopt(m->handle, CURLMOPT_MAXCONNECTS, 1L);
}

Result<HttpResult> HttpGet(const TransportOptions& options, const std::string& url) {
  auto t = CurlTransport::Create(options);
  if (!t.ok()) return t.status();
  (*t)->Start(HttpRequest{1, url, ""});
  std::vector<HttpResult> out;
  while (out.empty()) (*t)->Wait(&out, 1000);
  if (out.empty()) return Status::Internal("the request did not finish");
  return std::move(out.front());
}

}  // namespace evalrun
