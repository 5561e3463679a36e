#pragma once
// Error: the one error type of Œuvre. Expected failures (bad input, missing rows, a dependency that is
// down) travel as values; exceptions never cross a module boundary.

#include <optional>
#include <string>
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

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& field_errors() const { return field_errors_; }

 private:
  ErrorCode code_;
  std::string message_;
  std::vector<FieldError> field_errors_;
  std::optional<int> retry_after_;
  std::vector<std::pair<std::string, std::string>> members_;
};

}  // namespace oeuvre
