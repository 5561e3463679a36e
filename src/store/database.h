#pragma once
// The storage seam: a Connection runs parameterised SQL; a Database hands out pooled connections.
// SQL is written once, in the PostgreSQL dialect subset both engines understand ($1..$n placeholders,
// RETURNING, ON CONFLICT, LIMIT/OFFSET, true/false); the SQLite backend rewrites $N to ?N.
// Values cross the seam as text (PostgreSQL's text protocol), typed where SQLite needs them (dates:
// see Value).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace oeuvre::obs {
class Metrics;
}

namespace oeuvre::store {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter. std::monostate is SQL NULL. A std::chrono::sys_days is a calendar date: a
// `date` on PostgreSQL (binary in COPY, ISO text the server reads as a date as a parameter),
// 'YYYY-MM-DD' text on SQLite (so the text orders as the dates do); it must lie within
// kMinDate..kMaxDate (check_dates), else the statement or the row is refused with kBadRequest. Date
// columns read back as 'YYYY-MM-DD' text on both backends.
using Value =
    std::variant<std::monostate, std::int64_t, double, std::string, bool, std::chrono::sys_days>;

// The dates a Value may hold: four-digit years, which PostgreSQL and the 'YYYY-MM-DD' text both
// represent.
inline constexpr std::chrono::sys_days kMinDate{std::chrono::year{1} / 1 / 1};
inline constexpr std::chrono::sys_days kMaxDate{std::chrono::year{9999} / 12 / 31};
// Ok unless a date among `values` lies outside kMinDate..kMaxDate (kBadRequest). The backends check
// every statement's parameters and every bulk row with it before sending anything.
Status check_dates(std::span<const Value> values);

// One result row: every column as text or NULL.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const { return !cells_.at(i).has_value(); }
  // REQUIRES: i < size(). NULL reads as "" / 0 / false.
  const std::string& text(std::size_t i) const;
  std::optional<std::string> optional_text(std::size_t i) const { return cells_.at(i); }
  // The cell's text moved out (NULL reads as "" / nullopt); the cell reads as NULL afterwards. For
  // mapping a row into a value once, without copying its strings.
  std::string take_text(std::size_t i);
  std::optional<std::string> take_optional_text(std::size_t i);
  std::int64_t integer(std::size_t i) const;
  double real(std::size_t i) const;
  bool boolean(std::size_t i) const;  // accepts t/f, true/false, 1/0
  // For a backend streaming rows into one reused Row (Connection::query_each).
  std::vector<std::optional<std::string>>& mutable_cells() { return cells_; }

 private:
  std::vector<std::optional<std::string>> cells_;
};

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  std::int64_t affected_rows = 0;
};

// Appends rows to one table as they come, for loads too large to hold at once: a COPY stream on
// PostgreSQL (the server stores rows while the caller produces the next ones), multi-row INSERTs on
// SQLite (rows are buffered: the last few are stored by finish()). Rows are visible with the caller's
// transaction after finish(); a constraint violation may surface at add() or at finish(). Destroying a writer without
// finish() abandons the load (PostgreSQL: the COPY fails, so the transaction must roll back).
// Not safe for concurrent use; the connection may not run other statements until finish().
class BulkWriter {
 public:
  virtual ~BulkWriter() = default;
  // REQUIRES: row.size() equals the writer's column count (else kBadRequest). On PostgreSQL a
  // string with a NUL byte is kBadRequest (text cannot hold it); on both a date outside
  // kMinDate..kMaxDate is kBadRequest, with the row not taken.
  virtual Status add(std::span<const Value> row) = 0;
  // Ends the load: ok when every row was stored; kConflict on a constraint violation.
  virtual Status finish() = 0;
};

// A single database session. Not safe for concurrent use: one thread at a time (the pool ensures it).
class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one statement with bound parameters. Errors: kConflict for unique/foreign-key violations;
  // a store failure (Error::StoreFailure: kUnavailable with its StoreFault) when the store is busy,
  // unreachable, out of space, failing I/O, corrupt or read-only; kInternal otherwise. Messages are
  // the engine's own text (Error::FromStore): for logs, not for clients.
  virtual Result<ResultSet> query(std::string_view sql, std::span<const Value> params) = 0;
  // Runs a SELECT and hands each row to `visit` as it arrives, without holding the whole result
  // (PostgreSQL's single-row mode; SQLite steps its statement), for reads of a million rows. The Row
  // is reused between calls: copy what you keep. `visit` must not use this connection. An error from
  // `visit` stops the query (PostgreSQL: the statement is cancelled) and is returned.
  virtual Status query_each(std::string_view sql, std::span<const Value> params,
                            const std::function<Status(const Row&)>& visit) = 0;
  // Runs a script of several statements with no parameters (migrations).
  virtual Status execute_script(std::string_view sql) = 0;
  // Transaction control. begin(write=true) takes the write lock up front on SQLite (BEGIN IMMEDIATE).
  virtual Status begin(bool write) = 0;
  virtual Status commit() = 0;
  virtual Status rollback() = 0;
  // The query plan as one line per plan node (EXPLAIN / EXPLAIN QUERY PLAN), for index tests.
  virtual Result<std::vector<std::string>> explain(std::string_view sql,
                                                   std::span<const Value> params) = 0;
  // Appends `rows` to `table` within the caller's transaction (or as one statement batch): COPY on
  // PostgreSQL, one prepared INSERT stepped per row on SQLite. All rows or none when a transaction
  // is open. kBadRequest (nothing sent) unless `table` and every column match [a-z_][a-z0-9_]* and
  // every row has columns.size() values; kConflict on a constraint violation.
  virtual Status insert_rows(std::string_view table, std::span<const std::string> columns,
                             const std::vector<std::vector<Value>>& rows) = 0;
  // A BulkWriter for `table` (same identifier rules as insert_rows).
  virtual Result<std::unique_ptr<BulkWriter>> bulk_writer(std::string_view table,
                                                          std::span<const std::string> columns) = 0;
  // True when the session is still usable (the pool drops broken ones).
  virtual bool healthy() = 0;
  virtual Dialect dialect() const = 0;
};

class Database;

// A connection borrowed from a Database; returned on destruction.
class PooledConnection {
 public:
  PooledConnection(std::unique_ptr<Connection> conn, std::function<void(std::unique_ptr<Connection>)> release)
      : conn_(std::move(conn)), release_(std::move(release)) {}
  PooledConnection(PooledConnection&&) noexcept = default;
  PooledConnection& operator=(PooledConnection&&) noexcept = default;
  ~PooledConnection() {
    if (conn_ && release_) release_(std::move(conn_));
  }
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  std::unique_ptr<Connection> conn_;
  std::function<void(std::unique_ptr<Connection>)> release_;
};

// How a pool's connections are used right now (metrics).
struct PoolStats {
  int in_use = 0;  // borrowed
  int idle = 0;    // open, waiting to be borrowed
  int max = 0;     // the most it opens
};

// A pool of connections to one database. Safe for concurrent use.
class Database {
 public:
  virtual ~Database() = default;
  // Waits up to the pool's wait timeout for a free connection; kUnavailable when none comes in time
  // or the server cannot be reached.
  virtual Result<PooledConnection> acquire() = 0;
  virtual Dialect dialect() const = 0;
  // Readiness: borrows a connection (as acquire()) and runs a trivial statement on it. Ok when the
  // store answers; kUnavailable when no connection comes in time or the server cannot be reached,
  // the statement's error otherwise. Safe for concurrent use.
  virtual Status ping() = 0;
  // Closes idle connections and refuses new acquisitions (graceful shutdown).
  virtual void close() = 0;
  // The pool's use now (all zero for a Database that is no pool).
  virtual PoolStats pool_stats() const { return {}; }
};

// [a-z_][a-z0-9_]*, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1): safe to splice into SQL.
bool valid_identifier(std::string_view name);

// The checks insert_rows makes before sending anything: identifiers and row widths.
Status check_bulk_rows(std::string_view table, std::span<const std::string> columns,
                       const std::vector<std::vector<Value>>& rows);

// Opens a database from a URL: sqlite:///abs/path, sqlite://relative/path, postgres://..., postgresql://...
struct DatabaseOptions {
  std::string url;
  int pool_size = 8;
  std::chrono::milliseconds wait_timeout{2000};
  // PostgreSQL: when set and a new connection is refused authentication, the URL is read again
  // through this (a rotated password) and the connection retried once with it.
  std::function<Result<std::string>()> reread_url{};
  // When set, acquisitions' waits and every statement's time are measured into it
  // (oeuvre_db_pool_wait_seconds, oeuvre_db_query_duration_seconds). REQUIRES: outlives the database.
  obs::Metrics* metrics = nullptr;
};
Result<std::unique_ptr<Database>> open_database(const DatabaseOptions& options);

}  // namespace oeuvre::store
