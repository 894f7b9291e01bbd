// Row: one dataset line turned into what a call needs: its id and the request messages. Rows are
// made one at a time as the engine has room for calls, and dropped once their calls are sent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "job/job.h"

namespace evalrun {

struct Row {
  std::string dataset;        // DatasetSpec::name
  long long line = 0;         // physical line in the file
  std::string id;             // id_field value, custom_id, or the line number
  std::string cluster;        // cluster_field value as text; empty without one
  std::string messages_json;  // the "messages" array of the request body, as JSON text
  JsonParams body_params;     // request keys an openai-batch row brings (besides model, messages)
  std::string body_model;     // body.model of an openai-batch row: the model a job without
                              // `models` sends it to
  /// The row's value of each scorer's reference field (parallel to Job::scoring), as text.
  std::vector<std::optional<std::string>> references;
  /// Per scorer (parallel to Job::scoring), a judge scorer's prompt for this row with
  /// kJudgeResponseMarker where the answer goes; empty for other scorers.
  std::vector<std::string> judge_prompts;
};

/// Stands for {{response}} in a rendered judge prompt until the graded answer is in.
inline constexpr const char* kJudgeResponseMarker = "\x01evalrun-response\x01";

/// The text of the last user message of a request's messages array (JSON), its text parts
/// joined when its content is an array of parts; nullopt when there is none.
std::optional<std::string> LastUserText(const std::string& messages_json);

}  // namespace evalrun
