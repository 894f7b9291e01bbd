// evalrun's entry point: the command line of CONTRACT.md. The commands come from the table in
// cli/command.cpp, each declaring its own options; this file runs the one chosen and is the only
// place that turns how it ended into an exit status and a message.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"

using namespace evalrun;

namespace {

int Main(int argc, char** argv);

}  // namespace

// No exception ends the process outside the exit contract: whatever escapes a command is one
// message and exit 2 before any call was sent, or 3 after (records are flushed as calls finish).
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: internal: {}{}\n", e.what(),
               g_calls_sent ? " (what finished is saved; `run --resume DIR` continues)" : "");
  } catch (...) {
    fmt::print(stderr, "error: internal: an unknown exception\n");
  }
  return ExitStatusFor(Status::Internal(""));
}

namespace {

/// `evalrun help [COMMAND]`: the top-level help, or one command's.
Status Help(CLI::App& app, const std::string& topic) {
  if (topic.empty()) {
    // app.help() would describe the selected subcommand, `help` itself.
    fmt::print("{}", app.get_formatter()->make_help(&app, "evalrun", CLI::AppFormatMode::Normal));
    return Status::Ok();
  }
  for (auto* sub : app.get_subcommands({})) {
    if (sub->get_name() == topic) {
      fmt::print("{}", sub->help("evalrun"));
      return Status::Ok();
    }
  }
  return Status::InvalidInput(fmt::format("no command '{}'", topic));
}

int Main(int argc, char** argv) {
  CLI::App app{"evalrun: batch evaluation runner for OpenAI-compatible inference APIs", "evalrun"};
  app.set_version_flag("--version", std::string("evalrun ") + EVALRUN_VERSION);
  app.require_subcommand(1);
  app.footer(R"(Run `evalrun help COMMAND` for a command's options and examples.

Examples:
  evalrun validate job.yaml                    check a job and every dataset row
  evalrun estimate job.yaml                    what it will send and cost, nothing sent
  evalrun run job.yaml --limit 20              a small real run
  evalrun report reports/my-job/20261125T093602Z
  evalrun compare runs/last-good runs/this-commit   exit 1 when a model got significantly worse

Exit status:
  0  done, and every gate held
  1  done, but a gate failed, or no call succeeded (compare: a model got significantly worse)
  2  bad usage, job file or dataset, or a job that plans no call: nothing was sent
  3  stopped early (401/402/403 from the API, budget reached, SIGINT/SIGTERM): what finished
     is saved and reported; `run --resume DIR` continues

Environment:
  WANDB_API_KEY, OPENAI_API_KEY   the API key, unless the job names another variable in
                                  endpoint.api_key_env; it is never written anywhere
  XDG_CACHE_HOME                  the response cache lives in $XDG_CACHE_HOME/evalrun
  GITHUB_STEP_SUMMARY             report.md is appended to it when set)");

  std::vector<std::pair<CLI::App*, CommandRun>> commands;
  for (const Command& c : Commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    commands.emplace_back(sub, c.declare(*sub));
  }
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for evalrun or one command");
  help->add_option("command", help_topic, "the command");

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

  Status ended = Status::InvalidInput("no command");
  if (*help) ended = Help(app, help_topic);
  for (auto& [sub, run] : commands) {
    if (*sub) ended = run();
  }
  if (!ended.ok() && !ended.message().empty()) fmt::print(stderr, "error: {}\n", ended.message());
  return ExitStatusFor(ended);
}

}  // namespace
