#include "backup/backup_verifier.h"

#include <filesystem>

#include "backup/archive_check.h"
#include "backup/backup_restorer.h"
#include "backup/restore_targets.h"
#include "security/crypto.h"
#include "store/database_url.h"
#include "store/postgres/pg_backup_tools.h"
#include "store/schema_inventory.h"

namespace oeuvre::backup {

namespace {

// A database to restore into and drop afterwards.
struct Scratch {
  std::string url;
  std::string sqlite_path;                                 // SQLite: the file to remove
  std::unique_ptr<store::PostgresScratchDatabase> postgres;  // PostgreSQL: dropped on destruction
  ~Scratch() {
    std::error_code ec;
    if (!sqlite_path.empty()) {
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(sqlite_path + suffix, ec);
    }
  }
};

Result<std::unique_ptr<Scratch>> make_scratch(const Manifest& manifest, const BackupStore& store,
                                              const VerifySettings& settings) {
  auto scratch = std::make_unique<Scratch>();
  if (manifest.source_kind == SourceKind::kSqlite) {
    ASSIGN_OR_RETURN(std::string random, security::random_bytes(6));
    scratch->sqlite_path = store.work_dir() + "/.verify-" + security::hex_encode(random) + ".sqlite3";
    scratch->url = "sqlite://" + scratch->sqlite_path;
    return scratch;
  }
  ASSIGN_OR_RETURN(store::DatabaseUrl url, store::parse_database_url(settings.postgres_url));
  if (url.kind != store::DatabaseUrl::kPostgres) {
    return Error::Validation("DATABASE_URL", "verifying a PostgreSQL backup needs a PostgreSQL server for the scratch database");
  }
  ASSIGN_OR_RETURN(scratch->postgres, store::PostgresScratchDatabase::create(url.postgres_conninfo));
  scratch->url = scratch->postgres->url();
  return scratch;
}

Status compare_files(const std::string& database_url, const FileHashes& hashes) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> conn, connect_to(database_url));
  ASSIGN_OR_RETURN(std::vector<store::StoredFileRef> files, store::list_stored_files(*conn));
  for (const store::StoredFileRef& file : files) {
    auto found = hashes.hashes().find(file.storage_key);
    if (found == hashes.hashes().end()) continue;  // deleted while the backup ran: counted as missing
    if (found->second != file.sha256) return Error::Internal("file " + file.storage_key + " differs from its checksum");
  }
  return OkStatus();
}

// Everything that can fail, as one status; the detail of a success.
Result<std::string> prove(BackupStore& store, const Manifest& manifest, const BackupKey& key,
                          const VerifySettings& settings) {
  ASSIGN_OR_RETURN(LocalArchive archive, store.fetch_archive(manifest.id));
  // One pass: the scratch database is thrown away, and read_archive_into checks the archive whole.
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> scratch, make_scratch(manifest, store, settings));
  ASSIGN_OR_RETURN(auto database, open_database_target(manifest.source_kind, scratch->url, false));
  FileHashes hashes;
  RETURN_IF_ERROR(read_archive_into(archive.path(), key, manifest, *database, hashes));
  ASSIGN_OR_RETURN(RestoreReport report, compare_row_counts(scratch->url, manifest));
  RETURN_IF_ERROR(compare_files(scratch->url, hashes));
  return "restored into a scratch database: " + std::to_string(report.tables) + " tables, " +
         std::to_string(report.rows) + " rows and " + std::to_string(hashes.hashes().size()) +
         " files match the manifest";
}

}  // namespace

Result<Verification> verify_backup(BackupStore& store, const std::string& id, const BackupKey& key,
                                   const VerifySettings& settings) {
  ASSIGN_OR_RETURN(Manifest manifest, store.read_manifest(id));
  const auto started = std::chrono::steady_clock::now();
  Verification verification;
  auto proven = prove(store, manifest, key, settings);
  verification.verified_at = now_utc();
  verification.ok = proven.ok();
  verification.detail = proven.ok() ? *proven : proven.error().message();
  verification.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  manifest.verification = verification;
  RETURN_IF_ERROR(store.write_manifest(manifest));
  return verification;
}

}  // namespace oeuvre::backup
