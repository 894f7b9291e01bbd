// The command line as a table, after ninja's kTools[]: each command declares its own options on
// its CLI11 subcommand and hands back what runs it; main() walks the table, runs the one chosen,
// and turns the Status it ends with into the exit status in one place (ExitStatusFor).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <span>

#include "common/status.h"

namespace evalrun {

/// Runs a command whose options are parsed. It prints its results on stdout and its messages on
/// stderr as it goes; the Status it ends with says how it ended (its message, if any, is printed
/// by main as `error: MESSAGE`).
using CommandRun = std::function<Status()>;

struct Command {
  const char* name;
  const char* summary;
  /// Adds the command's options, help footer and examples to `sub`; returns what runs it.
  CommandRun (*declare)(CLI::App& sub);
};

/// Every command but `help`, in the order `evalrun help` lists them.
std::span<const Command> Commands();

/// CONTRACT.md's exit status for how a command ended: 0 done, 1 a gate failed or no call
/// succeeded, 2 bad input (nothing sent), 3 stopped early or failed after sending.
int ExitStatusFor(const Status& status);

CommandRun DeclareRun(CLI::App& sub);
CommandRun DeclareEstimate(CLI::App& sub);
CommandRun DeclareValidate(CLI::App& sub);
CommandRun DeclareModels(CLI::App& sub);
CommandRun DeclareReport(CLI::App& sub);
CommandRun DeclareCompare(CLI::App& sub);
CommandRun DeclareMockServer(CLI::App& sub);

}  // namespace evalrun
