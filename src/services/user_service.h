#pragma once
// User administration (admins) and self-service reads. Safe for concurrent use.

#include <optional>

#include "security/policy.h"
#include "services/cached_reads.h"
#include "services/request_meta.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::services {

struct UserChanges {
  std::optional<std::string> display_name;
  std::optional<Role> role;
  std::optional<bool> is_active;
};

class UserService {
 public:
  UserService(store::Database& db, CachedReads& reads) : db_(db), reads_(reads) {}

  // REQUIRES: actor is an admin (checked).
  Result<PageResult<store::User>> list(const security::Actor& actor, const PageRequest& page);
  // Admins see anyone; a user sees only themself (others answer 404).
  Result<store::User> get(const security::Actor& actor, const Uuid& id);
  // Admins only. An admin cannot demote or deactivate themself (so the last admin cannot lock
  // everyone out). A role change or a deactivation revokes the user's access tokens issued before
  // it.
  Result<store::User> update(const security::Actor& actor, const Uuid& id,
                             const UserChanges& changes, const RequestMeta& meta);

 private:
  store::Database& db_;
  CachedReads& reads_;  // update invalidates authentication's copy of the user
};

}  // namespace oeuvre::services
