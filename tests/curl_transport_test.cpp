// CurlTransport against `evalrun mock-server`: what it does with its connections.
#include "engine/curl_transport.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/process.h"

using namespace evalrun;

namespace {

/// TCP connections of this machine in state ESTABLISHED whose far end is 127.0.0.1:`port`: the
/// client's side of each connection to the mock (only this test talks to its port).
int EstablishedTo(int port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // the header
  int n = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    const auto colon = remote.find(':');
    if (colon == std::string::npos) continue;
    if (std::stoi(remote.substr(colon + 1), nullptr, 16) == port && state == "01") ++n;
  }
  return n;
}

/// Sets the environment's proxy variables for a scope (all of them unset but `http_proxy`, when
/// given), and puts back what was there.
class ProxyEnvironment {
 public:
  explicit ProxyEnvironment(const std::string& http_proxy) {
    for (const char* name : kNames) {
      if (const char* v = std::getenv(name)) saved_.emplace_back(name, v);
      unsetenv(name);
    }
    if (!http_proxy.empty()) setenv("http_proxy", http_proxy.c_str(), 1);
  }
  ~ProxyEnvironment() {
    for (const char* name : kNames) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  static constexpr const char* kNames[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                           "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

/// A loopback port nothing listens on: bound, then closed.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

HttpResult OneCall(const std::string& url) {
  TransportOptions options;
  options.max_in_flight = 1;
  options.headers = {"Authorization: Bearer k", "Content-Type: application/json"};
  auto transport = CurlTransport::Create(options);
  REQUIRE(transport.ok());
  (*transport)
      ->Start(HttpRequest{1, url,
                          R"({"model":"mock-medium","messages":[{"role":"user",)"
                          R"("content":"What is 2 + 2?"}]})"});
  std::vector<HttpResult> out;
  while (out.empty()) (*transport)->Wait(&out, 5000);
  return out.front();
}

}  // namespace

TEST_CASE("a proxy the environment names is used, and without one calls go straight", "[engine]") {
  testing::MockServerProcess server;
  const std::string url = server.base_url() + "/chat/completions";
  {
    // The transport says "no proxy" to libcurl only when no proxy variable is set.
    const int proxy_port = ClosedPort();
    ProxyEnvironment env("http://127.0.0.1:" + std::to_string(proxy_port));
    const HttpResult r = OneCall(url);
    CHECK(r.status == 0);
    CHECK(r.curl_code == 7);  // CURLE_COULDNT_CONNECT: to the proxy, not to the mock
    CHECK(r.curl_error.find("port " + std::to_string(proxy_port)) != std::string::npos);
  }
  ProxyEnvironment none("");
  CHECK(OneCall(url).status == 200);
}

TEST_CASE("a draining transport closes each connection as its call ends, keeping one", "[engine]") {
  testing::MockServerProcess server;
  const std::string base = server.base_url();
  const int port = std::stoi(base.substr(base.rfind(':') + 1));
  const std::string body =
      R"({"model":"mock-medium","messages":[{"role":"user","content":"What is 2 + 2?"}]})";
  for (const bool draining : {false, true}) {
    INFO("draining: " << draining);
    TransportOptions options;
    options.max_in_flight = 8;
    options.headers = {"Authorization: Bearer k", "Content-Type: application/json"};
    auto transport = CurlTransport::Create(options);
    REQUIRE(transport.ok());
    for (uint64_t tag = 0; tag < 8; ++tag)
      (*transport)->Start(HttpRequest{tag, base + "/chat/completions", body});
    if (draining) (*transport)->Draining();
    std::vector<HttpResult> out;
    while (out.size() < 8) (*transport)->Wait(&out, 5000);
    for (const HttpResult& r : out) CHECK(r.status == 200);
    // Eight calls at once open eight connections; kept for the next calls, or closed as each
    // call ends but the last, which the cache keeps.
    CHECK(EstablishedTo(port) == (draining ? 1 : 8));
  }
}
