#include "store/schema_inventory.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kSqliteTables =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
    "ORDER BY name";
constexpr std::string_view kPostgresTables =
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
    "AND table_type = 'BASE TABLE' ORDER BY table_name";

}  // namespace

Result<std::vector<std::string>> list_tables(Connection& conn) {
  const std::string_view sql = conn.dialect() == Dialect::kSqlite ? kSqliteTables : kPostgresTables;
  ASSIGN_OR_RETURN(ResultSet set, conn.query(sql, {}));
  std::vector<std::string> names;
  for (Row& row : set.rows) names.push_back(row.take_text(0));
  return names;
}

Result<std::vector<TableRowCount>> count_table_rows(Connection& conn) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, list_tables(conn));
  std::vector<TableRowCount> counts;
  for (std::string& name : names) {
    // A table name cannot be a parameter; only names that are plain identifiers are spliced.
    if (!valid_identifier(name)) return Error::Internal("unexpected table name in the schema");
    ASSIGN_OR_RETURN(ResultSet set, conn.query("SELECT count(*) FROM " + name, {}));
    counts.push_back({std::move(name), set.rows.at(0).integer(0)});
  }
  return counts;
}

Result<std::vector<StoredFileRef>> list_stored_files(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet set, conn.query("SELECT storage_key, sha256 FROM files ORDER BY storage_key", {}));
  std::vector<StoredFileRef> files;
  files.reserve(set.rows.size());
  for (Row& row : set.rows) files.push_back({row.take_text(0), row.take_text(1)});
  return files;
}

Result<bool> schema_has_tables(Connection& conn) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, list_tables(conn));
  return !names.empty();
}

}  // namespace oeuvre::store
