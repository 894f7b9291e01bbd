// ErrorKind: the error taxonomy of results.jsonl (CONTRACT.md error_kind), derived from the HTTP
// status, the API's message and libcurl's result code. Pure functions; the engine and records use
// them.
#pragma once

#include <optional>
#include <string_view>

namespace evalrun {

enum class ErrorKind {
  kNone,
  kAuth,
  kQuota,
  kRateLimit,
  kBadRequest,
  kServer,
  kTimeout,
  kNetwork,
  kParse
};

const char* ErrorKindName(ErrorKind kind);  // "auth", ...; nullptr for kNone
bool ParseErrorKind(std::string_view name, ErrorKind* out);

/// Kind of a finished HTTP exchange that was not a 2xx (`message` is the API's error text).
ErrorKind ClassifyHttpStatus(long status, std::string_view message);

/// Kind of an error named by its code or type, as OpenAI-compatible servers send them in bodies and
/// stream events ("rate_limit_exceeded", "insufficient_quota", "invalid_api_key", ...); nullopt for
/// a code this does not know.
std::optional<ErrorKind> ClassifyErrorCode(std::string_view code, std::string_view message);

/// True for kinds after which no further call can succeed (bad key, no credits): the run stops.
bool StopsRun(ErrorKind kind);

}  // namespace evalrun
