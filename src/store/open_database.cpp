#include "store/connection_pool.h"
#include "store/database_url.h"
#include "store/postgres/postgres_connection.h"
#include "store/sqlite/sqlite_connection.h"

namespace oeuvre::store {

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
    auto factory = [path = url.sqlite_path, busy, checkpointer]() {
      return connect_sqlite(path, busy, checkpointer);
    };
    return std::unique_ptr<Database>(
        std::make_unique<ConnectionPool>(Dialect::kSqlite, factory, size, options.wait_timeout));
  }
  auto factory = [conninfo = url.postgres_conninfo, timeout = options.wait_timeout]() {
    return connect_postgres(conninfo, timeout);
  };
  return std::unique_ptr<Database>(
      std::make_unique<ConnectionPool>(Dialect::kPostgres, factory, options.pool_size, options.wait_timeout));
}

}  // namespace oeuvre::store
