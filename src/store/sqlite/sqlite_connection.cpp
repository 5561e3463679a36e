#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <unordered_map>

namespace oeuvre::store {

namespace {

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_CONSTRAINT) {
    const int extended = db ? sqlite3_extended_errcode(db) : rc;
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY ||
        extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Error::Conflict(message);
    }
    return Error::Internal(message);
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN ||
      primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_READONLY) {
    return Error::Unavailable(message);
  }
  return Error::Internal(message);
}

// Closes a session that could not be opened or set up; kUnavailable with SQLite's reason.
Error open_failed(sqlite3* db, int rc, const std::string& what) {
  Error error = sqlite_error(db, rc, what);
  sqlite3_close_v2(db);
  return Error::Unavailable(error.message());
}

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Rows are copied into a buffer and stored up to kMaxBatchRows at a time by one multi-row INSERT
// (one statement start, one set of table, index and foreign-key cursors per batch instead of per
// row: 8.0 -> 5.4 s for a million records in an experiment on the records schema); the rest goes in
// one row at a time at finish(). The writer prepares and owns its two statements (in the caller's
// transaction).
class InsertWriter final : public BulkWriter {
 public:
  InsertWriter(sqlite3* db, std::string table, std::span<const std::string> columns);
  Status add(std::span<const Value> row) override;
  Status finish() override;

  static constexpr std::size_t kMaxBatchRows = 32;

 private:
  Result<sqlite3_stmt*> statement(Statement& slot, std::size_t rows);
  // Binds `rows` buffered rows to `stmt` and runs it; the buffer stays alive and unchanged until the
  // step ends (text is bound SQLITE_STATIC).
  Status store(sqlite3_stmt* stmt, std::size_t first_row, std::size_t rows);

  sqlite3* db_;
  const std::string table_;
  const std::vector<std::string> columns_;
  const std::size_t batch_rows_;   // SQLite allows at most 32766 parameters per statement
  std::vector<Value> pending_;     // batch_rows_ rows of columns_.size() values
  std::size_t pending_rows_ = 0;
  bool finished_ = false;
  Statement batch_;                // after pending_: finalized first
  Statement single_;
};

class SqliteConnection final : public Connection {
  friend class InsertWriter;

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
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      return Error::Internal("script failed: " + text);
    }
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
    for (int i = 0; i < expected; ++i) {
      const int rc = bind(stmt, i + 1, params[static_cast<std::size_t>(i)]);
      if (rc != SQLITE_OK) return sqlite_error(db_, rc, "bind");
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

  // `lifetime`: SQLITE_TRANSIENT (SQLite copies text) unless the caller keeps `value` alive and
  // unbinds before it goes (SQLITE_STATIC).
  static int bind(sqlite3_stmt* stmt, int index, const Value& value,
                  sqlite3_destructor_type lifetime = SQLITE_TRANSIENT) {
    return std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(stmt, index);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(stmt, index, v);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(stmt, index, v);
          } else if constexpr (std::is_same_v<T, bool>) {
            return sqlite3_bind_int(stmt, index, v ? 1 : 0);
          } else {
            return sqlite3_bind_text(stmt, index, v.data(), static_cast<int>(v.size()), lifetime);
          }
        },
        value);
  }

  static constexpr std::size_t kMaxCachedStatements = 256;
  sqlite3* db_;
  std::shared_ptr<WalCheckpointer> checkpointer_;  // outlives db_'s hook
  std::unordered_map<std::string, Statement> statements_;
};

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

Result<std::shared_ptr<WalCheckpointer>> WalCheckpointer::start(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return open_failed(db, rc, "open " + path + " for checkpoints");
  // A session finds the log when it first reads the file; until then a checkpoint does nothing.
  sqlite3_busy_timeout(db, 5000);
  if (const int read = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr); read != SQLITE_OK) {
    return open_failed(db, read, "open " + path + " for checkpoints");
  }
  auto checkpointer = std::shared_ptr<WalCheckpointer>(new WalCheckpointer(db));
  checkpointer->thread_ = std::thread([raw = checkpointer.get()] { raw->run(); });
  return checkpointer;
}

WalCheckpointer::WalCheckpointer(sqlite3* db) : db_(db) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::committed(int frames) {
  if (frames < kFramesBeforeCheckpoint) return;
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  cv_.notify_one();
}

std::int64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return runs_;
}

void WalCheckpointer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never waits. SQLITE_BUSY (another checkpoint
    // under way, e.g. a closing session's) is fine: the next large commit asks again.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    ++runs_;
  }
}

Result<std::unique_ptr<Connection>> connect_sqlite(const std::string& path,
                                                   std::chrono::milliseconds busy_timeout,
                                                   std::shared_ptr<WalCheckpointer> checkpointer) {
  // No memory statistics: they take a global mutex on every SQLite allocation, which showed up in
  // profiles of bulk loads and of concurrent reads. Only possible before SQLite initialises; a later
  // call (SQLITE_MISUSE) changes nothing, so the result is not checked.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  if (path != ":memory:") {
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return Error::Unavailable("cannot create the database folder " + parent.string());
  }
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

InsertWriter::InsertWriter(sqlite3* db, std::string table, std::span<const std::string> columns)
    : db_(db),
      table_(std::move(table)),
      columns_(columns.begin(), columns.end()),
      batch_rows_(std::clamp<std::size_t>(32766 / columns.size(), 1, kMaxBatchRows)),
      pending_(batch_rows_ * columns.size()) {}

Result<sqlite3_stmt*> InsertWriter::statement(Statement& slot, std::size_t rows) {
  if (slot) {
    sqlite3_reset(slot.get());
    return slot.get();
  }
  std::string sql = "INSERT INTO " + table_ + " (";
  std::string tuple = "(";
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    sql += (c > 0 ? ", " : "") + columns_[c];
    tuple += c > 0 ? ", ?" : "?";
  }
  tuple += ')';
  sql += ") VALUES ";
  for (std::size_t r = 0; r < rows; ++r) sql += (r > 0 ? ", " : "") + tuple;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare insert");
  slot.reset(stmt);
  return stmt;
}

Status InsertWriter::store(sqlite3_stmt* stmt, std::size_t first_row, std::size_t rows) {
  const std::size_t width = columns_.size();
  for (std::size_t i = 0; i < rows * width; ++i) {
    const Value& value = pending_[first_row * width + i];
    const int rc = SqliteConnection::bind(stmt, static_cast<int>(i + 1), value, SQLITE_STATIC);
    if (rc != SQLITE_OK) {
      sqlite3_clear_bindings(stmt);
      return sqlite_error(db_, rc, "bind");
    }
  }
  const int rc = sqlite3_step(stmt);
  Status status = OkStatus();
  if (rc != SQLITE_DONE) status = sqlite_error(db_, rc, "insert");
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return status;
}

Status InsertWriter::add(std::span<const Value> row) {
  if (finished_) return Error::Internal("insert: the load already ended");
  if (row.size() != columns_.size()) {
    return Error::BadRequest("insert: " + std::to_string(row.size()) + " values for " +
                             std::to_string(columns_.size()) + " columns");
  }
  // Copy-assigning keeps each buffered string's capacity from the batch before.
  std::copy(row.begin(), row.end(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_rows_ * row.size()));
  if (++pending_rows_ < batch_rows_) return OkStatus();
  pending_rows_ = 0;
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt, statement(batch_, batch_rows_));
  return store(stmt, 0, batch_rows_);
}

Status InsertWriter::finish() {
  if (finished_) return Error::Internal("insert: the load already ended");
  finished_ = true;
  for (std::size_t r = 0; r < pending_rows_; ++r) {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, statement(single_, 1));
    RETURN_IF_ERROR(store(stmt, r, 1));
  }
  pending_rows_ = 0;
  return OkStatus();
}

}  // namespace oeuvre::store
