#include "security/jwt.h"

#include <boost/json.hpp>
#include <limits>
#include <optional>

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

}  // namespace

Status validate_jwt_secret(std::string_view secret) {
  if (secret.size() < kMinJwtSecretBytes) {
    return Error::Validation("jwt_secret",
                             "must be at least " + std::to_string(kMinJwtSecretBytes) +
                                 " bytes (use e.g. 32 random bytes, hex- or base64-encoded)");
  }
  return OkStatus();
}

std::string sign_access_token(const AccessClaims& claims, std::string_view secret) {
  static const std::string kHeader = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  json::object payload;
  payload["sub"] = claims.sub;
  payload["role"] = claims.role;
  payload["iat"] = claims.iat;
  payload["exp"] = claims.exp;
  payload["jti"] = claims.jti;
  std::string token = kHeader;
  token += '.';
  token += base64url_encode(json::serialize(payload));
  const std::string signature = base64url_encode(hmac_sha256(secret, token));
  token += '.';
  token += signature;
  return token;
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
  if (!sub || !role || !jti || !iat || !exp || sub->empty() || role->empty() || jti->empty() ||
      *iat < 0 || *exp <= *iat) {
    return Error::Unauthenticated("invalid token claims");
  }

  // 4. Time, with a symmetric leeway for clock skew between nodes.
  const std::int64_t leeway = leeway_seconds > 0 ? leeway_seconds : 0;
  if (now_epoch_seconds >= saturating_add(*exp, leeway)) {
    return Error::Unauthenticated("token expired");
  }
  if (*iat > saturating_add(now_epoch_seconds, leeway)) {
    return Error::Unauthenticated("token issued in the future");
  }

  return AccessClaims{std::move(*sub), std::move(*role), *iat, *exp, std::move(*jti)};
}

}  // namespace oeuvre::security
