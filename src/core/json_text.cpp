#include "core/json_text.h"

#include <boost/json.hpp>

#include "core/json_writer.h"

namespace oeuvre {

namespace {

void write_value(JsonWriter& w, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      w.null();
      break;
    case boost::json::kind::bool_:
      w.boolean(value.get_bool());
      break;
    case boost::json::kind::int64:
      w.number(value.get_int64());
      break;
    case boost::json::kind::uint64:
      w.number(value.get_uint64());
      break;
    case boost::json::kind::double_:
      w.number(value.get_double());
      break;
    case boost::json::kind::string:
      w.string(value.get_string());
      break;
    case boost::json::kind::array:
      w.begin_array();
      for (const auto& item : value.get_array()) write_value(w, item);
      w.end_array();
      break;
    case boost::json::kind::object:
      w.begin_object();
      for (const auto& [key, item] : value.get_object()) {
        w.key(key);
        write_value(w, item);
      }
      w.end_object();
      break;
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  JsonWriter w(out);
  write_value(w, value);
  return out;
}

}  // namespace oeuvre
