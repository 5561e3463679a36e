#pragma once
// Hashing, MACs, randomness and the encodings used around them, on OpenSSL 3.
// Thread-safety: all functions are safe for concurrent use (OpenSSL 3 initialises itself and its
// default RNG is thread-safe).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace oeuvre::security {

// SHA-256 of `data`.
std::array<std::uint8_t, 32> sha256(std::string_view data);

// SHA-256 of `data` as 64 lowercase hex digits (the form stored for files and refresh tokens).
std::string sha256_hex(std::string_view data);

// Incremental SHA-256 for data that arrives in pieces (uploads). Not safe for concurrent use.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data);
  // The lowercase hex digest of everything given. REQUIRES: called once, last.
  std::string finish_hex();

 private:
  void* ctx_;  // EVP_MD_CTX
};

// HMAC-SHA256(key, data) as 32 raw bytes. Any key length is accepted (RFC 2104: longer than 64
// bytes is hashed first, the empty key is valid).
std::string hmac_sha256(std::string_view key, std::string_view data);

// `n` bytes from the CSPRNG (RAND_bytes). Fails with kInternal only if the CSPRNG itself fails,
// which callers must treat as fatal to the operation (never fall back to weaker randomness).
Result<std::string> random_bytes(std::size_t n);

// An unguessable opaque token: `bytes` random bytes, base64url-encoded without padding (a 32-byte
// token is 43 characters). REQUIRES: bytes >= 16 for anything used as a credential.
Result<std::string> random_token(std::size_t bytes);

// RFC 4648 §5 base64url without '=' padding (the JWT form).
std::string base64url_encode(std::string_view data);

// Strict inverse of base64url_encode: rejects '=' padding, characters outside [A-Za-z0-9_-]
// (including '+', '/', whitespace), a length of 4k+1, and non-canonical encodings whose unused
// trailing bits are not zero, so every byte string has exactly one accepted encoding.
std::optional<std::string> base64url_decode(std::string_view text);

// Lowercase hex of `data` (two characters per byte).
std::string hex_encode(std::string_view data);

// Compares two byte strings in time that depends only on their lengths (CRYPTO_memcmp). Strings of
// different lengths compare unequal without their contents being read; a secret's length is not
// protected, so compare fixed-length values (MACs, digests) with it.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace oeuvre::security
