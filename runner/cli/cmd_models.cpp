// `evalrun models`: GET {base_url}/models and one id per line on stdout.
#include <fmt/format.h>

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "cli/command.h"
#include "cli/job_loading.h"
#include "common/text.h"
#include "engine/curl_transport.h"

namespace evalrun {
namespace {

struct ModelsArgs {
  std::string job_file;
  std::string base_url;
  std::vector<std::string> sets;
};

Status ModelsCommand(const ModelsArgs& args) {
  if (args.job_file.empty() && args.base_url.empty())
    return Status::InvalidInput("models needs a job file or --base-url");
  Endpoint endpoint;
  if (!args.job_file.empty()) {
    auto job = LoadJob(args.job_file, args.sets);
    if (!job.ok()) return job.status();
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
    return Status::InvalidInput(
        fmt::format("no API key: set {} (an empty variable counts as unset)", searched));
  }
  const std::string url = endpoint.base_url + "/models";
  auto got = HttpGet(TransportOptionsFor(endpoint, key), url);
  if (!got.ok()) return got.status();
  const HttpResult& r = got.value();
  if (r.curl_code != 0) return Status::Network(fmt::format("GET {}: {}", url, r.curl_error));
  if (r.status != 200) {
    return Status::Api(
        fmt::format("GET {}: HTTP {}: {}", url, r.status, Redact(ApiErrorMessage(r.body), key)));
  }
  auto ids = ParseModelList(r.body);
  if (!ids.ok()) return Status::Api(fmt::format("GET {}: {}", url, ids.status().message()));
  for (const auto& id : ids.value()) fmt::print("{}\n", id);
  return Status::Ok();
}

}  // namespace

CommandRun DeclareModels(CLI::App& sub) {
  auto args = std::make_shared<ModelsArgs>();
  sub.add_option("job", args->job_file, "a job file whose endpoint to ask");
  sub.add_option("--base-url", args->base_url, "ask this base URL instead");
  sub.add_option("--set", args->sets, "override a job key by dotted path");
  sub.footer(R"(Examples:
  evalrun models --base-url https://api.inference.wandb.ai/v1
  evalrun models job.yaml | grep -i llama

One model id per line on stdout. The key comes from the job's endpoint.api_key_env, else
WANDB_API_KEY, then OPENAI_API_KEY; a loopback --base-url needs none.)");
  return [args] { return ModelsCommand(*args); };
}

}  // namespace evalrun
