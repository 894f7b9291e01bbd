// Status and Result<T>: errors as values, carried from where they happen to the CLI, which alone
// turns them into messages and exit codes. Cheap when OK. Not thread-safe; copy to share.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace evalrun {

enum class ErrorCode {
  kOk,
  kInvalidInput,  // a job, dataset or argument the user gave is wrong: exit 2, nothing sent
  kNotFound,      // a file or model that should exist does not
  kIo,            // reading or writing a local file failed
  kNetwork,       // the API could not be reached
  kApi,           // the API answered with an error that stops the work
  kInternal,
};

class Status {
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
class Result {
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
