#pragma once
// Small helpers shared by the repositories to turn typed values into parameters and columns back.

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "store/models.h"

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
// A role or status (core/statuses.h) as its stored text.
template <class Enum>
  requires std::is_enum_v<Enum>
inline Value param(Enum value) {
  return std::string(to_string(value));
}

// For bulk writers that reuse one row of values: the string a cell holds (made one first if it held
// something else), so the next row's text goes into the same buffer instead of a new allocation.
inline std::string& text_cell(Value& cell) {
  if (!std::holds_alternative<std::string>(cell)) cell = std::string();
  return std::get<std::string>(cell);
}
inline void set_uuid(Value& cell, const Uuid& id) {
  std::string& text = text_cell(cell);
  text.resize(36);
  id.write_chars(text.data());
}
inline void set_optional_uuid(Value& cell, const std::optional<Uuid>& id) {
  if (id) {
    set_uuid(cell, *id);
  } else {
    cell = std::monostate{};
  }
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

namespace oeuvre::store {

// One page of `SELECT <columns> FROM <from> <where> ORDER BY <order_by>` plus the total count.
// `from`, `where` and `order_by` are fixed SQL written by the repository (never values); `params`
// are the where clause's parameters, numbered $1..$n; LIMIT and OFFSET are appended as $n+1, $n+2.
template <class T, class MapRow>
Result<PageResult<T>> fetch_page(Connection& conn, std::string_view columns, std::string_view from,
                                 std::string_view where, std::string_view order_by, std::vector<Value> params,
                                 const PageRequest& page, MapRow map_row) {
  PageResult<T> out;
  const std::string tail = std::string(from) + std::string(where);
  ASSIGN_OR_RETURN(ResultSet count, conn.query("SELECT count(*) FROM " + tail, params));
  out.total = count.rows.at(0).integer(0);
  params.push_back(static_cast<std::int64_t>(page.per_page));
  const std::string limit = " LIMIT $" + std::to_string(params.size());
  params.push_back(page.offset());
  const std::string offset = " OFFSET $" + std::to_string(params.size());
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(columns) + " FROM " + tail + " ORDER BY " +
                                                std::string(order_by) + limit + offset,
                                            params));
  out.items.reserve(rs.rows.size());
  for (auto& row : rs.rows) out.items.push_back(map_row(row));
  return out;
}

}  // namespace oeuvre::store
