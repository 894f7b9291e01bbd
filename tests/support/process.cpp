#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/curl_transport.h"

namespace evalrun::testing {
namespace {

/// A child's environment is explicit: only what a process needs to run at all (PATH, HOME, the
/// locale, the temp dir, the sanitizers' options) is taken from ours, and the rest comes from the
/// test. So a CI's own variables (GITHUB_STEP_SUMMARY, an API key) never reach the binary.
std::vector<std::string> MergedEnv(const std::map<std::string, std::string>& extra) {
  static const char* const kInherited[] = {"PATH",          "HOME",         "LANG",
                                           "LC_ALL",        "TMPDIR",       "ASAN_OPTIONS",
                                           "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"};
  std::map<std::string, std::string> env;
  for (const char* name : kInherited) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  for (const auto& [k, v] : extra) {
    if (v.empty() && k.rfind("UNSET:", 0) == 0)
      env.erase(k.substr(6));
    else
      env[k] = v;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& v) {
  std::vector<char*> p;
  for (auto& s : v) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

pid_t Spawn(std::vector<std::string> args, const std::map<std::string, std::string>& env, int in_fd,
            int out_fd, int err_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (in_fd >= 0) posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  auto env_strings = MergedEnv(env);
  auto argv = Pointers(args);
  auto envp = Pointers(env_strings);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
  return pid;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env,
                         const std::string& stdin_text) {
  // Output goes to temporary files, not pipes, so a chatty child can never block on a full pipe.
  char out_path[] = "/tmp/evalrun-test-out-XXXXXX";
  char err_path[] = "/tmp/evalrun-test-err-XXXXXX";
  char in_path[] = "/tmp/evalrun-test-in-XXXXXX";
  int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path), in_fd = mkstemp(in_path);
  if (write(in_fd, stdin_text.data(), stdin_text.size()) !=
      static_cast<ssize_t>(stdin_text.size())) {
    throw std::runtime_error("write stdin");
  }
  lseek(in_fd, 0, SEEK_SET);
  pid_t pid = Spawn(args, env, in_fd, out_fd, err_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_fd);
  close(err_fd);
  close(in_fd);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  unlink(out_path);
  unlink(err_path);
  unlink(in_path);
  return r;
}

namespace {

/// Each evalrun a test starts gets a response cache of its own unless the test names one, so
/// tests never answer each other's calls.
struct IsolatedCache {
  std::map<std::string, std::string> env;
  std::string dir;
  explicit IsolatedCache(std::map<std::string, std::string> e) : env(std::move(e)) {
    if (env.count("XDG_CACHE_HOME")) return;
    char tmpl[] = "/tmp/evalrun-test-cache-XXXXXX";
    dir = mkdtemp(tmpl);
    env["XDG_CACHE_HOME"] = dir;
  }
  ~IsolatedCache() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

ProcessResult RunEvalrun(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
  std::vector<std::string> full = {EVALRUN_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  IsolatedCache cache(env);
  return RunProcess(full, cache.env);
}

BackgroundEvalrun::BackgroundEvalrun(const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& env) {
  char out_path[] = "/tmp/evalrun-test-out-XXXXXX";
  char err_path[] = "/tmp/evalrun-test-err-XXXXXX";
  out_fd_ = mkstemp(out_path);
  err_fd_ = mkstemp(err_path);
  out_path_ = out_path;
  err_path_ = err_path;
  std::vector<std::string> full = {EVALRUN_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  int null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::map<std::string, std::string> with_cache = env;
  if (!with_cache.count("XDG_CACHE_HOME")) {
    char tmpl[] = "/tmp/evalrun-test-cache-XXXXXX";
    cache_dir_ = mkdtemp(tmpl);
    with_cache["XDG_CACHE_HOME"] = cache_dir_;
  }
  pid_ = Spawn(full, with_cache, null_in, out_fd_, err_fd_);
  close(null_in);
}

BackgroundEvalrun::~BackgroundEvalrun() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void BackgroundEvalrun::Signal(int sig) {
  kill(pid_, sig);
}

ProcessResult BackgroundEvalrun::Wait() {
  ProcessResult r;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  close(out_fd_);
  close(err_fd_);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path_);
  r.err = ReadFile(err_path_);
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
  std::error_code ec;
  if (!cache_dir_.empty()) std::filesystem::remove_all(cache_dir_, ec);
  return r;
}

MockServerProcess::MockServerProcess(const std::vector<std::string>& extra_args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::vector<std::string> args = {EVALRUN_BINARY, "mock-server", "--port", "0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  int err_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_ = Spawn(args, {}, -1, fds[1], err_fd);
  close(fds[1]);
  close(err_fd);
  out_fd_ = fds[0];
  // The server prints its URL only once it is listening: reading that line is the readiness check.
  std::string line;
  char c;
  while (read(out_fd_, &c, 1) == 1 && c != '\n') line += c;
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0)
    throw std::runtime_error("mock server did not start: '" + line + "'");
  base_url_ = line.substr(prefix.size());
}

MockServerProcess::~MockServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

namespace {

rapidjson::Document Stats(const std::string& base_url) {
  TransportOptions opts;
  std::string root = base_url.substr(0, base_url.rfind("/v1"));
  auto r = HttpGet(opts, root + "/mock/stats");
  if (!r.ok() || r->status != 200) throw std::runtime_error("mock stats unavailable");
  rapidjson::Document d;
  d.Parse(r->body.c_str());
  return d;
}

}  // namespace

long long MockServerProcess::Chat429s() const {
  rapidjson::Document d = Stats(base_url_);
  long long n = 0;
  for (const char* k : {"429", "429_concurrency"}) {
    if (d["injected"].HasMember(k)) n += d["injected"][k].GetInt64();
  }
  return n;
}

void MockServerProcess::WaitForChatRequests(long long n) const {
  TransportOptions opts;
  opts.timeout_s = 60;
  std::string root = base_url_.substr(0, base_url_.rfind("/v1"));
  auto r = HttpGet(opts, root + "/mock/stats?wait_chat_requests=" + std::to_string(n));
  if (!r.ok() || r->status != 200) throw std::runtime_error("mock stats wait failed");
}

long long MockServerProcess::Injected(const char* name) const {
  rapidjson::Document d = Stats(base_url_);
  return d["injected"].HasMember(name) ? d["injected"][name].GetInt64() : 0;
}

long long MockServerProcess::ModelRequests(const char* model) const {
  rapidjson::Document d = Stats(base_url_);
  return d["by_model"].HasMember(model) ? d["by_model"][model].GetInt64() : 0;
}

long long MockServerProcess::Stat(const char* name) const {
  return Stats(base_url_)[name].GetInt64();
}

std::string MockServerProcess::Tokens() const {
  return Stats(base_url_)["tokens"].GetString();
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

Http2Proxy::Http2Proxy(int backend_port, const std::string& log_path) {
  const std::string data = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/";
  port_ = FreeLoopbackPort();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_ = Spawn({"/usr/sbin/nghttpx", "--conf=/dev/null", "--workers=1", "--no-ocsp",
                "--frontend=127.0.0.1," + std::to_string(port_),
                "--backend=127.0.0.1," + std::to_string(backend_port),
                "--accesslog-file=" + log_path, "--accesslog-format=$alpn $remote_port $status",
                data + "test-key.pem", data + "test-cert.pem"},
               {}, -1, fds[1], fds[1]);
  close(fds[1]);
  out_fd_ = fds[0];
  // nghttpx says when its worker accepts connections: reading up to that line is the wait.
  std::string line;
  char c;
  while (read(out_fd_, &c, 1) == 1) {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.find("Created worker thread") != std::string::npos) return;
    if (line.find("FATAL") != std::string::npos) break;
    line.clear();
  }
  throw std::runtime_error("nghttpx did not start: " + line);
}

Http2Proxy::~Http2Proxy() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

Nginx::Nginx(int backend_port) {
  const std::string data = std::string(EVALRUN_SOURCE_DIR) + "/tests/data/";
  char tmpl[] = "/tmp/evalrun-nginx-XXXXXX";
  dir_ = mkdtemp(tmpl);
  port_ = FreeLoopbackPort();
  tls_port_ = FreeLoopbackPort();
  const std::string conf = dir_ + "/nginx.conf";
  std::ofstream(conf) << "daemon off;\nmaster_process on;\nworker_processes 1;\n"
                      << "pid " << dir_ << "/nginx.pid;\nerror_log stderr notice;\n"
                      << "events { worker_connections 256; }\nhttp {\n  access_log off;\n"
                      << "  client_body_temp_path " << dir_ << "/body;\n"
                      << "  proxy_temp_path " << dir_ << "/proxy;\n"
                      << "  fastcgi_temp_path " << dir_ << "/fastcgi;\n"
                      << "  uwsgi_temp_path " << dir_ << "/uwsgi;\n"
                      << "  scgi_temp_path " << dir_ << "/scgi;\n"
                      << "  server {\n    listen 127.0.0.1:" << port_ << ";\n"
                      << "    listen 127.0.0.1:" << tls_port_ << " ssl http2;\n"
                      << "    ssl_certificate " << data << "test-cert.pem;\n"
                      << "    ssl_certificate_key " << data << "test-key.pem;\n"
                      << "    location ~ ^/s\\d+/v1/models$ {\n"
                      << "      rewrite ^ /v1/models break;\n"
                      << "      proxy_pass http://127.0.0.1:" << backend_port << ";\n    }\n"
                      << "    location ~ ^/s429/ { return 429; }\n"
                      << "    location ~ ^/s444/ { return 444; }\n"
                      << "    location ~ ^/s502/ { return 502; }\n"
                      << "    location ~ ^/s504/ { return 504; }\n"
                      << "    location / {\n      proxy_pass http://127.0.0.1:" << backend_port
                      << ";\n      proxy_http_version 1.1;\n      proxy_buffering off;\n    }\n"
                      << "  }\n}\n";
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  int null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_ =
      Spawn({"/usr/sbin/nginx", "-e", "stderr", "-p", dir_, "-c", conf}, {}, -1, null_out, fds[1]);
  close(fds[1]);
  close(null_out);
  err_fd_ = fds[0];
  // nginx binds its ports before it starts the worker, and says when it does: that line is the
  // readiness check.
  std::string line, all;
  char c;
  while (read(err_fd_, &c, 1) == 1) {
    if (c != '\n') {
      line += c;
      continue;
    }
    all += line + "\n";
    if (line.find("start worker process") != std::string::npos) return;
    if (line.find("[emerg]") != std::string::npos) break;
    line.clear();
  }
  throw std::runtime_error("nginx did not start: " + all + line);
}

Nginx::~Nginx() {
  if (pid_ > 0) {
    kill(pid_, SIGQUIT);  // graceful: the master waits for its worker
    int status;
    waitpid(pid_, &status, 0);
  }
  if (err_fd_ >= 0) close(err_fd_);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/evalrun-test-XXXXXX";
  path_ = mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string p = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(p).parent_path());
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace evalrun::testing
