// Loading a job for a command: --set overrides, parsing, the pricing file, the shard and every
// dataset row, each problem printed as FILE:LINE:COL on stderr as it is found (located
// Diagnostics), then a Status that says how many. Shared by run, validate, estimate and models.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dataset/shard.h"
#include "engine/curl_transport.h"
#include "job/job.h"
#include "money/pricing.h"
#include "results/manifest.h"

namespace evalrun {

/// The parsed job, with `sets` (KEY=VALUE) applied before it is checked.
Result<Job> LoadJob(const std::string& file, const std::vector<std::string>& sets);

/// --shard I/N (an empty text: every row).
Result<Shard> ParseShardFlag(const std::string& text);

/// The job's pricing_file (none: an empty table).
Result<PricingTable> LoadPricing(const Job& job);

/// What a job's datasets hold once every row has been read.
struct DatasetPlan {
  std::vector<DatasetFingerprint> datasets;
  long long calls = 0;
};

/// Reads every row the run will use (limits and shard applied) before anything is sent, so a bad
/// row costs nothing; prints each problem (at most `max_problems` a dataset) as FILE:LINE:COL.
/// A job without models gets them from the rows' body.model here: the last step of loading it,
/// after which the job does not change. With `hash`, each dataset's SHA-256 is taken for the
/// manifest.
Result<DatasetPlan> ScanJobDatasets(Job* job, std::optional<long long> cli_limit,
                                    const Shard& shard, size_t max_problems, bool hash);

/// $GITHUB_STEP_SUMMARY, or "" outside a GitHub Actions step: the CLI alone reads it.
std::string GithubStepSummary();

/// Why a plan holds no call, for the "nothing to run" message: the datasets without rows, the
/// shard, a job without models.
std::string EmptyPlanReason(const Job& job, const DatasetPlan& plan, const Shard& shard);

/// Prints a warning for each dataset of the plan that has no rows (validate, run).
void WarnEmptyDatasets(const Job& job, const DatasetPlan& plan);

/// Transport settings of an endpoint, with the key in the Authorization header.
TransportOptions TransportOptionsFor(const Endpoint& endpoint, const std::string& api_key);

/// Raises the open-file limit to its hard maximum: thousands of connections need thousands of fds.
void RaiseFileLimit();

/// The part of a run's job that reads its rows again (its datasets, prompt and scorers), parsed
/// from its manifest against the directory the job was in; nullopt when the datasets are gone.
/// Its models are a placeholder: callers set their own.
std::optional<Job> RowViewJob(const ManifestInfo& info);

}  // namespace evalrun
