#include "dataset/jsonl_reader.h"

#include <fmt/format.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/text.h"

namespace evalrun {

JsonlReader::~JsonlReader() {
  if (file_) std::fclose(file_);
  std::free(buf_);
}

Status JsonlReader::Open(const std::string& path) {
  // Opened again (a second pass over the same file): from its start, the first file closed.
  if (file_) std::fclose(file_);
  line_number_ = 0;
  status_ = Status::Ok();
  path_ = path;
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) return Status::Io(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  // 64 KiB reads instead of stdio's 4 KiB: a results file of a million records is 500 MB.
  std::setvbuf(file_, nullptr, _IOFBF, 64 << 10);
  return Status::Ok();
}

Status JsonlReader::HashRest() {
  if (!file_ || !sha_) return Status::Ok();
  if (!sha_->UpdateFromRest(file_)) return Status::Io(fmt::format("{}: read error", path_));
  return Status::Ok();
}

bool JsonlReader::Next(std::string_view* line, long long* line_number) {
  if (!file_) return false;
  for (;;) {
    ssize_t n = ::getline(&buf_, &cap_, file_);
    if (n < 0) {
      if (std::ferror(file_)) status_ = Status::Io(fmt::format("{}: read error", path_));
      return false;
    }
    if (sha_) sha_->Update(buf_, static_cast<size_t>(n));
    ++line_number_;
    std::string_view text(buf_, static_cast<size_t>(n));
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    column_offset_ = 0;
    if (line_number_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") {
      text.remove_prefix(3);
      column_offset_ = 3;
    }
    if (IsBlank(text)) continue;
    *line = text;
    *line_number = line_number_;
    return true;
  }
}

}  // namespace evalrun
