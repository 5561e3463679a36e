#pragma once
// JsonWriter: appends JSON text to a string without building a document, for large responses
// (pages of results, exports) where a boost::json DOM costs an allocation and a hash per value.
// The caller writes a well-formed sequence — begin/end balanced, a key before each value inside an
// object; the commas and colons are added here. Strings must be valid UTF-8 (everything the store
// holds was checked on the way in); quotes, backslashes and control characters are escaped.
// Doubles are written as people write them (append_json_number); NaN and infinities, which JSON
// cannot hold, as null.
//
// Not thread-safe: one writer, one thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace oeuvre {

class Uuid;

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view text);
  // The id's canonical text as a JSON string.
  JsonWriter& uuid(const Uuid& id);
  JsonWriter& number(std::int64_t n);
  JsonWriter& number(std::uint64_t n);
  JsonWriter& number(double d);
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  // An already serialized JSON value, written as is. REQUIRES: `json` is one valid JSON value.
  JsonWriter& raw(std::string_view json);

 private:
  void before_value();

  std::string& out_;
  bool first_ = true;      // nothing written yet at the current level
  bool after_key_ = false;  // a key was written; its value comes next
};

// The one way a double becomes JSON text: the shortest digits that read back as the same double, in
// plain decimal notation (0.8, 1, 100, 0.30000000000000004, 0.000001) while 1e-6 <= |d| < 1e21, and
// in exponent form beyond (1e-7, 1e+21). Zero of either sign is "0"; NaN and infinities are "null".
void append_json_number(std::string& out, double d);

// Appends `text` to `out` as the body of a JSON string (quotes, backslashes and control characters
// escaped; other UTF-8 as is). REQUIRES: valid UTF-8.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace oeuvre
