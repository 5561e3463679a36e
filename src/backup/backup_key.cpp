#include "backup/backup_key.h"

#include <sodium.h>

#include <cstring>

#include "security/crypto.h"

namespace oeuvre::backup {

namespace {

constexpr std::string_view kIdContext = "oeuvre backup key id v1";

Error invalid_key() {
  return Error::Validation(kBackupKeySetting, "must be 32 bytes written as 64 hex digits or as base64");
}

// `text` decoded as hex or as one of the base64 variants, when it is exactly 32 bytes.
std::optional<BackupKey::Bytes> decode_key(std::string_view text) {
  BackupKey::Bytes bytes{};
  std::size_t length = 0;
  const char* end = nullptr;
  if (text.size() == 2 * BackupKey::kBytes &&
      sodium_hex2bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, &end) == 0 &&
      length == bytes.size() && end == text.data() + text.size()) {
    return bytes;
  }
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, &end,
                          variant) == 0 &&
        length == bytes.size() && end == text.data() + text.size()) {
      return bytes;
    }
  }
  sodium_memzero(bytes.data(), bytes.size());
  return std::nullopt;
}

}  // namespace

Result<BackupKey> BackupKey::parse(std::string_view text) {
  if (sodium_init() < 0) return Error::Internal("libsodium could not be initialised");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  std::optional<Bytes> bytes = decode_key(text);
  if (!bytes) return invalid_key();
  BackupKey key(*bytes);
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

BackupKey::BackupKey(const Bytes& bytes) : bytes_(bytes) {
  crypto_generichash(id_.data(), id_.size(), reinterpret_cast<const unsigned char*>(kIdContext.data()),
                     kIdContext.size(), bytes_.data(), bytes_.size());
}

BackupKey::~BackupKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

std::string BackupKey::id_hex() const {
  return security::hex_encode(std::string_view(reinterpret_cast<const char*>(id_.data()), id_.size()));
}

Result<std::optional<BackupKey>> load_backup_key(security::SecretSource& secrets) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, secrets.get(kBackupKeySetting));
  if (!text) return std::optional<BackupKey>();
  auto key = BackupKey::parse(*text);
  sodium_memzero(text->data(), text->size());
  if (!key.ok()) return std::move(key).error();
  return std::optional<BackupKey>(std::move(key).value());
}

Result<BackupKey> require_backup_key(security::SecretSource& secrets) {
  ASSIGN_OR_RETURN(std::optional<BackupKey> key, load_backup_key(secrets));
  if (!key) return Error::Validation(kBackupKeySetting, "is not set: backups are always encrypted");
  return std::move(*key);
}

}  // namespace oeuvre::backup
