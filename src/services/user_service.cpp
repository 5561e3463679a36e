#include "services/user_service.h"

#include "services/audit_trail.h"
#include "services/views.h"
#include "store/transaction.h"
#include "store/user_repository.h"

namespace oeuvre::services {

Result<PageResult<store::User>> UserService::list(const security::Actor& actor,
                                                         const PageRequest& page) {
  RETURN_IF_ERROR(security::require_admin(actor));
  return store::with_connection(db_, [&](store::Connection& conn) { return store::UserRepository::list(conn, page); });
}

Result<store::User> UserService::get(const security::Actor& actor, const Uuid& id) {
  if (!security::can_access_user(actor, id)) return Error::NotFound("user not found");
  ASSIGN_OR_RETURN(std::optional<store::User> user, store::with_connection(db_, [&](store::Connection& conn) {
                     return store::UserRepository::find_by_id(conn, id);
                   }));
  if (!user) return Error::NotFound("user not found");
  return std::move(*user);
}

Result<store::User> UserService::update(const security::Actor& actor, const Uuid& id, const UserChanges& changes,
                                        const RequestMeta& meta) {
  RETURN_IF_ERROR(security::require_admin(actor));
  if (id == actor.user_id && ((changes.role && *changes.role != Role::kAdmin) || (changes.is_active && !*changes.is_active))) {
    return Error::Conflict("admins cannot demote or deactivate themselves; ask another admin");
  }
  auto updated = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::User> {
    ASSIGN_OR_RETURN(std::optional<store::User> found, store::UserRepository::find_by_id(conn, id));
    if (!found) return Error::NotFound("user not found");
    store::User user = *found;
    if (changes.display_name) user.display_name = *changes.display_name;
    if (changes.role) user.role = *changes.role;
    if (changes.is_active) user.is_active = *changes.is_active;
    if (user.display_name == found->display_name && user.role == found->role && user.is_active == found->is_active) {
      return user;  // nothing changes: no write, no audit row
    }
    user.updated_at = now_utc();
    RETURN_IF_ERROR(store::UserRepository::update(conn, user));
    if (!user.is_active && found->is_active) {
      RETURN_IF_ERROR(store::RefreshTokenRepository::revoke_all_for_user(conn, user.id, user.updated_at));
    }
    if (user.role != found->role || (!user.is_active && found->is_active)) {
      RETURN_IF_ERROR(store::UserRepository::revoke_access_tokens(conn, user.id));
    }
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, std::nullopt, "user.update", "user", user.id.to_string(),
                                  boost::json::value(to_json(*found)), boost::json::value(to_json(user))}));
    return user;
  });
  if (updated.ok()) reads_.user_changed(id);
  return updated;
}

}  // namespace oeuvre::services
