#include "services/audit_service.h"

#include "services/project_access.h"
#include "store/transaction.h"

namespace oeuvre::services {

Result<PageResult<store::AuditEntry>> AuditService::list(const security::Actor& actor,
                                                                const store::AuditFilter& filter,
                                                                const PageRequest& page) {
  RETURN_IF_ERROR(security::require_admin(actor));
  return store::with_connection(db_, [&](store::Connection& conn) { return store::AuditRepository::list(conn, filter, page); });
}

Result<PageResult<store::AuditEntry>> AuditService::list_for_project(const security::Actor& actor,
                                                                            const Uuid& project_id,
                                                                            const PageRequest& page) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<PageResult<store::AuditEntry>> {
        RETURN_IF_ERROR(require_project(conn, actor, project_id));
        store::AuditFilter filter;
        filter.project_id = project_id;
        return store::AuditRepository::list(conn, filter, page);
      });
}

}  // namespace oeuvre::services
