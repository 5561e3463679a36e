#pragma once
// Takes one full backup: the database frozen at one instant (database_snapshot.h) and the uploaded
// files that snapshot refers to, as one archive (archive_writer.h, payload.h) with its manifest,
// stored in a BackupStore (a directory or S3). The server keeps serving meanwhile.
// Thread-safety: one backup at a time per store (the schedule ensures it); the database may be
// in use by others.

#include <string>

#include "backup/backup_store.h"
#include "backup/backup_key.h"
#include "backup/manifest.h"
#include "core/result.h"

namespace oeuvre::backup {

struct BackupSource {
  std::string database_url;
  std::string blobs_dir;  // VAR_DIR/uploads/blobs: where the files table's storage keys point
};

// The new backup's manifest once archive and manifest are stored. On failure nothing is listed: the
// partial archive is removed.
Result<Manifest> create_backup(const BackupSource& source, const BackupKey& key, BackupStore& store);

// VAR_DIR/uploads/blobs, where the server keeps uploaded files.
std::string blobs_dir_of(const std::string& var_dir);

}  // namespace oeuvre::backup
