#pragma once
// PostgreSQL backend of the storage seam, over libpq's C API. Parameters travel as text with no
// declared types (the server infers them from the statement), results come back as text, and bulk
// rows go in through COPY FROM STDIN (copy_writer.h). Errors are mapped in postgres_errors.h,
// values turned to text in postgres_values.h.

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "store/database.h"

struct pg_conn;  // libpq's PGconn

namespace oeuvre::store {

// Longest a single statement may run before the server cancels it (the query then fails with
// kUnavailable), so one stuck query cannot hold a worker forever.
inline constexpr std::chrono::milliseconds kDefaultStatementTimeout{30'000};

// One PostgreSQL session. Every session is set to client_encoding UTF8, TimeZone UTC, DateStyle ISO
// and the statement_timeout it was opened with.
//
// Errors: kConflict for unique (23505) and foreign-key (23503) violations, serialization failures
// (40001) and deadlocks (40P01), naming the constraint; kUnavailable when the server cannot be
// reached, went away (08xxx, 57P0x, a closed socket) or cancelled a statement (57014, e.g.
// statement_timeout); kBadRequest for a text value holding a NUL byte (PostgreSQL cannot store
// one); kInternal otherwise, with the server's primary message. Messages never contain the
// password, and never quote parameter values (data-exception messages, which quote the rejected
// input, have quoted text redacted).
//
// Thread-safety: not safe for concurrent use; one thread at a time (the pool ensures it).
class PostgresConnection final : public Connection {
 public:
  // Opens a session. `conninfo` is a postgres:// or postgresql:// URL (or a libpq key=value
  // string). connect_timeout is rounded up to whole seconds (at least 1) and bounds each connection
  // attempt (libpq applies it per host address). statement_timeout is clamped to at least 1 ms. TCP
  // keepalives are on (30 s idle, 3 probes 10 s apart) unless the URL says otherwise, so a silently
  // vanished server is noticed even while waiting for a reply. Safe for concurrent use.
  static Result<std::unique_ptr<PostgresConnection>> connect(
      const std::string& conninfo, std::chrono::milliseconds connect_timeout,
      std::chrono::milliseconds statement_timeout = kDefaultStatementTimeout);

  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs one statement as a named prepared statement of this session: the first run of an SQL text
  // prepares it (PQprepare), later runs only execute it (PQexecPrepared), so the server parses and
  // analyses each distinct statement once per session. At most kMaxPrepared texts are kept; the
  // least recently used is deallocated to make room (named statements live in the session: a
  // transaction-mode pooler such as PgBouncer before 1.21 in front of the server needs session
  // pooling). bool binds as "true"/"false", integers and doubles as decimal text (doubles
  // round-trip exactly), a date as its ISO text (which the server reads as the date; kBadRequest
  // outside kMinDate..kMaxDate), std::monostate as NULL. affected_rows is the count in the command
  // tag (rows returned for a SELECT), 0 when the command has none.
  Result<ResultSet> query(std::string_view sql, std::span<const Value> params) override;
  // PQsendQueryParams in single-row mode; a failing `visit` cancels the statement.
  Status query_each(std::string_view sql, std::span<const Value> params,
                    const std::function<Status(const Row&)>& visit) override;
  // Runs a parameterless multi-statement script in one round trip (PQexec); stops at the first
  // error. Deallocates the session's prepared statements first (a script may change the schema).
  Status execute_script(std::string_view sql) override;
  // BEGIN; `write` is unused (PostgreSQL locks per row).
  Status begin(bool write) override;
  // COMMIT. When an earlier statement of the transaction failed, the server would silently roll
  // back: this rolls back and returns kInternal instead, so the caller never mistakes it for a
  // commit.
  Status commit() override;
  // ROLLBACK; ok when no transaction is open.
  Status rollback() override;
  // "EXPLAIN " + sql with the same parameters: one string per plan line.
  Result<std::vector<std::string>> explain(std::string_view sql,
                                           std::span<const Value> params) override;
  // True when the session is connected and idle: not inside a transaction (open or failed), and the
  // server has neither announced it is closing the session nor closed the socket (pending input is
  // read without blocking to find out). A session handed back to the pool mid-transaction is
  // therefore dropped, as on SQLite.
  bool healthy() override;
  Dialect dialect() const override { return Dialect::kPostgres; }

  // Appends `rows` to `table` in one COPY ... FROM STDIN through bulk_writer(): all rows or none.
  // REQUIRES: `table` and every column match [a-z_][a-z0-9_]* (else kBadRequest, nothing is sent);
  // every row has columns.size() values (else kBadRequest, nothing is sent).
  Status copy_rows(std::string_view table, std::span<const std::string> columns,
                   const std::vector<std::vector<Value>>& rows);
  Status insert_rows(std::string_view table, std::span<const std::string> columns,
                     const std::vector<std::vector<Value>>& rows) override {
    return copy_rows(table, columns, rows);
  }
  Result<std::unique_ptr<BulkWriter>> bulk_writer(std::string_view table,
                                                  std::span<const std::string> columns) override;

 private:
  explicit PostgresConnection(pg_conn* conn) : conn_(conn) {}
  Status run_simple(const char* sql);
  // The name of the session's prepared statement for `sql`, preparing it when new.
  Result<std::string> prepared(const std::string& sql);
  // The type oids of `table`'s columns by name (cached per session; execute_script forgets them).
  Result<const std::unordered_map<std::string, unsigned>*> column_types(const std::string& table);

  static constexpr std::size_t kMaxPrepared = 256;
  struct Prepared {
    std::string name;
    std::uint64_t last_used = 0;
  };
  std::unordered_map<std::string, Prepared> prepared_;  // by SQL text
  std::uint64_t uses_ = 0;
  std::uint64_t next_name_ = 0;
  std::unordered_map<std::string, std::unordered_map<std::string, unsigned>> column_types_;  // by table

  pg_conn* conn_;  // owned; never null
  // Set by libpq's notice receiver when the server sends a FATAL outside a command (it is about to
  // close the session).
  bool server_closing_ = false;
};

// Opens one PostgreSQL session (see PostgresConnection::connect); the factory the pool uses.
// Errors: kUnavailable when the server cannot be reached or refuses the session (the message names
// the host and port, never the password). Safe for concurrent use: each call opens its own session.
Result<std::unique_ptr<Connection>> connect_postgres(
    const std::string& url, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds statement_timeout = kDefaultStatementTimeout);

}  // namespace oeuvre::store
