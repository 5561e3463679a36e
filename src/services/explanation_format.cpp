#include "services/explanation_format.h"

#include <boost/json.hpp>
#include <charconv>

#include "core/json_writer.h"

namespace oeuvre::services {

namespace json = boost::json;

// By to_chars, not snprintf: a million rows of snprintf showed in profiles.
std::string write_compact_explanation(std::span<const engine::FieldScore> scores) {
  std::string out;
  out.reserve(2 + scores.size() * 28);
  out += '[';
  char buf[32];
  auto number = [&](double v) {
    const auto end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6).ptr;
    out.append(buf, end);
  };
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto& s = scores[i];
    if (i > 0) out += ',';
    out += '[';
    const auto end = std::to_chars(buf, buf + sizeof buf, static_cast<unsigned>(s.rule)).ptr;
    out.append(buf, end);
    out += s.present ? ",1," : ",0,";
    number(s.similarity);
    out += ',';
    number(s.contribution);
    if (s.match_weight != 0) {
      out += ',';
      number(s.match_weight);
    }
    out += ']';
  }
  out += ']';
  return out;
}

void read_compact_explanation(std::string_view text,
                              const std::function<void(const ExplanationEntry&)>& entry) {
  unsigned char buffer[2048];
  json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  const json::value stored = json::parse(text, ec, &arena);
  if (ec || !stored.is_array()) return;
  auto number = [](const json::value& v) { return v.is_number() ? v.to_number<double>() : 0.0; };
  for (const auto& value : stored.as_array()) {
    if (!value.is_array() || value.as_array().size() < 4 || value.as_array().size() > 5) continue;
    const json::array& e = value.as_array();
    if (!e[0].is_int64() || e[0].as_int64() < 0) continue;
    entry({static_cast<std::size_t>(e[0].as_int64()), number(e[1]) != 0, number(e[2]),
           number(e[3]), e.size() == 5 ? number(e[4]) : 0.0});
  }
}

void write_alternatives(JsonWriter& w, std::span<const StoredAlternative> alternatives) {
  w.begin_array();
  for (const StoredAlternative& a : alternatives) {
    w.begin_object();
    w.key("left_ids").begin_array();
    for (const Uuid& id : a.left_ids) w.uuid(id);
    w.end_array();
    w.key("right_ids").begin_array();
    for (const Uuid& id : a.right_ids) w.uuid(id);
    w.end_array();
    w.key("confidence").number(a.confidence);
    w.end_object();
  }
  w.end_array();
}

std::string write_alternatives(std::span<const StoredAlternative> alternatives) {
  std::string out;
  JsonWriter w(out);
  write_alternatives(w, alternatives);
  return out;
}

std::vector<StoredAlternative> read_alternatives(std::string_view text) {
  std::vector<StoredAlternative> out;
  if (text.size() <= 2) return out;  // "[]", the common case
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 4;
  const json::value root = json::parse(text, ec, {}, options);
  if (ec || !root.is_array()) return out;
  auto ids = [](const json::object& o, const char* key, std::vector<Uuid>& into) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_array()) return false;
    for (const json::value& id : v->as_array()) {
      if (!id.is_string()) return false;
      auto parsed = Uuid::parse(std::string_view(id.as_string()));
      if (!parsed) return false;
      into.push_back(*parsed);
    }
    return true;
  };
  for (const json::value& entry : root.as_array()) {
    if (out.size() >= engine::kMaxAlternatives) break;
    const json::object* o = entry.if_object();
    if (o == nullptr) continue;
    StoredAlternative a;
    const json::value* confidence = o->if_contains("confidence");
    if (confidence == nullptr || !confidence->is_number()) continue;
    a.confidence = confidence->to_number<double>();
    if (!ids(*o, "left_ids", a.left_ids) || !ids(*o, "right_ids", a.right_ids)) continue;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace oeuvre::services
