// Loading a job for a command: --set overrides, parsing, and printing every problem as
// FILE:LINE:COL on stderr. Shared by run, validate and models.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/curl_transport.h"
#include "job/job.h"

namespace evalrun {

/// The parsed job, or nullopt after printing its problems.
std::optional<Job> LoadJobOrReport(const std::string& file, const std::vector<std::string>& sets);

/// Transport settings of an endpoint, with the key in the Authorization header.
TransportOptions TransportOptionsFor(const Endpoint& endpoint, const std::string& api_key);

/// Raises the open-file limit to its hard maximum: thousands of connections need thousands of fds.
void RaiseFileLimit();

}  // namespace evalrun
