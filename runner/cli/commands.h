// What the commands share beyond the table of cli/command.h: the estimate that `estimate` and
// `run --dry-run` both print.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dataset/shard.h"
#include "job/job.h"
#include "money/pricing.h"

namespace evalrun {

/// Prints the estimate of a loaded, scanned job on stdout, as a table or as JSON.
Status PrintEstimate(const Job& job, const PricingTable& pricing, std::optional<long long> limit,
                     const Shard& shard, const std::vector<std::string>& history_dirs, bool json);

}  // namespace evalrun
