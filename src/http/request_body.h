#pragma once
// Defensive reading of request bodies, path and query parameters. Every check that fails adds a
// FieldError; finish() reports them all at once, so a client fixes every field in one round trip.

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/page.h"
#include "core/result.h"
#include "core/uuid.h"
#include "http/exchange.h"

namespace oeuvre::http {

// The body as a JSON object. 415 unless Content-Type is application/json; 400 for an empty body,
// malformed JSON, a key repeated within one object (at any depth), nesting deeper than 32, or a
// top-level value that is not an object.
Result<boost::json::object> read_json_object(const Exchange& exchange);

// Reads and validates the fields of one JSON object. Not safe for concurrent use.
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& object) : object_(object) {}

  // A string of min..max Unicode code points, no control characters, not blank.
  std::optional<std::string> required_string(const std::string& name, std::size_t min_len, std::size_t max_len);
  std::optional<std::string> optional_string(const std::string& name, std::size_t min_len, std::size_t max_len);
  // Like optional_string, but line breaks and tabs are allowed (descriptions, notes).
  std::optional<std::string> optional_text(const std::string& name, std::size_t min_len, std::size_t max_len);
  // Kept as entered (uniqueness is case-insensitive in the store); checked for one '@', a dot in the
  // domain, no spaces, 3..254 chars.
  std::optional<std::string> required_email(const std::string& name);
  std::optional<std::string> optional_enum(const std::string& name, std::initializer_list<const char*> allowed);
  std::optional<bool> optional_bool(const std::string& name);
  std::optional<double> optional_number(const std::string& name, double min, double max);
  std::optional<Uuid> optional_uuid(const std::string& name);
  // A raw string with only a length bound in bytes (passwords: checked elsewhere, never echoed).
  std::optional<std::string> required_secret(const std::string& name, std::size_t max_bytes);

  // A field that must not be sent in this request: an error `why` when it is there (even null).
  void refuse(const std::string& name, std::string why);

  void add_error(std::string field, std::string message) { errors_.push_back({std::move(field), std::move(message)}); }
  // Unknown fields and every collected error, as one kValidation error.
  Status finish();

 private:
  const boost::json::value* take(const std::string& name);
  std::optional<std::string> string_field(const std::string& name, bool required, std::size_t min_len,
                                          std::size_t max_len, bool multiline = false);

  const boost::json::object& object_;
  std::set<std::string, std::less<>> known_;
  std::vector<FieldError> errors_;
};

// If-Match: "3" or 3 (the version of `what`, e.g. "project"). nullopt when absent; 400 when malformed.
Result<std::optional<std::int64_t>> read_if_match(const Exchange& exchange, std::string_view what);

// A {name} path parameter that must be a UUID (400 otherwise).
Result<Uuid> path_uuid(const Exchange& exchange, std::string_view name);

// ?page=1&per_page=20 (per_page <= 100). 400 with field errors otherwise.
Result<PageRequest> read_page(const Exchange& exchange);

// An optional UUID query parameter (400 when present but malformed).
Result<std::optional<Uuid>> query_uuid(const Exchange& exchange, std::string_view name);

// An optional whole-number query parameter within [min, max] (400 when present but not).
Result<std::optional<std::int64_t>> query_int(const Exchange& exchange, std::string_view name, std::int64_t min,
                                              std::int64_t max);

// An optional calendar date query parameter, YYYY-MM-DD (400 when present but not a real date).
Result<std::optional<std::string>> query_date(const Exchange& exchange, std::string_view name);

// The standard list envelope: {"items": [...], "page", "per_page", "total"}.
boost::json::object page_envelope(boost::json::array items, const PageRequest& page, std::int64_t total);

}  // namespace oeuvre::http
