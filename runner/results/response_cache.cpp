#include "results/response_cache.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "common/files.h"

namespace evalrun {

std::string ResponseCache::DefaultDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/evalrun";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/evalrun";
  return {};
}

bool ResponseCache::Cacheable(const JsonParams& params) {
  for (const auto& [key, json] : params) {
    if (key != "temperature") continue;
    // The param is JSON text: only a number that reads whole as zero (0, 0.0, -0) qualifies.
    double t = 1;
    auto [end, ec] = std::from_chars(json.data(), json.data() + json.size(), t);
    return ec == std::errc() && end == json.data() + json.size() && t == 0;
  }
  return false;  // the API's default temperature samples
}

std::string ResponseCache::Key(const std::string& base_url, int repeat,
                               const std::string& body) const {
  const std::string prefix = base_url + "\n" + std::to_string(repeat) + "\n";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, prefix.data(), prefix.size());
  EVP_DigestUpdate(ctx, body.data(), body.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string ResponseCache::Path(const std::string& key) const {
  return dir_ + "/" + key.substr(0, 2) + "/" + key + ".body";
}

std::optional<std::string> ResponseCache::Get(const std::string& key) const {
  std::error_code ec;
  if (!std::filesystem::exists(Path(key), ec)) return std::nullopt;
  auto body = ReadWholeFile(Path(key));
  if (!body.ok()) return std::nullopt;
  return std::move(body.value());
}

void ResponseCache::Put(const std::string& key, const std::string& response_body) const {
  // A cache that cannot be written only costs the next run a call: never an error.
  if (!MakeDirs(dir_ + "/" + key.substr(0, 2)).ok()) return;
  (void)WriteFileAtomic(Path(key), response_body);
}

}  // namespace evalrun
