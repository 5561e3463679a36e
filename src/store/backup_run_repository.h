#pragma once
// The backups table: one row per scheduled backup run (whichever node ran it), so nodes sharing one
// database take one backup per interval between them, and the status endpoint shows the last success
// and failure. The archives themselves live in BACKUP_DIR (backup/backup_directory.h).
// Thread-safety: functions of a Connection, used by one thread at a time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "core/uuid.h"
#include "store/database.h"

namespace oeuvre::store {

struct BackupRun {
  Uuid id;
  Timestamp started_at{};
  std::optional<Timestamp> finished_at;
  std::optional<std::int64_t> size_bytes;
  std::optional<std::string> sha256;
  std::string storage_key;  // the backup id in BACKUP_DIR ("" until known)
  std::string status;       // running | completed | failed
  std::optional<std::string> error;
};

class BackupRunRepository {
 public:
  // Claims this interval's backup for `run` (status running): false, with nothing written, when a
  // run started after `since` or (PostgreSQL) another node holds the claim lock at this moment.
  // REQUIRES: the caller's write transaction (the PostgreSQL lock is released at its end).
  static Result<bool> claim(Connection& conn, const BackupRun& run, Timestamp since);
  // Records how the run ended.
  static Status finish(Connection& conn, const BackupRun& run);
  // The newest run with `status`, if any.
  static Result<std::optional<BackupRun>> latest(Connection& conn, const std::string& status);
};

}  // namespace oeuvre::store
