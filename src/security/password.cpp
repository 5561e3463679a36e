#include "security/password.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/utf8.h"
#include "security/common_passwords.h"

namespace oeuvre::security {

namespace {

constexpr std::size_t kMinPasswordCodePoints = 10;
constexpr std::size_t kMaxPasswordBytes = 256;
// A shorter local part ("al@...") would refuse too many passwords by chance.
constexpr std::size_t kMinLocalPartBytes = 4;

// True once sodium_init() has succeeded in this process.
bool sodium_ready() {
  static std::once_flag once;
  static bool ready = false;  // written once under `once`, then only read
  std::call_once(once, [] { ready = sodium_init() >= 0; });
  return ready;
}

// Copies a stored hash into a NUL-terminated buffer for libsodium, which reads C strings. Returns
// false for text that cannot be a crypto_pwhash string (empty, too long, embedded NUL).
bool to_c_hash(std::string_view stored_hash, char (&buffer)[crypto_pwhash_STRBYTES]) {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (stored_hash.find('\0') != std::string_view::npos) return false;
  stored_hash.copy(buffer, stored_hash.size());
  buffer[stored_hash.size()] = '\0';
  return true;
}

// libsodium declares its password arguments non-null even when the length is 0.
const char* password_bytes(std::string_view password) {
  static const char kEmpty = '\0';
  return password.data() != nullptr ? password.data() : &kEmpty;
}

// The Unicode White_Space property (PropList.txt).
bool is_unicode_whitespace(std::uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

}  // namespace

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimal() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

PasswordHasher::PasswordHasher(PasswordCost cost, int max_concurrent)
    : cost_(cost),
      max_concurrent_(max_concurrent > 0
                          ? max_concurrent
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {
  sodium_ready();
}

PasswordHasher::Slot::Slot(const PasswordHasher& hasher) : hasher_(hasher) {
  std::unique_lock lock(hasher_.mu_);
  hasher_.slot_freed_.wait(lock, [&] { return hasher_.running_ < hasher_.max_concurrent_; });
  ++hasher_.running_;
  hasher_.peak_ = std::max(hasher_.peak_, hasher_.running_);
}

PasswordHasher::Slot::~Slot() {
  {
    std::lock_guard lock(hasher_.mu_);
    --hasher_.running_;
  }
  hasher_.slot_freed_.notify_one();
}

int PasswordHasher::peak_concurrent() const {
  std::lock_guard lock(mu_);
  return peak_;
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  if (!sodium_ready()) return Error::Internal("libsodium failed to initialise");
  if (cost_.ops < crypto_pwhash_OPSLIMIT_MIN || cost_.ops > crypto_pwhash_OPSLIMIT_MAX ||
      cost_.mem < crypto_pwhash_MEMLIMIT_MIN || cost_.mem > crypto_pwhash_MEMLIMIT_MAX) {
    return Error::Internal("password hashing cost is out of range");
  }
  char out[crypto_pwhash_STRBYTES];
  const Slot slot(*this);
  if (crypto_pwhash_str_alg(out, password_bytes(password), password.size(), cost_.ops, cost_.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::Internal("password hashing failed");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view password, std::string_view stored_hash) const {
  if (!sodium_ready()) return false;
  char buffer[crypto_pwhash_STRBYTES];
  if (!to_c_hash(stored_hash, buffer)) return false;
  const Slot slot(*this);
  return crypto_pwhash_str_verify(buffer, password_bytes(password), password.size()) == 0;
}

bool PasswordHasher::needs_rehash(std::string_view stored_hash) const {
  if (!sodium_ready()) return true;
  char buffer[crypto_pwhash_STRBYTES];
  if (!to_c_hash(stored_hash, buffer)) return true;
  // 0: current; 1: other parameters or Argon2i; -1: not a valid hash. Only 0 keeps the hash.
  return crypto_pwhash_str_needs_rehash(buffer, cost_.ops, cost_.mem) != 0;
}

Status validate_password_strength(std::string_view password, std::string_view email) {
  if (password.size() > kMaxPasswordBytes) {
    return Error::Validation("password",
                             "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  if (!is_valid_utf8(password)) return Error::Validation("password", "must be valid UTF-8 text");
  if (utf8_length(password) < kMinPasswordCodePoints) {
    return Error::Validation(
        "password", "must be at least " + std::to_string(kMinPasswordCodePoints) + " characters");
  }
  bool only_whitespace = true;
  for (std::size_t i = 0; i < password.size() && only_whitespace;) {
    only_whitespace = is_unicode_whitespace(decode_code_point(password, i));
  }
  if (only_whitespace) return Error::Validation("password", "must not be only whitespace");
  if (is_common_password(password)) {
    return Error::Validation("password", "is one of the most common passwords; choose another");
  }
  const std::string_view local_part = email.substr(0, email.find('@'));
  if (local_part.size() >= kMinLocalPartBytes &&
      ascii_lowercase(password).find(ascii_lowercase(local_part)) != std::string::npos) {
    return Error::Validation("password", "must not contain the name of the email address");
  }
  return OkStatus();
}

}  // namespace oeuvre::security
