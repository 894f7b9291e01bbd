// Estimate: what a job will send and cost, computed without sending anything (`evalrun estimate`,
// `run --dry-run`). Walks the run's own CallPlanner, so the calls counted are exactly the calls a
// run would make (limits, shard, repeats, openai-batch routing), and streams rows like a run does.
//
// The rules, stated so people can check them:
// - prompt tokens: each model's own count (api/prompt_tokens.h): its tokenizer and chat template
//   where one is found (models[].tokenizer, else the Hugging Face hub cache by model id), else
//   the rule by script with the framing of the family the id names; with history, fitted per
//   model over every record the history holds of it (estimate/prompt_fit.h), else scaled by
//   real/counted over the rows the history ran;
// - completion tokens, expected: the history's mean for (model, dataset); else, where every row
//   has a reference, the references scaled by the model's real/reference ratio in the history;
//   else the model's mean there; without history, the row's reference answer counted as a
//   completion (its tokens and the end-of-turn token), else half of max_tokens (256 without
//   max_tokens); never more than max_tokens. A model marked `thinks` gets half of
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
#include "estimate/prompt_fit.h"
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
  // history | reference_x_history | reference | default | mixed | thinking
  std::string completion_basis;
  bool judge = false;  // a judge scorer's calls (model: the scorer's name)
};

/// How the history changed one model's numbers.
struct ModelCalibration {
  std::string model;
  long long matched_rows = 0;          // rows of this plan whose real prompt tokens it holds
  std::optional<double> prompt_ratio;  // real / counted over those rows
  bool in_history = false;             // any record of the model has usage
  // Real prompt tokens fitted over every record of the model in the history's runs, any dataset
  // (estimate/prompt_fit.h): what calibrates a job the history never ran.
  long long fitted_records = 0;
  std::optional<PromptCalibration> prompt_fit;
  // Real completion tokens / the reference answers counted as completions, over its ok records
  // whose rows have a reference: used where this job's dataset is not in the history.
  long long reference_records = 0;
  std::optional<double> completion_ratio;
};

/// How one model's tokens were counted.
struct ModelCounting {
  std::string model;
  std::string basis;    // TokenCounter::Basis(): the tokenizer and template, or the rule
  std::string warning;  // a tokenizer that could not be used, and why; empty when none
};

/// The price a model's lines were costed at (nullopt: unknown), with its date and source.
struct ModelPrice {
  std::string model;
  std::optional<Pricing> price;
};

struct Estimate {
  std::vector<EstimateLine> groups;  // per (model, dataset), in plan order
  EstimateLine total;
  std::vector<ModelCalibration> calibration;  // empty without history
  std::vector<ModelCounting> counting;        // per model, judges after
  std::vector<ModelPrice> prices;             // per model, judges after
};

/// The estimate of `job` (its models already complete: see ScanJobDatasets). `history` may be null;
/// `history_jobs` are the history runs' jobs (their datasets and prompts, cli/RowViewJob), whose
/// calls are counted again to fit each model's real prompt tokens across datasets.
Result<Estimate> EstimateJob(const Job& job, const PricingTable& pricing,
                             std::optional<long long> cli_limit, const Shard& shard,
                             const History* history, const std::vector<Job>& history_jobs = {});

}  // namespace evalrun
