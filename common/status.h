// Status and Result: how library code reports failure. Library code never prints
// or exits; it returns a Status carrying a sysexits-style exit code and a message,
// and the tool decides what to do with it.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace airstream {

// Exit codes (sysexits.h plus the shell's signal convention).
enum ExitCode : int {
  kExitOk = 0,
  kExitRejected = 1,      // finished, but some records were rejected
  kExitUsage = 64,        // command line usage error
  kExitDataErr = 65,      // too many bad records (--max-errors exceeded)
  kExitNoInput = 66,      // an input file could not be opened
  kExitUnavailable = 69,  // a service could not be reached
  kExitSoftware = 70,     // internal error (or: not implemented)
  kExitIoErr = 74,        // read/write error
  kExitTempFail = 75,     // temporary failure, retry later
  kExitConfig = 78,       // bad configuration
  kExitSigint = 130,
  kExitSigterm = 143,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(int exit_code, std::string message) : code_(exit_code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == kExitOk; }
  explicit operator bool() const { return ok(); }
  int exit_code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  int code_ = kExitOk;
  std::string message_;
};

// A value or an error Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace airstream
