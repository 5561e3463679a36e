#pragma once
// HS256 access tokens (RFC 7519 JWTs signed per RFC 7515) with a strict verifier.
// Only HS256 exists here: the verifier never lets the token choose its algorithm, so "alg": "none"
// and algorithm-confusion attacks (RS256/HS512/...) are rejected outright.
// Thread-safety: pure functions, safe for concurrent use.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace oeuvre::security {

// Minimum HS256 key length in bytes (RFC 7518 §3.2: a key at least as long as the hash output).
inline constexpr std::size_t kMinJwtSecretBytes = 32;
// Minimum estimated entropy of the key, in bits (see validate_jwt_secret).
inline constexpr double kMinJwtSecretBits = 100;
// Longest token the verifier will look at; anything longer is rejected before decoding.
inline constexpr std::size_t kMaxAccessTokenBytes = 4096;

// The claims of an access token. Times are seconds since the Unix epoch.
struct AccessClaims {
  std::string sub;   // user id
  std::string role;  // "admin" | "user"
  std::int64_t iat = 0;
  std::int64_t exp = 0;
  std::string jti;  // unique token id
  std::int64_t ver = 0;  // the user's token version when issued; a later version revokes the token
};

// OK iff `secret` is usable as the HS256 key: at least kMinJwtSecretBytes bytes, and at least
// kMinJwtSecretBits of estimated entropy: the byte frequencies' Shannon entropy times the length of
// the secret's shortest repeating unit, so one repeated character or a repeated short pattern fails
// while random bytes, hex- or base64-encoded, pass. The error (kValidation, field "jwt_secret", a
// message saying what is wrong) never contains the secret.
Status validate_jwt_secret(std::string_view secret);

// Returns the compact serialisation header.payload.signature with header
// {"alg":"HS256","typ":"JWT"} (and "kid" when `kid` is not empty). REQUIRES:
// validate_jwt_secret(secret).ok() (tokens signed with a shorter key never verify); kid at most 64
// characters.
std::string sign_access_token(const AccessClaims& claims, std::string_view secret, std::string_view kid = {});

// The time checks of verify_access_token (step 4) on claims already verified: kUnauthenticated
// "token expired" when now >= exp + leeway, "token issued in the future" when iat > now + leeway
// (a negative leeway counts as 0).
Status check_token_times(const AccessClaims& claims, std::int64_t now_epoch_seconds, std::int64_t leeway_seconds);

// The "kid" of a token's header, read without verifying anything (to choose the key to verify with);
// nullopt when the token has none or its header is malformed (verification then fails anyway).
std::optional<std::string> access_token_kid(std::string_view token);

// Verifies `token` and returns its claims. Checks, in order: size <= kMaxAccessTokenBytes; exactly
// three strict base64url segments; a header that is a JSON object with "alg" exactly "HS256", "typ"
// (if present) exactly "JWT", "kid" (if present) a string, and no other member ("crit" included);
// the HMAC-SHA256 signature, compared in constant time, before any payload byte is parsed; a
// payload that is a JSON object with string "sub", "role", "jti" (non-empty) and integer "iat",
// "exp" (0 <= iat < exp), and an optional integer "ver" >= 0 (0 when absent); other payload members
// are ignored. Then time: expired when now >= exp +
// leeway; rejected when iat > now + leeway. JSON is UTF-8-checked, depth-limited, and duplicate
// members resolve to the last one (RFC 7515 §5.2). Every failure is kUnauthenticated with a short
// fixed message ("token expired", ...) that never contains any part of the token. A secret that
// fails validate_jwt_secret verifies nothing. REQUIRES: leeway_seconds >= 0 (a negative leeway is
// treated as 0).
Result<AccessClaims> verify_access_token(std::string_view token, std::string_view secret,
                                         std::int64_t now_epoch_seconds,
                                         std::int64_t leeway_seconds = 0);

}  // namespace oeuvre::security
