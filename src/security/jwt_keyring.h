#pragma once
// The keys access tokens are signed and verified with, for rotation without logging anyone out: new
// tokens are signed with the current key and carry its id ("kid" in the header); a token signed with
// the previous key stays valid until it expires. A key's id is derived from it (the first 16 hex digits
// of SHA-256 over a label and the key), so every node names a key the same way and no id is stored.
// A token without a kid (issued before kids existed) is checked against the current key.
// A token that verified is remembered with its claims (at most kMaxVerified, per key generation):
// the same token again is found by its bytes and only its times are checked, not its signature
// recomputed and its JSON parsed again. The lookup is by a hash of the whole token, then a
// constant-time comparison of all its bytes, so no timing tells how much of a forged token matches
// a remembered one; set() forgets every remembered token, so a dropped key's tokens stop verifying
// at once.
// Thread-safety: safe for concurrent use; set() replaces both keys at once.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "security/jwt.h"
#include "security/secret.h"

namespace oeuvre::security {

class JwtKeyring {
 public:
  // REQUIRES: validate_jwt_secret(current).ok().
  explicit JwtKeyring(std::string current, std::optional<std::string> previous = std::nullopt);

  // Replaces the keys; kValidation (naming JWT_SECRET) when the new current key is too weak, and
  // nothing changes. A weak previous key is dropped with the rest kept.
  Status set(std::string current, std::optional<std::string> previous);

  std::string sign(const AccessClaims& claims) const;
  Result<AccessClaims> verify(std::string_view token, std::int64_t now_epoch_seconds, std::int64_t leeway_seconds) const;

  std::string current_kid() const;
  static std::string kid_of(std::string_view key);

 private:
  struct Key {
    std::string kid;
    Secret secret;
  };
  struct Remembered {
    std::string token;
    AccessClaims claims;
    std::uint64_t generation = 0;  // the keys' generation it was verified with
  };
  // A shard of the remembered tokens, by the hash of the token (two tokens with one hash: the later
  // replaces the earlier); one that is full is emptied before the next one goes in.
  struct VerifiedShard {
    std::mutex mu;
    std::unordered_map<std::size_t, Remembered> tokens;  // guarded by mu
  };
  static constexpr std::size_t kVerifiedShards = 16;
  static constexpr std::size_t kMaxVerified = 16 * 1024;

  std::optional<AccessClaims> remembered(std::string_view token, std::size_t hash) const;
  void remember(std::string_view token, std::size_t hash, const AccessClaims& claims, std::uint64_t generation) const;

  mutable std::shared_mutex mutex_;
  Key current_;                  // guarded by mutex_
  std::optional<Key> previous_;  // guarded by mutex_
  std::atomic<std::uint64_t> generation_{0};  // raised by set(), under mutex_
  mutable std::array<VerifiedShard, kVerifiedShards> verified_;
};

}  // namespace oeuvre::security
