#include "services/backup_status_service.h"

#include "store/transaction.h"

namespace oeuvre::services {

Result<BackupStatusView> BackupStatusService::status(const security::Actor& actor) {
  RETURN_IF_ERROR(security::require_backup_status_access(actor));
  BackupStatusView view;
  if (store_) {
    view.storage = store_->describe();
    ASSIGN_OR_RETURN(view.backups, store_->list());
  }
  RETURN_IF_ERROR(store::with_connection(db_, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(view.last_success, store::BackupRunRepository::latest(conn, "completed"));
    ASSIGN_OR_RETURN(view.last_failure, store::BackupRunRepository::latest(conn, "failed"));
    return OkStatus();
  }));
  return view;
}

}  // namespace oeuvre::services
