// `evalrun mock-server`: prints `listening on URL` as its first stdout line, then serves.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"

namespace evalrun {

int MockServerCommand(const MockServerOptions& options) {
  RaiseFileLimit();
  std::signal(SIGPIPE, SIG_IGN);
  auto server = MockServer::Start(options);
  if (!server.ok()) {
    fmt::print(stderr, "error: {}\n", server.status().message());
    return kExitBadInput;
  }
  fmt::print("listening on {}\n", (*server)->base_url());
  std::fflush(stdout);
  (*server)->Run();
  return kExitOk;
}

}  // namespace evalrun
