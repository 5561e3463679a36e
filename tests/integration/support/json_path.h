#pragma once
// Reading fields of JSON answers by path ("counters.matched", "items.0.id") without throwing, so a
// missing field fails the assertion that names it instead of aborting the test with an exception.

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace oeuvre::testing {

// The value at `path` (keys and array indexes separated by dots), or null when there is none.
inline boost::json::value json_at(const boost::json::value& root, std::string_view path) {
  const boost::json::value* at = &root;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (at->is_object()) {
      at = at->as_object().if_contains(key);
    } else if (at->is_array()) {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec != std::errc() || end != key.data() + key.size()) return nullptr;
      at = at->as_array().if_contains(index);
    } else {
      return nullptr;
    }
    if (at == nullptr) return nullptr;
  }
  return *at;
}

// The string at `path`; "<absent>" when there is no string there.
inline std::string json_string(const boost::json::value& root, std::string_view path) {
  const boost::json::value v = json_at(root, path);
  return v.is_string() ? std::string(v.as_string()) : std::string("<absent>");
}

// The number at `path` as an integer; INT64_MIN when there is no integral number there.
inline std::int64_t json_int(const boost::json::value& root, std::string_view path) {
  const boost::json::value v = json_at(root, path);
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.as_uint64());
  if (v.is_double() &&
      v.as_double() == static_cast<double>(static_cast<std::int64_t>(v.as_double()))) {
    return static_cast<std::int64_t>(v.as_double());
  }
  return std::numeric_limits<std::int64_t>::min();
}

// The number at `path`; NaN when there is no number there.
inline double json_number(const boost::json::value& root, std::string_view path) {
  const boost::json::value v = json_at(root, path);
  if (v.is_double()) return v.as_double();
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return std::numeric_limits<double>::quiet_NaN();
}

// The array at `path`; empty when there is none.
inline boost::json::array json_array(const boost::json::value& root, std::string_view path) {
  const boost::json::value v = json_at(root, path);
  return v.is_array() ? v.as_array() : boost::json::array();
}

}  // namespace oeuvre::testing
