// evalrun's entry point: the command line of CONTRACT.md, parsed with CLI11 and dispatched to
// the command functions. The only place that turns errors into exit statuses.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

using namespace evalrun;

namespace {
int Dispatch(int argc, char** argv);
}  // namespace

// No exception ends the process outside the exit contract: whatever escapes a command is one
// message and exit 2 before any call was sent, or 3 after (records are flushed as calls finish).
int main(int argc, char** argv) {
  try {
    return Dispatch(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: internal: {}{}\n", e.what(),
               g_calls_sent ? " (what finished is saved; `run --resume DIR` continues)" : "");
  } catch (...) {
    fmt::print(stderr, "error: internal: an unknown exception\n");
  }
  return g_calls_sent ? kExitStopped : kExitBadInput;
}

namespace {

int Dispatch(int argc, char** argv) {
  CLI::App app{"evalrun: batch evaluation runner for OpenAI-compatible inference APIs", "evalrun"};
  app.set_version_flag("--version", std::string("evalrun ") + EVALRUN_VERSION);
  app.require_subcommand(1);
  app.footer(R"(Run `evalrun help COMMAND` for a command's options and examples.

Examples:
  evalrun validate job.yaml                    check a job and every dataset row
  evalrun estimate job.yaml                    what it will send and cost, nothing sent
  evalrun run job.yaml --limit 20              a small real run
  evalrun report reports/my-job/20261125T093602Z

Exit status:
  0  done, and every gate held
  1  done, but a gate failed, or no call succeeded
  2  bad usage, job file or dataset, or a job that plans no call: nothing was sent
  3  stopped early (401/402/403 from the API, budget reached, SIGINT/SIGTERM): what finished
     is saved and reported; `run --resume DIR` continues

Environment:
  WANDB_API_KEY, OPENAI_API_KEY   the API key, unless the job names another variable in
                                  endpoint.api_key_env; it is never written anywhere
  XDG_CACHE_HOME                  the response cache lives in $XDG_CACHE_HOME/evalrun
  GITHUB_STEP_SUMMARY             report.md is appended to it when set)");

  RunArgs run;
  long long limit = -1;
  int concurrency = 0;
  auto* run_cmd = app.add_subcommand("run", "Run a job: every (model, dataset row, repeat) call");
  run_cmd->add_option("job", run.job_file, "the job file (YAML)")->required();
  run_cmd->add_option("--out", run.out_dir, "run directory (default: output.dir of the job)");
  run_cmd->add_option("--set", run.sets,
                      "override a job key by dotted path, e.g. --set concurrency=8");
  run_cmd->add_option("--limit", limit, "first N rows of each dataset")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--concurrency", concurrency, "calls in flight at once")
      ->check(CLI::Range(1, 100000));
  run_cmd->add_flag("--dry-run", run.dry_run,
                    "print the plan and its credit estimate (as `estimate`), send nothing");
  run_cmd->add_flag("--no-cache", run.no_cache,
                    "send every call even where the response cache has it");
  run_cmd->add_option("--shard", run.shard,
                      "only the calls whose stable hash of (dataset, row id) mod N == I");
  run_cmd
      ->add_option("--resume", run.resume_dir,
                   "continue an interrupted run in DIR; finished calls are not sent again")
      ->excludes("--out");
  run_cmd->add_option("--progress", run.progress, "auto|bar|lines|none")->capture_default_str();
  run_cmd->footer(R"(Examples:
  evalrun run job.yaml --dry-run                the plan and its credit estimate, nothing sent
  evalrun run job.yaml --limit 20 --concurrency 8
  evalrun run job.yaml --set endpoint.project=my-team/my-project --set 'params.temperature=0.7'
  evalrun run job.yaml --shard 0/4 --out shard-0  one of four machines' share of the rows
  evalrun run job.yaml --resume reports/my-job/20261125T093602Z   after a crash or Ctrl-C

The run directory holds results.jsonl (one line per finished call), summary.json, report.md,
report.html, results.csv, junit.xml and manifest.json. stdout gets one line, `reports: DIR`;
progress and messages go to stderr.)");

  EstimateArgs estimate;
  long long estimate_limit = -1;
  auto* estimate_cmd = app.add_subcommand(
      "estimate", "Calls, tokens and credit of a job, estimated without sending anything");
  estimate_cmd->add_option("job", estimate.job_file, "the job file (YAML)")->required();
  estimate_cmd->add_option("--history", estimate.history,
                           "earlier run directories whose real usage calibrates the estimate");
  estimate_cmd->add_flag("--json", estimate.json, "print JSON instead of a table");
  estimate_cmd->add_option("--set", estimate.sets, "override a job key by dotted path");
  estimate_cmd->add_option("--limit", estimate_limit, "first N rows of each dataset")
      ->check(CLI::NonNegativeNumber);
  estimate_cmd->add_option("--shard", estimate.shard, "only shard I of N, as `run --shard I/N`");
  estimate_cmd->footer(R"(Examples:
  evalrun estimate job.yaml
  evalrun estimate job.yaml --history reports/my-job/20261125T093602Z   calibrated by a real run
  evalrun estimate job.yaml --json | jq .total.worst_usd

Prompt tokens follow a stated rule (1 per 4 bytes of text, 4 per message, 3 per call) that
--history scales to the API's real counts; expected output tokens come from the history, else
the row's reference answer, else half of max_tokens. The worst case counts every request byte
as a token plus max_tokens: the bound budget_usd enforces. No API key is needed.)");

  std::string validate_job;
  std::vector<std::string> validate_sets;
  auto* validate_cmd = app.add_subcommand("validate", "Check the job and every dataset row");
  validate_cmd->add_option("job", validate_job, "the job file (YAML)")->required();
  validate_cmd->add_option("--set", validate_sets, "override a job key by dotted path");
  validate_cmd->footer(R"(Examples:
  evalrun validate job.yaml
  evalrun validate job.yaml --set 'models=[meta-llama/Llama-3.1-8B-Instruct]'

Every problem is printed as FILE:LINE:COL: message (editors and CI annotations jump to it);
exit status 2 when there is any. No API key is needed.)");

  ModelsArgs models;
  auto* models_cmd = app.add_subcommand("models", "List model ids from GET {base_url}/models");
  models_cmd->add_option("job", models.job_file, "a job file whose endpoint to ask");
  models_cmd->add_option("--base-url", models.base_url, "ask this base URL instead");
  models_cmd->add_option("--set", models.sets, "override a job key by dotted path");
  models_cmd->footer(R"(Examples:
  evalrun models --base-url https://api.inference.wandb.ai/v1
  evalrun models job.yaml | grep -i llama

One model id per line on stdout. The key comes from the job's endpoint.api_key_env, else
WANDB_API_KEY, then OPENAI_API_KEY.)");

  std::vector<std::string> report_dirs;
  std::string report_out;
  auto* report_cmd =
      app.add_subcommand("report", "Rebuild the reports of a run from its results.jsonl");
  report_cmd
      ->add_option("run_dir", report_dirs,
                   "run directories; several (shards of one job) are merged")
      ->required();
  report_cmd->add_option("--out", report_out, "write the reports here instead");
  report_cmd->footer(R"(Examples:
  evalrun report reports/my-job/20261125T093602Z
  evalrun report shard-0 shard-1 shard-2 shard-3 --out merged   shards of one run, merged

Rebuilds summary.json, report.md, report.html, results.csv and junit.xml from results.jsonl,
counting each call's latest record, and judges the gates recorded in manifest.json.)");

  MockServerOptions mock;
  auto* mock_cmd = app.add_subcommand(
      "mock-server", "Local OpenAI-compatible server for demos, tests and benchmarks");
  mock_cmd->add_option("--host", mock.host, "IPv4 address to listen on")->capture_default_str();
  mock_cmd->add_option("--port", mock.port, "port; 0 picks a free one")->capture_default_str();
  mock_cmd
      ->add_option("--latency-ms", mock.latency.base_ms,
                   "base latency of every reply, scaled per model: mock-small 0.5x, mock-medium "
                   "1x, mock-large 2x")
      ->capture_default_str();
  mock_cmd
      ->add_option("--per-token-ms", mock.latency.per_token_ms,
                   "added latency per completion token")
      ->capture_default_str();
  mock_cmd->add_option("--jitter", mock.latency.jitter, "latency varies by +- this fraction")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  mock_cmd->add_option("--api-key", mock.api_key,
                       "accept only this bearer token (default: any, or none)");
  mock_cmd->add_flag("--list-no-models", mock.list_no_models,
                     "GET /v1/models answers an empty list (as some servers do)");
  mock_cmd->add_option("--tls-cert", mock.tls_cert, "serve HTTPS with this PEM certificate (chain)")
      ->check(CLI::ExistingFile);
  mock_cmd->add_option("--tls-key", mock.tls_key, "the certificate's PEM private key")
      ->check(CLI::ExistingFile);
  MockFaults& f = mock.faults;
  auto rate = [&](const char* name, double* v, const char* what) {
    mock_cmd->add_option(name, *v, what)->check(CLI::Range(0.0, 1.0))->group("Fault injection");
  };
  rate("--fail-429", &f.rate_429,
       "share of calls answered 429 (concurrency limit) with Retry-After");
  mock_cmd
      ->add_option("--retry-after", f.retry_after_s,
                   "Retry-After seconds of injected 429s (0: none)")
      ->group("Fault injection")
      ->capture_default_str();
  rate("--fail-500", &f.rate_500, "share of calls answered 500");
  rate("--fail-503", &f.rate_503, "share of calls answered 503");
  rate("--fail-401", &f.rate_401, "share of calls answered 401");
  mock_cmd
      ->add_option("--quota-after", f.quota_after, "answer 402 to every chat call after this many")
      ->group("Fault injection");
  rate("--malformed", &f.rate_malformed, "share of calls answered 200 with a truncated body");
  rate("--no-usage", &f.rate_no_usage, "share of 200s without usage");
  rate("--drop", &f.rate_drop, "share of calls whose connection is closed without a reply");
  rate("--stall", &f.rate_stall, "share of calls never answered");
  mock_cmd
      ->add_option("--max-concurrency", f.max_concurrency,
                   "answer 429 past this many calls in flight")
      ->group("Fault injection");
  mock_cmd->add_option("--seed", f.seed, "seed of the fault draws")
      ->group("Fault injection")
      ->capture_default_str();

  mock_cmd->footer(R"(Examples:
  evalrun mock-server                                   listening on http://127.0.0.1:PORT/v1
  evalrun mock-server --port 8080 --latency-ms 200 --per-token-ms 2
  evalrun mock-server --fail-429 0.1 --retry-after 1 --max-concurrency 32

Models: mock-small (~60% right on arithmetic), mock-medium (~80%), mock-large (~97%). Their
latency is --latency-ms (and --per-token-ms) scaled per model: mock-small 0.5x, mock-medium 1x,
mock-large 2x. The first stdout line is `listening on URL`; GET /mock/stats counts what it saw.)");

  std::string help_topic;
  auto* help_cmd = app.add_subcommand("help", "Show help for evalrun or one command");
  help_cmd->add_option("command", help_topic, "the command");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  if (*help_cmd) {
    if (help_topic.empty()) {
      // app.help() would describe the selected subcommand, `help` itself.
      fmt::print("{}", app.get_formatter()->make_help(&app, "evalrun", CLI::AppFormatMode::Normal));
      return kExitOk;
    }
    for (auto* sub : app.get_subcommands({})) {
      if (sub->get_name() == help_topic) {
        fmt::print("{}", sub->help("evalrun"));
        return kExitOk;
      }
    }
    fmt::print(stderr, "error: no command '{}'\n", help_topic);
    return kExitBadInput;
  }
  if (*run_cmd) {
    if (limit >= 0) run.limit = limit;
    if (concurrency > 0) run.concurrency = concurrency;
    return RunCommand(run);
  }
  if (*estimate_cmd) {
    if (estimate_limit >= 0) estimate.limit = estimate_limit;
    return EstimateCommand(estimate);
  }
  if (*validate_cmd) return ValidateCommand(validate_job, validate_sets);
  if (*models_cmd) {
    if (models.job_file.empty() && models.base_url.empty()) {
      fmt::print(stderr, "error: models needs a job file or --base-url\n");
      return kExitBadInput;
    }
    return ModelsCommand(models);
  }
  if (*report_cmd) return ReportCommand(report_dirs, report_out);
  if (*mock_cmd) {
    if (mock.tls_cert.empty() != mock.tls_key.empty()) {
      fmt::print(stderr, "error: --tls-cert and --tls-key go together\n");
      return kExitBadInput;
    }
    return MockServerCommand(mock);
  }
  return kExitBadInput;
}

}  // namespace
