#include "backup/manifest.h"

#include <boost/json.hpp>

#include <cstdio>

#include "security/crypto.h"

namespace oeuvre::backup {

namespace json = boost::json;

namespace {

json::object verification_json(const Verification& v) {
  return {{"verified_at", format_timestamp(v.verified_at)},
          {"ok", v.ok},
          {"detail", v.detail},
          {"duration_seconds", v.duration_seconds}};
}

Error malformed(const std::string& what) { return Error::BadRequest("the manifest is malformed: " + what); }

template <class T>
Result<T> field(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr) return malformed("no " + std::string(name));
  auto converted = json::try_value_to<T>(*value);
  if (!converted) return malformed(std::string(name) + " has the wrong type");
  return std::move(*converted);
}

Result<Timestamp> timestamp_field(const json::object& object, std::string_view name) {
  ASSIGN_OR_RETURN(std::string text, field<std::string>(object, name));
  auto parsed = parse_timestamp(text);
  if (!parsed) return malformed(std::string(name) + " is not a timestamp");
  return *parsed;
}

Result<std::vector<store::TableRowCount>> row_counts_field(const json::object& object) {
  const json::value* value = object.if_contains("row_counts");
  if (value == nullptr || !value->is_object()) return malformed("no row_counts object");
  std::vector<store::TableRowCount> counts;
  for (const auto& [table, rows] : value->as_object()) {
    if (!rows.is_int64()) return malformed("row_counts." + std::string(table) + " is not an integer");
    counts.push_back({std::string(table), rows.as_int64()});
  }
  return counts;
}

Result<std::optional<Verification>> verification_field(const json::object& object) {
  const json::value* value = object.if_contains("verification");
  if (value == nullptr || value->is_null()) return std::optional<Verification>();
  if (!value->is_object()) return malformed("verification is not an object");
  const json::object& v = value->as_object();
  Verification out;
  ASSIGN_OR_RETURN(out.verified_at, timestamp_field(v, "verified_at"));
  ASSIGN_OR_RETURN(out.ok, field<bool>(v, "ok"));
  ASSIGN_OR_RETURN(out.detail, field<std::string>(v, "detail"));
  ASSIGN_OR_RETURN(out.duration_seconds, field<double>(v, "duration_seconds"));
  return std::optional<Verification>(std::move(out));
}

}  // namespace

std::string manifest_to_json(const Manifest& m) {
  json::object counts;
  for (const auto& c : m.row_counts) counts[c.table] = c.rows;
  json::object out{{"id", m.id},
                   {"format_version", m.format_version},
                   {"created_at", format_timestamp(m.created_at)},
                   {"source_kind", to_string(m.source_kind)},
                   {"key_id", m.key_id},
                   {"archive_bytes", m.archive_bytes},
                   {"archive_sha256", m.archive_sha256},
                   {"database_bytes", m.database_bytes},
                   {"file_count", m.file_count},
                   {"file_bytes", m.file_bytes},
                   {"files_missing", m.files_missing},
                   {"row_counts", std::move(counts)},
                   {"duration_seconds", m.duration_seconds}};
  out["verification"] = m.verification ? json::value(verification_json(*m.verification)) : json::value(nullptr);
  return json::serialize(out) + "\n";
}

Result<Manifest> parse_manifest(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return malformed("not a JSON object");
  const json::object& o = value.as_object();
  Manifest m;
  ASSIGN_OR_RETURN(m.id, field<std::string>(o, "id"));
  if (!valid_backup_id(m.id)) return malformed("id is not a backup id");
  ASSIGN_OR_RETURN(m.format_version, field<int>(o, "format_version"));
  ASSIGN_OR_RETURN(m.created_at, timestamp_field(o, "created_at"));
  ASSIGN_OR_RETURN(std::string kind, field<std::string>(o, "source_kind"));
  ASSIGN_OR_RETURN(m.source_kind, parse_source_kind(kind));
  ASSIGN_OR_RETURN(m.key_id, field<std::string>(o, "key_id"));
  ASSIGN_OR_RETURN(m.archive_bytes, field<std::uint64_t>(o, "archive_bytes"));
  ASSIGN_OR_RETURN(m.archive_sha256, field<std::string>(o, "archive_sha256"));
  ASSIGN_OR_RETURN(m.database_bytes, field<std::uint64_t>(o, "database_bytes"));
  ASSIGN_OR_RETURN(m.file_count, field<std::int64_t>(o, "file_count"));
  ASSIGN_OR_RETURN(m.file_bytes, field<std::uint64_t>(o, "file_bytes"));
  ASSIGN_OR_RETURN(m.files_missing, field<std::int64_t>(o, "files_missing"));
  ASSIGN_OR_RETURN(m.row_counts, row_counts_field(o));
  ASSIGN_OR_RETURN(m.duration_seconds, field<double>(o, "duration_seconds"));
  ASSIGN_OR_RETURN(m.verification, verification_field(o));
  return m;
}

Result<std::string> make_backup_id(Timestamp at) {
  ASSIGN_OR_RETURN(std::string random, security::random_bytes(3));
  const auto day = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss time(std::chrono::floor<std::chrono::seconds>(at - day));
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ-", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return std::string(text) + security::hex_encode(random);
}

bool valid_backup_id(std::string_view id) {
  if (id.size() != 23 || id[8] != 'T' || id[15] != 'Z' || id[16] != '-') return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 15 || i == 16) continue;
    const char c = id[i];
    const bool digit = c >= '0' && c <= '9';
    const bool hex = digit || (c >= 'a' && c <= 'f');
    if (i < 16 ? !digit : !hex) return false;
  }
  return true;
}

}  // namespace oeuvre::backup
