// Status and Result<T>: errors as values, carried from where they happen to the CLI, which alone
// turns them into messages and exit codes. Cheap when OK. Not thread-safe; copy to share.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace evalrun {

/// What went wrong, as the CLI's one mapping (ExitStatusFor, cli/command.h) turns it into an exit
/// status. The last two are verdicts rather than faults: a command ends with them after it has
/// said why.
enum class ErrorCode {
  kOk,
  kInvalidInput,  // a job, dataset or argument the user gave is wrong: exit 2, nothing sent
  kNotFound,      // a file or model that should exist does not: exit 2
  kIo,            // reading or writing a local file failed: exit 3
  kNetwork,       // the API could not be reached: exit 3
  kApi,           // the API answered with an error that stops the work: exit 3
  kInternal,      // a bug: exit 2 before any call was sent, 3 after
  kGateFailed,    // done, but a gate failed or no call succeeded: exit 1
  kStopped,       // stopped early (budget, signal, 401/402/403): what finished is saved, exit 3
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string msg) {
    return Status(ErrorCode::kInvalidInput, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(ErrorCode::kNotFound, std::move(msg)); }
  static Status Io(std::string msg) { return Status(ErrorCode::kIo, std::move(msg)); }
  static Status Network(std::string msg) { return Status(ErrorCode::kNetwork, std::move(msg)); }
  static Status Api(std::string msg) { return Status(ErrorCode::kApi, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(ErrorCode::kInternal, std::move(msg)); }
  static Status GateFailed(std::string msg) {
    return Status(ErrorCode::kGateFailed, std::move(msg));
  }
  static Status Stopped(std::string msg) { return Status(ErrorCode::kStopped, std::move(msg)); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(ErrorCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

/// A value or the Status that says why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace evalrun
