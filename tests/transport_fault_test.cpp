// CurlTransport when libcurl refuses a transfer: curl_multi_add_handle is interposed in this test
// binary (the executable's definition wins over libcurl's for calls from evalrun's code) so that
// it can fail on demand, as it does when libcurl runs out of memory.
#include <curl/curl.h>
#include <dlfcn.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "engine/curl_transport.h"
#include "support/process.h"

namespace {
std::atomic<int> g_failing_adds{0};
}  // namespace

extern "C" CURLMcode curl_multi_add_handle(CURLM* multi, CURL* easy) {
  if (g_failing_adds > 0) {
    --g_failing_adds;
    return CURLM_OUT_OF_MEMORY;
  }
  using Fn = CURLMcode (*)(CURLM*, CURL*);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "curl_multi_add_handle"));
  return real(multi, easy);
}

using namespace evalrun;

TEST_CASE("a transfer libcurl will not add ends at once as a failed transfer", "[trust][engine]") {
  auto transport = CurlTransport::Create(TransportOptions{});
  REQUIRE(transport.ok());
  const std::string url =
      "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort()) + "/v1/chat/completions";
  g_failing_adds = 1;
  (*transport)->Start(HttpRequest{7, url, "{}"});
  std::vector<HttpResult> out;
  (*transport)->Wait(&out, 5000);
  REQUIRE(out.size() == 1);  // not a call that waits forever
  CHECK(out[0].tag == 7);
  CHECK(out[0].curl_code != 0);
  CHECK_THAT(out[0].curl_error, Catch::Contains("could not start"));
  CHECK(out[0].request_body == "{}");  // handed back for a retry
  CHECK((*transport)->InFlight() == 0);
  // The handle went back to the pool: the next transfer runs (and is refused by the closed port).
  (*transport)->Start(HttpRequest{8, url, "{}"});
  out.clear();
  while (out.empty()) (*transport)->Wait(&out, 5000);
  CHECK(out[0].tag == 8);
  CHECK(out[0].curl_code == CURLE_COULDNT_CONNECT);
  CHECK_THAT(out[0].curl_error, Catch::Contains("cannot connect to 127.0.0.1:"));
}
