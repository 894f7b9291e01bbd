#include "results/results_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace evalrun {

ResultsWriter::~ResultsWriter() {
  // A writer dropped without Close() (an early return) has nobody left to tell of a failure;
  // every record was already flushed as it was appended.
  (void)Close();
}

Status ResultsWriter::Open(const std::string& path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "ab");
  if (!file_)
    return Status::Io(fmt::format("{}: cannot open for writing: {}", path, std::strerror(errno)));
  return Status::Ok();
}

Status ResultsWriter::Append(const CallRecord& record) {
  return AppendLine(RecordToJson(record));
}

Status ResultsWriter::AppendLine(std::string line) {
  line_ = std::move(line);
  line_.push_back('\n');
  // One fwrite of the whole line, then a flush: the file only ever ends in a whole record or a
  // torn final line that readers skip.
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size() ||
      std::fflush(file_) != 0) {
    return Status::Io(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
  }
  // fflush survives a crash of evalrun; fdatasync, at most once a second, a crash of the machine.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sync_ >= std::chrono::seconds(1)) {
    fdatasync(fileno(file_));
    last_sync_ = now;
  }
  return Status::Ok();
}

Status ResultsWriter::Close() {
  if (!file_) return Status::Ok();
  std::fflush(file_);
  fdatasync(fileno(file_));
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return Status::Io(fmt::format("{}: close failed: {}", path_, std::strerror(errno)));
  return Status::Ok();
}

}  // namespace evalrun
