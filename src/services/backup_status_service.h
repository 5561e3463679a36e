#pragma once
// What GET /api/v1/admin/backups shows: the backups in BACKUP_DIR (size, duration, verification) and
// the last scheduled run that succeeded and that failed (from the backups table, any node).
// Thread-safety: safe for concurrent use.

#include <optional>
#include <string>
#include <vector>

#include "backup/backup_directory.h"
#include "core/result.h"
#include "security/policy.h"
#include "store/backup_run_repository.h"
#include "store/database.h"

namespace oeuvre::services {

struct BackupStatusView {
  std::string backup_dir;
  std::vector<backup::ListedBackup> backups;  // oldest first
  std::optional<store::BackupRun> last_success;
  std::optional<store::BackupRun> last_failure;
};

class BackupStatusService {
 public:
  // `backup_dir` empty: no backups are configured (the listing is empty).
  BackupStatusService(store::Database& db, std::string backup_dir) : db_(db), backup_dir_(std::move(backup_dir)) {}
  // kNotFound unless the actor is an admin (security::require_backup_status_access).
  Result<BackupStatusView> status(const security::Actor& actor);

 private:
  store::Database& db_;
  const std::string backup_dir_;
};

}  // namespace oeuvre::services
