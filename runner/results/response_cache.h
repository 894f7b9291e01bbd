// ResponseCache: answers of deterministic calls (temperature 0), kept under
// $XDG_CACHE_HOME/evalrun (default ~/.cache/evalrun) so an unchanged job rerun in CI sends
// nothing. The key is the SHA-256 of the base URL, the repeat index and the exact request body
// (which names the model). Only complete, ok answers are stored. One file per answer, written
// atomically, so concurrent runs can share the directory.
#pragma once

#include <optional>
#include <string>

#include "job/job.h"

namespace evalrun {

class ResponseCache {
 public:
  /// The cache directory from the environment; empty when there is no home to put it in.
  static std::string DefaultDir();
  /// Whether calls with these params are deterministic enough to cache: temperature exactly 0.
  static bool Cacheable(const JsonParams& params);

  explicit ResponseCache(std::string dir) : dir_(std::move(dir)) {}
  /// Repeats of one call are separate entries: `repeats: N` asks for N answers, even at temperature
  /// 0.
  std::string Key(const std::string& base_url, int repeat, const std::string& body) const;
  std::optional<std::string> Get(const std::string& key) const;
  void Put(const std::string& key, const std::string& response_body) const;

 private:
  std::string Path(const std::string& key) const;
  std::string dir_;
};

}  // namespace evalrun
