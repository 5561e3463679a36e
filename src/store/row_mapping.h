#pragma once
// Small helpers shared by the repositories to turn typed values into parameters and columns back.

#include <optional>
#include <string>

#include "core/time.h"
#include "core/uuid.h"
#include "store/database.h"

namespace oeuvre::store {

inline Value param(const Uuid& id) { return id.to_string(); }
inline Value param(const std::optional<Uuid>& id) {
  return id ? Value(id->to_string()) : Value(std::monostate{});
}
inline Value param(Timestamp t) { return format_timestamp(t); }
inline Value param(const std::optional<Timestamp>& t) {
  return t ? Value(format_timestamp(*t)) : Value(std::monostate{});
}
inline Value param(const std::optional<std::string>& s) {
  return s ? Value(*s) : Value(std::monostate{});
}

inline Uuid uuid_at(const Row& row, std::size_t i) {
  return Uuid::parse(row.text(i)).value_or(Uuid{});
}
inline std::optional<Uuid> optional_uuid_at(const Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return Uuid::parse(row.text(i));
}
inline Timestamp timestamp_at(const Row& row, std::size_t i) {
  return parse_timestamp(row.text(i)).value_or(Timestamp{});
}
inline std::optional<Timestamp> optional_timestamp_at(const Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return parse_timestamp(row.text(i));
}

}  // namespace oeuvre::store
