#include "http/strict_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/utf8.h"

namespace oeuvre::http {

namespace json = boost::json;

namespace {

// A basic_parser handler that builds the value (as boost::json::parser does, on a value_stack) and
// remembers the keys of each open object to find one that repeats.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  StrictHandler() { values_.reset(); }

  json::value release() { return values_.release(); }
  // The first key found twice in one object, if any.
  const std::optional<std::string>& repeated_key() const { return repeated_key_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open_objects_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    open_objects_.pop_back();
    values_.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    values_.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    values_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    // A key always belongs to the innermost open container: arrays have none.
    auto& keys = open_objects_.back();
    if (keys.contains(key_)) {
      repeated_key_ = to_valid_utf8(key_, 64);
      ec = json::error::syntax;
      return false;
    }
    keys.insert(key_);
    key_.clear();
    values_.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    values_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    values_.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    values_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    values_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    values_.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    values_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    values_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  json::value_stack values_;
  std::vector<std::unordered_set<std::string>> open_objects_;  // their keys so far, innermost last
  std::string key_;                                            // the key being read
  std::optional<std::string> repeated_key_;
};

}  // namespace

Result<json::value> parse_strict_json(std::string_view text, std::size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<StrictHandler> parser(options);
  json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (const auto& key = parser.handler().repeated_key()) {
    return Error::BadRequest("the key \"" + *key +
                             "\" appears twice in one object; send each key once");
  }
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (ec) return Error::BadRequest("the request body is not valid JSON: " + ec.message());
  return parser.handler().release();
}

}  // namespace oeuvre::http
