// Where a run's files go: output.dir with {name} and {timestamp} filled in, relative to the job
// file (or --out, relative to the working directory), and the run id.
#pragma once

#include <string>

#include "common/clock.h"
#include "job/job.h"

namespace evalrun {

std::string ResolveRunDir(const Job& job, const std::string& out_flag, SystemTime start);
std::string MakeRunId(const Job& job, SystemTime start);

}  // namespace evalrun
