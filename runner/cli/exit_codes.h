// Exit statuses of CONTRACT.md; only the CLI returns them.
#pragma once

namespace evalrun {

constexpr int kExitOk = 0;          // done, every gate held
constexpr int kExitGateFailed = 1;  // done, a gate failed
constexpr int kExitBadInput = 2;    // bad usage, job file or dataset: nothing was sent
constexpr int kExitStopped = 3;     // stopped early; what finished is saved

}  // namespace evalrun
