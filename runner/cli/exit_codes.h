// Exit statuses of CONTRACT.md; only the CLI returns them.
#pragma once

#include <atomic>

namespace evalrun {

constexpr int kExitOk = 0;          // done, every gate held
constexpr int kExitGateFailed = 1;  // done, a gate failed
constexpr int kExitBadInput = 2;    // bad usage, job file or dataset: nothing was sent
constexpr int kExitStopped = 3;     // stopped early; what finished is saved

/// Set when `run` sends its first call: an error that escapes after that exits kExitStopped (what
/// finished is in results.jsonl), one before it kExitBadInput (nothing was sent).
inline std::atomic<bool> g_calls_sent{false};

}  // namespace evalrun
