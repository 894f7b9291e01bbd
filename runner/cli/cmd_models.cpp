// `evalrun models`: GET {base_url}/models and one id per line on stdout.
#include <fmt/format.h>

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "common/text.h"
#include "engine/curl_transport.h"

namespace evalrun {

int ModelsCommand(const ModelsArgs& args) {
  Endpoint endpoint;
  if (!args.job_file.empty()) {
    std::optional<Job> job = LoadJobOrReport(args.job_file, args.sets);
    if (!job) return kExitBadInput;
    endpoint = job->endpoint;
  }
  if (!args.base_url.empty()) {
    endpoint.base_url = args.base_url;
    while (!endpoint.base_url.empty() && endpoint.base_url.back() == '/')
      endpoint.base_url.pop_back();
  }
  std::string searched;
  const std::string key = FindApiKey(endpoint, &searched);
  // A local server (the mock, vLLM, llama.cpp) often wants no key; a remote one always does.
  if (key.empty() && !IsLoopbackUrl(endpoint.base_url)) {
    fmt::print(stderr, "error: no API key: set {} (an empty variable counts as unset)\n", searched);
    return kExitBadInput;
  }
  const TransportOptions opts = TransportOptionsFor(endpoint, key);
  const std::string url = endpoint.base_url + "/models";
  auto got = HttpGet(opts, url);
  if (!got.ok()) {
    fmt::print(stderr, "error: {}\n", got.status().message());
    return kExitStopped;
  }
  const HttpResult& r = got.value();
  if (r.curl_code != 0) {
    fmt::print(stderr, "error: GET {}: {}\n", url, r.curl_error);
    return kExitStopped;
  }
  if (r.status != 200) {
    fmt::print(stderr, "error: GET {}: HTTP {}: {}\n", url, r.status,
               Redact(ApiErrorMessage(r.body), key));
    return kExitStopped;
  }
  auto ids = ParseModelList(r.body);
  if (!ids.ok()) {
    fmt::print(stderr, "error: GET {}: {}\n", url, ids.status().message());
    return kExitStopped;
  }
  for (const auto& id : ids.value()) fmt::print("{}\n", id);
  return kExitOk;
}

}  // namespace evalrun
