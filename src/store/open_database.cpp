#include "store/connection_pool.h"
#include "store/database_url.h"
#include "store/measured_connection.h"
#include "store/postgres/postgres_connection.h"
#include "store/sqlite/sqlite_connection.h"

namespace oeuvre::store {

namespace {

// A new session, measured when there are metrics to measure it into.
template <class Session>
Result<std::unique_ptr<Connection>> measured(Result<Session> session, obs::Metrics* metrics) {
  if (!session.ok()) return std::move(session).error();
  std::unique_ptr<Connection> conn = std::move(session).value();
  if (metrics == nullptr) return conn;
  return measure_connection(std::move(conn), *metrics);
}

}  // namespace

Result<std::unique_ptr<Database>> open_database(const DatabaseOptions& options) {
  ASSIGN_OR_RETURN(DatabaseUrl url, parse_database_url(options.url));
  if (url.kind == DatabaseUrl::kSqlite) {
    // A private in-memory database exists once per connection: keep exactly one.
    const bool in_memory = url.sqlite_path == ":memory:";
    const int size = in_memory ? 1 : options.pool_size;
    const auto busy = options.wait_timeout;
    // Open one session now so a bad path fails at start, not at the first request (and the file is
    // in WAL mode before the checkpointer opens it).
    ASSIGN_OR_RETURN(auto probe, connect_sqlite(url.sqlite_path, busy));
    std::shared_ptr<WalCheckpointer> checkpointer;
    if (!in_memory) {
      ASSIGN_OR_RETURN(checkpointer, WalCheckpointer::start(url.sqlite_path));
    }
    probe.reset();
    auto factory = [path = url.sqlite_path, busy, checkpointer, metrics = options.metrics]() {
      return measured(connect_sqlite(path, busy, checkpointer), metrics);
    };
    return std::unique_ptr<Database>(
        std::make_unique<ConnectionPool>(Dialect::kSqlite, factory, size, options.wait_timeout, options.metrics));
  }
  auto factory = [conninfo = url.postgres_conninfo, timeout = options.wait_timeout, metrics = options.metrics]() {
    return measured(connect_postgres(conninfo, timeout), metrics);
  };
  return std::unique_ptr<Database>(std::make_unique<ConnectionPool>(Dialect::kPostgres, factory, options.pool_size,
                                                                    options.wait_timeout, options.metrics));
}

}  // namespace oeuvre::store
