#include "store/postgres/postgres_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include "store/postgres/copy_writer.h"
#include "store/postgres/postgres_errors.h"
#include "store/postgres/postgres_values.h"

namespace oeuvre::store {

using pg::check;
using pg::drain;
using pg::first_line;
using pg::has_nul;
using pg::pg_error;
using pg::PgResult;
using pg::value_text;

namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConn = std::unique_ptr<PGconn, ConnDeleter>;

// The protocol's limit on bound parameters.
constexpr std::size_t kMaxParams = 65535;

// NOTICEs and WARNINGs (e.g. "relation already exists, skipping") would otherwise go raw to stderr
// and break the one-JSON-object-per-line log format; none of them needs acting on. A FATAL or PANIC
// that arrives outside a command is the server saying why it is about to close the session
// (shutdown, admin termination, idle timeout): the session is marked so healthy() reports it at
// once.
void on_notice(void* closing_flag, const PGresult* res) {
  const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity == nullptr) return;
  const std::string_view level(severity);
  if (level == "FATAL" || level == "PANIC") *static_cast<bool*>(closing_flag) = true;
}

}  // namespace

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::connect(
    const std::string& conninfo, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds statement_timeout) {
  const auto timeout_seconds = std::max<std::int64_t>(1, (connect_timeout.count() + 999) / 1000);
  const std::string timeout_text = std::to_string(timeout_seconds);
  // Keywords before "dbname" are defaults the URL may override; those after it always apply.
  const char* keywords[] = {"application_name",    "keepalives",       "keepalives_idle",
                            "keepalives_interval", "keepalives_count", "dbname",
                            "connect_timeout",     "client_encoding",  nullptr};
  const char* values[] = {"oeuvre", "1",    "30", "10", "3", conninfo.c_str(), timeout_text.c_str(),
                          "UTF8",   nullptr};
  PgConn conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!conn) return Error::StoreFailure(StoreFault::kUnreachable, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Error::StoreFailure(StoreFault::kUnreachable, "cannot connect to PostgreSQL: " +
                              first_line(PQerrorMessage(conn.get())));
  }
  bool ignored = false;  // the session object does not exist yet; setup notices need no tracking
  PQsetNoticeReceiver(conn.get(), on_notice, &ignored);

  const auto statement_ms = std::max<std::int64_t>(1, statement_timeout.count());
  const std::string setup =
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET statement_timeout = " +
      std::to_string(statement_ms);
  PgResult res(PQexec(conn.get(), setup.c_str()));
  if (Status ok = check(conn.get(), res); !ok.ok()) {
    return Error::StoreFailure(StoreFault::kUnreachable,
                              "cannot set up the PostgreSQL session: " + ok.error().message());
  }
  std::unique_ptr<PostgresConnection> session(new PostgresConnection(conn.release()));
  PQsetNoticeReceiver(session->conn_, on_notice, &session->server_closing_);
  return session;
}

Result<std::unique_ptr<Connection>> connect_postgres(const std::string& url,
                                                     std::chrono::milliseconds connect_timeout,
                                                     std::chrono::milliseconds statement_timeout) {
  ASSIGN_OR_RETURN(auto conn, PostgresConnection::connect(url, connect_timeout, statement_timeout));
  return std::unique_ptr<Connection>(std::move(conn));
}

PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

namespace {

// A statement's parameters as libpq wants them: NUL-terminated texts, nullptr for NULL.
struct BoundParams {
  std::vector<std::string> texts;
  std::vector<const char*> values;
};

Result<BoundParams> bind_params(std::string_view sql, std::span<const Value> params) {
  if (sql.find('\0') != std::string_view::npos) return Error::Internal("the SQL text contains a NUL byte");
  if (params.size() > kMaxParams) {
    return Error::Internal("too many parameters (" + std::to_string(params.size()) + "); at most " +
                           std::to_string(kMaxParams));
  }
  RETURN_IF_ERROR(check_dates(params));
  BoundParams bound;
  bound.texts.resize(params.size());
  bound.values.assign(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (has_nul(params[i])) {
      return Error::BadRequest("text value $" + std::to_string(i + 1) + " contains a NUL byte, which cannot be stored");
    }
    if (!std::holds_alternative<std::monostate>(params[i])) bound.texts[i] = value_text(params[i]);
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!std::holds_alternative<std::monostate>(params[i])) bound.values[i] = bound.texts[i].c_str();
  }
  return bound;
}

}  // namespace

Result<std::string> PostgresConnection::prepared(const std::string& sql) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) {
    it->second.last_used = ++uses_;
    return it->second.name;
  }
  if (prepared_.size() >= kMaxPrepared) {
    auto oldest = std::min_element(prepared_.begin(), prepared_.end(), [](const auto& a, const auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    // Refused only inside a failed transaction: the statement then stays on the server, unused,
    // until the session ends (its name is never reused).
    PgResult freed(PQexec(conn_, ("DEALLOCATE " + oldest->second.name).c_str()));
    prepared_.erase(oldest);
  }
  std::string name = "oeuvre_" + std::to_string(++next_name_);
  PgResult res(PQprepare(conn_, name.c_str(), sql.c_str(), 0, /*paramTypes=*/nullptr));
  RETURN_IF_ERROR(check(conn_, res));
  prepared_.emplace(sql, Prepared{name, ++uses_});
  return name;
}

Result<ResultSet> PostgresConnection::query(std::string_view sql, std::span<const Value> params) {
  const std::string statement(sql);
  ASSIGN_OR_RETURN(BoundParams bound, bind_params(sql, params));
  const auto& values = bound.values;
  ASSIGN_OR_RETURN(std::string name, prepared(statement));

  PgResult res(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(),
                              /*paramLengths=*/nullptr, /*paramFormats=*/nullptr, /*resultFormat=text*/ 0));
  RETURN_IF_ERROR(check(conn_, res));

  ResultSet result;
  const int columns = PQnfields(res.get());
  const int rows = PQntuples(res.get());
  result.columns.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) result.columns.emplace_back(PQfname(res.get(), c));
  result.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>> cells;
    cells.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(res.get(), r, c)) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                       static_cast<std::size_t>(PQgetlength(res.get(), r, c))));
      }
    }
    result.rows.emplace_back(std::move(cells));
  }
  const std::string_view affected = PQcmdTuples(res.get());
  std::int64_t count = 0;
  if (!affected.empty()) std::from_chars(affected.data(), affected.data() + affected.size(), count);
  result.affected_rows = count;
  return result;
}

Status PostgresConnection::query_each(std::string_view sql, std::span<const Value> params,
                                      const std::function<Status(const Row&)>& visit) {
  const std::string statement(sql);
  ASSIGN_OR_RETURN(BoundParams bound, bind_params(sql, params));
  if (PQsendQueryParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr, bound.values.data(),
                        nullptr, nullptr, 0) == 0) {
    return pg_error(conn_, nullptr);
  }
  if (PQsetSingleRowMode(conn_) == 0) {
    drain(conn_);
    return Error::Internal("PostgreSQL: single-row mode could not be set");
  }
  Status outcome = OkStatus();
  bool cancelled = false;
  std::optional<Row> row;
  // Every result is read, whatever happens, so the session is idle again afterwards.
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult res(raw);
    const ExecStatusType status = PQresultStatus(res.get());
    if (status == PGRES_SINGLE_TUPLE) {
      if (!outcome.ok()) continue;
      const int columns = PQnfields(res.get());
      if (!row) row.emplace(std::vector<std::optional<std::string>>(static_cast<std::size_t>(columns)));
      auto& cells = row->mutable_cells();
      for (int c = 0; c < columns; ++c) {
        auto& cell = cells[static_cast<std::size_t>(c)];
        if (PQgetisnull(res.get(), 0, c)) {
          cell.reset();
          continue;
        }
        const char* text = PQgetvalue(res.get(), 0, c);
        const auto size = static_cast<std::size_t>(PQgetlength(res.get(), 0, c));
        if (cell) {
          cell->assign(text, size);  // keeps the string's buffer from row to row
        } else {
          cell.emplace(text, size);
        }
      }
      outcome = visit(*row);
      if (!outcome.ok() && !cancelled) {
        cancelled = true;
        if (PGcancel* cancel = PQgetCancel(conn_)) {
          char message[256];
          PQcancel(cancel, message, sizeof message);
          PQfreeCancel(cancel);
        }
      }
    } else if (status != PGRES_TUPLES_OK && outcome.ok()) {
      outcome = check(conn_, res);
    }
  }
  return outcome;
}

Status PostgresConnection::execute_script(std::string_view sql) {
  const std::string script(sql);
  if (script.find('\0') != std::string::npos) {
    return Error::Internal("the SQL script contains a NUL byte");
  }
  column_types_.clear();
  if (!prepared_.empty()) {
    PgResult freed(PQexec(conn_, "DEALLOCATE ALL"));
    RETURN_IF_ERROR(check(conn_, freed));
    prepared_.clear();
  }
  PgResult res(PQexec(conn_, script.c_str()));
  return check(conn_, res);
}

Status PostgresConnection::run_simple(const char* sql) {
  PgResult res(PQexec(conn_, sql));
  return check(conn_, res);
}

Status PostgresConnection::begin(bool /*write*/) { return run_simple("BEGIN"); }

Status PostgresConnection::commit() {
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    RETURN_IF_ERROR(run_simple("ROLLBACK"));
    return Error::Internal(
        "the transaction was rolled back, not committed: an earlier statement in it failed");
  }
  return run_simple("COMMIT");
}

Status PostgresConnection::rollback() {
  switch (PQtransactionStatus(conn_)) {
    case PQTRANS_IDLE:
      return OkStatus();  // nothing open
    case PQTRANS_UNKNOWN:
      return Error::StoreFailure(
          StoreFault::kUnreachable, "PostgreSQL connection lost; the server has discarded the open transaction");
    default:
      return run_simple("ROLLBACK");
  }
}

Result<std::vector<std::string>> PostgresConnection::explain(std::string_view sql,
                                                             std::span<const Value> params) {
  ASSIGN_OR_RETURN(ResultSet rs, query("EXPLAIN " + std::string(sql), params));
  std::vector<std::string> lines;
  lines.reserve(rs.rows.size());
  for (const auto& row : rs.rows) lines.push_back(row.text(0));
  return lines;
}

bool PostgresConnection::healthy() {
  if (server_closing_ || PQstatus(conn_) != CONNECTION_OK ||
      PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    return false;
  }
  // An idle session receives nothing unless the server is going away (a FATAL message, then EOF).
  // Read what is pending without blocking (libpq's socket is non-blocking) and let libpq parse it:
  // a FATAL reaches on_notice, which sets server_closing_; EOF makes the status CONNECTION_BAD.
  if (PQconsumeInput(conn_) == 0) return false;
  (void)PQisBusy(conn_);
  return !server_closing_ && PQstatus(conn_) == CONNECTION_OK;
}

Status PostgresConnection::copy_rows(std::string_view table, std::span<const std::string> columns,
                                     const std::vector<std::vector<Value>>& rows) {
  RETURN_IF_ERROR(check_bulk_rows(table, columns, rows));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (has_nul(rows[r][c])) {
        return Error::BadRequest("COPY: row " + std::to_string(r + 1) + ", column " + columns[c] +
                                 " contains a NUL byte, which cannot be stored");
      }
    }
  }
  if (rows.empty()) return OkStatus();
  ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> writer, bulk_writer(table, columns));
  for (const auto& row : rows) RETURN_IF_ERROR(writer->add(row));
  return writer->finish();
}

Result<const std::unordered_map<std::string, unsigned>*> PostgresConnection::column_types(const std::string& table) {
  if (auto it = column_types_.find(table); it != column_types_.end()) return &it->second;
  const Value params[] = {"\"" + table + "\""};
  ASSIGN_OR_RETURN(ResultSet rs, query("SELECT a.attname, a.atttypid FROM pg_attribute a WHERE a.attrelid = "
                                       "$1::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                                       params));
  std::unordered_map<std::string, unsigned> types;
  for (const auto& row : rs.rows) types.emplace(row.text(0), static_cast<unsigned>(row.integer(1)));
  return &column_types_.emplace(table, std::move(types)).first->second;
}

Result<std::unique_ptr<BulkWriter>> PostgresConnection::bulk_writer(std::string_view table,
                                                                    std::span<const std::string> columns) {
  RETURN_IF_ERROR(check_bulk_rows(table, columns, {}));
  ASSIGN_OR_RETURN(const auto* types, column_types(std::string(table)));
  return pg::start_copy(conn_, table, columns, *types);
}

}  // namespace oeuvre::store
