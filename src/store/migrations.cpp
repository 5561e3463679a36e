#include "store/migrations.h"

#include <algorithm>
#include <charconv>

#include "core/embedded_resources.h"
#include "core/time.h"
#include "store/transaction.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)";

std::string_view folder_for(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "migrations/sqlite/" : "migrations/postgres/";
}

Result<std::vector<int>> read_applied(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT version FROM schema_migrations ORDER BY version", {}));
  std::vector<int> versions;
  for (const auto& row : rs.rows) versions.push_back(static_cast<int>(row.integer(0)));
  return versions;
}

}  // namespace

std::vector<Migration> migrations_for(Dialect dialect) {
  std::vector<Migration> out;
  const std::string_view folder = folder_for(dialect);
  for (const auto& res : embedded_resources()) {
    if (!res.path.starts_with(folder) || !res.path.ends_with(".sql")) continue;
    std::string_view file = res.path.substr(folder.size());
    int version = 0;
    auto [ptr, ec] = std::from_chars(file.data(), file.data() + file.size(), version);
    if (ec != std::errc() || ptr == file.data() || *ptr != '_') continue;
    std::string_view name = file.substr(static_cast<std::size_t>(ptr - file.data()) + 1);
    name.remove_suffix(4);
    out.push_back({version, std::string(name), res.text});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

Result<std::vector<int>> applied_migrations(Database& db) {
  return with_connection(db, [](Connection& conn) -> Result<std::vector<int>> {
    RETURN_IF_ERROR(conn.query(kCreateTable, {}));
    return read_applied(conn);
  });
}

namespace {

// A SQLite migration that rebuilds a table other tables' foreign keys name (the only way to change a
// CHECK constraint there) says so with this line: it runs with foreign keys off, as SQLite's ALTER
// TABLE documentation prescribes (else dropping the old table would run the children's ON DELETE
// actions), and every foreign key is checked before it commits.
constexpr std::string_view kForeignKeysOff = "-- oeuvre: foreign_keys off";

// Runs `step` in one transaction on a connection whose foreign keys are off (SQLite ignores the
// pragma inside a transaction), then turns them on again.
template <class F>
Result<bool> with_foreign_keys_off(Database& db, F&& step) {
  return with_connection(db, [&](Connection& conn) -> Result<bool> {
    RETURN_IF_ERROR(conn.query("PRAGMA foreign_keys = OFF", {}));
    Result<bool> ran = in_transaction_on(conn, true, [&](Connection& c) -> Result<bool> {
      ASSIGN_OR_RETURN(bool applied, step(c));
      ASSIGN_OR_RETURN(ResultSet broken, c.query("PRAGMA foreign_key_check", {}));
      if (!broken.rows.empty()) {
        return Error::Internal("the migration leaves " + std::to_string(broken.rows.size()) +
                               " broken foreign keys");
      }
      return applied;
    });
    auto on = conn.query("PRAGMA foreign_keys = ON", {});
    if (!ran.ok()) return ran;
    if (!on.ok()) return std::move(on).error();
    return ran;
  });
}

}  // namespace

Result<std::vector<int>> apply_migrations(Database& db) {
  std::vector<int> applied_now;
  for (const Migration& migration : migrations_for(db.dialect())) {
    auto run = [&](Connection& conn) -> Result<bool> {
      if (conn.dialect() == Dialect::kPostgres) {
        // Serialise concurrent migrators (several nodes starting at once).
        RETURN_IF_ERROR(conn.query("SELECT pg_advisory_xact_lock(7270011)", {}));
      }
      RETURN_IF_ERROR(conn.query(kCreateTable, {}));
      ASSIGN_OR_RETURN(std::vector<int> done, read_applied(conn));
      if (std::find(done.begin(), done.end(), migration.version) != done.end()) return false;
      if (auto ran = conn.execute_script(migration.sql); !ran.ok()) {
        return Error::Internal("migration " + std::to_string(migration.version) + "_" + migration.name +
                               " failed: " + ran.error().message());
      }
      const Value params[] = {static_cast<std::int64_t>(migration.version), migration.name,
                              format_timestamp(now_utc())};
      RETURN_IF_ERROR(conn.query(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", params));
      return true;
    };
    const bool keys_off = db.dialect() == Dialect::kSqlite &&
                          migration.sql.find(kForeignKeysOff) != std::string_view::npos;
    auto step = keys_off ? with_foreign_keys_off(db, run) : in_transaction(db, true, run);
    if (!step.ok()) return std::move(step).error();
    if (*step) applied_now.push_back(migration.version);
  }
  return applied_now;
}

}  // namespace oeuvre::store
