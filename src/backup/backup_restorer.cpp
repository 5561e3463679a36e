#include "backup/backup_restorer.h"

#include <fstream>

#include "backup/archive_check.h"
#include "backup/archive_reader.h"
#include "backup/payload.h"
#include "store/database_url.h"
#include "store/postgres/postgres_connection.h"
#include "store/schema_inventory.h"
#include "store/sqlite/sqlite_connection.h"

namespace oeuvre::backup {

namespace {

constexpr std::chrono::milliseconds kConnectTimeout{10'000};

constexpr std::size_t kMaxDescriptionBytes = 1 << 20;

// Reads every entry into its target; checks the description on the way and counts the files.
Status read_entries(PayloadReader& payload, const Manifest& manifest, DatabaseTarget& database, FileTarget& files,
                    std::int64_t& file_count) {
  const std::string_view database_entry =
      manifest.source_kind == SourceKind::kSqlite ? kSqliteDatabaseEntry : kPostgresDatabaseEntry;
  bool described = false;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<std::string> name, payload.next_entry());
    if (!name) {
      if (!described) return Error::BadRequest("the archive has no description entry");
      return OkStatus();
    }
    if (*name == database_entry) {
      RETURN_IF_ERROR(payload.read_entry([&](std::string_view piece) { return database.write(piece); }));
    } else if (name->starts_with(kFileEntryPrefix)) {
      RETURN_IF_ERROR(files.begin_file(name->substr(kFileEntryPrefix.size())));
      RETURN_IF_ERROR(payload.read_entry([&](std::string_view piece) { return files.write(piece); }));
      RETURN_IF_ERROR(files.end_file());
      ++file_count;
    } else if (*name == kDescriptionEntry) {
      ASSIGN_OR_RETURN(std::string text, payload.read_small_entry(kMaxDescriptionBytes));
      RETURN_IF_ERROR(check_description(text, manifest));
      described = true;
    } else {
      return Error::BadRequest("the archive holds an entry " + *name + " that does not belong to its kind");
    }
  }
}

}  // namespace

Status read_archive_into(const std::string& archive_path, const BackupKey& key, const Manifest& manifest,
                         DatabaseTarget& database, FileTarget& files) {
  std::ifstream in(archive_path, std::ios::binary);
  if (!in) return Error::NotFound("cannot open the archive " + archive_path);
  ASSIGN_OR_RETURN(std::unique_ptr<ArchiveReader> archive, ArchiveReader::open(in, key));
  if (archive->header().source_kind != manifest.source_kind) {
    return Error::BadRequest("the archive's source kind differs from its manifest's");
  }
  ASSIGN_OR_RETURN(PayloadReader payload, PayloadReader::open(*archive));
  std::int64_t file_count = 0;
  RETURN_IF_ERROR(read_entries(payload, manifest, database, files, file_count));
  // Every chunk up to the final one is authenticated and the archive is the one its manifest names:
  // only now is anything put in place.
  RETURN_IF_ERROR(check_archive_end(file_count, archive->archive_bytes(), archive->archive_sha256_hex(), manifest));
  RETURN_IF_ERROR(database.commit());
  return files.commit();
}

Result<std::unique_ptr<store::Connection>> connect_to(const std::string& database_url) {
  ASSIGN_OR_RETURN(store::DatabaseUrl url, store::parse_database_url(database_url));
  if (url.kind == store::DatabaseUrl::kSqlite) {
    ASSIGN_OR_RETURN(auto conn, store::connect_sqlite(url.sqlite_path, kConnectTimeout));
    // Counting scans every table once: no memory map of the whole file (it would count as resident).
    RETURN_IF_ERROR(conn->query("PRAGMA mmap_size=0", {}));
    return conn;
  }
  return store::connect_postgres(url.postgres_conninfo, kConnectTimeout);
}

Result<RestoreReport> compare_row_counts(const std::string& database_url, const Manifest& manifest) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> conn, connect_to(database_url));
  ASSIGN_OR_RETURN(std::vector<store::TableRowCount> counts, store::count_table_rows(*conn));
  RestoreReport report;
  if (counts.size() != manifest.row_counts.size()) {
    return Error::Internal("the restored database has " + std::to_string(counts.size()) + " tables, the manifest " +
                           std::to_string(manifest.row_counts.size()));
  }
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const store::TableRowCount& expected = manifest.row_counts[i];
    if (counts[i].table != expected.table || counts[i].rows != expected.rows) {
      return Error::Internal("table " + expected.table + ": the manifest says " + std::to_string(expected.rows) +
                             " rows, the restored database has " + std::to_string(counts[i].rows) + " in " +
                             counts[i].table);
    }
    ++report.tables;
    report.rows += counts[i].rows;
  }
  return report;
}

Result<RestoreReport> restore_backup(const BackupStore& store, const std::string& id, const BackupKey& key,
                                     const RestoreRequest& request) {
  ASSIGN_OR_RETURN(Manifest manifest, store.read_manifest(id));
  ASSIGN_OR_RETURN(LocalArchive archive, store.fetch_archive(id));
  // The archive is read once (read_archive_into): a SQLite target is written beside the database and
  // renamed into place, a PostgreSQL one is written by psql in one transaction that commits only when
  // its input ends; both only after the whole archive checked out. A failure before that kills psql,
  // so its transaction never commits.
  RETURN_IF_ERROR(check_target_kind(manifest.source_kind, request.database_url));
  ASSIGN_OR_RETURN(bool has_tables, database_has_tables(request.database_url));
  if (has_tables && !request.force) {
    return Error::Conflict("the target database is not empty: pass --force to replace what it holds");
  }
  ASSIGN_OR_RETURN(auto database, open_database_target(manifest.source_kind, request.database_url, has_tables));
  ASSIGN_OR_RETURN(auto files, open_blob_folder_target(request.blobs_dir));
  RETURN_IF_ERROR(read_archive_into(archive.path(), key, manifest, *database, *files));
  ASSIGN_OR_RETURN(RestoreReport report, compare_row_counts(request.database_url, manifest));
  report.files = manifest.file_count;
  return report;
}

}  // namespace oeuvre::backup
