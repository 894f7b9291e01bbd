// ScanDataset: reads a whole dataset once, checking every row, without keeping any. `validate`
// reports what it finds; `run` calls it first so a bad row stops the job before anything is sent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "dataset/shard.h"
#include "job/job.h"

namespace evalrun {

struct DatasetScan {
  long long rows = 0;  // rows that parsed (up to the limit)
  Diagnostics problems;
  std::string sha256;  // of the whole file, when asked for: from the same reads as the rows
};

/// Reads rows up to `limit` (all when unset), collecting at most `max_problems` problems.
/// With `shard`, `rows` counts only the rows of that shard (every row is still checked).
/// With `row_models` (a job without models), every row must name body.model, and each id not
/// yet in `row_models` is appended to it. With `scorers`, what they need of each row is checked
/// too (a judge template's fields), as the run will read it. With `hash`, `sha256` is the file's.
DatasetScan ScanDataset(const DatasetSpec& dataset, const PromptSpec& prompt,
                        std::optional<long long> limit, size_t max_problems = 100,
                        const Shard& shard = Shard{},
                        std::vector<std::string>* row_models = nullptr,
                        const std::vector<ScorerSpec>* scorers = nullptr, bool hash = false);

/// A job without models gets one ModelSpec per id the rows named (job params, no pricing of its
/// own), and its effective JSON is rebuilt to list them.
void AddModelsFromRows(Job* job, const std::vector<std::string>& ids);

/// The smaller of the dataset's own limit and a command-line limit.
std::optional<long long> EffectiveLimit(const DatasetSpec& dataset,
                                        std::optional<long long> cli_limit);

}  // namespace evalrun
