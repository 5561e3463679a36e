#pragma once
// The one serializer for JSON that leaves the process for people to read: API responses, problems,
// Server-Sent Events, exports. Boost.JSON's own serializer writes doubles in exponent form (8E-1,
// 1E0, 1E2); this one writes them as JsonWriter does (append_json_number: 0.8, 1, 100).
//
// Thread-safe: a pure function.
#include <boost/json/value.hpp>
#include <string>

namespace oeuvre {

// `value` as compact JSON text. Strings are written byte for byte with JSON's escapes, as
// boost::json::serialize writes them.
std::string to_json_text(const boost::json::value& value);

}  // namespace oeuvre
