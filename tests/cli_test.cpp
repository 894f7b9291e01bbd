// The command line as a user meets it: help with examples for every command, --version, and
// what `cmake --install` puts where (binary, man page from the help text, example configs).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/process.h"

using namespace evalrun::testing;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kCommands = {"run",    "estimate",    "validate", "models",
                                            "report", "mock-server", "help"};

}  // namespace

TEST_CASE("every command has help with usage and examples, as `help CMD` and `CMD --help`",
          "[cli]") {
  ProcessResult top = RunEvalrun({"help"});
  REQUIRE(top.exit_code == 0);
  CHECK_THAT(top.out, Catch::Contains("Usage: evalrun"));
  CHECK_THAT(top.out, Catch::Contains("Exit status:"));
  CHECK_THAT(top.out, Catch::Contains("WANDB_API_KEY"));
  for (const auto& cmd : kCommands) {
    INFO(cmd);
    CHECK_THAT(top.out, Catch::Contains("  " + cmd + " "));
    if (cmd == "help") continue;
    ProcessResult help = RunEvalrun({"help", cmd});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("Usage: evalrun " + cmd));
    CHECK_THAT(help.out, Catch::Contains("Examples:\n  evalrun " + cmd));
    ProcessResult flag = RunEvalrun({cmd, "--help"});
    CHECK(flag.exit_code == 0);
    CHECK(flag.out == help.out);
  }
  ProcessResult version = RunEvalrun({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == "evalrun " EVALRUN_VERSION "\n");
  ProcessResult unknown = RunEvalrun({"help", "frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("no command 'frobnicate'"));
}

TEST_CASE("cmake --install puts the binary, a man page made from the help and the configs",
          "[cli][install]") {
  const std::string build = fs::path(EVALRUN_BINARY).parent_path().string();
  TempDir prefix;
  ProcessResult install =
      RunProcess({"/usr/bin/cmake", "--install", build, "--prefix", prefix.path()});
  INFO(install.out << install.err);
  REQUIRE(install.exit_code == 0);
  const std::string bin = prefix.path() + "/bin/evalrun";
  CHECK(access(bin.c_str(), X_OK) == 0);

  const std::string man = ReadFile(prefix.path() + "/share/man/man1/evalrun.1");
  CHECK_THAT(man, Catch::StartsWith(".TH EVALRUN 1"));
  for (const auto& cmd : kCommands) CHECK_THAT(man, Catch::Contains(".SS " + cmd + "\n"));
  // The text is the help's own: an option and an example of `estimate` are there.
  CHECK_THAT(man, Catch::Contains("--history TEXT"));
  CHECK_THAT(man, Catch::Contains("evalrun estimate job.yaml --json"));

  const std::string share = prefix.path() + "/share/evalrun";
  CHECK(fs::exists(share + "/configs/pricing/wandb-inference.yaml"));
  CHECK(fs::exists(share + "/summary.schema.json"));
  // The installed example jobs find their datasets and pass validation.
  ProcessResult valid = RunProcess({bin, "validate", share + "/configs/demo.yaml"});
  INFO(valid.err);
  CHECK(valid.exit_code == 0);
}
