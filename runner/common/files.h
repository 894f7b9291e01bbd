// File helpers for the run directory: whole-file reads, atomic replacement (reports are never seen
// half-written), and SHA-256 of datasets for the manifest.
#pragma once

#include <string>

#include "common/status.h"

namespace evalrun {

Result<std::string> ReadWholeFile(const std::string& path);

/// Writes `content` to `path` through a temporary file and a rename.
Status WriteFileAtomic(const std::string& path, const std::string& content);

/// Lower-case hex SHA-256 of the file's bytes, read in chunks.
Result<std::string> Sha256File(const std::string& path);

/// Creates `dir` and its parents.
Status MakeDirs(const std::string& dir);

/// Appends `text` to `path`, creating it; a failure is ignored. For the GitHub step summary,
/// a convenience beside the run's own files, which must never fail a run.
void AppendBestEffort(const std::string& path, const std::string& text);

}  // namespace evalrun
