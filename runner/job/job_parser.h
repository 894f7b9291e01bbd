// ParseJob: YAML job file -> validated Job. Every problem is reported as a Diagnostic located at
// FILE:LINE:COL of the offending node (or naming the --set override that put it there); unknown
// keys name the closest valid key. Used by `run`, `validate`, `estimate` and `models`.
#pragma once

#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "job/job.h"

namespace evalrun {

/// One `--set KEY=VALUE`: a dotted path into the job and a YAML value.
struct JobOverride {
  std::string path;
  std::string value;
};

struct JobParseResult {
  Job job;
  Diagnostics problems;  // empty when the job is valid
  bool ok() const { return problems.empty(); }
};

/// Parses `yaml_text` as if read from `file` (used for messages and to resolve relative paths).
JobParseResult ParseJobText(const std::string& yaml_text, const std::string& file,
                            const std::vector<JobOverride>& overrides = {});

/// Reads and parses the job file at `file`.
JobParseResult ParseJobFile(const std::string& file,
                            const std::vector<JobOverride>& overrides = {});

/// Parses "a.b=c" into a JobOverride; false when there is no '=' or the key is empty.
bool ParseOverride(const std::string& text, JobOverride* out);

/// Every key the parser accepts, as dotted paths ("endpoint.base_url", "models[].params").
std::vector<std::string> KnownJobKeys();

/// The keys of a price, in a job's `pricing` maps and in a pricing file's entries alike.
const std::vector<std::string>& PricingKeys();

}  // namespace evalrun
