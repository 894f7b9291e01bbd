// report.html: what the page holds (unit), and what a real browser makes of a real run's page:
// headless Chromium, a proxy that counts every connection it is asked for, and the screenshot's
// pixels checked for the charts' colours.
#include "report/report_html.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "report/format.h"
#include "report/svg_chart.h"
#include "support/png.h"
#include "support/process.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

CallRecord Call(const std::string& model, double latency, ErrorKind kind = ErrorKind::kNone) {
  CallRecord r;
  r.model = model;
  r.model_id = model;
  r.dataset = "d";
  r.latency_ms = latency;
  r.error_kind = kind;
  if (kind == ErrorKind::kNone) {
    r.usage = Usage{10, 5, 15};
    r.cost_usd = 0.001;
    r.scores["exact"] = latency > 50 ? 1 : 0;
  }
  return r;
}

Summary TwoModels(bool streamed) {
  SummaryBuilder b;
  for (int i = 0; i < 30; ++i) {
    CallRecord fast = Call("fast <b>&\"model\"", 20 + i);
    if (streamed) fast.ttft_ms = 5.0 + i;
    b.Add(fast);
    b.Add(Call("slow", 80 + 10 * i));
  }
  b.Add(Call("slow", 0, ErrorKind::kServer));
  b.Add(Call("slow", 0, ErrorKind::kTimeout));
  RunInfo run;
  run.job = "html-test";
  run.wall_s = 2;
  Summary s = b.Build(run);
  s.gates.push_back({"min_score", "slow", 0.9, 1.0, true});
  s.gates.push_back({"min_score", "fast <b>&\"model\"", 0.9, 0.0, false});
  return s;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// A loopback listener that records the host of every request sent to it and closes the
/// connection. Chromium is told to send every request through it as its proxy, so any request a
/// page makes shows up here.
class NetworkTrap {
 public:
  NetworkTrap() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 64) == 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        Record(c);
        close(c);
      }
    });
  }
  ~NetworkTrap() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  /// Hosts asked for so far, one entry a request ("" when the request line never came).
  std::vector<std::string> hosts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return hosts_;
  }

 private:
  // "CONNECT host:443 HTTP/1.1" or "GET http://host/path HTTP/1.1": keep the host.
  void Record(int c) {
    std::string line;
    char buf[512];
    pollfd p{c, POLLIN, 0};
    if (poll(&p, 1, 2000) > 0) {
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n > 0) line.assign(buf, static_cast<size_t>(n));
    }
    std::string target = line.substr(0, line.find('\r'));
    const size_t sp = target.find(' ');
    target =
        sp == std::string::npos ? "" : target.substr(sp + 1, target.find(' ', sp + 1) - sp - 1);
    if (target.rfind("http://", 0) == 0) target = target.substr(7);
    target = target.substr(0, target.find_first_of(":/"));
    std::lock_guard<std::mutex> lock(mu_);
    hosts_.push_back(target);
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> hosts_;
  std::thread thread_;
};

/// Requests a page caused: every host but Chromium's own background services, which Chromium
/// 156 contacts at start-up whatever the page (component updates, sign-in), flags or not. A
/// connection that sends no request line at all ("") is Chromium warming its proxy connection:
/// it asks for nothing.
std::vector<std::string> PageRequests(const NetworkTrap& trap) {
  std::vector<std::string> out;
  for (const auto& h : trap.hosts()) {
    if (!h.empty() && h != "update.googleapis.com" && h != "accounts.google.com" &&
        h != "clients2.google.com")
      out.push_back(h);
  }
  return out;
}

std::string FindChromium() {
  if (const char* env = std::getenv("EVALRUN_CHROMIUM"); env && *env) return env;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    for (const char* dir : {"/usr/bin/", "/usr/local/bin/", "/snap/bin/"}) {
      const std::string path = std::string(dir) + name;
      if (access(path.c_str(), X_OK) == 0) return path;
    }
  }
  return "";
}

/// Screenshots `url` into `png` with every request routed through `trap`.
ProcessResult Screenshot(const std::string& chromium, const std::string& url,
                         const std::string& png, int width, int height, const NetworkTrap& trap,
                         const TempDir& profile, bool dark = false) {
  std::vector<std::string> args = {
      chromium,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--user-data-dir=" + profile.path(),
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
      "--disable-domain-reliability",
      "--metrics-recording-only",
      "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
      "--proxy-server=http://127.0.0.1:" + std::to_string(trap.port()),
      "--proxy-bypass-list=<-loopback>",
      "--window-size=" + std::to_string(width) + "," + std::to_string(height),
      "--screenshot=" + png};
  if (dark) args.push_back("--force-dark-mode");
  args.push_back(url);
  return RunProcess(args, {{"HOME", profile.path()}});
}

}  // namespace

TEST_CASE("report.html is one self-contained page: no script, nothing fetched", "[report][html]") {
  const std::string html = SummaryToHtml(TwoModels(true));
  CHECK_THAT(html, Catch::StartsWith("<!doctype html>"));
  CHECK_THAT(html, Catch::Contains("Content-Security-Policy\" content=\"default-src 'none'"));
  CHECK_THAT(html, Catch::Contains("prefers-color-scheme:dark"));
  CHECK_THAT(html, Catch::Contains("name=\"viewport\""));
  for (const char* banned : {"<script", "<link", "src=", "url(", "@import", "https://"})
    CHECK(html.find(banned) == std::string::npos);
  // The only http:// is the SVG namespace, which is a name, never fetched.
  CHECK(Count(html, "http://") == Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  // A model id is text, never markup.
  CHECK(html.find("fast <b>") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("fast &lt;b&gt;&amp;&quot;model&quot;"));
}

TEST_CASE("report.html draws every section the summary has something for", "[report][html]") {
  const std::string html = SummaryToHtml(TwoModels(true));
  for (const char* section :
       {"<h2>Ranking</h2>", "<h2>Latency</h2>", "<h2>Time to first token</h2>", "<h2>Tokens</h2>",
        "<h2>Cost</h2>", "<h2>Score against cost</h2>", "<h2>Errors</h2>", "<h2>Gates</h2>"})
    CHECK_THAT(html, Catch::Contains(section));
  CHECK(Count(html, "aria-label=\"latency distribution of ") == 2);  // one histogram per model
  CHECK_THAT(html, Catch::Contains("aria-label=\"score against cost, one point per model\""));
  CHECK(Count(html, "r=\"7\"/>") == 2);  // one scatter point per model
  CHECK_THAT(html, Catch::Contains("slow: 1 server"));
  CHECK_THAT(html, Catch::Contains("slow: 1 timeout"));
  CHECK_THAT(html, Catch::Contains("class=\"l fail\">FAIL"));
  CHECK_THAT(html, Catch::Contains("class=\"l pass\">pass"));
  // Nothing streamed: no time-to-first-token chart.
  CHECK(SummaryToHtml(TwoModels(false)).find("Time to first token") == std::string::npos);
}

TEST_CASE("chart helpers round axes to 1-2-5 steps and print latencies for people",
          "[report][html]") {
  CHECK(NiceCeiling(0.0068) == Approx(0.01));
  CHECK(NiceCeiling(0.0012) == Approx(0.002));
  CHECK(NiceCeiling(3) == Approx(5));
  CHECK(NiceCeiling(50) == Approx(50));
  CHECK(FormatMs(850) == "850 ms");
  CHECK(FormatMs(1500) == "1.5 s");
  CHECK(FormatMs(120000) == "2.0 min");
}

TEST_CASE("report.html of a real run renders its charts in headless Chromium, fetching nothing",
          "[e2e][html]") {
  const std::string chromium = FindChromium();
  INFO("scripts/test.sh installs Debian's chromium; set EVALRUN_CHROMIUM to use another");
  REQUIRE_FALSE(chromium.empty());

  // A streamed run with some server errors and a gate, so every chart has something to draw.
  MockServerProcess server({"--latency-ms", "5", "--per-token-ms", "1", "--fail-500", "0.1"});
  TempDir dir;
  std::string rows;
  for (int i = 1; i <= 40; ++i) {
    rows += "{\"id\": " + std::to_string(i) + ", \"question\": \"What is " + std::to_string(i) +
            " + 7?\", \"answer\": \"" + std::to_string(i + 7) + "\"}\n";
  }
  dir.Write("arith.jsonl", rows);
  const std::string job = dir.Write(
      "job.yaml",
      "name: html\nendpoint: {base_url: " + server.base_url() +
          ", api_key_env: E2E_KEY}\nmodels:\n  - id: mock-small\n    pricing: {input_per_mtok: "
          "1, output_per_mtok: 2}\n  - id: mock-large\n    pricing: {input_per_mtok: 4, "
          "output_per_mtok: 8}\ndatasets: [arith.jsonl]\nprompt: {template: '{{question}}'}\n"
          "params: {max_tokens: 16}\nstream: true\nretry: {max_attempts: 1}\n"
          "scoring: [{type: exact, field: answer}]\ngates: {min_score: 0.9}\n"
          "output: {formats: [json, html]}\n");
  const std::string out = dir.path() + "/run";
  ProcessResult run = RunEvalrun({"run", job, "--out", out, "--progress", "none", "--no-cache"},
                                 {{"E2E_KEY", "k"}});
  INFO(run.err);
  REQUIRE((run.exit_code == 0 || run.exit_code == 1));  // 1: mock-small fails the score gate
  const std::string page = "file://" + out + "/report.html";

  NetworkTrap trap;
  TempDir profile;
  // The control: a page that does fetch something must show up in the trap, or the check below
  // could never fail.
  const std::string control =
      dir.Write("control.html", "<!doctype html><img src=\"http://evalrun-trap.invalid/x.png\">");
  Screenshot(chromium, "file://" + control, dir.path() + "/control.png", 400, 300, trap, profile);
  REQUIRE(PageRequests(trap) == std::vector<std::string>{"evalrun-trap.invalid"});

  const std::string shots = std::string(EVALRUN_SOURCE_DIR) + "/reports/screenshots";
  std::filesystem::create_directories(shots);
  const std::string png = shots + "/report.png";
  std::filesystem::remove(png);
  ProcessResult shot = Screenshot(chromium, page, png, 1000, 2400, trap, profile);
  INFO(shot.err);
  REQUIRE(std::filesystem::exists(png));
  // The report asked for nothing: the control's request is still the only one.
  CHECK(PageRequests(trap) == std::vector<std::string>{"evalrun-trap.invalid"});

  Image image;
  REQUIRE(DecodePng(ReadFile(png), &image));
  CHECK(image.width == 1000);
  // The series colours of the light theme: mock-small is s0, mock-large s1; s3 and on are the
  // error kinds. Hundreds of pixels of each mean bars, histograms and points were painted.
  CHECK(image.CountColour(0x4e, 0x79, 0xa7) > 2000);
  CHECK(image.CountColour(0xf2, 0x8e, 0x2b) > 2000);
  CHECK(image.CountColour(0xe1, 0x57, 0x59) > 100);

  // The phone-width dark view: the dark background fills the page and the charts still paint.
  const std::string phone = shots + "/report-phone-dark.png";
  std::filesystem::remove(phone);
  Screenshot(chromium, page, phone, 390, 1600, trap, profile, /*dark=*/true);
  Image dark;
  REQUIRE(DecodePng(ReadFile(phone), &dark));
  CHECK(dark.width == 390);
  CHECK(dark.CountColour(0x0d, 0x11, 0x17, 2) > dark.width * dark.height / 3);
  CHECK(dark.CountColour(0x79, 0xa6, 0xd9) > 300);
  CHECK(PageRequests(trap) == std::vector<std::string>{"evalrun-trap.invalid"});
}

TEST_CASE("report.html's row views render at phone width in headless Chromium, no script",
          "[e2e][html]") {
  const std::string chromium = FindChromium();
  REQUIRE_FALSE(chromium.empty());
  // Two models that disagree on some rows and fail others (500s, no retry); one prompt longer
  // than the 300 characters a row shows before its <details>.
  MockServerProcess server({"--latency-ms", "1", "--fail-500", "0.15"});
  TempDir dir;
  std::string rows;
  for (int i = 1; i <= 16; ++i) {
    const std::string pad = i == 1 ? " Please think about it: " + std::string(400, 'x') : "";
    rows += "{\"id\": " + std::to_string(i) + ", \"question\": \"What is " + std::to_string(i) +
            " * 13?" + pad + "\", \"answer\": \"" + std::to_string(i * 13) + "\"}\n";
  }
  dir.Write("arith.jsonl", rows);
  const std::string job = dir.Write(
      "job.yaml", "name: rows\nendpoint: {base_url: " + server.base_url() +
                      ", api_key_env: E2E_KEY}\nmodels: [mock-small, mock-large]\n"
                      "datasets: [arith.jsonl]\nprompt: {template: '{{question}}'}\n"
                      "retry: {max_attempts: 1}\nscoring: [{type: exact, field: answer}]\n");
  const std::string out = dir.path() + "/run";
  ProcessResult run = RunEvalrun({"run", job, "--out", out, "--progress", "none", "--no-cache"},
                                 {{"E2E_KEY", "k"}});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string html = ReadFile(out + "/report.html");
  REQUIRE_THAT(html, Catch::Contains("<h2 id=\"differ\">Where the models differ</h2>"));
  REQUIRE_THAT(html, Catch::Contains("<h2 id=\"failed\">Failed rows</h2>"));
  CHECK_THAT(html, Catch::Contains("<h2 id=\"comparisons\">Paired comparisons</h2>"));
  CHECK_THAT(html, Catch::Contains("aria-label=\"paired differences with 95% intervals\""));
  CHECK_THAT(html, Catch::Contains("HTTP 500"));  // a failed row shows its error
  CHECK(html.find("<script") == std::string::npos);

  // What Chromium built of the page: the row cards and the long prompt's <details>.
  TempDir profile;
  ProcessResult dom = RunProcess(
      {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile.path(),
       "--dump-dom", "file://" + out + "/report.html"},
      {{"HOME", profile.path()}});
  REQUIRE(dom.exit_code == 0);
  CHECK(Count(dom.out, "<article class=\"row\">") == Count(html, "<article class=\"row\">"));
  CHECK(Count(dom.out, "<article class=\"row\">") >= 3);
  CHECK_THAT(dom.out, Catch::Contains("<summary>the whole prompt"));

  // At phone width the page ends in the row cards: their text panels (the light theme's card
  // colour) and the models' colour dots are painted in its last 1,200 pixels.
  NetworkTrap trap;
  const std::string png = dir.path() + "/rows.png";
  Screenshot(chromium, "file://" + out + "/report.html", png, 390, 16000, trap, profile);
  Image image;
  REQUIRE(DecodePng(ReadFile(png), &image));
  const int end = image.ContentEnd(0xff, 0xff, 0xff);
  INFO("content ends at row " << end << " of " << image.height);
  REQUIRE(end > 1200);
  REQUIRE(end < image.height);  // the whole page fits: its end is the row views'
  CHECK(image.CountColourIn(end - 1200, end, 0xf6, 0xf8, 0xfa, 1) > 390 * 1200 / 20);
  CHECK(image.CountColourIn(end - 1200, end, 0x4e, 0x79, 0xa7) +
            image.CountColourIn(end - 1200, end, 0xf2, 0x8e, 0x2b) >
        20);
  CHECK(PageRequests(trap).empty());
}
