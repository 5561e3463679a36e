#pragma once
// The keys access tokens are signed and verified with, for rotation without logging anyone out: new
// tokens are signed with the current key and carry its id ("kid" in the header); a token signed with
// the previous key stays valid until it expires. A key's id is derived from it (the first 16 hex digits
// of SHA-256 over a label and the key), so every node names a key the same way and no id is stored.
// A token without a kid (issued before kids existed) is checked against the current key.
// Thread-safety: safe for concurrent use; set() replaces both keys at once.

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

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
  mutable std::shared_mutex mutex_;
  Key current_;                  // guarded by mutex_
  std::optional<Key> previous_;  // guarded by mutex_
};

}  // namespace oeuvre::security
