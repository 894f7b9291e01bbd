#include "report/gates.h"

namespace evalrun {

std::vector<GateResult> EvaluateGates(const GateSpec& gates,
                                      const std::vector<ModelSummary>& models) {
  std::vector<GateResult> out;
  for (const ModelSummary& m : models) {
    auto judge = [&](const char* name, const std::optional<double>& threshold,
                     std::optional<double> value, bool at_most) {
      if (!threshold) return;
      const bool passed = value && (at_most ? *value <= *threshold : *value >= *threshold);
      out.push_back({name, m.model, *threshold, value, passed});
    };
    std::optional<double> error_rate;
    if (m.calls > 0)
      error_rate = static_cast<double>(m.calls - m.ok) / static_cast<double>(m.calls);
    judge("max_error_rate", gates.max_error_rate, error_rate, true);
    judge("min_score", gates.min_score, m.score, false);
    judge("max_p95_latency_ms", gates.max_p95_latency_ms, m.p95_latency_ms, true);
    judge("max_cost_usd", gates.max_cost_usd, m.cost_usd, true);
  }
  return out;
}

bool AllPassed(const std::vector<GateResult>& gates) {
  for (const auto& g : gates) {
    if (!g.passed) return false;
  }
  return true;
}

bool NoCallSucceeded(const Summary& summary) {
  return summary.totals.calls > 0 && summary.totals.ok == 0;
}

}  // namespace evalrun
