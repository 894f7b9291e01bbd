// RowParser: one JSONL line of a dataset -> Row, per the dataset's format (chat, fields through
// prompt.template, or openai-batch; auto detects each line). Problems come back as a Diagnostic
// naming the file, the line and the byte column. Pure; used by the planner and `validate`.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string_view>

#include "common/diagnostic.h"
#include "common/json_limits.h"
#include "dataset/row.h"
#include "job/job.h"

namespace evalrun {

class RowParser {
 public:
  /// `scorers` (may be null) name the reference fields to keep with each row. Without
  /// `messages` a row is checked as thoroughly but its messages are not built: for the scan
  /// before a run, which keeps no row.
  RowParser(const DatasetSpec& dataset, const PromptSpec& prompt,
            const std::vector<ScorerSpec>* scorers = nullptr, bool messages = true)
      : dataset_(dataset),
        prompt_(prompt),
        scorers_(scorers),
        messages_(messages),
        flat_rows_(FlatRowsPossible(dataset, prompt, scorers)) {}

  /// Parses `text` (line `line` of the file; `col_offset` bytes were stripped before it).
  std::optional<Diagnostic> Parse(std::string_view text, long long line, int col_offset,
                                  Row* row) const;

  /// Parse() through the DOM alone, which Parse() reads most rows without (FlatRow): what the
  /// rows it makes must equal, for the tests and the fuzz target.
  std::optional<Diagnostic> ParseWithDocument(std::string_view text, long long line, int col_offset,
                                              Row* row) const;

 private:
  /// The row Parse() makes, from a FlatRow; false where the DOM must make it (a row that has a
  /// problem included: the DOM names it).
  bool ParseFlat(std::string_view text, long long line, Row* row) const;
  std::optional<Diagnostic> ParseDoc(std::string_view text, long long line, int col_offset,
                                     Row* row, PooledDocument* doc) const;

  /// Whether a row of this dataset may be read by FlatRow: a prompt template's rows, with no judge
  /// (a judge's prompt is rendered over a copy of the row's document); chat and batch rows are
  /// the DOM's.
  static bool FlatRowsPossible(const DatasetSpec& dataset, const PromptSpec& prompt,
                               const std::vector<ScorerSpec>* scorers);

  const DatasetSpec& dataset_;
  const PromptSpec& prompt_;
  const std::vector<ScorerSpec>* scorers_;
  bool messages_;
  bool flat_rows_;
};

}  // namespace evalrun
