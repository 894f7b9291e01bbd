// VerdictRecord: one judge call of one graded call, a line of verdicts.jsonl beside
// results.jsonl. Saved as each verdict arrives, so that `--resume` sends no judge call whose
// verdict was saved, and `report` rebuilds the judge scores from them. The graded call is named
// as in results.jsonl (model label, dataset, row_id, repeat); `judge` is the scorer's name.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/chat_response.h"
#include "api/error_kind.h"
#include "common/status.h"

namespace evalrun {

struct VerdictRecord {
  std::string run_id;
  std::string model, dataset, row_id;  // the graded call
  int repeat = 0;
  std::string judge;        // the scorer's name: the score's name in the graded record
  std::string judge_model;  // the id the judge call was sent to
  ErrorKind error_kind = ErrorKind::kNone;  // kParse: the reply was not a readable verdict
  std::string error;
  long http_status = 0;
  int attempts = 1;
  std::string started_at;
  double latency_ms = 0;
  std::optional<Usage> usage;
  std::optional<double> cost_usd;
  std::optional<double> score;  // scaled to 0..1
  std::optional<double> raw;    // on the judge's scale
  std::string verdict;          // the judge's reply, as it came
  std::string reason;
  bool cached = false;

  bool ok() const { return error_kind == ErrorKind::kNone && score.has_value(); }
};

/// Identifies (graded call, judge): what `--resume` checks before sending a judge call.
uint64_t VerdictKey(std::string_view model, std::string_view dataset, std::string_view row_id,
                    int repeat, std::string_view judge);
inline uint64_t VerdictKey(const VerdictRecord& v) {
  return VerdictKey(v.model, v.dataset, v.row_id, v.repeat, v.judge);
}

std::string VerdictToJson(const VerdictRecord& v);
/// False when the line is not a whole verdict (a torn last line).
bool VerdictFromJson(std::string_view line, VerdictRecord* v);

/// Calls `fn` with the latest verdict of each (graded call, judge) in DIR/verdicts.jsonl (its ok
/// one, else its last), in file order; a run without judges has no such file: nothing is called.
Status ForEachLatestVerdict(const std::string& run_dir,
                            const std::function<void(const VerdictRecord&)>& fn);

}  // namespace evalrun
