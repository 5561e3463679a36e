#pragma once
// Restores a stored backup into the target database and the target's blobs folder, put in place only
// once the archive's final chunk has been authenticated and the archive matched its manifest (size,
// SHA-256, description, file count), so a damaged archive never touches the target. The archive is
// read once: a SQLite target is written beside the database and renamed over it; a PostgreSQL target
// is written by `psql --single-transaction`, which commits only when its input ends, and is killed
// (its transaction rolled back) on any failure before. Also the step that proves a backup
// (backup_verifier.h), into a scratch target.
// Thread-safety: one restore per target at a time; stop servers using the target first.

#include <cstdint>
#include <string>

#include "backup/backup_store.h"
#include "backup/backup_key.h"
#include "backup/restore_targets.h"
#include "core/result.h"
#include "store/database.h"

namespace oeuvre::backup {

struct RestoreRequest {
  std::string database_url;  // the target
  std::string blobs_dir;     // the target's VAR_DIR/uploads/blobs
  bool force = false;        // replace a target that holds tables
};

struct RestoreReport {
  std::int64_t tables = 0;
  std::int64_t rows = 0;
  std::int64_t files = 0;
};

// kNotFound for an unknown id; kBadRequest for a damaged archive or one that does not match its
// manifest; kConflict when the target holds tables and !force; kValidation when the target is of the
// other backend. The target is unchanged whenever the archive fails its check. After the restore the
// target's row counts are compared with the manifest's (kInternal when they differ).
Result<RestoreReport> restore_backup(const BackupStore& store, const std::string& id, const BackupKey& key,
                                     const RestoreRequest& request);

// Reads the archive of `manifest` into `database` and `files`, checks it against the manifest, then
// commits both; kBadRequest (nothing committed) for a damaged or mismatched archive.
Status read_archive_into(const std::string& archive_path, const BackupKey& key, const Manifest& manifest,
                         DatabaseTarget& database, FileTarget& files);

// Compares the row counts of the database at `database_url` with the manifest's; the tables and
// rows counted, or kInternal naming the first table that differs.
Result<RestoreReport> compare_row_counts(const std::string& database_url, const Manifest& manifest);

// One session on the database at `database_url` (either backend), outside any pool.
Result<std::unique_ptr<store::Connection>> connect_to(const std::string& database_url);

}  // namespace oeuvre::backup
