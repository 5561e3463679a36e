#pragma once
// The one step every service takes before touching a project or anything under it: the project must
// be active and reachable under the policy (security/policy.h). Otherwise the caller is told
// "<what> not found" (404), the same for a foreign, archived-and-deleted or unknown project, so
// existence does not leak. Thread-safety: stateless; the connection is the caller's.

#include <string>

#include "core/result.h"
#include "core/uuid.h"
#include "security/policy.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::services {

// The active project `project_id` when `actor` may reach it; else kNotFound "<what> not found"
// (`what` names the object the caller asked for: "file" when a file's project is out of reach).
Result<store::Project> require_project(store::Connection& conn, const security::Actor& actor,
                                       const Uuid& project_id, const std::string& what = "project");

}  // namespace oeuvre::services
