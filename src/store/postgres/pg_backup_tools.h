#pragma once
// What backups need from PostgreSQL: a repeatable-read snapshot that pg_dump shares (so the dump, the
// row counts and the list of uploaded files all describe one instant), the dump itself (plain SQL
// from pg_dump, streamed), a restore through psql in one transaction, and throwaway databases for
// proving a backup by restoring it.
// Thread-safety: each object is used by one thread at a time.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/database.h"
#include "store/postgres/pg_client_program.h"

namespace oeuvre::store {

// An open READ ONLY REPEATABLE READ transaction on its own session, with its snapshot exported. The
// transaction stays open (holding the snapshot) until the object is destroyed.
class PostgresExportedSnapshot {
 public:
  static Result<std::unique_ptr<PostgresExportedSnapshot>> begin(const std::string& url);
  ~PostgresExportedSnapshot();
  // The session, for reads inside the snapshot.
  Connection& connection() { return *conn_; }
  const std::string& snapshot_id() const { return snapshot_id_; }

 private:
  PostgresExportedSnapshot(std::unique_ptr<Connection> conn, std::string id)
      : conn_(std::move(conn)), snapshot_id_(std::move(id)) {}
  std::unique_ptr<Connection> conn_;
  std::string snapshot_id_;
};

// Runs pg_dump (plain SQL, no owners or privileges, so it restores into any empty database) on `url`
// at `snapshot_id`, handing its output to `sink` piece by piece. kUnavailable when pg_dump fails.
Status dump_postgres_database(const std::string& url, const std::string& snapshot_id,
                              const std::function<Status(std::string_view)>& sink);

// Starts psql on `url` reading SQL from its input in one transaction that stops at the first error;
// with `replace_schema`, the public schema is dropped and created again first, in the same
// transaction. Write the dump to it, then finish() (commit) or kill() (nothing changes).
Result<std::unique_ptr<PgClientProgram>> start_postgres_restore(const std::string& url, bool replace_schema);

// A new empty database on the server of `url`, named oeuvre_scratch_<random hex>, dropped (with any
// session still on it) when the object is destroyed. Needs the CREATEDB privilege.
class PostgresScratchDatabase {
 public:
  static Result<std::unique_ptr<PostgresScratchDatabase>> create(const std::string& url);
  ~PostgresScratchDatabase();
  // A postgres:// URL of the new database.
  const std::string& url() const { return url_; }

 private:
  PostgresScratchDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace oeuvre::store
