#include "results/results_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace evalrun {

ResultsWriter::~ResultsWriter() {
  // A writer dropped without Close() (an early return) has nobody left to tell of a failure; what
  // it still holds is written all the same.
  (void)Close();
}

Status ResultsWriter::Open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return Status::Io(fmt::format("{}: cannot open for writing: {}", path, std::strerror(errno)));
  return Status::Ok();
}

void ResultsWriter::Append(const CallRecord& record) {
  AppendRecordJson(record, &pending_);
  pending_ += '\n';
}

void ResultsWriter::AppendLine(std::string_view line) {
  pending_ += line;
  pending_ += '\n';
}

Status ResultsWriter::Flush() {
  if (fd_ < 0 || pending_.empty()) return Status::Ok();
  // One write of whole lines: the file only ever ends in a whole record or, if the process dies
  // inside the write, a torn final line that readers skip.
  const char* data = pending_.data();
  const size_t size = pending_.size();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd_, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // What was not written stays, for a later Flush() or Close() to try again.
      pending_.erase(0, done);
      return Status::Io(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  pending_.clear();
  // write() survives a crash of evalrun; fdatasync, at most once a second, a crash of the machine.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sync_ >= std::chrono::seconds(1)) {
    fdatasync(fd_);
    last_sync_ = now;
  }
  return Status::Ok();
}

Status ResultsWriter::Close() {
  if (fd_ < 0) return Status::Ok();
  Status flushed = Flush();
  fdatasync(fd_);
  const int rc = ::close(fd_);
  fd_ = -1;
  if (!flushed.ok()) return flushed;
  if (rc != 0) return Status::Io(fmt::format("{}: close failed: {}", path_, std::strerror(errno)));
  return Status::Ok();
}

}  // namespace evalrun
