#include "services/auth_service.h"

#include "core/utf8.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "security/crypto.h"
#include "security/jwt.h"
#include "services/audit_trail.h"
#include "services/views.h"
#include "store/transaction.h"
#include "store/user_repository.h"

namespace oeuvre::services {

namespace {

std::int64_t epoch_seconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Error invalid_credentials() { return Error::Unauthenticated("invalid email or password"); }

}  // namespace

AuthService::AuthService(store::Database& db, AuthSettings settings, obs::Metrics& metrics, CachedReads& reads)
    : db_(db),
      reads_(reads),
      settings_(std::move(settings)),
      jwt_keys_(settings_.jwt_keys ? settings_.jwt_keys : std::make_shared<security::JwtKeyring>(settings_.jwt_secret)),
      metrics_(metrics),
      hasher_(settings_.password_cost, settings_.password_hash_concurrency),
      limiter_(settings_.login_limits),
      registrations_(settings_.registrations_per_address_per_hour, std::chrono::hours(1)) {
  auto seed = security::random_token(16);
  auto dummy = hasher_.hash(seed.ok() ? *seed : std::string("timing-equaliser"));
  if (dummy.ok()) dummy_hash_ = std::move(dummy).value();
}

Status AuthService::check_registration_allowed() const {
  if (!settings_.allow_registration) return Error::Forbidden("self-registration is disabled on this server");
  return OkStatus();
}

Result<std::optional<store::User>> AuthService::register_user(const NewUser& user,
                                                              const RequestMeta& meta) {
  RETURN_IF_ERROR(check_registration_allowed());
  if (auto wait = registrations_.try_acquire(meta.ip)) {
    metrics_.count_auth_event("register_rate_limited");
    return Error(ErrorCode::kRateLimited,
                 "too many registrations from this address; try again in " + std::to_string(*wait) +
                     " seconds")
        .with_retry_after(*wait);
  }
  NewUser plain = user;
  plain.role = Role::kUser;
  auto created = create_user(plain, std::nullopt, meta);  // hashes before it finds the email taken
  if (created.ok()) return std::optional<store::User>(std::move(created).value());
  if (created.error().code() != ErrorCode::kConflict) return std::move(created).error();
  metrics_.count_auth_event("register_existing");
  return std::optional<store::User>{};
}

Result<store::User> AuthService::create_user(const NewUser& input, const std::optional<Uuid>& actor,
                                              const RequestMeta& meta) {
  RETURN_IF_ERROR(security::validate_password_strength(input.password, input.email));
  ASSIGN_OR_RETURN(std::string hash, hasher_.hash(input.password));
  store::User user;
  user.id = Uuid::generate_v4();
  user.email = input.email;
  user.password_hash = std::move(hash);
  user.display_name = input.display_name;
  user.role = input.role;
  user.is_active = true;
  user.created_at = user.updated_at = now_utc();
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::User> {
    RETURN_IF_ERROR(store::UserRepository::insert(conn, user));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor ? actor : std::optional<Uuid>(user.id), std::nullopt,
                                  actor ? "user.create" : "user.register", "user", user.id.to_string(),
                                  std::nullopt, boost::json::value(to_json(user))}));
    return user;
  });
}

Result<TokenPair> AuthService::issue_tokens(store::Connection& conn, const store::User& user,
                                            const Uuid& family_id) {
  const Timestamp now = now_utc();
  security::AccessClaims claims;
  claims.sub = user.id.to_string();
  claims.role = std::string(to_string(user.role));
  claims.iat = epoch_seconds(now);
  claims.exp = claims.iat + settings_.access_ttl.count();
  claims.jti = Uuid::generate_v4().to_string();
  claims.ver = user.token_version;
  TokenPair pair;
  pair.access_token = jwt_keys_->sign(claims);
  pair.expires_in = settings_.access_ttl.count();
  ASSIGN_OR_RETURN(pair.refresh_token, security::random_token(32));
  pair.refresh_expires_in = settings_.refresh_ttl.count();
  store::RefreshToken row;
  row.id = Uuid::generate_v4();
  row.user_id = user.id;
  row.family_id = family_id;
  row.token_hash = security::sha256_hex(pair.refresh_token);
  row.created_at = now;
  row.expires_at = now + std::chrono::duration_cast<std::chrono::microseconds>(settings_.refresh_ttl);
  RETURN_IF_ERROR(store::RefreshTokenRepository::insert(conn, row));
  return pair;
}

Result<TokenPair> AuthService::login(const std::string& email, const std::string& password,
                                     const RequestMeta& meta) {
  const std::string account = ascii_lowercase(email);
  RETURN_IF_ERROR(check_lockout(account, meta, "failed logins"));
  ASSIGN_OR_RETURN(std::optional<store::User> found, store::with_connection(db_, [&](store::Connection& conn) {
                     return store::UserRepository::find_by_email(conn, email);
                   }));
  bool ok = false;
  if (found) {
    ok = hasher_.verify(password, found->password_hash) && found->is_active;
  } else {
    (void)hasher_.verify(password, dummy_hash_);  // same cost as a real check
  }
  if (!ok) {
    std::optional<Uuid> user_id = found ? std::optional<Uuid>(found->id) : std::nullopt;
    record_wrong_password(account, user_id, meta);
    metrics_.count_auth_event("login_failed");
    auto audited = store::with_connection(db_, [&](store::Connection& conn) {
      return record_audit(conn, meta,
                          {user_id, std::nullopt, "auth.login_failed", "session", "", std::nullopt,
                           boost::json::value(boost::json::object{{"email", to_valid_utf8(email, 254)}})});
    });
    if (!audited.ok()) return std::move(audited).error();
    return invalid_credentials();
  }
  limiter_.record_success(account, meta.ip);
  store::User user = std::move(*found);
  bool rehashed = false;
  if (hasher_.needs_rehash(user.password_hash)) {
    if (auto fresh = hasher_.hash(password); fresh.ok()) {
      user.password_hash = std::move(fresh).value();
      rehashed = true;
    }
  }
  auto pair = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<TokenPair> {
    if (rehashed) RETURN_IF_ERROR(store::UserRepository::update(conn, user));
    ASSIGN_OR_RETURN(TokenPair tokens, issue_tokens(conn, user, Uuid::generate_v4()));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {user.id, std::nullopt, "auth.login", "session", user.id.to_string(),
                                  std::nullopt, std::nullopt}));
    return tokens;
  });
  if (pair.ok()) metrics_.count_auth_event("login_ok");
  return pair;
}

Result<TokenPair> AuthService::refresh(const std::string& refresh_token, const RequestMeta& meta) {
  const std::string hash = security::sha256_hex(refresh_token);
  // nullopt: the token was reused; its family is revoked (committed) and the caller gets 401.
  auto outcome = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<std::optional<TokenPair>> {
    ASSIGN_OR_RETURN(std::optional<store::RefreshToken> token,
                     store::RefreshTokenRepository::find_by_hash(conn, hash));
    if (!token) return Error::Unauthenticated("the refresh token is not valid");
    const Timestamp now = now_utc();
    auto revoke_family = [&]() -> Result<std::optional<TokenPair>> {
      RETURN_IF_ERROR(store::RefreshTokenRepository::revoke_family(conn, token->family_id, now));
      RETURN_IF_ERROR(record_audit(conn, meta,
                                   {token->user_id, std::nullopt, "auth.refresh_reuse_detected", "session",
                                    token->family_id.to_string(), std::nullopt, std::nullopt}));
      return std::optional<TokenPair>{};
    };
    if (token->used_at || token->revoked_at) return revoke_family();
    if (token->expires_at <= now) return Error::Unauthenticated("the refresh token has expired; log in again");
    ASSIGN_OR_RETURN(std::optional<store::User> user, store::UserRepository::find_by_id(conn, token->user_id));
    if (!user || !user->is_active) return Error::Unauthenticated("the account is not active");
    ASSIGN_OR_RETURN(bool marked, store::RefreshTokenRepository::mark_used(conn, token->id, now));
    if (!marked) return revoke_family();
    ASSIGN_OR_RETURN(TokenPair pair, issue_tokens(conn, *user, token->family_id));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {user->id, std::nullopt, "auth.refresh", "session", token->family_id.to_string(),
                                  std::nullopt, std::nullopt}));
    return std::optional<TokenPair>(std::move(pair));
  });
  if (!outcome.ok()) return std::move(outcome).error();
  if (!*outcome) {
    metrics_.count_auth_event("refresh_reuse");
    obs::log_warn("refresh token reuse detected; session family revoked");
    return Error::Unauthenticated("the refresh token was already used; every session of this login is revoked");
  }
  metrics_.count_auth_event("refresh_ok");
  return std::move(**outcome);
}

Status AuthService::logout(const security::Actor& actor, const std::optional<std::string>& refresh_token,
                           const RequestMeta& meta) {
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    const Timestamp now = now_utc();
    std::string resource;
    if (refresh_token) {
      ASSIGN_OR_RETURN(std::optional<store::RefreshToken> token,
                       session_of(conn, actor, *refresh_token));
      if (!token) return Error::Validation("refresh_token", "is not a session of this user");
      RETURN_IF_ERROR(store::RefreshTokenRepository::revoke_family(conn, token->family_id, now));
      resource = token->family_id.to_string();
    } else {
      RETURN_IF_ERROR(store::RefreshTokenRepository::revoke_all_for_user(conn, actor.user_id, now));
    }
    return record_audit(conn, meta,
                        {actor.user_id, std::nullopt, refresh_token ? "auth.logout" : "auth.logout_all",
                         "session", resource, std::nullopt, std::nullopt});
  });
}

Status AuthService::logout_cookie_session(const security::Actor& actor,
                                          const std::optional<std::string>& refresh_token,
                                          const RequestMeta& meta) {
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    std::string resource;
    if (refresh_token) {
      ASSIGN_OR_RETURN(std::optional<store::RefreshToken> token,
                       session_of(conn, actor, *refresh_token));
      if (token) {
        RETURN_IF_ERROR(
            store::RefreshTokenRepository::revoke_family(conn, token->family_id, now_utc()));
        resource = token->family_id.to_string();
      }
    }
    return record_audit(conn, meta,
                        {actor.user_id, std::nullopt, "auth.logout", "session", resource,
                         std::nullopt, std::nullopt});
  });
}

Result<std::optional<store::RefreshToken>> AuthService::session_of(
    store::Connection& conn, const security::Actor& actor, const std::string& refresh_token) {
  ASSIGN_OR_RETURN(
      std::optional<store::RefreshToken> token,
      store::RefreshTokenRepository::find_by_hash(conn, security::sha256_hex(refresh_token)));
  if (!token || token->user_id != actor.user_id) return std::optional<store::RefreshToken>{};
  return token;
}

Status AuthService::change_password(const security::Actor& actor, const std::string& current_password,
                                    const std::string& new_password, const RequestMeta& meta) {
  ASSIGN_OR_RETURN(std::optional<store::User> found, store::with_connection(db_, [&](store::Connection& conn) {
                     return store::UserRepository::find_by_id(conn, actor.user_id);
                   }));
  if (!found || !found->is_active) return Error::Unauthenticated("the account is not active");
  // Wrong current passwords count as failed logins, so a stolen access token is no guessing oracle.
  const std::string account = ascii_lowercase(found->email);
  RETURN_IF_ERROR(check_lockout(account, meta, "wrong passwords"));
  if (!hasher_.verify(current_password, found->password_hash)) {
    record_wrong_password(account, found->id, meta);
    metrics_.count_auth_event("password_check_failed");
    return Error::Validation("current_password", "is not correct");
  }
  if (new_password == current_password) {
    return Error::Validation("new_password", "must differ from the current password");
  }
  if (auto strong = security::validate_password_strength(new_password, found->email);
      !strong.ok()) {
    return Error::Validation("new_password", strong.error().field_errors().empty()
                                                 ? strong.error().message()
                                                 : strong.error().field_errors().front().message);
  }
  ASSIGN_OR_RETURN(std::string hash, hasher_.hash(new_password));
  store::User user = std::move(*found);
  user.password_hash = std::move(hash);
  user.updated_at = now_utc();
  Status changed = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    RETURN_IF_ERROR(store::UserRepository::update(conn, user));
    RETURN_IF_ERROR(store::UserRepository::revoke_access_tokens(conn, user.id));
    RETURN_IF_ERROR(store::RefreshTokenRepository::revoke_all_for_user(conn, user.id, user.updated_at));
    return record_audit(conn, meta,
                        {user.id, std::nullopt, "auth.password_changed", "user", user.id.to_string(),
                         std::nullopt, std::nullopt});
  });
  if (changed.ok()) reads_.user_changed(user.id);
  return changed;
}

Status AuthService::unlock(const security::Actor& actor, const Uuid& user_id,
                           const RequestMeta& meta) {
  RETURN_IF_ERROR(security::require_admin(actor));
  return store::with_connection(db_, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::User> user,
                     store::UserRepository::find_by_id(conn, user_id));
    if (!user) return Error::NotFound("user not found");
    limiter_.unlock_account(ascii_lowercase(user->email));
    obs::log_info("login lockouts lifted",
                  {{"user_id", user->id.to_string()}, {"by", actor.user_id.to_string()}});
    return record_audit(conn, meta,
                        {actor.user_id, std::nullopt, "user.unlock", "user", user->id.to_string(),
                         std::nullopt, std::nullopt});
  });
}

Status AuthService::check_lockout(const std::string& account, const RequestMeta& meta,
                                  std::string_view what) {
  const auto wait = limiter_.retry_after(account, meta.ip);
  if (!wait) return OkStatus();
  metrics_.count_auth_event("login_rate_limited");
  return Error(ErrorCode::kRateLimited, "too many " + std::string(what) + "; try again in " +
                                            std::to_string(*wait) + " seconds")
      .with_retry_after(*wait);
}

void AuthService::record_wrong_password(const std::string& account,
                                        const std::optional<Uuid>& user_id,
                                        const RequestMeta& meta) {
  for (const Lockout& lockout : limiter_.record_failure(account, meta.ip)) {
    metrics_.count_login_lockout(to_string(lockout.scope));
    obs::log_warn("login lockout", {{"scope", std::string(to_string(lockout.scope))},
                                    {"seconds", lockout.duration.count()},
                                    {"ip", meta.ip},
                                    {"user_id", user_id ? user_id->to_string() : std::string()}});
  }
}

Result<store::User> AuthService::me(const security::Actor& actor) {
  ASSIGN_OR_RETURN(std::optional<store::User> found, store::with_connection(db_, [&](store::Connection& conn) {
                     return store::UserRepository::find_by_id(conn, actor.user_id);
                   }));
  if (!found) return Error::NotFound("user not found");
  return std::move(*found);
}

Result<security::Actor> AuthService::authenticate(std::string_view access_token) {
  ASSIGN_OR_RETURN(security::AccessClaims claims,
                   jwt_keys_->verify(access_token, epoch_seconds(now_utc()), 30));
  auto user_id = Uuid::parse(claims.sub);
  if (!user_id) return Error::Unauthenticated("the access token is not valid");
  ASSIGN_OR_RETURN(std::optional<AuthUser> user, reads_.auth_user(*user_id));
  if (!user || !user->is_active) return Error::Unauthenticated("the account is not active");
  if (claims.ver != user->token_version) {
    return Error::Unauthenticated(
        "the access token was revoked (password, role or status changed); log in again");
  }
  return security::Actor{user->id, user->role};
}

}  // namespace oeuvre::services
