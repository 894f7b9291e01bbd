// manifest.json: what a run directory was made from (effective job without secrets, dataset
// SHA-256s, evalrun version, start and end), so a run can be audited, resumed or merged later.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
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
  std::string job_dir;   // absolute: where the job's relative paths (its datasets) start
  std::vector<DatasetFingerprint> datasets;
  long long planned_calls = 0;
  std::string shard;  // "I/N" or empty
  std::string started_at;
  std::string finished_at;  // empty while the run is going
  std::string plan_json;    // PlanJson: what `--resume` checks has not changed
};

std::string ManifestToJson(const Manifest& manifest);

/// Dataset name -> SHA-256.
std::map<std::string, std::string> Sha256Of(const std::vector<DatasetFingerprint>& datasets);

/// What makes the calls of a run what they are: models (ids, labels, params), prompt, repeats,
/// streaming, and each dataset's name, format, id field and SHA-256.
std::string PlanJson(const Job& job, const std::vector<DatasetFingerprint>& datasets);

/// One line per part of the plan that differs, for `--resume` to refuse with; empty when none.
/// A model in `unanswered` (labels of models with no ok call in the run: a stopped model's) may
/// have changed its id or params: no answer of the old plan would be mixed with the new.
std::vector<std::string> PlanChanges(const std::string& before, const std::string& now,
                                     const std::set<std::string>& unanswered = {});

/// The parts of a manifest.json that `--resume` and `report` need.
struct ManifestInfo {
  std::string run_id, job_name, started_at, finished_at, plan_json;
  std::string shard;     // "I/N", empty when unsharded
  std::string job_json;  // the effective job, compact
  std::string job_dir;   // empty in manifests written before it was recorded
  long long planned_calls = 0;
  std::vector<DatasetFingerprint> datasets;
  GateSpec gates;
  std::vector<std::string> score_names;  // of the job's scorers, in order
  std::vector<std::string> judge_names;  // those of them that are judges
  std::string compare_baseline;          // compare.baseline of the job, "" for every pair
};
Result<ManifestInfo> ReadManifest(const std::string& run_dir);

}  // namespace evalrun
