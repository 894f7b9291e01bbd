// What an earlier run directory already holds, for `run --resume` and `report`: which calls
// ended ok (so they are never sent again), and the latest record of every call (so a call that
// failed, then succeeded on resume, counts once). Calls are identified by a 64-bit hash of
// (model, dataset, row_id, repeat): 8 bytes a call, not the records themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "results/call_record.h"

namespace evalrun {

uint64_t CallKey(std::string_view model, std::string_view dataset, std::string_view row_id,
                 int repeat);
inline uint64_t CallKey(const CallRecord& r) {
  return CallKey(r.model, r.dataset, r.row_id, r.repeat);
}

/// A record seen in a results file: its call's key with the low bit set when it was ok
/// (`(key & ~1) | ok`), and its line.
struct Seen {
  uint64_t key_ok;
  long long line;
  uint64_t key() const { return key_ok & ~uint64_t{1}; }
  bool ok() const { return (key_ok & 1) != 0; }
};

/// The lines of the records that count when some call has several: per call its first ok
/// record, else its last; ascending. Empty when every call has one record. The one rule for
/// results.jsonl and verdicts.jsonl alike.
std::vector<long long> ChosenLines(std::vector<Seen>& seen);

struct PriorResults {
  std::unordered_set<uint64_t> ok;  // calls with an ok record
  std::set<std::string> ok_models;  // labels of the models with at least one ok record
  long long skipped_lines = 0;      // lines that are not whole records (a torn end)
};

/// Reads results.jsonl. With `repair`, a torn last line (a crash mid-write) is cut off so that
/// appended records start on a line of their own.
Result<PriorResults> LoadPriorResults(const std::string& results_path, bool repair);

/// Calls `fn` with the latest record of each call in results.jsonl (its ok record, else its last
/// error), in file order, in two streaming passes. Returns how many lines were not whole records.
Result<long long> ForEachLatestRecord(const std::string& results_path,
                                      const std::function<void(const CallRecord&)>& fn);

/// Reads results.jsonl for the reports: `every` (may be null) sees every whole record once, in
/// file order; `latest` sees each call's latest record. One pass does both where each call has
/// one record. A fresh run's file is known to (`may_repeat` false: nothing is kept per call).
/// Otherwise 16 bytes a record are kept to find out; where a call has several records,
/// `restart` is called and `latest` sees the latest ones again, in file order, in a second pass
/// that parses only those lines. Returns how many lines were not whole records.
Result<long long> ScanResults(const std::string& results_path, bool may_repeat,
                              const std::function<void(const CallRecord&)>& every,
                              const std::function<void(const CallRecord&)>& latest,
                              const std::function<void()>& restart);

}  // namespace evalrun
