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

#include "api/prompt_tokens.h"
#include "common/stable_hash.h"

namespace evalrun {

struct MockModel {
  std::string id;
  double accuracy;         // chance of a right answer to an arithmetic question
  double latency_scale;    // multiplies the server's base and per-token latency
  int words;               // typical length of a free-text answer
  int thinking_words = 0;  // a thinking model reasons about this long before it answers
};

const std::vector<MockModel>& MockModels();
const MockModel* FindMockModel(std::string_view id);

struct MockLatency {
  double base_ms = 0;       // per request
  double per_token_ms = 0;  // per completion token
  double jitter = 0.25;     // +- fraction, deterministic per request
};

/// What of the request shapes the reply beyond its messages.
struct MockAsk {
  std::string tool;          // the first tool's function name when the request offers `tools`
  bool json = false;         // response_format asks for JSON (json_object or json_schema)
  double judge_garbage = 0;  // mock-judge: the share of verdicts that cannot be read
  // How `usage` is counted: a real tokenizer when the server was given one, else the rule.
  const TokenCounter* tokens = nullptr;
};

struct MockReply {
  std::string content;
  std::string reasoning;       // a thinking model's, sent before the content
  std::string tool_name;       // set when the reply is a tool call (content is then empty)
  std::string tool_arguments;  // its arguments, JSON text
  std::string finish_reason;   // stop | length | tool_calls
  long long prompt_tokens = 0;
  long long completion_tokens = 0;  // thinking included, as W&B bills it
  long long reasoning_tokens = 0;
  double delay_ms = 0;
};

/// The reply of `model` to `messages` (an array of {role, content}). `max_tokens` bounds the
/// thinking and the answer together, as servers apply it.
MockReply MockComplete(const MockModel& model, const rapidjson::Value& messages,
                       std::optional<long long> max_tokens, const MockLatency& latency,
                       uint64_t nonce, const MockAsk& ask = {});

/// mock-judge's reply to evalrun's default judge prompt: it compares the answer with the
/// reference, is right at its model's accuracy, and answers in one of the accepted verdict
/// forms chosen by the prompt (JSON, fenced JSON, reasoning then JSON, "Score: N", PASS/FAIL,
/// true/false); `garbage` of them are no verdict at all.
std::string MockJudgeVerdict(const MockModel& model, const std::string& prompt, double garbage);

/// Solves the first "A op B" in `text` (op one of + - * x /); false when there is none.
bool SolveArithmetic(std::string_view text, std::string* answer);

}  // namespace evalrun
