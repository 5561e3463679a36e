#include "store/postgres/pg_backup_tools.h"

#include <array>

#include "security/crypto.h"
#include "store/database_url.h"
#include "store/postgres/postgres_connection.h"

namespace oeuvre::store {

namespace {

constexpr std::chrono::milliseconds kConnectTimeout{10'000};
// A dump of a large database may take hours; the snapshot session only waits meanwhile.
constexpr std::chrono::milliseconds kLongStatementTimeout{24 * 3600 * 1000};

}  // namespace

Result<std::unique_ptr<PostgresExportedSnapshot>> PostgresExportedSnapshot::begin(const std::string& url) {
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, connect_postgres(url, kConnectTimeout, kLongStatementTimeout));
  RETURN_IF_ERROR(conn->execute_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  ASSIGN_OR_RETURN(ResultSet set, conn->query("SELECT pg_export_snapshot()", {}));
  std::string id = set.rows.at(0).take_text(0);
  return std::unique_ptr<PostgresExportedSnapshot>(new PostgresExportedSnapshot(std::move(conn), std::move(id)));
}

PostgresExportedSnapshot::~PostgresExportedSnapshot() { (void)conn_->rollback(); }

Status dump_postgres_database(const std::string& url, const std::string& snapshot_id,
                              const std::function<Status(std::string_view)>& sink) {
  ASSIGN_OR_RETURN(auto dump, PgClientProgram::start(url, "pg_dump",
                                                     {"--format=plain", "--no-owner", "--no-privileges",
                                                      "--no-password", "--snapshot=" + snapshot_id},
                                                     PgClientProgram::Pipe::kReadOutput));
  std::array<char, 64 * 1024> buffer{};
  while (true) {
    ASSIGN_OR_RETURN(std::size_t n, dump->read(buffer));
    if (n == 0) break;
    if (Status sent = sink(std::string_view(buffer.data(), n)); !sent.ok()) {
      dump->kill();
      return sent;
    }
  }
  return dump->finish();
}

Result<std::unique_ptr<PgClientProgram>> start_postgres_restore(const std::string& url, bool replace_schema) {
  ASSIGN_OR_RETURN(auto psql, PgClientProgram::start(url, "psql",
                                                     {"--no-psqlrc", "--quiet", "--no-password",
                                                      "--single-transaction", "--set=ON_ERROR_STOP=1",
                                                      "--file=-"},
                                                     PgClientProgram::Pipe::kWriteInput));
  if (replace_schema) RETURN_IF_ERROR(psql->write("DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"));
  return psql;
}

Result<std::unique_ptr<PostgresScratchDatabase>> PostgresScratchDatabase::create(const std::string& url) {
  ASSIGN_OR_RETURN(std::string random, security::random_bytes(8));
  const std::string name = "oeuvre_scratch_" + security::hex_encode(random);
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> admin, connect_postgres(url, kConnectTimeout, kLongStatementTimeout));
  // A database name cannot be a parameter; this one is generated: "oeuvre_scratch_" and hex digits.
  RETURN_IF_ERROR(admin->execute_script("CREATE DATABASE " + name));
  return std::unique_ptr<PostgresScratchDatabase>(
      new PostgresScratchDatabase(url, name, postgres_url_with_database(url, name)));
}

PostgresScratchDatabase::~PostgresScratchDatabase() {
  auto admin = connect_postgres(admin_url_, kConnectTimeout, kLongStatementTimeout);
  if (admin.ok()) (void)(*admin)->execute_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

}  // namespace oeuvre::store
