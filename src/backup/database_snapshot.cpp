#include "backup/database_snapshot.h"

#include <filesystem>
#include <fstream>
#include <future>

#include "security/crypto.h"
#include "store/database_url.h"
#include "store/postgres/pg_backup_tools.h"
#include "store/postgres/plain_dump_rows.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_snapshot.h"

namespace oeuvre::backup {

namespace {

constexpr std::chrono::milliseconds kBusyTimeout{10'000};

class SqliteSnapshot final : public DatabaseSnapshot {
 public:
  explicit SqliteSnapshot(std::string copy_path) : copy_path_(std::move(copy_path)) {}
  ~SqliteSnapshot() override {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(copy_path_ + suffix, ec);
  }
  SourceKind kind() const override { return SourceKind::kSqlite; }

  Status read_inventory() {
    ASSIGN_OR_RETURN(auto conn, store::connect_sqlite(copy_path_, kBusyTimeout));
    ASSIGN_OR_RETURN(files_, store::list_stored_files(*conn));
    return OkStatus();
  }

  Result<DatabaseEntry> write_database(PayloadWriter& payload) override {
    // The count, on a connection of its own to the copy, runs beside the copy's way into the archive
    // (leaving early, the future's destructor waits for it).
    std::future<Result<std::vector<store::TableRowCount>>> counting =
        std::async(std::launch::async, [this] { return count_rows(); });
    Status written = [&]() -> Status {
      std::ifstream in(copy_path_, std::ios::binary);
      if (!in) return Error::Unavailable("cannot read the database copy " + copy_path_);
      return payload.add_entry(kSqliteDatabaseEntry, in);
    }();
    Result<std::vector<store::TableRowCount>> counted = counting.get();
    RETURN_IF_ERROR(written);
    if (!counted.ok()) return std::move(counted).error();
    std::error_code ec;
    return DatabaseEntry{static_cast<std::uint64_t>(std::filesystem::file_size(copy_path_, ec)),
                         std::move(counted).value()};
  }

 private:
  Result<std::vector<store::TableRowCount>> count_rows() const {
    ASSIGN_OR_RETURN(auto conn, store::connect_sqlite(copy_path_, kBusyTimeout));
    // Counting scans every table once: no memory map of the whole file (it would count as resident).
    RETURN_IF_ERROR(conn->query("PRAGMA mmap_size=0", {}));
    return store::count_table_rows(*conn);
  }

  std::string copy_path_;
};

class PostgresSnapshot final : public DatabaseSnapshot {
 public:
  PostgresSnapshot(std::string url, std::unique_ptr<store::PostgresExportedSnapshot> snapshot)
      : url_(std::move(url)), snapshot_(std::move(snapshot)) {}
  SourceKind kind() const override { return SourceKind::kPostgres; }

  Status read_inventory() {
    ASSIGN_OR_RETURN(files_, store::list_stored_files(snapshot_->connection()));
    ASSIGN_OR_RETURN(tables_, store::list_tables(snapshot_->connection()));
    return OkStatus();
  }

  Result<DatabaseEntry> write_database(PayloadWriter& payload) override {
    RETURN_IF_ERROR(payload.begin_entry(kPostgresDatabaseEntry));
    DatabaseEntry entry;
    store::PlainDumpRowCounter rows;
    RETURN_IF_ERROR(store::dump_postgres_database(url_, snapshot_->snapshot_id(), [&](std::string_view piece) {
      entry.bytes += piece.size();
      rows.feed(piece);
      return payload.write(piece);
    }));
    RETURN_IF_ERROR(payload.end_entry());
    ASSIGN_OR_RETURN(entry.row_counts, rows.finish(tables_));
    return entry;
  }

 private:
  std::string url_;
  std::vector<std::string> tables_;  // the schema's tables in the snapshot: the dump must hold each
  std::unique_ptr<store::PostgresExportedSnapshot> snapshot_;
};

Result<std::unique_ptr<DatabaseSnapshot>> take_sqlite_snapshot(const std::string& path,
                                                               const std::string& scratch_dir) {
  ASSIGN_OR_RETURN(std::string random, security::random_bytes(8));
  const std::string copy_path = scratch_dir + "/.snapshot-" + security::hex_encode(random) + ".sqlite3";
  auto snapshot = std::make_unique<SqliteSnapshot>(copy_path);  // removes the copy, whatever happens next
  RETURN_IF_ERROR(store::copy_sqlite_database(path, copy_path));
  RETURN_IF_ERROR(snapshot->read_inventory());
  return std::unique_ptr<DatabaseSnapshot>(std::move(snapshot));
}

}  // namespace

Result<std::unique_ptr<DatabaseSnapshot>> take_database_snapshot(const std::string& database_url,
                                                                 const std::string& scratch_dir) {
  ASSIGN_OR_RETURN(store::DatabaseUrl url, store::parse_database_url(database_url));
  if (url.kind == store::DatabaseUrl::kSqlite) {
    if (url.sqlite_path == ":memory:") return Error::Validation("DATABASE_URL", "an in-memory database cannot be backed up");
    return take_sqlite_snapshot(url.sqlite_path, scratch_dir);
  }
  ASSIGN_OR_RETURN(auto exported, store::PostgresExportedSnapshot::begin(url.postgres_conninfo));
  auto snapshot = std::make_unique<PostgresSnapshot>(url.postgres_conninfo, std::move(exported));
  RETURN_IF_ERROR(snapshot->read_inventory());
  return std::unique_ptr<DatabaseSnapshot>(std::move(snapshot));
}

}  // namespace oeuvre::backup
