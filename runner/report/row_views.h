// Row views: the rows behind the figures, for people to read. "Where the models differ" holds
// the rows whose scores differ between models (all counted, the first 100 shown) and each
// model's failed rows (a score of 0 or an error; all counted, the first 20 shown), each with the
// row's last user message, its reference and every model's answer, score and error.
//
// Which rows differ is known only once every record is in, so the rows are chosen from the
// summary's 16-byte row scores and then filled in by a second read of results.jsonl (and of the
// datasets, in their order, for the prompts): what is kept is bounded by the rows shown, never
// by the rows run. Without the job's datasets (a report rebuilt where they are gone, or changed
// since the run), rows are taken in the order results.jsonl first names them, without prompts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "job/job.h"

namespace evalrun {

constexpr size_t kDifferingRowsShown = 100;
constexpr size_t kFailedRowsShown = 20;
/// Texts longer than this are cut (with a note) even inside the "full text" view: a report stays
/// readable, and its size stays bounded, whatever a model wrote.
constexpr size_t kMaxShownTextBytes = 16 * 1024;

struct RowAnswer {
  std::string model;
  std::optional<std::string> response;         // absent when not saved, or when the call failed
  std::map<std::string, double> scores;        // of the repeat shown
  std::string error;                           // of the repeat shown, when it failed
  int shown_repeat = 0;                        // the first repeat the model has a record of
  int repeats = 0;                             // 1 + the highest repeat with a record
  std::map<std::string, std::string> reasons;  // judge -> its reason (or why it gave no verdict)
};

struct RowView {
  std::string dataset, row_id;
  std::optional<std::string> prompt;     // the last user message; absent without the dataset
  std::optional<std::string> reference;  // the first scorer field the row has
  std::vector<RowAnswer> answers;        // one per model that answered, in the summary's order
};

struct FailedRows {
  std::string model;
  long long count = 0;         // every failed row of the model
  std::vector<RowView> shown;  // the first kFailedRowsShown
};

struct RowViews {
  long long differing = 0;         // every row whose scores differ between models
  std::vector<RowView> differ;     // the first kDifferingRowsShown
  std::vector<FailedRows> failed;  // per model, in the summary's order
  std::string note;                // why prompts are missing, when they are
};

/// Which rows to show: hashes (StableHash(row_id, StableHash(dataset))), each list sorted.
struct RowSelection {
  std::vector<uint64_t> differing;
  std::vector<std::vector<uint64_t>> failed;  // per model, in the summary's order
};

struct RowSources {
  std::string results_path;
  const Job* job = nullptr;  // its datasets give the order and the prompts; null without them
  /// name -> SHA-256 of each dataset as the run read it: a dataset changed since is not used.
  std::map<std::string, std::string> dataset_sha256;
};

/// Reads the chosen rows back. `models` are the summary's model labels, in order.
Result<RowViews> CollectRowViews(const RowSelection& selection,
                                 const std::vector<std::string>& models, const RowSources& from);

}  // namespace evalrun
