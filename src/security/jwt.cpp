#include "security/jwt.h"

#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "security/crypto.h"

namespace oeuvre::security {

namespace {

namespace json = boost::json;

// Headers and claims are flat; a little nesting is tolerated in ignored payload members.
constexpr std::size_t kMaxJsonDepth = 4;
constexpr std::size_t kMaxKidBytes = 256;

Error malformed() { return Error::Unauthenticated("malformed token"); }

// Parses `text` as one JSON object (no comments, no trailing commas, valid UTF-8, bounded depth).
// Never throws: uses the error_code overload and a non-throwing allocation path.
std::optional<json::object> parse_object(std::string_view text) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::error_code ec;
  try {
    json::value value =
        json::parse(json::string_view(text.data(), text.size()), ec, json::storage_ptr(), options);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
  } catch (const std::exception&) {  // std::bad_alloc: treat as unparseable rather than escape
    return std::nullopt;
  }
}

std::optional<std::string> string_member(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr || !v->is_string()) return std::nullopt;
  const json::string& s = v->get_string();
  return std::string(s.data(), s.size());
}

// Integers only: 1.0, 1e3, "1" and values beyond int64 are not integers here.
std::optional<std::int64_t> integer_member(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

// a + b, saturated to the int64 range.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return sum;
}

Status check_header(const json::object& header) {
  const auto alg = string_member(header, "alg");
  if (!alg || *alg != "HS256") return Error::Unauthenticated("unsupported token algorithm");
  for (const auto& member : header) {
    const std::string_view key(member.key().data(), member.key().size());
    if (key == "alg") continue;
    if (key == "typ") {
      if (!member.value().is_string() || member.value().get_string() != "JWT") return malformed();
    } else if (key == "kid") {
      if (!member.value().is_string() || member.value().get_string().size() > kMaxKidBytes) {
        return malformed();
      }
    } else {
      return malformed();  // "crit" and anything else we do not understand
    }
  }
  return OkStatus();
}

// A validation error whose message says what is wrong (the generic "invalid fields" helps no
// operator).
Error secret_error(std::string message) {
  std::string field_message = message;
  return Error(ErrorCode::kValidation, std::move(message),
               {FieldError{"jwt_secret", std::move(field_message)}});
}

// The length of the shortest unit that `text` repeats (text.size() when it repeats none): the
// prefix function's last value gives the longest proper border.
std::size_t repeating_unit(std::string_view text) {
  std::vector<std::size_t> border(text.size(), 0);
  for (std::size_t i = 1; i < text.size(); ++i) {
    std::size_t k = border[i - 1];
    while (k > 0 && text[i] != text[k]) k = border[k - 1];
    if (text[i] == text[k]) ++k;
    border[i] = k;
  }
  const std::size_t period = text.size() - (text.empty() ? 0 : border.back());
  return text.size() % period == 0 ? period : text.size();
}

// Shannon entropy of the byte frequencies of the repeating unit, times its length.
double estimated_entropy_bits(std::string_view secret) {
  const std::string_view unit = secret.substr(0, repeating_unit(secret));
  std::array<std::size_t, 256> counts{};
  for (unsigned char c : unit) ++counts[c];
  double bits_per_byte = 0;
  for (std::size_t n : counts) {
    if (n == 0) continue;
    const double p = static_cast<double>(n) / static_cast<double>(unit.size());
    bits_per_byte -= p * std::log2(p);
  }
  return bits_per_byte * static_cast<double>(unit.size());
}

}  // namespace

Status validate_jwt_secret(std::string_view secret) {
  constexpr std::string_view kAdvice =
      " (use e.g. 32 random bytes, hex- or base64-encoded: openssl rand -hex 32)";
  if (secret.size() < kMinJwtSecretBytes) {
    return secret_error("the JWT signing key must be at least " + std::to_string(kMinJwtSecretBytes) +
                        " bytes" + std::string(kAdvice));
  }
  const double bits = estimated_entropy_bits(secret);
  if (bits < kMinJwtSecretBits) {
    return secret_error(
        "the JWT signing key has too little entropy (about " + std::to_string(static_cast<int>(bits)) +
        " bits, at least " + std::to_string(static_cast<int>(kMinJwtSecretBits)) +
        " needed): it repeats a character or a short pattern" + std::string(kAdvice));
  }
  return OkStatus();
}

std::string sign_access_token(const AccessClaims& claims, std::string_view secret, std::string_view kid) {
  static const std::string kHeader = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const std::string header =
      kid.empty() ? kHeader
                  : base64url_encode(json::serialize(json::object{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}}));
  json::object payload;
  payload["sub"] = claims.sub;
  payload["role"] = claims.role;
  payload["iat"] = claims.iat;
  payload["exp"] = claims.exp;
  payload["jti"] = claims.jti;
  payload["ver"] = claims.ver;
  std::string token = header;
  token += '.';
  token += base64url_encode(json::serialize(payload));
  const std::string signature = base64url_encode(hmac_sha256(secret, token));
  token += '.';
  token += signature;
  return token;
}

std::optional<std::string> access_token_kid(std::string_view token) {
  if (token.size() > kMaxAccessTokenBytes) return std::nullopt;
  const auto header_json = base64url_decode(token.substr(0, token.find('.')));
  if (!header_json) return std::nullopt;
  const auto header = parse_object(*header_json);
  if (!header) return std::nullopt;
  auto kid = string_member(*header, "kid");
  if (kid && kid->size() > kMaxKidBytes) return std::nullopt;
  return kid;
}

Result<AccessClaims> verify_access_token(std::string_view token, std::string_view secret,
                                         std::int64_t now_epoch_seconds,
                                         std::int64_t leeway_seconds) {
  if (!validate_jwt_secret(secret).ok()) {
    return Error::Unauthenticated("token verification is not configured");
  }
  if (token.empty() || token.size() > kMaxAccessTokenBytes) return malformed();

  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return malformed();
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return malformed();
  if (token.find('.', second_dot + 1) != std::string_view::npos) return malformed();
  const std::string_view header_b64 = token.substr(0, first_dot);
  const std::string_view payload_b64 = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_b64 = token.substr(second_dot + 1);
  if (header_b64.empty() || payload_b64.empty() || signature_b64.empty()) return malformed();

  // 1. The header decides nothing but must say HS256: the algorithm is ours, not the token's.
  const auto header_json = base64url_decode(header_b64);
  if (!header_json) return malformed();
  const auto header = parse_object(*header_json);
  if (!header) return malformed();
  RETURN_IF_ERROR(check_header(*header));

  // 2. The signature over "header.payload", before the payload is even decoded.
  const auto signature = base64url_decode(signature_b64);
  if (!signature || signature->size() != 32) return malformed();
  const std::string expected = hmac_sha256(secret, token.substr(0, second_dot));
  if (!constant_time_equal(*signature, expected)) {
    return Error::Unauthenticated("invalid token signature");
  }

  // 3. Claims from a payload we now know we issued.
  const auto payload_json = base64url_decode(payload_b64);
  if (!payload_json) return malformed();
  const auto payload = parse_object(*payload_json);
  if (!payload) return malformed();
  auto sub = string_member(*payload, "sub");
  auto role = string_member(*payload, "role");
  auto jti = string_member(*payload, "jti");
  const auto iat = integer_member(*payload, "iat");
  const auto exp = integer_member(*payload, "exp");
  const bool has_ver = payload->contains("ver");
  const auto ver = has_ver ? integer_member(*payload, "ver") : std::optional<std::int64_t>(0);
  if (!sub || !role || !jti || !iat || !exp || !ver || sub->empty() || role->empty() ||
      jti->empty() || *iat < 0 || *exp <= *iat || *ver < 0) {
    return Error::Unauthenticated("invalid token claims");
  }

  // 4. Time, with a symmetric leeway for clock skew between nodes.
  AccessClaims claims{std::move(*sub), std::move(*role), *iat, *exp, std::move(*jti), *ver};
  RETURN_IF_ERROR(check_token_times(claims, now_epoch_seconds, leeway_seconds));
  return claims;
}

Status check_token_times(const AccessClaims& claims, std::int64_t now_epoch_seconds,
                         std::int64_t leeway_seconds) {
  const std::int64_t leeway = leeway_seconds > 0 ? leeway_seconds : 0;
  if (now_epoch_seconds >= saturating_add(claims.exp, leeway)) {
    return Error::Unauthenticated("token expired");
  }
  if (claims.iat > saturating_add(now_epoch_seconds, leeway)) {
    return Error::Unauthenticated("token issued in the future");
  }
  return OkStatus();
}

}  // namespace oeuvre::security
