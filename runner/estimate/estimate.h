// Estimate: what a job will send and cost, computed without sending anything (`evalrun estimate`,
// `run --dry-run`). Walks the run's own CallPlanner, so the calls counted are exactly the calls a
// run would make (limits, shard, repeats, openai-batch routing), and streams rows like a run does.
//
// The rules, stated so people can check them:
// - prompt tokens: the token counting rule (api/prompt_tokens.h) over each request's messages;
//   with history, scaled per model by real/counted over the rows the history ran;
// - completion tokens, expected: the history's mean for (model, dataset), else for the model;
//   without history, the length of the row's reference answer, else half of max_tokens (256
//   without max_tokens); never more than max_tokens. A model marked `thinks` gets half of
//   max_tokens whatever the reference: its thinking, billed as completion, dwarfs the answer;
//   max_tokens is max_completion_tokens when a job sets that;
// - worst case: each request's size in bytes as its prompt tokens (a token is at least a byte)
//   plus max_tokens; unknown without max_tokens. The same bound budget_usd is enforced with.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dataset/shard.h"
#include "estimate/history.h"
#include "job/job.h"
#include "money/pricing.h"

namespace evalrun {

/// Expected completion tokens of a call with nothing better to go on.
constexpr long long kDefaultCompletionTokens = 256;

struct EstimateLine {
  std::string model;  // label; empty in the total
  std::string model_id;
  std::string dataset;
  long long calls = 0;
  double prompt_tokens = 0;      // expected
  double completion_tokens = 0;  // expected
  double worst_prompt_tokens = 0;
  std::optional<double> worst_completion_tokens;  // null without max_tokens
  std::optional<double> expected_usd;             // null without a price
  std::optional<double> worst_usd;                // null without a price or max_tokens
  std::string completion_basis;  // history | reference | default | mixed | thinking
  bool judge = false;            // a judge scorer's calls (model: the scorer's name)
};

/// How the history changed one model's numbers.
struct ModelCalibration {
  std::string model;
  long long matched_rows = 0;          // rows of this plan whose real prompt tokens it holds
  std::optional<double> prompt_ratio;  // real / counted over those rows
};

struct Estimate {
  std::vector<EstimateLine> groups;  // per (model, dataset), in plan order
  EstimateLine total;
  std::vector<ModelCalibration> calibration;  // empty without history
};

/// The estimate of `job` (its models already complete: see ScanJobDatasets). `history` may be null.
Result<Estimate> EstimateJob(const Job& job, const PricingTable& pricing,
                             std::optional<long long> cli_limit, const Shard& shard,
                             const History* history);

}  // namespace evalrun
