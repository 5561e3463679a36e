#include "services/audit_service.h"

#include "store/project_repository.h"
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
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<PageResult<store::AuditEntry>> {
    ASSIGN_OR_RETURN(std::optional<store::Project> project, store::ProjectRepository::find_active(conn, project_id));
    if (!project) return Error::NotFound("project not found");
    RETURN_IF_ERROR(security::require_project_access(actor, project->owner_id));
    store::AuditFilter filter;
    filter.project_id = project_id;
    return store::AuditRepository::list(conn, filter, page);
  });
}

}  // namespace oeuvre::services
