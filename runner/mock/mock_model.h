// The mock models behind `evalrun mock-server`: deterministic replies that depend on the prompt
// and the model, usage counted by the token counting rule, and a latency model. Pure functions,
// tested without a socket; the server only adds HTTP around them.
//
// The models differ the way real ones do: the larger one is slower and answers arithmetic right
// more often, so a demo comparison shows a real trade-off.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/stable_hash.h"

namespace evalrun {

struct MockModel {
  std::string id;
  double accuracy;       // chance of a right answer to an arithmetic question
  double latency_scale;  // multiplies the server's base and per-token latency
  int words;             // typical length of a free-text answer
};

const std::vector<MockModel>& MockModels();
const MockModel* FindMockModel(std::string_view id);

struct MockLatency {
  double base_ms = 0;       // per request
  double per_token_ms = 0;  // per completion token
  double jitter = 0.25;     // +- fraction, deterministic per request
};

struct MockReply {
  std::string content;
  std::string finish_reason;  // stop | length
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  double delay_ms = 0;
};

/// The reply of `model` to `messages` (an array of {role, content}).
MockReply MockComplete(const MockModel& model, const rapidjson::Value& messages,
                       std::optional<long long> max_tokens, const MockLatency& latency,
                       uint64_t nonce);

/// Solves the first "A op B" in `text` (op one of + - * x /); false when there is none.
bool SolveArithmetic(std::string_view text, std::string* answer);

}  // namespace evalrun
