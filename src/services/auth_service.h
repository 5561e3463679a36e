#pragma once
// Accounts and sessions: registration, login (JWT access token + rotating opaque refresh token),
// refresh with reuse detection, logout, password change, and access-token verification.
// Safe for concurrent use.

#include <chrono>
#include <optional>
#include <string>

#include "security/password.h"
#include "security/policy.h"
#include "services/login_rate_limiter.h"
#include "services/request_meta.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::obs {
class Metrics;
}

namespace oeuvre::services {

struct AuthSettings {
  std::string jwt_secret;  // REQUIRES: >= 32 bytes
  std::chrono::seconds access_ttl{900};
  std::chrono::seconds refresh_ttl{30 * 24 * 3600};
  security::PasswordCost password_cost = security::PasswordCost::interactive();
  bool allow_registration = true;
  int max_failures_per_account = 5;
  int max_failures_per_ip = 50;
  std::chrono::seconds failure_window{900};
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
  AuthService(store::Database& db, AuthSettings settings, obs::Metrics& metrics);

  // kForbidden when self-registration is switched off.
  Status check_registration_allowed() const;
  // Public self-registration (role "user"). kConflict when the email is taken.
  Result<store::User> register_user(const NewUser& user, const RequestMeta& meta);
  // Creates a user with any role (the CLI's `user create`, and admins).
  Result<store::User> create_user(const NewUser& user, const std::optional<Uuid>& actor,
                                  const RequestMeta& meta);
  // kUnauthenticated for a wrong email or password (the same message for both), kRateLimited past the
  // failure limits.
  Result<TokenPair> login(const std::string& email, const std::string& password, const RequestMeta& meta);
  // Rotates the refresh token. Presenting a used or revoked token revokes its whole family.
  Result<TokenPair> refresh(const std::string& refresh_token, const RequestMeta& meta);
  // Revokes the family of `refresh_token` when given (it must be the caller's), else all sessions.
  Status logout(const security::Actor& actor, const std::optional<std::string>& refresh_token,
                const RequestMeta& meta);
  Status change_password(const security::Actor& actor, const std::string& current_password,
                         const std::string& new_password, const RequestMeta& meta);
  Result<store::User> me(const security::Actor& actor);
  // Verifies an access token and that its user is still active; the role comes from the store.
  Result<security::Actor> authenticate(std::string_view access_token);

 private:
  Result<TokenPair> issue_tokens(store::Connection& conn, const store::User& user, const Uuid& family_id);

  store::Database& db_;
  const AuthSettings settings_;
  obs::Metrics& metrics_;
  security::PasswordHasher hasher_;
  LoginRateLimiter limiter_;
  std::string dummy_hash_;  // verified against when the email is unknown, so timing does not tell
};

}  // namespace oeuvre::services
