// Progress: the cadence of each mode on a fake clock, and the real binary's output on a
// pseudo-terminal (under `script`) and on a plain file, as CI sees it.
#include "cli/progress_printer.h"

#include <catch2/catch.hpp>
#include <cstdio>

#include "support/process.h"
#include "support/run_files.h"

using namespace evalrun;
using namespace evalrun::testing;
using std::chrono::milliseconds;

namespace {

struct FakeClock {
  std::chrono::steady_clock::time_point t{};
  ProgressPrinter::Clock fn() {
    return [this] { return t; };
  }
};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string Rows(int rows) {
  std::string data;
  for (int i = 0; i < rows; ++i)
    data +=
        "{\"id\": " + std::to_string(i) + ", \"q\": \"What is 1 + " + std::to_string(i) + "?\"}\n";
  return data;
}

}  // namespace

TEST_CASE("without a terminal, progress is a plain line every 10 s and one at the end",
          "[progress]") {
  FakeClock clock;
  std::FILE* out = std::tmpfile();
  ProgressPrinter p(ProgressMode::kLines, 25, out, clock.fn());
  for (int i = 0; i < 25; ++i) {
    clock.t += milliseconds(1000);  // one call a second: lines at 10 s and 20 s, then the end
    p.OnCall(i % 10 != 0, 5, 0.01);
    p.Tick();  // each call its own wake-up of the loop
  }
  p.Finish();
  const std::string text = ReadStream(out);
  std::fclose(out);
  CHECK(Count(text, "\n") == 3);
  CHECK(text.find('\r') == std::string::npos);
  CHECK_THAT(text, Catch::StartsWith("10/25 calls, 9 ok, 1 errors, 1.0 calls/s, 50 output "
                                     "tokens, $0.1000, ETA 15s\n"));
  CHECK_THAT(text, Catch::Contains("\n20/25 calls, 18 ok, 2 errors"));
  CHECK_THAT(text, Catch::EndsWith("\n25/25 calls, 22 ok, 3 errors, 1.0 calls/s, 125 output "
                                   "tokens, $0.2500, ETA 0s\n"));
}

TEST_CASE("on a terminal, progress redraws one line at most 10 times a second", "[progress]") {
  FakeClock clock;
  std::FILE* out = std::tmpfile();
  ProgressPrinter p(ProgressMode::kBar, 10, out, clock.fn());
  for (int i = 0; i < 10; ++i) {
    clock.t += milliseconds(50);  // 20 calls a second: a redraw every other call
    p.OnCall(true, 1, 0);
    p.Tick();
  }
  p.Finish();
  const std::string text = ReadStream(out);
  std::fclose(out);
  CHECK(Count(text, "\r\x1b[2K") == 6);  // 5 redraws and the final one
  CHECK(Count(text, "\n") == 1);         // one line, ended when the run ends
  CHECK_THAT(text, Catch::EndsWith("\r\x1b[2K[####################] 100% 10/10 calls, 10 ok, 0 "
                                   "errors, 20.0 calls/s, 10 output tokens, $0.0000, ETA 0s\n"));
  CHECK_THAT(text, Catch::Contains("\r\x1b[2K[########............]  40% 4/10 calls, 4 ok"));
}

TEST_CASE("progress looks at the clock once per wake-up of the loop, not once per call",
          "[progress]") {
  FakeClock clock;
  int reads = 0;
  std::FILE* out = std::tmpfile();
  ProgressPrinter p(ProgressMode::kLines, 100, out, [&] {
    ++reads;
    return clock.t;
  });
  const int at_start = reads;
  for (int wake = 0; wake < 3; ++wake) {
    clock.t += milliseconds(6000);
    for (int i = 0; i < 30; ++i) p.OnCall(true, 1, 0);  // 30 calls finished in one wake-up
    CHECK(reads == at_start + wake);
    p.Tick();
  }
  CHECK(reads == at_start + 3);
  const std::string text = ReadStream(out);
  std::fclose(out);
  // 6 s, 12 s, 18 s: lines at 12 s (60 calls) only; the counts are the whole wake-up's.
  CHECK(text == "60/100 calls, 60 ok, 0 errors, 5.0 calls/s, 60 output tokens, $0.0000, ETA 8s\n");
}

TEST_CASE("progress mode none prints nothing at all", "[progress]") {
  std::FILE* out = std::tmpfile();
  ProgressPrinter p(ProgressMode::kNone, 3, out);
  p.OnCall(true, 1, 0);
  p.Finish();
  CHECK(ReadStream(out).empty());
  std::fclose(out);
}

TEST_CASE("a run on a pseudo-terminal shows the live line, in CI, plain lines on stderr",
          "[e2e][progress]") {
  MockServerProcess server({"--latency-ms", "20"});
  TempDir dir;
  dir.Write("d.jsonl", Rows(40));
  const std::string job = dir.Write(
      "job.yaml", "name: progress\nendpoint: {base_url: " + server.base_url() +
                      ", api_key_env: E2E_KEY}\nmodels: [mock-small]\ndatasets: [d.jsonl]\n"
                      "prompt: {template: '{{q}}'}\nconcurrency: 4\n");
  // `script` gives evalrun a pseudo-terminal for stdin, stdout and stderr, and copies what it
  // shows to our stdout.
  const std::string cmd =
      std::string(EVALRUN_BINARY) + " run " + job + " --no-cache --out " + dir.path() + "/tty";
  ProcessResult tty =
      RunProcess({"/usr/bin/script", "-qefc", cmd, "/dev/null"}, {{"E2E_KEY", "k"}});
  INFO(tty.out << tty.err);
  REQUIRE(tty.exit_code == 0);
  CHECK(Count(tty.out, "\r\x1b[2K[") >= 1);
  CHECK_THAT(tty.out, Catch::Contains("] 100% 40/40 calls, 40 ok, 0 errors"));
  CHECK_THAT(tty.out, Catch::Contains("ETA 0s\r\n"));
  CHECK(Count(tty.out, "calls/s") == Count(tty.out, "\r\x1b[2K["));  // never a second line

  // Not a terminal (CI): the same `auto` picks plain lines, stdout keeps only the result.
  ProcessResult ci =
      RunEvalrun({"run", job, "--no-cache", "--out", dir.path() + "/ci"}, {{"E2E_KEY", "k"}});
  REQUIRE(ci.exit_code == 0);
  CHECK(ci.out == "reports: " + dir.path() + "/ci\n");
  CHECK(ci.err.find('\r') == std::string::npos);
  CHECK_THAT(ci.err, Catch::Contains("40/40 calls, 40 ok, 0 errors"));
  CHECK_THAT(ci.err, Catch::Contains("ETA 0s\n"));

  ProcessResult quiet =
      RunEvalrun({"run", job, "--no-cache", "--progress", "none", "--out", dir.path() + "/quiet"},
                 {{"E2E_KEY", "k"}});
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.find("calls/s") == std::string::npos);
}
