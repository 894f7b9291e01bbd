// `evalrun mock-server`: prints `listening on URL` as its first stdout line, then serves.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/job_loading.h"
#include "mock/mock_server.h"

namespace evalrun {
namespace {

Status MockServerCommand(MockServerOptions options, const std::string& tokenizer,
                         const std::vector<std::string>& aliases) {
  for (const auto& a : aliases) {
    const size_t eq = a.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size())
      return Status::InvalidInput("--serve-as " + a +
                                  ": expected ID=MOCK, e.g. "
                                  "meta-llama/Llama-3.1-8B-Instruct=mock-large");
    options.aliases.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  if (options.tls_cert.empty() != options.tls_key.empty())
    return Status::InvalidInput("--tls-cert and --tls-key go together");
  if (!tokenizer.empty()) {
    auto loaded = ModelTokenizer::Load(tokenizer);
    if (!loaded.ok()) return Status::InvalidInput("--tokenizer: " + loaded.status().message());
    options.tokenizer = *loaded;
  }
  // Said on stderr: the first stdout line is the address, which scripts and tests read.
  fmt::print(stderr, "mock-server: usage counted by {}\n",
             options.tokenizer ? TokenCounter(options.tokenizer).Basis() : TokenCounter().Basis());
  RaiseFileLimit();
  std::signal(SIGPIPE, SIG_IGN);
  auto server = MockServer::Start(options);
  // It could not listen: the --host or --port it was given.
  if (!server.ok()) return Status::InvalidInput(server.status().message());
  fmt::print("listening on {}\n", (*server)->base_url());
  std::fflush(stdout);
  (*server)->Run();
  return Status::Ok();
}

}  // namespace

CommandRun DeclareMockServer(CLI::App& sub) {
  auto mock = std::make_shared<MockServerOptions>();
  auto tokenizer = std::make_shared<std::string>();
  sub.add_option("--tokenizer", *tokenizer,
                 "count usage with this Hugging Face tokenizer.json (or a directory holding it "
                 "and tokenizer_config.json); default: the counting rule");
  auto aliases = std::make_shared<std::vector<std::string>>();
  sub.add_option("--serve-as", *aliases,
                 "also serve ID as a copy of a mock model, ID=MOCK (repeatable), to run a job "
                 "written for a real server unchanged");
  sub.add_option("--host", mock->host, "IPv4 address to listen on")->capture_default_str();
  sub.add_option("--port", mock->port, "port; 0 picks a free one")->capture_default_str();
  sub.add_option("--latency-ms", mock->latency.base_ms,
                 "base latency of every reply, scaled per model: mock-small 0.5x, mock-medium "
                 "1x, mock-large 2x, mock-thinker 1x")
      ->capture_default_str();
  sub.add_option("--per-token-ms", mock->latency.per_token_ms, "added latency per completion token")
      ->capture_default_str();
  sub.add_option("--jitter", mock->latency.jitter, "latency varies by +- this fraction")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub.add_option("--api-key", mock->api_key,
                 "accept only this bearer token (default: any, or none)");
  sub.add_flag("--list-no-models", mock->list_no_models,
               "GET /v1/models answers an empty list (as some servers do)");
  sub.add_option("--reasoning-field", mock->reasoning_field,
                 "where mock-thinker's reasoning goes: reasoning (W&B today) or reasoning_content "
                 "(older servers)")
      ->check(CLI::IsMember({"reasoning", "reasoning_content"}))
      ->capture_default_str();
  sub.add_option("--reject-param", mock->reject_params,
                 "answer 422 with a `detail` to requests that set this key (repeatable), as a "
                 "model that does not support a parameter does")
      ->group("Fault injection");
  sub.add_option("--tls-cert", mock->tls_cert, "serve HTTPS with this PEM certificate (chain)")
      ->check(CLI::ExistingFile);
  sub.add_option("--tls-key", mock->tls_key, "the certificate's PEM private key")
      ->check(CLI::ExistingFile);
  MockFaults& f = mock->faults;
  auto rate = [&](const char* name, double* v, const char* what) {
    sub.add_option(name, *v, what)->check(CLI::Range(0.0, 1.0))->group("Fault injection");
  };
  rate("--fail-429", &f.rate_429,
       "share of calls answered 429 (concurrency limit) with Retry-After");
  sub.add_option("--retry-after", f.retry_after_s, "Retry-After seconds of injected 429s (0: none)")
      ->group("Fault injection")
      ->capture_default_str();
  rate("--fail-500", &f.rate_500, "share of calls answered 500");
  rate("--fail-503", &f.rate_503, "share of calls answered 503");
  rate("--fail-401", &f.rate_401, "share of calls answered 401");
  sub.add_option("--quota-after", f.quota_after, "answer 402 to every chat call after this many")
      ->group("Fault injection");
  rate("--malformed", &f.rate_malformed, "share of calls answered 200 with a truncated body");
  rate("--no-usage", &f.rate_no_usage, "share of 200s without usage");
  rate("--drop", &f.rate_drop, "share of calls whose connection is closed without a reply");
  rate("--stall", &f.rate_stall, "share of calls never answered");
  sub.add_option("--max-concurrency", f.max_concurrency,
                 "answer 429 past this many calls in flight")
      ->group("Fault injection");
  sub.add_option("--fault-model", f.only_model,
                 "inject the faults above only into requests for this model (e.g. mock-judge)")
      ->group("Fault injection");
  sub.add_option("--judge-garbage", f.judge_garbage,
                 "share of mock-judge replies that are no verdict at all")
      ->check(CLI::Range(0.0, 1.0))
      ->group("Fault injection");
  sub.add_option("--seed", f.seed, "seed of the fault draws")
      ->group("Fault injection")
      ->capture_default_str();
  sub.footer(R"(Examples:
  evalrun mock-server                                   listening on http://127.0.0.1:PORT/v1
  evalrun mock-server --port 8080 --latency-ms 200 --per-token-ms 2
  evalrun mock-server --fail-429 0.1 --retry-after 1 --max-concurrency 32
  evalrun mock-server --serve-as meta-llama/Llama-3.1-8B-Instruct=mock-large \
      --tokenizer ~/.cache/huggingface/hub/models--meta-llama--Llama-3.1-8B-Instruct/snapshots/REV

Models: mock-small (~60% right on arithmetic), mock-medium (~80%), mock-large (~97%), and
mock-thinker (~95%), which reasons before it answers (its reasoning in `reasoning`, or
`reasoning_content` with --reasoning-field, and in usage's reasoning_tokens). Their latency is
--latency-ms (and --per-token-ms) scaled per model: mock-small 0.5x, mock-medium 1x, mock-large
2x, mock-thinker 1x. A request with `tools` is answered with a call of the first tool (arguments
{"answer": ...}); one whose response_format asks for JSON with {"answer": ...}. The first stdout
line is `listening on URL`; GET /mock/stats counts what it saw.)");
  return [mock, tokenizer, aliases] { return MockServerCommand(*mock, *tokenizer, *aliases); };
}

}  // namespace evalrun
