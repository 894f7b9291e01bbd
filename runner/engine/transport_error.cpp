#include "engine/transport_error.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include "common/text.h"

namespace evalrun {
namespace {

/// "host:port" of a URL, the port filled in from the scheme when the URL has none.
std::string HostPort(std::string_view url) {
  std::string out(url);
  CURLU* u = curl_url();
  if (!u) return out;
  if (curl_url_set(u, CURLUPART_URL, out.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      out = fmt::format("{}:{}", host, port);
    }
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return out;
}

}  // namespace

std::string DescribeTransportError(int curl_code, std::string_view detail, std::string_view url) {
  const auto code = static_cast<CURLcode>(curl_code);
  std::string why(TrimWhitespace(detail));
  if (why.empty()) why = curl_easy_strerror(code);
  const std::string where = HostPort(url);
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
      return fmt::format(
          "the TLS certificate of {} did not verify: {} (endpoint.ca_bundle adds a CA, as a PEM "
          "file)",
          where, why);
    case CURLE_SSL_CACERT_BADFILE:
      return fmt::format("the CA bundle could not be read: {} (endpoint.ca_bundle)", why);
    case CURLE_SSL_CONNECT_ERROR:
      return fmt::format("the TLS handshake with {} failed: {}", where, why);
    case CURLE_COULDNT_RESOLVE_HOST:
      return fmt::format("cannot resolve the host of {}: {}", where, why);
    case CURLE_COULDNT_CONNECT:
      return fmt::format("cannot connect to {}: {}", where, why);
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("timed out talking to {}: {}", where, why);
    case CURLE_GOT_NOTHING:
      return fmt::format("{} closed the connection without an answer: {}", where, why);
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return fmt::format("HTTP/2 error from {}: {}", where, why);
    default:
      return fmt::format("{}: {}", where, why);
  }
}

}  // namespace evalrun
