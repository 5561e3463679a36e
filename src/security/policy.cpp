#include "security/policy.h"

namespace oeuvre::security {

bool can_access_project(const Actor& actor, const Uuid& project_owner_id) {
  return actor.is_admin() || actor.user_id == project_owner_id;
}

Status require_project_access(const Actor& actor, const Uuid& project_owner_id, const std::string& what) {
  if (can_access_project(actor, project_owner_id)) return OkStatus();
  return Error::NotFound(what + " not found");
}

Status require_admin(const Actor& actor) {
  if (actor.is_admin()) return OkStatus();
  return Error::Forbidden("this action needs the admin role");
}

Status require_backup_status_access(const Actor& actor) {
  if (actor.is_admin()) return OkStatus();
  return Error::NotFound("not found");
}

bool can_access_user(const Actor& actor, const Uuid& user_id) {
  return actor.is_admin() || actor.user_id == user_id;
}

}  // namespace oeuvre::security
