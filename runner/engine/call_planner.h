// CallPlanner: the lazy plan of a run. Streams rows from each dataset in turn and yields one call
// per (row, model, repeat), reading the next row only when the engine asks for a call, so memory
// does not grow with the dataset. Models of one row are sent side by side, which keeps a
// comparison fair when load on the API changes during the run.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/status.h"
#include "dataset/jsonl_reader.h"
#include "dataset/row.h"
#include "dataset/row_parser.h"
#include "dataset/shard.h"
#include "job/job.h"

namespace evalrun {

struct PlannedCall {
  size_t model_index = 0;  // into Job::models
  std::string dataset;
  std::string row_id;
  int repeat = 0;
  std::string cluster;  // of the row, when its dataset names a cluster_field
  std::string body;     // the request JSON
  std::vector<std::optional<std::string>> references;  // for scoring, parallel to Job::scoring
  std::vector<std::string> judge_prompts;  // per judge scorer (parallel to Job::scoring)
  /// A resumed run's call that is done but not yet judged: only its judge calls are to be sent,
  /// about `answer` (the graded answer saved in results.jsonl); `body` is then empty.
  bool judge_only = false;
  std::string answer;
};

class CallPlanner {
 public:
  /// `skip` (may be null): keys (CallKey) of calls already done, which the plan leaves out.
  /// `judge_pending` (may be null): calls in `skip` whose verdicts are missing, by CallKey, with
  /// their saved answers; they come back as judge-only calls.
  CallPlanner(const Job& job, std::optional<long long> cli_limit,
              const std::unordered_set<uint64_t>* skip = nullptr, Shard shard = Shard{},
              const std::unordered_map<uint64_t, std::string>* judge_pending = nullptr);

  /// The next call; false when the plan is done or a dataset could not be read (see status()).
  bool Next(PlannedCall* call);
  const Status& status() const { return status_; }

 private:
  bool NextRow();
  bool Advance();
  bool Skipped() const;

  const Job& job_;
  std::optional<long long> cli_limit_;
  const std::unordered_set<uint64_t>* skip_;
  const std::unordered_map<uint64_t, std::string>* judge_pending_;
  Shard shard_;
  size_t dataset_index_ = 0;
  std::unique_ptr<JsonlReader> reader_;
  std::unique_ptr<RowParser> parser_;
  long long rows_read_ = 0;
  Row row_;
  bool have_row_ = false;
  size_t model_ = 0;
  int repeat_ = 0;
  Status status_;
};

}  // namespace evalrun
