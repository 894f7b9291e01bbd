// End to end, what CI reads: results.csv, junit.xml and the GitHub step summary: the real evalrun
// binary against `evalrun mock-server` on an ephemeral port.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "common/clock.h"
#include "results/call_record.h"
#include "support/e2e_job.h"
#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;

TEST_CASE("results.csv, junit.xml and the GitHub step summary are written for CI", "[e2e]") {
  MockServerProcess server({"--fail-500", "0.2"});
  TempDir dir;
  WriteDatasets(dir, 30);
  const std::string job = dir.Write(
      "job.yaml",
      E2eJob(server.base_url(), "retry: {max_attempts: 1}\ngates: {max_error_rate: 0.9}\n"));
  const std::string out = dir.path() + "/run";
  const std::string step = dir.Write("step-summary.md", "earlier step\n");
  ProcessResult r =
      RunEvalrun({"run", job, "--out", out}, {{"E2E_KEY", kE2eKey}, {"GITHUB_STEP_SUMMARY", step}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(ReadFile(out + "/report.html"), Catch::Contains("<h2>Errors</h2>"));
  auto records = ReadRecords(out);
  const long long failed =
      std::count_if(records.begin(), records.end(), [](const CallRecord& c) { return !c.ok(); });
  REQUIRE(failed > 0);

  auto csv = ReadLines(out + "/results.csv");
  REQUIRE(csv.size() >= records.size() + 1);  // a response may span lines inside quotes
  CHECK_THAT(csv[0],
             Catch::StartsWith("run_id,model,model_id,dataset,row_id,repeat,status,error_kind"));
  CHECK_THAT(csv[0], Catch::EndsWith(",score_exact,response"));

  const std::string xml = ReadFile(out + "/junit.xml");
  CHECK_THAT(xml, Catch::Contains("tests=\"" + std::to_string(failed + 2) + "\" failures=\"" +
                                  std::to_string(failed) + "\""));
  CHECK_THAT(
      xml,
      Catch::Contains(
          "<testcase classname=\"evalrun.gates\" name=\"max_error_rate mock-small\"></testcase>"));
  CHECK_THAT(xml, Catch::Contains("<failure type=\"server\""));

  const std::string summary_md = ReadFile(step);
  CHECK_THAT(summary_md, Catch::StartsWith("earlier step\n# evalrun: e2e"));
  CHECK(summary_md.find(kE2eKey) == std::string::npos);
}

TEST_CASE("the tests' own CI variables never reach the binary", "[e2e]") {
  // As under GitHub Actions: this process has GITHUB_STEP_SUMMARY; a run the test starts must not
  // append to the CI's own summary unless the test hands the variable in.
  MockServerProcess server;
  TempDir dir;
  WriteDatasets(dir, 3);
  const std::string step = dir.Write("ci-step-summary.md", "");
  ::setenv("GITHUB_STEP_SUMMARY", step.c_str(), 1);
  const std::string job = dir.Write("job.yaml", E2eJob(server.base_url()));
  ProcessResult r = RunEvalrun({"run", job, "--out", dir.path() + "/run", "--progress", "none"},
                               {{"E2E_KEY", kE2eKey}});
  ::unsetenv("GITHUB_STEP_SUMMARY");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ReadFile(step).empty());
  ProcessResult handed =
      RunEvalrun({"report", dir.path() + "/run"}, {{"GITHUB_STEP_SUMMARY", step}});
  REQUIRE(handed.exit_code == 0);
  CHECK_THAT(ReadFile(step), Catch::Contains("| mock-small |"));
}
