// HTTP statuses as people read them: the reason phrase of a status (RFC 9110, and the ones proxies
// and rate limiters send) and the one line an error record carries. HTTP/2 sends no reason phrase,
// so the phrase comes from the status, the same over every protocol. Used by the records and by
// the mock server's status lines.
#pragma once

#include <string>
#include <string_view>

namespace evalrun {

/// "Bad Gateway" for 502; "" for a status without a registered phrase.
std::string_view HttpReasonPhrase(long status);

/// The most an error message in a record may hold: one line, this many bytes.
constexpr size_t kMaxErrorBytes = 200;

/// "HTTP 502 Bad Gateway: upstream timed out", one line of at most kMaxErrorBytes. `message` is
/// the body's message (ApiErrorMessage); it is left out when it only repeats the status.
std::string HttpErrorLine(long status, std::string_view message);

}  // namespace evalrun
