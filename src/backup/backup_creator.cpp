#include "backup/backup_creator.h"

#include <filesystem>
#include <fstream>

#include "backup/archive_writer.h"
#include "backup/database_snapshot.h"
#include "backup/payload.h"

namespace oeuvre::backup {

namespace {

namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Adds every file the snapshot refers to; a file deleted since the snapshot is counted as missing.
Status write_files(const DatabaseSnapshot& snapshot, const std::string& blobs_dir, PayloadWriter& payload,
                   Manifest& manifest) {
  for (const store::StoredFileRef& file : snapshot.files()) {
    const std::string name = std::string(kFileEntryPrefix) + file.storage_key;
    if (!valid_entry_name(name)) return Error::Internal("a stored file has an unexpected storage key");
    std::ifstream in(fs::path(blobs_dir) / file.storage_key, std::ios::binary);
    if (!in) {
      ++manifest.files_missing;
      continue;
    }
    RETURN_IF_ERROR(payload.add_entry(name, in));
    std::error_code ec;
    manifest.file_bytes += fs::file_size(fs::path(blobs_dir) / file.storage_key, ec);
    ++manifest.file_count;
  }
  return OkStatus();
}

Status write_archive(const BackupSource& source, const BackupKey& key, DatabaseSnapshot& snapshot,
                     std::ostream& out, Manifest& manifest) {
  ArchiveOptions options;
  options.source_kind = snapshot.kind();
  options.created_at = std::chrono::floor<std::chrono::seconds>(manifest.created_at);
  ASSIGN_OR_RETURN(std::unique_ptr<ArchiveWriter> archive, ArchiveWriter::start(out, key, options));
  ASSIGN_OR_RETURN(PayloadWriter payload, PayloadWriter::start(*archive));
  ASSIGN_OR_RETURN(DatabaseSnapshot::DatabaseEntry database, snapshot.write_database(payload));
  manifest.database_bytes = database.bytes;
  manifest.row_counts = std::move(database.row_counts);
  RETURN_IF_ERROR(write_files(snapshot, source.blobs_dir, payload, manifest));
  // What the archive holds, inside it (authenticated), last (the rows are counted as the database is
  // written): the manifest without the archive's own size and hash.
  RETURN_IF_ERROR(payload.begin_entry(kDescriptionEntry));
  RETURN_IF_ERROR(payload.write(manifest_to_json(manifest)));
  RETURN_IF_ERROR(payload.end_entry());
  RETURN_IF_ERROR(payload.finish());
  RETURN_IF_ERROR(archive->finish());
  manifest.archive_bytes = archive->archive_bytes();
  manifest.archive_sha256 = archive->archive_sha256_hex();
  return OkStatus();
}

}  // namespace

std::string blobs_dir_of(const std::string& var_dir) { return var_dir + "/uploads/blobs"; }

Result<Manifest> create_backup(const BackupSource& source, const BackupKey& key, BackupStore& store) {
  const auto started = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(store.prepare());
  Manifest manifest;
  manifest.created_at = now_utc();
  ASSIGN_OR_RETURN(manifest.id, make_backup_id(manifest.created_at));
  manifest.key_id = key.id_hex();
  ASSIGN_OR_RETURN(std::unique_ptr<DatabaseSnapshot> snapshot,
                   take_database_snapshot(source.database_url, store.work_dir()));
  manifest.source_kind = snapshot->kind();
  const std::string partial = store.partial_path(manifest.id);
  Status written = [&]() -> Status {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return Error::Unavailable("cannot create " + partial);
    return write_archive(source, key, *snapshot, out, manifest);
  }();
  snapshot.reset();  // ends the PostgreSQL snapshot, removes the SQLite copy
  if (written.ok()) {
    manifest.duration_seconds = seconds_since(started);
    written = store.commit(manifest);
  }
  if (!written.ok()) {
    std::error_code ec;
    fs::remove(partial, ec);
    return std::move(written).error();
  }
  return manifest;
}

}  // namespace oeuvre::backup
