#pragma once
// SQL for the audit log: append-only. Runs on the caller's connection so an audit row commits or rolls
// back with the change it describes. Thread-safety: stateless.

#include <optional>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct AuditFilter {
  std::optional<Uuid> project_id;
  std::optional<Uuid> user_id;
  std::optional<std::string> resource_type;
  std::optional<std::string> resource_id;  // only together with resource_type
  std::optional<std::string> action;
};

class AuditRepository {
 public:
  static Status append(Connection& conn, const AuditEntry& entry);
  // Newest first.
  static Result<PageResult<AuditEntry>> list(Connection& conn, const AuditFilter& filter,
                                             const PageRequest& page);
};

}  // namespace oeuvre::store
