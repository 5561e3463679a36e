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
  {
    std::unique_lock lock(mutex_);
    current_ = std::move(next);
    previous_ = std::move(before);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  for (VerifiedShard& shard : verified_) {  // only to free them: an older generation never matches
    std::lock_guard lock(shard.mu);
    shard.tokens.clear();
  }
  return OkStatus();
}

std::string JwtKeyring::sign(const AccessClaims& claims) const {
  std::shared_lock lock(mutex_);
  return sign_access_token(claims, current_.secret.reveal(), current_.kid);
}

Result<AccessClaims> JwtKeyring::verify(std::string_view token, std::int64_t now_epoch_seconds,
                                        std::int64_t leeway_seconds) const {
  if (token.size() > kMaxAccessTokenBytes) return Error::Unauthenticated("malformed token");
  const std::size_t hash = std::hash<std::string_view>{}(token);
  if (std::optional<AccessClaims> claims = remembered(token, hash)) {
    RETURN_IF_ERROR(check_token_times(*claims, now_epoch_seconds, leeway_seconds));
    return std::move(*claims);
  }
  const std::optional<std::string> kid = access_token_kid(token);
  std::uint64_t generation = 0;
  Result<AccessClaims> verified = [&]() -> Result<AccessClaims> {
    std::shared_lock lock(mutex_);
    generation = generation_.load(std::memory_order_acquire);
    const Key* key = &current_;
    if (kid && *kid != current_.kid) {
      if (!previous_ || previous_->kid != *kid) return Error::Unauthenticated("token signed with an unknown key");
      key = &*previous_;
    }
    return verify_access_token(token, key->secret.reveal(), now_epoch_seconds, leeway_seconds);
  }();
  if (verified.ok()) remember(token, hash, *verified, generation);
  return verified;
}

std::optional<AccessClaims> JwtKeyring::remembered(std::string_view token, std::size_t hash) const {
  VerifiedShard& shard = verified_[hash % kVerifiedShards];
  std::lock_guard lock(shard.mu);
  const auto found = shard.tokens.find(hash);
  if (found == shard.tokens.end()) return std::nullopt;
  const Remembered& entry = found->second;
  if (entry.generation != generation_.load(std::memory_order_acquire)) return std::nullopt;
  if (!constant_time_equal(entry.token, token)) return std::nullopt;
  return entry.claims;
}

void JwtKeyring::remember(std::string_view token, std::size_t hash, const AccessClaims& claims,
                          std::uint64_t generation) const {
  VerifiedShard& shard = verified_[hash % kVerifiedShards];
  std::lock_guard lock(shard.mu);
  if (shard.tokens.size() >= kMaxVerified / kVerifiedShards) shard.tokens.clear();
  shard.tokens.insert_or_assign(hash, Remembered{std::string(token), claims, generation});
}

std::string JwtKeyring::current_kid() const {
  std::shared_lock lock(mutex_);
  return current_.kid;
}

}  // namespace oeuvre::security
