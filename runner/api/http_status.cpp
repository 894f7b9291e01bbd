#include "api/http_status.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "common/text.h"

namespace evalrun {
namespace {

constexpr std::array<std::pair<long, std::string_view>, 45> kPhrases = {{
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {423, "Locked"},
    {424, "Failed Dependency"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {499, "Client Closed Request"},  // nginx's own, logged when the client went away
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {507, "Insufficient Storage"},
}};

}  // namespace

std::string_view HttpReasonPhrase(long status) {
  auto it = std::lower_bound(kPhrases.begin(), kPhrases.end(), status,
                             [](const auto& p, long s) { return p.first < s; });
  return it != kPhrases.end() && it->first == status ? it->second : std::string_view();
}

std::string HttpErrorLine(long status, std::string_view message) {
  const std::string_view phrase = HttpReasonPhrase(status);
  std::string line =
      phrase.empty() ? fmt::format("HTTP {}", status) : fmt::format("HTTP {} {}", status, phrase);
  // A proxy's page says only the status again ("502 Bad Gateway", nginx's "504 Gateway Time-out").
  std::string_view m = TrimWhitespace(message);
  const std::string number = std::to_string(status);
  if (m.substr(0, number.size()) == number) m = TrimWhitespace(m.substr(number.size()));
  std::string lower(m), lower_phrase(phrase);
  auto fold = [](std::string& s) {
    std::string out;
    for (char c : s)
      if (std::isalnum(static_cast<unsigned char>(c)))
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    s = out;
  };
  fold(lower);
  fold(lower_phrase);
  if (!lower.empty() && lower != lower_phrase) {
    line += ": ";
    line += TrimWhitespace(message);
  }
  return OneLine(line, kMaxErrorBytes);
}

}  // namespace evalrun
