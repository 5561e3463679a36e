#pragma once
// Proves a stored backup by restoring it: the archive is read back from the store (downloaded from
// S3), checked end to end against its manifest,
// restored into a scratch database (a temp SQLite file in the work directory, or a temp PostgreSQL
// database on the server named by `postgres_url`), its row counts compared with the manifest's and
// every file's SHA-256 with the restored files table; the scratch database is then dropped. The
// result is recorded in the backup's manifest.
// Thread-safety: one verification per backup at a time.

#include <string>

#include "backup/backup_store.h"
#include "backup/backup_key.h"
#include "backup/manifest.h"
#include "core/result.h"

namespace oeuvre::backup {

struct VerifySettings {
  // A PostgreSQL server (any database on it) where scratch databases may be created: needed for
  // backups of PostgreSQL; usually DATABASE_URL.
  std::string postgres_url;
};

// The verification as recorded (ok or not, with what failed). An error only when the backup does not
// exist or the result cannot be recorded.
Result<Verification> verify_backup(BackupStore& store, const std::string& id, const BackupKey& key,
                                   const VerifySettings& settings);

}  // namespace oeuvre::backup
