// CurlTransport against `evalrun mock-server`: what it does with its connections.
#include "engine/curl_transport.h"

#include <catch2/catch.hpp>
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

}  // namespace

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
