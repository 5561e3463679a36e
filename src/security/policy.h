#pragma once
// The one authorization policy. Every handler that touches a project, or anything under it, asks here.
// A caller who may not see an object is told it does not exist (404), so existence does not leak.
// Thread-safety: stateless.

#include <string>

#include "core/result.h"
#include "core/statuses.h"
#include "core/uuid.h"

namespace oeuvre::security {

// The authenticated caller.
struct Actor {
  Uuid user_id;
  Role role = Role::kUser;
  bool is_admin() const { return role == Role::kAdmin; }
};

// A user reaches a project, and everything under it, only as its owner or as an admin.
bool can_access_project(const Actor& actor, const Uuid& project_owner_id);

// kNotFound ("<what> not found") unless can_access_project.
Status require_project_access(const Actor& actor, const Uuid& project_owner_id,
                              const std::string& what = "project");

// kForbidden unless the actor is an admin.
Status require_admin(const Actor& actor);

// The backups' status (GET /api/v1/admin/backups): admins only; anyone else is told it does not exist
// (kNotFound), as with any object they may not see.
Status require_backup_status_access(const Actor& actor);

// Admins, or the user themself.
bool can_access_user(const Actor& actor, const Uuid& user_id);

}  // namespace oeuvre::security
