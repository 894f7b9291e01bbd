// File helpers for the run directory: whole-file reads, atomic replacement (reports are never seen
// half-written), and SHA-256 of datasets for the manifest.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

#include "common/status.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace evalrun {

Result<std::string> ReadWholeFile(const std::string& path);

/// Writes `content` to `path` through a temporary file and a rename.
Status WriteFileAtomic(const std::string& path, const std::string& content);

/// SHA-256 fed in pieces: a dataset is hashed by the pass that checks its rows, from the same
/// reads, not by a read of its own.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t size);
  /// Update() with the rest of `file`; false on a read error.
  bool UpdateFromRest(std::FILE* file);
  /// Lower-case hex of everything given so far; the hash cannot be fed after.
  std::string HexDigest();

 private:
  ::evp_md_ctx_st* ctx_;
};

/// Lower-case hex SHA-256 of the file's bytes, read in chunks.
Result<std::string> Sha256File(const std::string& path);

/// Creates `dir` and its parents.
Status MakeDirs(const std::string& dir);

/// Appends `text` to `path`, creating it; a failure is ignored. For the GitHub step summary,
/// a convenience beside the run's own files, which must never fail a run.
void AppendBestEffort(const std::string& path, const std::string& text);

}  // namespace evalrun
