// Scoring: how well a response matches the row's reference, 0 to 1, per scorer of the job
// (exact, contains, regex, json with required keys and a JSON Schema, number). The text scored
// is the answer's content, never a thinking model's reasoning, or a tool call's arguments. Pure
// functions over text; the run loop scores each ok call and the summary averages the scores per
// model and dataset.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "job/job.h"

namespace evalrun {

/// The score of `response` against `reference` (the row's field value; nullopt when the row has
/// no such field). nullopt when the scorer cannot judge this row.
std::optional<double> Score(const ScorerSpec& scorer, std::string_view response,
                            const std::optional<std::string>& reference);

/// Scores for every scorer of the job; `references` is parallel to `scorers`. A scorer with
/// `target: tool_arguments` scores `tool_arguments` (the first tool call's), and 0 without one.
std::map<std::string, double> ScoreAll(
    const std::vector<ScorerSpec>& scorers, std::string_view response,
    const std::vector<std::optional<std::string>>& references,
    const std::optional<std::string>& tool_arguments = std::nullopt);

/// The last number written in `text` ("The answer is 1,234.5" -> 1234.5).
std::optional<double> LastNumber(std::string_view text);

}  // namespace evalrun
