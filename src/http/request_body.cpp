#include "http/request_body.h"

#include <chrono>

#include <charconv>
#include <cmath>

#include "core/utf8.h"
#include "http/strict_json.h"

namespace oeuvre::http {

namespace {

constexpr std::size_t kMaxDepth = 32;

bool is_json_content_type(std::string_view value) {
  const auto semi = value.find(';');
  std::string_view media = value.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  const std::string lowered = ascii_lowercase(media);
  return lowered == "application/json" || (lowered.starts_with("application/") && lowered.ends_with("+json"));
}

}  // namespace

Result<boost::json::object> read_json_object(const Exchange& exchange) {
  if (!is_json_content_type(exchange.header(beast_http::field::content_type))) {
    return Error(ErrorCode::kUnsupportedMediaType, "the request body must be sent as application/json");
  }
  const std::string& body = exchange.request.body();
  if (body.empty()) return Error::BadRequest("the request body is empty; a JSON object is expected");
  ASSIGN_OR_RETURN(boost::json::value value, parse_strict_json(body, kMaxDepth));
  if (!value.is_object()) return Error::BadRequest("the request body must be a JSON object");
  return std::move(value.as_object());
}

const boost::json::value* FieldReader::take(const std::string& name) {
  known_.insert(name);
  auto it = object_.find(name);
  if (it == object_.end()) return nullptr;
  return &it->value();
}

std::optional<std::string> FieldReader::string_field(const std::string& name, bool required,
                                                     std::size_t min_len, std::size_t max_len,
                                                     bool multiline) {
  const boost::json::value* v = take(name);
  if (v == nullptr || (v->is_null() && !required)) {
    if (required) add_error(name, "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    add_error(name, "must be a string");
    return std::nullopt;
  }
  std::string s(v->as_string());
  const std::size_t length = utf8_length(s);
  if (length < min_len || length > max_len) {
    add_error(name, "must be " + std::to_string(min_len) + " to " + std::to_string(max_len) + " characters long");
    return std::nullopt;
  }
  if (has_control_characters(s, multiline)) {
    add_error(name, "must not contain control characters");
    return std::nullopt;
  }
  if (min_len > 0 && is_blank(s)) {
    add_error(name, "must not be blank");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> FieldReader::required_string(const std::string& name, std::size_t min_len,
                                                        std::size_t max_len) {
  return string_field(name, true, min_len, max_len);
}

std::optional<std::string> FieldReader::optional_string(const std::string& name, std::size_t min_len,
                                                        std::size_t max_len) {
  return string_field(name, false, min_len, max_len);
}

std::optional<std::string> FieldReader::optional_text(const std::string& name, std::size_t min_len,
                                                      std::size_t max_len) {
  return string_field(name, false, min_len, max_len, /*multiline=*/true);
}

std::optional<std::string> FieldReader::required_email(const std::string& name) {
  auto email = string_field(name, true, 3, 254);
  if (!email) return std::nullopt;
  const auto at = email->find('@');
  const bool one_at = at != std::string::npos && email->find('@', at + 1) == std::string::npos;
  const bool shaped = one_at && at > 0 && email->find('.', at + 2) != std::string::npos &&
                      email->back() != '.' && email->find(' ') == std::string::npos;
  if (!shaped) {
    add_error(name, "must be an email address such as name@example.com");
    return std::nullopt;
  }
  return email;
}

std::optional<std::string> FieldReader::optional_enum(const std::string& name,
                                                      std::initializer_list<const char*> allowed) {
  const boost::json::value* v = take(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  std::string choices;
  for (const char* a : allowed) choices += (choices.empty() ? "" : ", ") + std::string(a);
  if (v->is_string()) {
    for (const char* a : allowed) {
      if (v->as_string() == a) return std::string(a);
    }
  }
  add_error(name, "must be one of: " + choices);
  return std::nullopt;
}

std::optional<bool> FieldReader::optional_bool(const std::string& name) {
  const boost::json::value* v = take(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    add_error(name, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<double> FieldReader::optional_number(const std::string& name, double min, double max) {
  const boost::json::value* v = take(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number()) {
    add_error(name, "must be a number");
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "must be between %g and %g", min, max);
    add_error(name, buf);
    return std::nullopt;
  }
  return d;
}

std::optional<Uuid> FieldReader::optional_uuid(const std::string& name) {
  const boost::json::value* v = take(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) {
    if (auto id = Uuid::parse(std::string_view(v->as_string()))) return id;
  }
  add_error(name, "must be a UUID");
  return std::nullopt;
}

std::optional<std::string> FieldReader::required_secret(const std::string& name, std::size_t max_bytes) {
  const boost::json::value* v = take(name);
  if (v == nullptr || v->is_null()) {
    add_error(name, "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    add_error(name, "must be a string");
    return std::nullopt;
  }
  if (v->as_string().empty() || v->as_string().size() > max_bytes) {
    add_error(name, "must be 1 to " + std::to_string(max_bytes) + " bytes long");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

void FieldReader::refuse(const std::string& name, std::string why) {
  if (take(name) != nullptr) add_error(name, std::move(why));
}

Status FieldReader::finish() {
  for (const auto& [key, value] : object_) {
    if (!known_.contains(std::string_view(key))) {
      std::string field(key.data(), std::min<std::size_t>(key.size(), 64));
      if (!is_valid_utf8(field)) field = "(invalid name)";
      add_error(field, "is not a known field");
    }
  }
  if (errors_.empty()) return OkStatus();
  return Error::Validation(std::move(errors_));
}

Result<Uuid> path_uuid(const Exchange& exchange, std::string_view name) {
  if (auto id = Uuid::parse(exchange.path_param(name))) return *id;
  return Error(ErrorCode::kBadRequest, "path parameter '" + std::string(name) + "' must be a UUID",
               {FieldError{std::string(name), "must be a UUID"}});
}

namespace {

std::optional<int> parse_positive_int(std::string_view s) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

}  // namespace

Result<PageRequest> read_page(const Exchange& exchange) {
  PageRequest page;
  std::vector<FieldError> errors;
  if (auto p = exchange.query("page")) {
    auto v = parse_positive_int(*p);
    if (!v || *v > 1'000'000) errors.push_back({"page", "must be a whole number from 1 to 1000000"});
    else page.page = *v;
  }
  if (auto pp = exchange.query("per_page")) {
    auto v = parse_positive_int(*pp);
    if (!v || *v > 100) errors.push_back({"per_page", "must be a whole number from 1 to 100"});
    else page.per_page = *v;
  }
  if (!errors.empty()) return Error(ErrorCode::kBadRequest, "invalid pagination parameters", std::move(errors));
  return page;
}

Result<std::optional<Uuid>> query_uuid(const Exchange& exchange, std::string_view name) {
  auto raw = exchange.query(name);
  if (!raw) return std::optional<Uuid>{};
  if (auto id = Uuid::parse(*raw)) return std::optional<Uuid>(*id);
  return Error(ErrorCode::kBadRequest, "query parameter '" + std::string(name) + "' must be a UUID",
               {FieldError{std::string(name), "must be a UUID"}});
}

Result<std::optional<std::int64_t>> query_int(const Exchange& exchange, std::string_view name, std::int64_t min,
                                              std::int64_t max) {
  auto raw = exchange.query(name);
  if (!raw) return std::optional<std::int64_t>{};
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < min || v > max) {
    const std::string message = "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    return Error(ErrorCode::kBadRequest, "query parameter '" + std::string(name) + "' " + message,
                 {FieldError{std::string(name), message}});
  }
  return std::optional<std::int64_t>(v);
}

Result<std::optional<std::string>> query_date(const Exchange& exchange, std::string_view name) {
  auto raw = exchange.query(name);
  if (!raw) return std::optional<std::string>{};
  auto digits = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if ((*raw)[i] < '0' || (*raw)[i] > '9') return -1;
      v = v * 10 + ((*raw)[i] - '0');
    }
    return v;
  };
  bool valid = raw->size() == 10 && (*raw)[4] == '-' && (*raw)[7] == '-';
  if (valid) {
    const int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
    valid = year >= 1 && month >= 1 && month <= 12 && day >= 1 &&
            day <= static_cast<int>(static_cast<unsigned>(
                       std::chrono::year_month_day_last(std::chrono::year(year), std::chrono::month_day_last(
                                                                                      std::chrono::month(month)))
                           .day()));
  }
  if (!valid) {
    return Error(ErrorCode::kBadRequest, "query parameter '" + std::string(name) + "' must be a date (YYYY-MM-DD)",
                 {FieldError{std::string(name), "must be a date (YYYY-MM-DD)"}});
  }
  return std::optional<std::string>(std::string(*raw));
}

boost::json::object page_envelope(boost::json::array items, const PageRequest& page, std::int64_t total) {
  return boost::json::object{{"items", std::move(items)},
                             {"page", page.page},
                             {"per_page", page.per_page},
                             {"total", total}};
}

Result<std::optional<std::int64_t>> read_if_match(const Exchange& exchange, std::string_view what) {
  std::string_view raw = exchange.header(beast_http::field::if_match);
  if (raw.empty()) return std::optional<std::int64_t>{};
  if (raw.starts_with("W/")) raw.remove_prefix(2);
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') raw = raw.substr(1, raw.size() - 2);
  std::int64_t version = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), version);
  if (ec != std::errc() || ptr != raw.data() + raw.size() || version < 1) {
    return Error::BadRequest("If-Match must be the " + std::string(what) + "'s version, e.g. \"3\"");
  }
  return std::optional<std::int64_t>(version);
}

}  // namespace oeuvre::http
