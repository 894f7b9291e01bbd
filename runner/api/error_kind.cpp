#include "api/error_kind.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace evalrun {
namespace {

constexpr std::array<const char*, 9> kNames = {
    nullptr, "auth", "quota", "rate_limit", "bad_request", "server", "timeout", "network", "parse"};

bool MentionsQuota(std::string_view message) {
  std::string lower(message);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("quota") != std::string::npos || lower.find("billing") != std::string::npos ||
         lower.find("credit") != std::string::npos;
}

}  // namespace

const char* ErrorKindName(ErrorKind kind) {
  return kNames[static_cast<size_t>(kind)];
}

bool ParseErrorKind(std::string_view name, ErrorKind* out) {
  for (size_t i = 1; i < kNames.size(); ++i) {
    if (name == kNames[i]) {
      *out = static_cast<ErrorKind>(i);
      return true;
    }
  }
  return false;
}

ErrorKind ClassifyHttpStatus(long status, std::string_view message) {
  if (status == 401 || status == 403) return ErrorKind::kAuth;
  if (status == 402) return ErrorKind::kQuota;
  // W&B's older pages answer an exhausted quota with 429 and the quota text: not worth retrying.
  if (status == 429) return MentionsQuota(message) ? ErrorKind::kQuota : ErrorKind::kRateLimit;
  if (status == 408) return ErrorKind::kTimeout;
  if (status >= 500) return ErrorKind::kServer;
  return ErrorKind::kBadRequest;
}

std::optional<ErrorKind> ClassifyErrorCode(std::string_view code, std::string_view message) {
  if (code.empty()) return std::nullopt;
  std::string c(code);
  std::transform(c.begin(), c.end(), c.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  auto has = [&](std::string_view part) { return c.find(part) != std::string::npos; };
  if (has("quota") || has("billing") || has("credit")) return ErrorKind::kQuota;
  if (has("rate_limit") || has("ratelimit") || has("too_many_requests") || has("concurrency"))
    return MentionsQuota(message) ? ErrorKind::kQuota : ErrorKind::kRateLimit;
  if (has("api_key") || has("auth") || has("permission") || has("forbidden"))
    return ErrorKind::kAuth;
  if (has("timeout") || has("timed_out")) return ErrorKind::kTimeout;
  if (has("server_error") || has("internal") || has("overloaded") || has("unavailable"))
    return ErrorKind::kServer;
  if (has("invalid_request") || has("context_length") || has("not_found") || has("invalid"))
    return ErrorKind::kBadRequest;
  return std::nullopt;
}

bool StopsRun(ErrorKind kind) {
  return kind == ErrorKind::kAuth || kind == ErrorKind::kQuota;
}

}  // namespace evalrun
