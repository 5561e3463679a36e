#include "security/jwt_keyring.h"

#include <sodium.h>

#include <mutex>

#include "security/crypto.h"

namespace oeuvre::security {

std::string JwtKeyring::kid_of(std::string_view key) {
  std::string labelled = "oeuvre-jwt-kid:";
  labelled += key;
  const std::string id = sha256_hex(labelled).substr(0, 16);
  sodium_memzero(labelled.data(), labelled.size());
  return id;
}

JwtKeyring::JwtKeyring(std::string current, std::optional<std::string> previous) {
  current_ = Key{kid_of(current), Secret(std::move(current))};
  if (previous && validate_jwt_secret(*previous).ok()) previous_ = Key{kid_of(*previous), Secret(std::move(*previous))};
}

Status JwtKeyring::set(std::string current, std::optional<std::string> previous) {
  if (auto valid = validate_jwt_secret(current); !valid.ok()) {
    return Error(ErrorCode::kValidation, "JWT_SECRET: " + valid.error().message(),
                 {FieldError{"JWT_SECRET", valid.error().message()}});
  }
  Key next{kid_of(current), Secret(std::move(current))};
  std::optional<Key> before;
  if (previous && validate_jwt_secret(*previous).ok()) before = Key{kid_of(*previous), Secret(std::move(*previous))};
  std::unique_lock lock(mutex_);
  current_ = std::move(next);
  previous_ = std::move(before);
  return OkStatus();
}

std::string JwtKeyring::sign(const AccessClaims& claims) const {
  std::shared_lock lock(mutex_);
  return sign_access_token(claims, current_.secret.reveal(), current_.kid);
}

Result<AccessClaims> JwtKeyring::verify(std::string_view token, std::int64_t now_epoch_seconds,
                                        std::int64_t leeway_seconds) const {
  const std::optional<std::string> kid = access_token_kid(token);
  std::shared_lock lock(mutex_);
  const Key* key = &current_;
  if (kid && *kid != current_.kid) {
    if (!previous_ || previous_->kid != *kid) return Error::Unauthenticated("token signed with an unknown key");
    key = &*previous_;
  }
  return verify_access_token(token, key->secret.reveal(), now_epoch_seconds, leeway_seconds);
}

std::string JwtKeyring::current_kid() const {
  std::shared_lock lock(mutex_);
  return current_.kid;
}

}  // namespace oeuvre::security
