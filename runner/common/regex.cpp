#include "common/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

namespace evalrun {
namespace {

// Enough for any pattern a scorer needs on answers of a few MB; a runaway stops here.
constexpr uint32_t kMatchLimit = 10'000'000;
constexpr uint32_t kDepthLimit = 1'000'000;  // backtracking frames, held on the heap

}  // namespace

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

Result<Regex> Regex::Compile(std::string_view pattern, bool ignore_case) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  const uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (ignore_case ? PCRE2_CASELESS : 0);
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   options, &error, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    return Status::InvalidInput(
        fmt::format("{} at byte {}", reinterpret_cast<const char*>(message), offset + 1));
  }
  Regex r;
  auto owned = std::make_shared<Code>();
  owned->code = code;
  r.code_ = std::move(owned);
  return r;
}

std::optional<bool> Regex::Search(std::string_view text) const {
  if (!code_) return std::nullopt;
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  if (!context || !data) {
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
    return std::nullopt;
  }
  pcre2_set_match_limit(context, kMatchLimit);
  pcre2_set_depth_limit(context, kDepthLimit);
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                             0, data, context);
  pcre2_match_data_free(data);
  pcre2_match_context_free(context);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  return std::nullopt;  // a limit, or another failure: no verdict rather than a wrong one
}

}  // namespace evalrun
