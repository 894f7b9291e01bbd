// Test helpers that read what a run wrote: its JSON files, its records, a captured stream.
#pragma once

#include <rapidjson/document.h>

#include <cstdio>
#include <string>
#include <vector>

#include "results/call_record.h"

namespace evalrun::testing {

/// The JSON file at `path`, parsed at full precision (costs compare exactly); fails the test when
/// it is not JSON.
rapidjson::Document ReadJson(const std::string& path);

/// Every record of DIR/results.jsonl; fails the test on a line that is not a whole record.
std::vector<CallRecord> ReadRecords(const std::string& dir);

/// All that was written to `f` (a tmpfile the code under test printed to).
std::string ReadStream(std::FILE* f);

}  // namespace evalrun::testing
