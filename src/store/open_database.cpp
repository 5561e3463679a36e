#include <mutex>

#include "observability/log.h"
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
  // The connection string in use; replaced when a re-read URL lets a refused connection in.
  struct Current {
    std::mutex mutex;
    std::string conninfo;
  };
  auto current = std::make_shared<Current>();
  current->conninfo = url.postgres_conninfo;
  auto connect = [current, reread = options.reread_url, timeout = options.wait_timeout]()
      -> Result<std::unique_ptr<Connection>> {
    std::string conninfo;
    {
      std::lock_guard lock(current->mutex);
      conninfo = current->conninfo;
    }
    auto conn = connect_postgres(conninfo, timeout);
    if (conn.ok() || !reread || conn.error().message().find("authentication failed") == std::string::npos) {
      return conn;
    }
    auto reread_url = reread();
    if (!reread_url.ok()) {
      obs::log_warn("cannot re-read DATABASE_URL after a refused login", {{"error", reread_url.error().message()}});
      return conn;
    }
    auto parsed = parse_database_url(*reread_url);
    if (!parsed.ok() || parsed->kind != DatabaseUrl::kPostgres || parsed->postgres_conninfo == conninfo) return conn;
    auto retried = connect_postgres(parsed->postgres_conninfo, timeout);
    if (retried.ok()) {
      std::lock_guard lock(current->mutex);
      current->conninfo = parsed->postgres_conninfo;
      obs::log_info("database credentials rotated: connected with the re-read DATABASE_URL");
    }
    return retried;
  };
  auto factory = [connect, metrics = options.metrics]() { return measured(connect(), metrics); };
  return std::unique_ptr<Database>(std::make_unique<ConnectionPool>(Dialect::kPostgres, factory, options.pool_size,
                                                                    options.wait_timeout, options.metrics));
}

}  // namespace oeuvre::store
