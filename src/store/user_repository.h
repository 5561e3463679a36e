#pragma once
// SQL for users and their refresh tokens. Every function runs on the caller's connection (and so inside
// the caller's transaction, when there is one). Thread-safety: stateless.

#include <optional>
#include <string_view>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

class UserRepository {
 public:
  // kConflict when the email is taken (case-insensitively).
  static Status insert(Connection& conn, const User& user);
  static Result<std::optional<User>> find_by_id(Connection& conn, const Uuid& id);
  static Result<std::optional<User>> find_by_email(Connection& conn, std::string_view email);
  // Newest first.
  static Result<PageResult<User>> list(Connection& conn, const PageRequest& page);
  // Writes every mutable column of `user` (email, hash, name, role, is_active, updated_at), not
  // token_version.
  static Status update(Connection& conn, const User& user);
  // Increments the user's token_version, so access tokens issued before are refused.
  static Status revoke_access_tokens(Connection& conn, const Uuid& id);
  static Result<std::int64_t> count_active_admins(Connection& conn);
};

class RefreshTokenRepository {
 public:
  static Status insert(Connection& conn, const RefreshToken& token);
  static Result<std::optional<RefreshToken>> find_by_hash(Connection& conn, std::string_view token_hash);
  // Marks a token used; returns false when it was already used or revoked (a concurrent refresh won).
  static Result<bool> mark_used(Connection& conn, const Uuid& id, Timestamp at);
  static Status revoke_family(Connection& conn, const Uuid& family_id, Timestamp at);
  static Status revoke_all_for_user(Connection& conn, const Uuid& user_id, Timestamp at);
};

}  // namespace oeuvre::store
