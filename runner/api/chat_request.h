// The OpenAI wire format of a chat completion request: the JSON body for one call and the headers
// shared by every call of a job (pure: the planner builds bodies, the engine sends them), and where
// the key comes from (FindApiKey, which alone reads the environment).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataset/row.h"
#include "job/job.h"

namespace evalrun {

/// {"model":..., "messages":[...], <row body params>, <job/model params>}; later keys win. A
/// streamed call always asks for stream_options.include_usage, whatever the params say.
std::string BuildChatBody(const std::string& model, const JsonParams& params, const Row& row,
                          bool stream = false);

/// `[{"role": "user", "content": text}]`: the messages of a judge call.
std::string BuildUserMessages(const std::string& text);

/// Headers for every API request: bearer auth (none for an empty key), JSON content type,
/// OpenAI-Project, the job's extras.
std::vector<std::string> BuildHeaders(const Endpoint& endpoint, const std::string& api_key);

/// Whether a base URL names this machine (127.0.0.0/8, localhost, [::1]): a local server may need
/// no key.
bool IsLoopbackUrl(std::string_view url);

/// The API key for `endpoint`: the named variable, else WANDB_API_KEY then OPENAI_API_KEY. An empty
/// variable counts as unset. `searched` receives the names looked at, for the error message.
std::string FindApiKey(const Endpoint& endpoint, std::string* searched);

}  // namespace evalrun
