// The floor for a libcurl client: what evalrun's own work is measured against in bench/run.sh.
// curl_multi_socket_action over epoll (as evalrun's transport), one fixed request body sent N
// times with C in flight, each easy handle reused for its next call (its connection kept),
// responses discarded unparsed, nothing recorded. The same request on the wire as evalrun's
// transport makes (its headers, user agent, Accept-Encoding, timeouts, keep-alive, HTTP version and
// multiplexing), so libcurl does the same work for both. Whatever evalrun spends per call above
// this is its own: building bodies, parsing answers, records, scoring, progress.
// Usage: bare_curl [--http2] [--cacert FILE] URL BODY_FILE CALLS CONCURRENCY [API_KEY]
// (prints calls and failures; --http2 offers h2 over TLS and multiplexes, as evalrun's default)
#include <curl/curl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

struct Loop {
  int epoll_fd = -1;
  long timeout_ms = -1;  // libcurl's timer; -1: none
};

int OnSocket(CURL*, curl_socket_t s, int what, void* userp, void*) {
  auto* loop = static_cast<Loop*>(userp);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, s, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  ev.data.fd = s;
  if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, s, &ev) != 0)
    epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, s, &ev);
  return 0;
}

int OnTimer(CURLM*, long timeout_ms, void* userp) {
  static_cast<Loop*>(userp)->timeout_ms = timeout_ms;
  return 0;
}

size_t Discard(char*, size_t size, size_t n, void*) {
  return size * n;
}

}  // namespace

int main(int argc, char** argv) {
  bool http2 = false;
  std::string cacert;
  int arg = 1;
  for (; arg < argc && argv[arg][0] == '-' && argv[arg][1] == '-'; ++arg) {
    const std::string flag = argv[arg];
    if (flag == "--http2") {
      http2 = true;
    } else if (flag == "--cacert" && arg + 1 < argc) {
      cacert = argv[++arg];
    } else {
      std::fprintf(stderr, "bare_curl: unknown flag %s\n", argv[arg]);
      return 2;
    }
  }
  if (argc - arg < 4) {
    std::fprintf(stderr,
                 "usage: %s [--http2] [--cacert FILE] URL BODY_FILE CALLS CONCURRENCY [API_KEY]\n",
                 argv[0]);
    return 2;
  }
  const std::string url = argv[arg];
  std::ifstream in(argv[arg + 1], std::ios::binary);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const long calls = std::atol(argv[arg + 2]);
  const long concurrency = std::atol(argv[arg + 3]);
  const std::string auth =
      std::string("Authorization: Bearer ") + (argc - arg > 4 ? argv[arg + 4] : "k");
  if (body.empty() || calls <= 0 || concurrency <= 0) {
    std::fprintf(stderr, "bare_curl: an empty body, or calls or concurrency not positive\n");
    return 2;
  }
  const bool tls = url.rfind("https://", 0) == 0;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  Loop loop;
  loop.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, &loop);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, &loop);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, concurrency + 8);

  // evalrun's headers (runner/api/chat_request.cpp) and easy options (CurlTransport::AcquireEasy).
  curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  std::vector<CURL*> easies;
  long started = 0, finished = 0, failed = 0;
  for (long i = 0; i < concurrency && started < calls; ++i, ++started) {
    CURL* e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "evalrun/" EVALRUN_VERSION);
    // As evalrun does where no proxy variable is set (bench/run.sh sets none): libcurl then
    // does not look for one at each transfer.
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    if (!cacert.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, cacert.c_str());
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, tls && http2 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Discard);
    easies.push_back(e);
    curl_multi_add_handle(multi, e);
  }

  int running = 0;
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  std::vector<epoll_event> events(256);
  while (finished < calls) {
    const int n = epoll_wait(loop.epoll_fd, events.data(), static_cast<int>(events.size()),
                             loop.timeout_ms < 0 ? 1000 : static_cast<int>(loop.timeout_ms));
    if (n == 0 || loop.timeout_ms == 0) {
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    {
      for (int i = 0; i < n; ++i) {
        const int mask = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                         (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                         (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(multi, events[i].data.fd, mask, &running);
      }
    }
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* e = m->easy_handle;
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      if (m->data.result != CURLE_OK || status < 200 || status >= 300) ++failed;
      ++finished;
      curl_multi_remove_handle(multi, e);
      if (started < calls) {  // the same handle again: its connection is reused
        ++started;
        curl_multi_add_handle(multi, e);
      }
    }
  }
  for (CURL* e : easies) curl_easy_cleanup(e);
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  close(loop.epoll_fd);
  curl_global_cleanup();
  std::printf("%ld calls, %ld failed\n", finished, failed);
  return failed == 0 ? 0 : 1;
}
