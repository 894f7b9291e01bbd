#include "cli/job_loading.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdio>

#include "api/chat_request.h"
#include "job/job_parser.h"

namespace evalrun {

std::optional<Job> LoadJobOrReport(const std::string& file, const std::vector<std::string>& sets) {
  std::vector<JobOverride> overrides;
  for (const auto& s : sets) {
    JobOverride o;
    if (!ParseOverride(s, &o)) {
      fmt::print(stderr, "error: --set {}: expected KEY=VALUE, e.g. --set concurrency=8\n", s);
      return std::nullopt;
    }
    overrides.push_back(o);
  }
  JobParseResult parsed = ParseJobFile(file, overrides);
  if (!parsed.ok()) {
    for (const auto& p : parsed.problems) fmt::print(stderr, "{}\n", p.ToString());
    return std::nullopt;
  }
  return std::move(parsed.job);
}

TransportOptions TransportOptionsFor(const Endpoint& endpoint, const std::string& api_key) {
  TransportOptions opts;
  opts.headers = BuildHeaders(endpoint, api_key);
  opts.timeout_s = endpoint.timeout_s;
  opts.connect_timeout_s = endpoint.connect_timeout_s;
  opts.http = endpoint.http;
  opts.ca_bundle = endpoint.ca_bundle;
  return opts;
}

void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace evalrun
