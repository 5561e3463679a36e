#pragma once
// BACKUP_ENCRYPTION_KEY: the 32-byte key every archive is encrypted with, written as 64 hex digits or
// as base64 (standard or URL-safe, padded or not). It comes only through security's SecretSource and is
// never logged; what may be shown is its key id, a keyed BLAKE2b digest that names the key without
// revealing it, stored in each archive's header so a wrong key is told apart from a damaged archive.
// Thread-safety: a value type; safe for concurrent reads.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "security/secrets.h"

namespace oeuvre::backup {

inline constexpr const char* kBackupKeySetting = "BACKUP_ENCRYPTION_KEY";

class BackupKey {
 public:
  static constexpr std::size_t kBytes = 32;
  static constexpr std::size_t kIdBytes = 16;
  using Bytes = std::array<std::uint8_t, kBytes>;
  using Id = std::array<std::uint8_t, kIdBytes>;

  // The key written as hex or base64; kValidation (field BACKUP_ENCRYPTION_KEY, the text not echoed)
  // unless it decodes to exactly 32 bytes.
  static Result<BackupKey> parse(std::string_view text);
  explicit BackupKey(const Bytes& bytes);
  ~BackupKey();
  BackupKey(const BackupKey&) = default;
  BackupKey& operator=(const BackupKey&) = default;

  const Bytes& bytes() const { return bytes_; }
  const Id& id() const { return id_; }
  // The key id as 32 lowercase hex digits (safe to print).
  std::string id_hex() const;

 private:
  Bytes bytes_;
  Id id_;
};

// BACKUP_ENCRYPTION_KEY from `secrets`: nullopt when it is not set, kValidation when it is set but is
// not a 32-byte key, kUnavailable when the source cannot tell.
Result<std::optional<BackupKey>> load_backup_key(security::SecretSource& secrets);

// As load_backup_key, but a missing key is kValidation too (commands that cannot run without one).
Result<BackupKey> require_backup_key(security::SecretSource& secrets);

}  // namespace oeuvre::backup
