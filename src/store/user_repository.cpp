#include "store/user_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kUserColumns =
    "id, email, password_hash, display_name, role, is_active, created_at, updated_at, "
    "token_version";

User user_from(const Row& r) {
  return User{uuid_at(r, 0),
              r.text(1),
              r.text(2),
              r.text(3),
              parse_role(r.text(4)).value_or(Role::kUser),
              r.boolean(5),
              timestamp_at(r, 6),
              timestamp_at(r, 7),
              r.integer(8)};
}

constexpr std::string_view kTokenColumns =
    "id, user_id, family_id, token_hash, expires_at, created_at, used_at, revoked_at";

RefreshToken token_from(const Row& r) {
  return RefreshToken{uuid_at(r, 0),       uuid_at(r, 1),       uuid_at(r, 2),
                      r.text(3),           timestamp_at(r, 4),  timestamp_at(r, 5),
                      optional_timestamp_at(r, 6), optional_timestamp_at(r, 7)};
}

Result<std::optional<User>> single_user(Result<ResultSet> rs) {
  if (!rs.ok()) return std::move(rs).error();
  if (rs->rows.empty()) return std::optional<User>{};
  return std::optional<User>(user_from(rs->rows.front()));
}

}  // namespace

Status UserRepository::insert(Connection& conn, const User& u) {
  const Value params[] = {param(u.id),      u.email,           u.password_hash,      u.display_name,
                          param(u.role),    u.is_active,       param(u.created_at), param(u.updated_at)};
  auto rs = conn.query(
      "INSERT INTO users (id, email, password_hash, display_name, role, is_active, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      params);
  if (!rs.ok()) {
    if (rs.error().code() == ErrorCode::kConflict) {
      return Error::Conflict("a user with this email already exists");
    }
    return std::move(rs).error();
  }
  return OkStatus();
}

Result<std::optional<User>> UserRepository::find_by_id(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  return single_user(
      conn.query("SELECT " + std::string(kUserColumns) + " FROM users WHERE id = $1", params));
}

Result<std::optional<User>> UserRepository::find_by_email(Connection& conn, std::string_view email) {
  const Value params[] = {std::string(email)};
  return single_user(conn.query(
      "SELECT " + std::string(kUserColumns) + " FROM users WHERE lower(email) = lower($1)", params));
}

Result<PageResult<User>> UserRepository::list(Connection& conn, const PageRequest& page) {
  return fetch_page<User>(conn, kUserColumns, "users", "", "created_at DESC, id DESC", {}, page, user_from);
}

Status UserRepository::update(Connection& conn, const User& u) {
  const Value params[] = {param(u.id), u.email,     u.password_hash,     u.display_name,
                          param(u.role), u.is_active, param(u.updated_at)};
  auto rs = conn.query(
      "UPDATE users SET email = $2, password_hash = $3, display_name = $4, role = $5, is_active = $6, "
      "updated_at = $7 WHERE id = $1",
      params);
  if (!rs.ok()) return std::move(rs).error();
  if (rs->affected_rows == 0) return Error::NotFound("user not found");
  return OkStatus();
}

Status UserRepository::revoke_access_tokens(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  ASSIGN_OR_RETURN(
      ResultSet rs,
      conn.query("UPDATE users SET token_version = token_version + 1 WHERE id = $1", params));
  if (rs.affected_rows == 0) return Error::NotFound("user not found");
  return OkStatus();
}

Result<std::int64_t> UserRepository::count_active_admins(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT count(*) FROM users WHERE role = 'admin' AND is_active", {}));
  return rs.rows.at(0).integer(0);
}

Status RefreshTokenRepository::insert(Connection& conn, const RefreshToken& t) {
  const Value params[] = {param(t.id),         param(t.user_id),    param(t.family_id), t.token_hash,
                          param(t.expires_at), param(t.created_at), param(t.used_at),   param(t.revoked_at)};
  auto rs = conn.query(
      "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, created_at, used_at, "
      "revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Result<std::optional<RefreshToken>> RefreshTokenRepository::find_by_hash(Connection& conn,
                                                                         std::string_view token_hash) {
  const Value params[] = {std::string(token_hash)};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(kTokenColumns) +
                                                " FROM refresh_tokens WHERE token_hash = $1",
                                            params));
  if (rs.rows.empty()) return std::optional<RefreshToken>{};
  return std::optional<RefreshToken>(token_from(rs.rows.front()));
}

Result<bool> RefreshTokenRepository::mark_used(Connection& conn, const Uuid& id, Timestamp at) {
  const Value params[] = {param(id), param(at)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL "
                              "AND revoked_at IS NULL",
                              params));
  return rs.affected_rows == 1;
}

Status RefreshTokenRepository::revoke_family(Connection& conn, const Uuid& family_id, Timestamp at) {
  const Value params[] = {param(family_id), param(at)};
  auto rs = conn.query(
      "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL", params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Status RefreshTokenRepository::revoke_all_for_user(Connection& conn, const Uuid& user_id, Timestamp at) {
  const Value params[] = {param(user_id), param(at)};
  auto rs = conn.query(
      "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

}  // namespace oeuvre::store
