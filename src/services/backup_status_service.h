#pragma once
// What GET /api/v1/admin/backups shows: the backups in the backup store (size, duration, verification) and
// the last scheduled run that succeeded and that failed (from the backups table, any node).
// Thread-safety: safe for concurrent use.

#include <optional>
#include <string>
#include <vector>

#include <memory>

#include "backup/backup_store.h"
#include "core/result.h"
#include "security/policy.h"
#include "store/backup_run_repository.h"
#include "store/database.h"

namespace oeuvre::services {

struct BackupStatusView {
  std::string storage;  // where backups are kept ("" when none are configured)
  std::vector<backup::ListedBackup> backups;  // oldest first
  std::optional<store::BackupRun> last_success;
  std::optional<store::BackupRun> last_failure;
};

class BackupStatusService {
 public:
  // `store` null: no backups are configured (the listing is empty).
  BackupStatusService(store::Database& db, std::shared_ptr<backup::BackupStore> store)
      : db_(db), store_(std::move(store)) {}
  // kNotFound unless the actor is an admin (security::require_backup_status_access).
  Result<BackupStatusView> status(const security::Actor& actor);

 private:
  store::Database& db_;
  const std::shared_ptr<backup::BackupStore> store_;
};

}  // namespace oeuvre::services
