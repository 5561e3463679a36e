#pragma once
// Reading the audit log: everything for admins, a project's trail for those who may access it.

#include "security/policy.h"
#include "store/audit_repository.h"
#include "store/database.h"

namespace oeuvre::services {

class AuditService {
 public:
  explicit AuditService(store::Database& db) : db_(db) {}

  // Admins only.
  Result<PageResult<store::AuditEntry>> list(const security::Actor& actor, const store::AuditFilter& filter,
                                                    const PageRequest& page);
  // The project's owner or an admin; 404 otherwise.
  Result<PageResult<store::AuditEntry>> list_for_project(const security::Actor& actor, const Uuid& project_id,
                                                                const PageRequest& page);

 private:
  store::Database& db_;
};

}  // namespace oeuvre::services
