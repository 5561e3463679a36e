#pragma once
// Password hashing with Argon2id (libsodium crypto_pwhash), and the password policy.
// Stored hashes are self-describing PHC strings ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), so
// the cost can be raised later and old hashes upgraded on the next successful login (needs_rehash).

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"

namespace oeuvre::security {

// Argon2id work factors. Thread-safety: a value type.
struct PasswordCost {
  unsigned long long ops;  // iterations (crypto_pwhash opslimit)
  std::size_t mem;         // bytes of memory (crypto_pwhash memlimit)

  // libsodium's interactive profile (2 passes, 64 MiB): the production default for logins.
  static PasswordCost interactive();
  // The smallest cost libsodium allows. For tests only: it offers no real protection.
  static PasswordCost minimal();
};

// Hashes and verifies passwords at a fixed cost, at most `max_concurrent` at once: a caller past
// the bound waits for a slot, so a burst of logins or registrations queues instead of taking every
// core and cost.mem bytes each. Initialises libsodium once per process on first construction
// (std::call_once). Thread-safety: safe for concurrent use. Each hash/verify call is CPU- and
// memory-heavy, so run them on the worker pool, never on an I/O thread.
class PasswordHasher {
 public:
  // REQUIRES: cost within libsodium's limits (ops >= crypto_pwhash_OPSLIMIT_MIN,
  // mem >= crypto_pwhash_MEMLIMIT_MIN); otherwise hash() fails. max_concurrent 0: the number of
  // cores.
  explicit PasswordHasher(PasswordCost cost, int max_concurrent = 0);
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // A fresh Argon2id hash with a random salt: a NUL-free ASCII string shorter than 128 bytes.
  // Fails with kInternal if libsodium could not initialise, the cost is out of range, or memory for
  // the hash could not be allocated. The password may contain any bytes (policy is
  // validate_password_strength's job).
  Result<std::string> hash(std::string_view password) const;

  // True iff `stored_hash` is a well-formed crypto_pwhash string (Argon2id, or legacy Argon2i) for
  // `password`. A malformed, truncated or empty stored hash is simply false. Comparison inside
  // libsodium is constant-time.
  bool verify(std::string_view password, std::string_view stored_hash) const;

  // True iff `stored_hash` should be replaced by hash(password): its algorithm is not Argon2id, its
  // cost parameters differ from this hasher's, or its prefix cannot be parsed. Only the algorithm
  // and parameters are read, not the salt or digest, so call it after a successful verify().
  bool needs_rehash(std::string_view stored_hash) const;

  const PasswordCost& cost() const { return cost_; }
  // How many hash/verify calls may run at once, and the most that ever ran at once (for tests and
  // diagnostics).
  int max_concurrent() const { return max_concurrent_; }
  int peak_concurrent() const;

 private:
  // Holds one of the max_concurrent_ slots for its lifetime.
  class Slot {
   public:
    explicit Slot(const PasswordHasher& hasher);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    const PasswordHasher& hasher_;
  };

  PasswordCost cost_;
  int max_concurrent_;
  mutable std::mutex mu_;
  mutable std::condition_variable slot_freed_;
  mutable int running_ = 0;  // guarded by mu_
  mutable int peak_ = 0;     // guarded by mu_
};

// The password policy, documented for users: at least 10 characters (Unicode code points), at most
// 256 bytes, valid UTF-8, not made only of whitespace (Unicode White_Space characters), not one of
// the commonest passwords (is_common_password), and, when `email` is given, not containing its
// local part (the part before '@', ASCII case-insensitively) when that is at least 4 bytes long.
// Errors are kValidation with field "password"; the message never contains the password.
Status validate_password_strength(std::string_view password, std::string_view email = {});

}  // namespace oeuvre::security
