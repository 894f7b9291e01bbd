// End to end, TLS with and without ca_bundle, and HTTP/2 multiplexing (nghttpx in front of the
// mock): the real evalrun binary against `evalrun mock-server` on an ephemeral port.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/clock.h"
#include "results/call_record.h"
#include "support/e2e_job.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

TEST_CASE("a self-signed server is refused without ca_bundle and accepted with it", "[e2e][tls]") {
  const std::string cert = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/test-cert.pem";
  const std::string key = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/test-key.pem";
  MockServerProcess server({"--tls-cert", cert, "--tls-key", key});
  REQUIRE_THAT(server.base_url(), Catch::StartsWith("https://127.0.0.1:"));
  TempDir dir;
  WriteDatasets(dir, 5);
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  ProcessResult refused =
      RunEvalrun({"run", job, "--out", dir.path() + "/refused"}, {{"E2E_KEY", kE2eKey}});
  CHECK(refused.exit_code == 3);
  CHECK_THAT(refused.err, Catch::Contains("certificate"));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/refused/results.jsonl"));

  const std::string out = dir.path() + "/accepted";
  ProcessResult ok = RunEvalrun({"run", job, "--out", out, "--set", "endpoint.ca_bundle=" + cert},
                                {{"E2E_KEY", kE2eKey}});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  auto records = ReadRecords(out);
  CHECK(records.size() == 14);
  for (const auto& rec : records) CHECK(rec.ok());
}

TEST_CASE("endpoint.http 2 multiplexes calls over one HTTP/2 connection, auto negotiates it",
          "[e2e][http2]") {
  MockServerProcess server({"--latency-ms", "20"});
  const std::string backend = server.base_url();
  const int backend_port = std::stoi(backend.substr(backend.rfind(':') + 1));
  TempDir dir;
  const std::string log = dir.path() + "/access.log";
  Http2Proxy proxy(backend_port, log);
  WriteDatasets(dir, 30);
  const std::string cert = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/test-cert.pem";
  const std::string job =
      dir.Write("job.yaml", E2eJob("https://127.0.0.1:" + std::to_string(proxy.port()) + "/v1"));
  for (const std::string http : {"2", "auto"}) {
    ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run-" + http, "--set",
                                  "endpoint.http=" + http, "--set", "endpoint.ca_bundle=" + cert},
                                 {{"E2E_KEY", kE2eKey}});
    INFO(http << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(ReadRecords(dir.path() + "/run-" + http).size() == (30 + 2) * 2);
  }
  // Each run: the preflight, then 64 calls at concurrency 8, all over HTTP/2.
  std::map<std::string, int> per_port;
  for (const auto& line : ReadLines(log)) {
    CHECK_THAT(line, Catch::StartsWith("h2 "));
    per_port[line.substr(3, line.find(' ', 3) - 3)]++;
  }
  int total = 0;
  for (const auto& [port, n] : per_port) total += n;
  CHECK(total == 2 * (1 + 64));
  CHECK(per_port.size() <= 4);  // a connection for each preflight and one for each run's calls
}
