#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "core/private_files.h"
#include "store/sqlite/insert_writer.h"
#include "store/sqlite/sqlite_statement.h"

namespace oeuvre::store {

using sqlite::bind_value;
using sqlite::InsertWriter;
using sqlite::sqlite_error;
using sqlite::open_failed;
using sqlite::Statement;

namespace {

class SqliteConnection final : public Connection {

 public:
  SqliteConnection(sqlite3* db, std::shared_ptr<WalCheckpointer> checkpointer)
      : db_(db), checkpointer_(std::move(checkpointer)) {}
  ~SqliteConnection() override {
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  // Hands checkpoints to the checkpointer (replaces SQLite's automatic checkpoint).
  void attach_checkpointer() {
    if (!checkpointer_) return;
    sqlite3_wal_hook(
        db_,
        [](void* checkpointer, sqlite3*, const char*, int frames) {
          static_cast<WalCheckpointer*>(checkpointer)->committed(frames);
          return SQLITE_OK;
        },
        checkpointer_.get());
  }

  Result<ResultSet> query(std::string_view sql, std::span<const Value> params) override {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare_bound(sql, params));
    ResultSet result;
    const int columns = sqlite3_column_count(stmt);
    result.columns.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));
    for (;;) {
      ASSIGN_OR_RETURN(bool more, step(stmt, "query"));
      if (!more) break;
      std::vector<std::optional<std::string>> cells(static_cast<std::size_t>(columns));
      read_row(stmt, cells);
      result.rows.emplace_back(std::move(cells));
    }
    result.affected_rows = sqlite3_changes64(db_);
    sqlite3_reset(stmt);
    return result;
  }

  Status query_each(std::string_view sql, std::span<const Value> params,
                    const std::function<Status(const Row&)>& visit) override {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare_bound(sql, params));
    Row row(std::vector<std::optional<std::string>>(static_cast<std::size_t>(sqlite3_column_count(stmt))));
    for (;;) {
      ASSIGN_OR_RETURN(bool more, step(stmt, "query"));
      if (!more) break;
      read_row(stmt, row.mutable_cells());
      if (Status visited = visit(row); !visited.ok()) {
        sqlite3_reset(stmt);
        return visited;
      }
    }
    sqlite3_reset(stmt);
    return OkStatus();
  }

  Status execute_script(std::string_view sql) override {
    const std::string script(sql);
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "script");
    return OkStatus();
  }

  Status begin(bool write) override { return exec_simple(write ? "BEGIN IMMEDIATE" : "BEGIN"); }
  Status commit() override { return exec_simple("COMMIT"); }
  Status rollback() override {
    if (sqlite3_get_autocommit(db_)) return OkStatus();  // nothing open
    return exec_simple("ROLLBACK");
  }

  Result<std::vector<std::string>> explain(std::string_view sql,
                                           std::span<const Value> params) override {
    ASSIGN_OR_RETURN(ResultSet rs, query("EXPLAIN QUERY PLAN " + std::string(sql), params));
    std::vector<std::string> lines;
    for (const auto& row : rs.rows) lines.push_back(row.text(row.size() - 1));  // the `detail` column
    return lines;
  }

  Status insert_rows(std::string_view table, std::span<const std::string> columns,
                     const std::vector<std::vector<Value>>& rows) override {
    RETURN_IF_ERROR(check_bulk_rows(table, columns, rows));
    if (rows.empty()) return OkStatus();
    ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> writer, bulk_writer(table, columns));
    for (const auto& row : rows) RETURN_IF_ERROR(writer->add(row));
    return writer->finish();
  }

  Result<std::unique_ptr<BulkWriter>> bulk_writer(std::string_view table,
                                                  std::span<const std::string> columns) override {
    RETURN_IF_ERROR(check_bulk_rows(table, columns, {}));
    return std::unique_ptr<BulkWriter>(std::make_unique<InsertWriter>(db_, std::string(table), columns));
  }

  bool healthy() override { return db_ != nullptr && sqlite3_get_autocommit(db_) != 0; }
  Dialect dialect() const override { return Dialect::kSqlite; }

 private:
  Status exec_simple(const char* sql) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, sql);
    return OkStatus();
  }

  // The cached statement for `sql`, reset, with `params` bound.
  Result<sqlite3_stmt*> prepare_bound(std::string_view sql, std::span<const Value> params) {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare(sql));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected > static_cast<int>(params.size())) {
      return Error::Internal("statement expects " + std::to_string(expected) + " parameters, got " +
                             std::to_string(params.size()));
    }
    RETURN_IF_ERROR(check_dates(params));
    for (int i = 0; i < expected; ++i) {
      RETURN_IF_ERROR(bind_value(db_, stmt, i + 1, params[static_cast<std::size_t>(i)]));
    }
    return stmt;
  }

  // True for a row, false when done; on an error the statement is reset.
  Result<bool> step(sqlite3_stmt* stmt, const char* what) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error error = sqlite_error(db_, rc, what);
    sqlite3_reset(stmt);
    return error;
  }

  // The current row's columns as text or NULL, into `cells` (sized to the column count).
  static void read_row(sqlite3_stmt* stmt, std::vector<std::optional<std::string>>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const int column = static_cast<int>(c);
      const int type = sqlite3_column_type(stmt, column);
      if (type == SQLITE_NULL) {
        cells[c].reset();
      } else if (type == SQLITE_FLOAT) {
        // sqlite3_column_text keeps 15 digits; 17 round-trip the double exactly (keyset cursors
        // compare stored values for equality).
        char text[32];
        std::snprintf(text, sizeof text, "%.17g", sqlite3_column_double(stmt, column));
        cells[c] = std::string(text);
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
        if (cells[c]) {
          cells[c]->assign(text, size);  // keeps the string's buffer when rows are streamed
        } else {
          cells[c].emplace(text, size);
        }
      }
    }
  }

  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    auto key = std::string(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second.get();
    const std::string rewritten = rewrite_placeholders_for_sqlite(sql);
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
    if (stmt == nullptr) return Error::Internal("prepare: empty statement");
    if (statements_.size() >= kMaxCachedStatements) statements_.clear();
    auto* raw = stmt;
    statements_.emplace(std::move(key), Statement(stmt));
    return raw;
  }

  static constexpr std::size_t kMaxCachedStatements = 256;
  sqlite3* db_;
  std::shared_ptr<WalCheckpointer> checkpointer_;  // outlives db_'s hook
  std::unordered_map<std::string, Statement> statements_;
};

// The database and its -wal and -shm hold password hashes and every financial record: the file is
// created 0600 before SQLite opens it (SQLite gives -wal and -shm the database file's mode), and
// what an older version left readable is tightened. A missing folder is created 0700.
Status prepare_private_files(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  Status prepared = OkStatus();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    prepared = make_private_directory(parent.string());
  }
  if (prepared.ok()) prepared = make_private_file(path);
  for (const char* suffix : {"-wal", "-shm"}) {
    if (prepared.ok()) prepared = restrict_existing_file(path + suffix);
  }
  if (prepared.ok()) return prepared;
  return Error::StoreFailure(StoreFault::kIoError, prepared.error().message());
}

}  // namespace

std::string rewrite_placeholders_for_sqlite(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      out.push_back(c);
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
      continue;
    }
    if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
      continue;
    }
    out.push_back(c);
  }
  return out;
}

Result<std::unique_ptr<Connection>> connect_sqlite(const std::string& path,
                                                   std::chrono::milliseconds busy_timeout,
                                                   std::shared_ptr<WalCheckpointer> checkpointer) {
  // No memory statistics: they take a global mutex on every SQLite allocation, which showed up in
  // profiles of bulk loads and of concurrent reads. Only possible before SQLite initialises; a later
  // call (SQLITE_MISUSE) changes nothing, so the result is not checked.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  if (path != ":memory:") RETURN_IF_ERROR(prepare_private_files(path));
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) return open_failed(db, rc, "open " + path);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  sqlite3_extended_result_codes(db, 1);
  auto conn = std::make_unique<SqliteConnection>(db, std::move(checkpointer));
  RETURN_IF_ERROR(conn->execute_script(
      "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA mmap_size=2147418112; "
      "PRAGMA journal_size_limit=67108864;"));
  conn->attach_checkpointer();  // after the pragmas: a later wal_autocheckpoint would replace the hook
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace oeuvre::store
