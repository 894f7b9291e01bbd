// JsonlReader: streams the lines of a JSON Lines file one at a time, with their physical line
// numbers, so a dataset of any size is read in constant memory. Skips blank (whitespace-only)
// lines, strips a UTF-8 byte-order mark and CRLF line ends. Single-threaded.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "common/files.h"
#include "common/status.h"

namespace evalrun {

class JsonlReader {
 public:
  JsonlReader() = default;
  ~JsonlReader();
  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  Status Open(const std::string& path);

  /// The next non-blank line; false at the end of the file or on a read error (see status()).
  bool Next(std::string_view* line, long long* line_number);

  /// Feeds every byte read from here on to `sha` (blank lines and line ends included).
  void HashInto(Sha256* sha) { sha_ = sha; }
  /// Reads what Next() has not, into the hash only: the digest is the whole file's even when the
  /// caller stops early (a limit).
  Status HashRest();

  /// Bytes stripped from the front of the current line (a byte-order mark), for column numbers.
  int column_offset() const { return column_offset_; }
  const Status& status() const { return status_; }

 private:
  std::FILE* file_ = nullptr;
  Sha256* sha_ = nullptr;
  char* buf_ = nullptr;
  size_t cap_ = 0;
  long long line_number_ = 0;
  int column_offset_ = 0;
  Status status_;
  std::string path_;
};

}  // namespace evalrun
