// Pricing: USD per 1M input and output tokens per model, from the job's per-model `pricing` or
// the pricing file (configs/pricing/*.yaml). An unknown price stays unknown, never 0.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/diagnostic.h"
#include "job/job.h"

namespace evalrun {

struct PricingTable {
  std::string date;
  std::string source;
  std::map<std::string, Pricing> models;
};

/// Reads a pricing file; problems are located like job problems.
PricingTable LoadPricingFile(const std::string& path, Diagnostics* problems);

/// The model's own price, else the table's, else none.
std::optional<Pricing> PriceFor(const ModelSpec& model, const PricingTable& table);

}  // namespace evalrun
