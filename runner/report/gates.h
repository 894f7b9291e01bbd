// Gates: the job's pass/fail thresholds (CONTRACT.md `gates`), judged per model over all its
// datasets. A gate whose value cannot be known (no score, an unknown price, no ok call) fails:
// a CI gate must not pass by default. Pure; the run and report commands call it.
#pragma once

#include <vector>

#include "job/job.h"
#include "report/summary.h"

namespace evalrun {

std::vector<GateResult> EvaluateGates(const GateSpec& gates,
                                      const std::vector<ModelSummary>& models);

bool AllPassed(const std::vector<GateResult>& gates);

/// A run with calls of which none succeeded: it fails (exit 1) with or without gates.
bool NoCallSucceeded(const Summary& summary);

}  // namespace evalrun
