// Test helpers that run the real evalrun binary: a child process with captured output, and the
// mock server started on an ephemeral port (its first stdout line is read, so no sleeping).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace evalrun::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `args` (argv[0] first) with `env` as its environment (plus PATH, HOME, the locale, the
/// temp dir and the sanitizers' options from ours; "UNSET:NAME" removes one), waits, returns its
/// output.
ProcessResult RunProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& stdin_text = "");

/// evalrun running in the background, for tests that signal it mid-run.
class BackgroundEvalrun {
 public:
  BackgroundEvalrun(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env);
  ~BackgroundEvalrun();
  void Signal(int sig);
  ProcessResult Wait();

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_, cache_dir_;
  int out_fd_ = -1, err_fd_ = -1;
};

/// Runs the evalrun binary under test.
ProcessResult RunEvalrun(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {});

class MockServerProcess {
 public:
  explicit MockServerProcess(const std::vector<std::string>& extra_args = {});
  ~MockServerProcess();
  MockServerProcess(const MockServerProcess&) = delete;
  MockServerProcess& operator=(const MockServerProcess&) = delete;

  const std::string& base_url() const { return base_url_; }
  /// GET /mock/stats: requests the server has seen.
  long long ChatRequests() const { return Stat("chat_requests"); }
  /// Any counter of GET /mock/stats (max_in_flight, connections, ...).
  long long Stat(const char* name) const;
  /// How the server counts usage: "tokenizer PATH (... template)" or "rule".
  std::string Tokens() const;
  /// 429s the server sent, injected at random or past --max-concurrency.
  long long Chat429s() const;
  /// Chat requests that named `model` (a mock model id).
  long long ModelRequests(const char* model) const;
  /// How many times the fault `name` ("drop", "429", ...) was injected.
  long long Injected(const char* name) const;
  /// Blocks until the server has received `n` chat requests (the server answers when it has).
  void WaitForChatRequests(long long n) const;

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string base_url_;
};

/// nghttpx serving HTTP/2 over TLS (test certificate) on a free loopback port, in front of an
/// HTTP/1.1 backend; its access log records each request's ALPN protocol and client port.
class Http2Proxy {
 public:
  Http2Proxy(int backend_port, const std::string& log_path);
  ~Http2Proxy();
  Http2Proxy(const Http2Proxy&) = delete;
  Http2Proxy& operator=(const Http2Proxy&) = delete;
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
};

/// nginx (Debian's) on a free loopback port in front of `backend_port`: a real proxy nobody here
/// wrote. Under /sNNN/ it answers with its own status page for NNN (429, 502, 504) or, for 444,
/// closes the connection without a word, all but /sNNN/v1/models, which it passes to the backend
/// as /v1/models (so preflight passes); everything else goes to the backend over HTTP/1.1. A
/// second port serves the same over TLS with HTTP/2 (the test certificate).
class Nginx {
 public:
  explicit Nginx(int backend_port);
  ~Nginx();
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;
  int port() const { return port_; }
  int tls_port() const { return tls_port_; }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  int port_ = 0, tls_port_ = 0;
  std::string dir_;
};

/// A loopback port free at the time of the call (for servers that cannot bind port 0 themselves).
int FreeLoopbackPort();

/// A fresh empty directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
std::vector<std::string> ReadLines(const std::string& path);

}  // namespace evalrun::testing
