#pragma once
// Error: the one error type of Œuvre. Expected failures (bad input, missing rows, a dependency that is
// down) travel as values; exceptions never cross a module boundary.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oeuvre {

enum class ErrorCode {
  kBadRequest,            // malformed syntax (400)
  kValidation,            // well-formed but invalid fields (422), with field errors
  kUnauthenticated,       // 401
  kForbidden,             // 403
  kNotFound,              // 404 (also for objects the caller may not see)
  kConflict,              // 409
  kPayloadTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kRateLimited,           // 429
  kUnavailable,           // 503: a dependency is down or a pool wait timed out
  kInternal,              // 500
  kNotImplemented,        // 501: a protocol feature the server does not implement (a transfer coding)
};

// What kind of store failure an error is: set by the store (store/sqlite, store/postgres, the pool),
// read by the claim protocol, the metrics and the problem answers. kNone: not a store failure.
enum class StoreFault {
  kNone,
  kBusy,         // another writer holds the lock, a statement or a pool wait timed out: retry soon
  kUnreachable,  // the database server cannot be reached or is shutting down
  kOutOfSpace,   // disk full, out of memory: lasts until space is freed
  kIoError,      // the disk or a file failed
  kCorrupt,      // the database file is damaged
  kReadOnly,     // the database cannot be written
};

// The fault's label value for metrics and logs: busy, unreachable, out_of_space, io_error, corrupt,
// read_only ("" for kNone).
constexpr std::string_view store_fault_name(StoreFault fault) {
  switch (fault) {
    case StoreFault::kNone: return "";
    case StoreFault::kBusy: return "busy";
    case StoreFault::kUnreachable: return "unreachable";
    case StoreFault::kOutOfSpace: return "out_of_space";
    case StoreFault::kIoError: return "io_error";
    case StoreFault::kCorrupt: return "corrupt";
    case StoreFault::kReadOnly: return "read_only";
  }
  return "";
}

// The fault in plain words, for reasons users read ("the store is out of space"); "" for kNone.
constexpr std::string_view store_fault_description(StoreFault fault) {
  switch (fault) {
    case StoreFault::kNone: return "";
    case StoreFault::kBusy: return "the store is busy";
    case StoreFault::kUnreachable: return "the store is unreachable";
    case StoreFault::kOutOfSpace: return "the store is out of space (disk or memory full)";
    case StoreFault::kIoError: return "the store could not read or write its files";
    case StoreFault::kCorrupt: return "the store's database is damaged";
    case StoreFault::kReadOnly: return "the store is read-only";
  }
  return "";
}

struct FieldError {
  std::string field;
  std::string message;
};

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Error(ErrorCode code, std::string message, std::vector<FieldError> field_errors)
      : code_(code), message_(std::move(message)), field_errors_(std::move(field_errors)) {}

  static Error BadRequest(std::string m) { return {ErrorCode::kBadRequest, std::move(m)}; }
  static Error Validation(std::vector<FieldError> errors) {
    return {ErrorCode::kValidation, "the request has invalid fields", std::move(errors)};
  }
  static Error Validation(std::string field, std::string message) {
    return Validation({FieldError{std::move(field), std::move(message)}});
  }
  static Error Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Error Forbidden(std::string m) { return {ErrorCode::kForbidden, std::move(m)}; }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
  // An error of the store whose message is the engine's own text (SQL, SQLSTATE, table and
  // constraint names, file names), for the logs: problem answers word it generically.
  static Error FromStore(ErrorCode code, std::string m) {
    Error error(code, std::move(m));
    error.engine_text_ = true;
    return error;
  }
  // The store could not do the work: FromStore(kUnavailable, m) with `fault`.
  static Error StoreFailure(StoreFault fault, std::string m) {
    return FromStore(ErrorCode::kUnavailable, std::move(m)).with_store_fault(fault);
  }

  // Marks a store failure of `fault` (for one already worded for users, see FromStore otherwise).
  Error& with_store_fault(StoreFault fault) {
    fault_ = fault;
    return *this;
  }

  // For kRateLimited / kUnavailable: seconds after which a retry may succeed (Retry-After).
  Error& with_retry_after(int seconds) {
    retry_after_ = seconds;
    return *this;
  }
  std::optional<int> retry_after() const { return retry_after_; }

  // Extra string members of the problem document (RFC 7807 extensions), e.g. the id of the object a
  // 409 conflicts with.
  Error& with_member(std::string name, std::string value) {
    members_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  const std::vector<std::pair<std::string, std::string>>& members() const { return members_; }

  // The same error (code, fault, members, field errors) with `context` before its message, e.g.
  // "the records could not be stored: ".
  Error in_context(std::string_view context) const {
    Error error = *this;
    error.message_.insert(0, context);
    return error;
  }

  ErrorCode code() const { return code_; }
  // kNone unless the store failed (see StoreFailure).
  StoreFault store_fault() const { return fault_; }
  // True when the message is the store engine's own text (see FromStore): for logs, not clients.
  bool engine_text() const { return engine_text_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& field_errors() const { return field_errors_; }

 private:
  ErrorCode code_;
  std::string message_;
  std::vector<FieldError> field_errors_;
  StoreFault fault_ = StoreFault::kNone;
  bool engine_text_ = false;
  std::optional<int> retry_after_;
  std::vector<std::pair<std::string, std::string>> members_;
};

}  // namespace oeuvre
