// The job and datasets most end-to-end tests run against the mock: mock-small (priced) and
// mock-large over an arithmetic dataset and a two-row chat dataset, concurrency 8.
#pragma once

#include <string>

#include "support/process.h"

namespace evalrun::testing {

/// The key the e2e jobs read from E2E_KEY; tests check that it is written nowhere.
inline constexpr const char* kE2eKey = "e2e-secret-key-0123456789abcdef";

/// `n` rows "What is i + 2i?" with answer 3i and ids q1..qn, a blank line after every tenth.
std::string ArithRows(int n);

/// The e2e job at `base_url`, with `extra` YAML lines appended.
std::string E2eJob(const std::string& base_url, const std::string& extra = "");

/// arith.jsonl (`arith_rows` rows) and chat.jsonl (2 rows, one in Japanese with an emoji).
void WriteDatasets(const TempDir& dir, int arith_rows);

/// Every file of a run directory, concatenated: for "the key is nowhere" checks.
std::string AllFiles(const std::string& dir);

}  // namespace evalrun::testing
