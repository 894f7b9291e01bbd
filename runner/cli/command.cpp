#include "cli/command.h"

#include <array>

#include "cli/exit_codes.h"

namespace evalrun {

std::span<const Command> Commands() {
  static const std::array<Command, 7> kCommands = {{
      {"run", "Run a job: every (model, dataset row, repeat) call", DeclareRun},
      {"estimate", "Calls, tokens and credit of a job, estimated without sending anything",
       DeclareEstimate},
      {"validate", "Check the job and every dataset row", DeclareValidate},
      {"models", "List model ids from GET {base_url}/models", DeclareModels},
      {"report", "Rebuild the reports of a run from its results.jsonl", DeclareReport},
      {"compare", "Compare a new run with a base run of the same datasets, row by row",
       DeclareCompare},
      {"mock-server", "Local OpenAI-compatible server for demos, tests and benchmarks",
       DeclareMockServer},
  }};
  return kCommands;
}

int ExitStatusFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return kExitOk;
    case ErrorCode::kGateFailed:
      return kExitGateFailed;
    case ErrorCode::kInvalidInput:
    case ErrorCode::kNotFound:
      return kExitBadInput;
    case ErrorCode::kIo:
    case ErrorCode::kNetwork:
    case ErrorCode::kApi:
    case ErrorCode::kStopped:
      return kExitStopped;
    case ErrorCode::kInternal:
      return g_calls_sent ? kExitStopped : kExitBadInput;
  }
  return kExitBadInput;
}

}  // namespace evalrun
