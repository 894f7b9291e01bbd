// manifest.json: what a run directory was made from (effective job without secrets, dataset
// SHA-256s, evalrun version, start and end), so a run can be audited, resumed or merged later.
#pragma once

#include <string>
#include <vector>

#include "job/job.h"

namespace evalrun {

struct DatasetFingerprint {
  std::string name;
  std::string path;  // as given in the job
  std::string sha256;
  long long rows = 0;  // rows the plan uses (after limits)
};

struct Manifest {
  std::string run_id;
  std::string evalrun_version = EVALRUN_VERSION;
  std::string job_json;  // EffectiveJobJson
  std::vector<DatasetFingerprint> datasets;
  long long planned_calls = 0;
  std::string shard;  // "I/N" or empty
  std::string started_at;
  std::string finished_at;  // empty while the run is going
};

std::string ManifestToJson(const Manifest& manifest);

}  // namespace evalrun
