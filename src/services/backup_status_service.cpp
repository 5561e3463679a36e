#include "services/backup_status_service.h"

#include <filesystem>

#include "store/transaction.h"

namespace oeuvre::services {

Result<BackupStatusView> BackupStatusService::status(const security::Actor& actor) {
  RETURN_IF_ERROR(security::require_backup_status_access(actor));
  BackupStatusView view;
  view.backup_dir = backup_dir_;
  std::error_code ec;
  if (!backup_dir_.empty() && std::filesystem::is_directory(backup_dir_, ec)) {
    ASSIGN_OR_RETURN(backup::BackupDirectory directory, backup::BackupDirectory::open(backup_dir_));
    ASSIGN_OR_RETURN(view.backups, directory.list());
  }
  RETURN_IF_ERROR(store::with_connection(db_, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(view.last_success, store::BackupRunRepository::latest(conn, "completed"));
    ASSIGN_OR_RETURN(view.last_failure, store::BackupRunRepository::latest(conn, "failed"));
    return OkStatus();
  }));
  return view;
}

}  // namespace oeuvre::services
