// What a transfer that failed below HTTP means, in one line a person can act on: libcurl's own
// detail (its error buffer, which names the host, port and reason) with what to do about it,
// instead of curl_easy_strerror's generic sentence ("SSL peer certificate or SSH remote key was
// not OK" for a server that was reached and whose certificate did not verify).
#pragma once

#include <string>
#include <string_view>

namespace evalrun {

/// `curl_code` is the CURLcode, `detail` libcurl's error buffer (may be empty), `url` the
/// request's.
std::string DescribeTransportError(int curl_code, std::string_view detail, std::string_view url);

}  // namespace evalrun
