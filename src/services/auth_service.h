#pragma once
// Accounts and sessions: registration, login (JWT access token + rotating opaque refresh token),
// refresh with reuse detection, logout, password change, and access-token verification.
// Safe for concurrent use.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "security/jwt_keyring.h"
#include "security/password.h"
#include "security/policy.h"
#include "services/cached_reads.h"
#include "services/login_rate_limiter.h"
#include "services/request_meta.h"
#include "services/sliding_window_limit.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::obs {
class Metrics;
}

namespace oeuvre::services {

struct AuthSettings {
  std::string jwt_secret;  // REQUIRES: >= 32 bytes; the key when jwt_keys is not given
  // The signing keys, rotated while serving (security/jwt_keyring.h); null: a keyring of
  // jwt_secret.
  std::shared_ptr<security::JwtKeyring> jwt_keys;
  std::chrono::seconds access_ttl{900};
  std::chrono::seconds refresh_ttl{30 * 24 * 3600};
  security::PasswordCost password_cost = security::PasswordCost::interactive();
  bool allow_registration = true;
  int registrations_per_address_per_hour = 20;
  int password_hash_concurrency = 0;  // 0: the number of cores
  LoginLimits login_limits;
};

struct TokenPair {
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds
  std::string refresh_token;
  std::int64_t refresh_expires_in = 0;
};

struct NewUser {
  std::string email;
  std::string password;
  std::string display_name;
  Role role = Role::kUser;
};

class AuthService {
 public:
  AuthService(store::Database& db, AuthSettings settings, obs::Metrics& metrics,
              CachedReads& reads);

  // kForbidden when self-registration is switched off.
  Status check_registration_allowed() const;
  // Public self-registration (role "user"); kRateLimited past registrations_per_address_per_hour
  // from meta.ip. The new user, or nullopt when the email is taken (nothing changes then): the same
  // password checks and hash work run either way, and the caller must answer both alike, so that
  // registration does not tell which addresses have accounts.
  Result<std::optional<store::User>> register_user(const NewUser& user, const RequestMeta& meta);
  // Creates a user with any role (the CLI's `user create`, and admins).
  Result<store::User> create_user(const NewUser& user, const std::optional<Uuid>& actor,
                                  const RequestMeta& meta);
  // kUnauthenticated for a wrong email or password (the same message for both), kRateLimited while
  // a LoginRateLimiter lockout holds for the account from meta.ip.
  Result<TokenPair> login(const std::string& email, const std::string& password,
                          const RequestMeta& meta);
  // Rotates the refresh token. Presenting a used or revoked token revokes its whole family.
  Result<TokenPair> refresh(const std::string& refresh_token, const RequestMeta& meta);
  // Revokes the family of `refresh_token` when given (it must be the caller's), else all sessions.
  Status logout(const security::Actor& actor, const std::optional<std::string>& refresh_token,
                const RequestMeta& meta);
  // Ends a browser session (the web app's cookie mode): revokes the family of `refresh_token`, the
  // oeuvre_refresh cookie's value, when it is a session of `actor`. An absent, unknown or foreign
  // token revokes nothing and is no error: the caller clears the cookie either way. Audited as
  // auth.logout.
  Status logout_cookie_session(const security::Actor& actor,
                               const std::optional<std::string>& refresh_token,
                               const RequestMeta& meta);
  // Refuses a wrong current password (counted as a failed login), a new password that fails the
  // policy or equals the current one. Revokes every refresh token and every access token issued
  // before.
  Status change_password(const security::Actor& actor, const std::string& current_password,
                         const std::string& new_password, const RequestMeta& meta);
  // Admins only (kForbidden otherwise; kNotFound for an unknown user): lifts every login lockout of
  // the user's account.
  Status unlock(const security::Actor& actor, const Uuid& user_id, const RequestMeta& meta);
  Result<store::User> me(const security::Actor& actor);
  // Verifies an access token, that its user is still active and that the token is not older than
  // the user's last password change, deactivation or role change; the role comes from the store.
  Result<security::Actor> authenticate(std::string_view access_token);

 private:
  Result<TokenPair> issue_tokens(store::Connection& conn, const store::User& user,
                                 const Uuid& family_id);
  // The refresh token `refresh_token` when it is a session of `actor` (used or revoked ones too).
  static Result<std::optional<store::RefreshToken>> session_of(store::Connection& conn,
                                                               const security::Actor& actor,
                                                               const std::string& refresh_token);
  // Refuses the attempt while a lockout holds for `account` from meta.ip.
  Status check_lockout(const std::string& account, const RequestMeta& meta, std::string_view what);
  // Counts a wrong password; logs and counts the lockouts it starts.
  void record_wrong_password(const std::string& account, const std::optional<Uuid>& user_id,
                             const RequestMeta& meta);

  store::Database& db_;
  CachedReads& reads_;  // authenticate's user lookup; change_password invalidates it
  const AuthSettings settings_;
  const std::shared_ptr<security::JwtKeyring>
      jwt_keys_;  // settings_.jwt_keys, or a keyring of jwt_secret
  obs::Metrics& metrics_;
  security::PasswordHasher hasher_;
  LoginRateLimiter limiter_;
  SlidingWindowLimit registrations_;  // per client address
  std::string dummy_hash_;  // verified against when the email is unknown, so timing does not tell
};

}  // namespace oeuvre::services
