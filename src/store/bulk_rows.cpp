#include <algorithm>

#include "store/database.h"

namespace oeuvre::store {

bool valid_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z'))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

Status check_dates(std::span<const Value> values) {
  for (const Value& value : values) {
    const auto* day = std::get_if<std::chrono::sys_days>(&value);
    if (day != nullptr && (*day < kMinDate || *day > kMaxDate)) {
      return Error::BadRequest("a date must lie between 0001-01-01 and 9999-12-31");
    }
  }
  return OkStatus();
}

Status check_bulk_rows(std::string_view table, std::span<const std::string> columns,
                       const std::vector<std::vector<Value>>& rows) {
  if (!valid_identifier(table)) {
    return Error::BadRequest("bulk insert: table name must match [a-z_][a-z0-9_]* (at most 63 bytes)");
  }
  if (columns.empty()) return Error::BadRequest("bulk insert: no columns given");
  for (const auto& column : columns) {
    if (!valid_identifier(column)) {
      return Error::BadRequest("bulk insert: column names must match [a-z_][a-z0-9_]* (at most 63 bytes)");
    }
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != columns.size()) {
      return Error::BadRequest("bulk insert: row " + std::to_string(r + 1) + " has " +
                               std::to_string(rows[r].size()) + " values for " + std::to_string(columns.size()) +
                               " columns");
    }
  }
  return OkStatus();
}

}  // namespace oeuvre::store
