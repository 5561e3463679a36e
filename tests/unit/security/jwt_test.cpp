#include "security/jwt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>

#include "security/crypto.h"

namespace oeuvre::security {
namespace {

constexpr std::string_view kSecret = "k7Qf2ZpX9wLm4RtB8vNc1JsHd6GyEaU3";  // 32 bytes
constexpr std::int64_t kNow = 1'800'000'000;

AccessClaims sample_claims() {
  return AccessClaims{"6f1c2a52-8f3e-4a43-9d5c-3f0f9d2e7b11", "user", kNow - 60, kNow + 900,
                      "b3f7c1d2-0000-4000-8000-000000000001"};
}

// Builds a token from raw JSON texts, signed with `secret` (or with `signature` if given).
std::string craft(std::string_view header_json, std::string_view payload_json,
                  std::string_view secret = kSecret) {
  std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
const std::string kPayload = R"({"sub":"u1","role":"admin","iat":)" + std::to_string(kNow - 10) +
                             R"(,"exp":)" + std::to_string(kNow + 600) + R"(,"jti":"j1"})";

void expect_unauthenticated(const Result<AccessClaims>& result, std::string_view message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(result.error().message(), message);
}

TEST(JwtTest, SecretMustBeAtLeast32Bytes) {
  EXPECT_TRUE(validate_jwt_secret(kSecret).ok());
  for (std::string_view weak :
       {std::string_view(""), std::string_view("secret"), kSecret.substr(0, 31)}) {
    const Status status = validate_jwt_secret(weak);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code(), ErrorCode::kValidation);
    ASSERT_EQ(status.error().field_errors().size(), 1u);
    EXPECT_EQ(status.error().field_errors()[0].field, "jwt_secret");
    if (!weak.empty()) {
      EXPECT_EQ(status.error().field_errors()[0].message.find(weak), std::string::npos);
    }
  }
}

// Issue 21 item 15: a long secret of one repeated character (or a short repeated pattern) is
// refused, with a message about the secret's entropy; a short one gets a message about its length.
// Neither message is the generic "the request has invalid fields".
TEST(JwtTest, SecretsWithTooLittleEntropyAreRefused) {
  for (const std::string& weak :
       {std::string(48, 'k'), std::string(100, 'a'), std::string(64, '0')}) {
    const Status status = validate_jwt_secret(weak);
    ASSERT_FALSE(status.ok()) << weak;
    EXPECT_NE(status.error().message().find("entropy"), std::string::npos)
        << status.error().message();
    EXPECT_EQ(status.error().message().find(weak), std::string::npos);
  }
  std::string pattern;
  for (int i = 0; i < 8; ++i) pattern += "abcdef";
  EXPECT_FALSE(validate_jwt_secret(pattern).ok()) << "a repeated 6-character pattern was accepted";
  const Status short_secret = validate_jwt_secret("too short");
  ASSERT_FALSE(short_secret.ok());
  EXPECT_NE(short_secret.error().message().find("32 bytes"), std::string::npos)
      << short_secret.error().message();
  // Random secrets, as generated or as `openssl rand -hex 32` / `-base64 32` print them, pass.
  EXPECT_TRUE(validate_jwt_secret(hex_encode(*random_bytes(32))).ok());
  EXPECT_TRUE(validate_jwt_secret(base64url_encode(*random_bytes(32))).ok());
}

TEST(JwtTest, SignAndVerifyRoundTrip) {
  const AccessClaims claims = sample_claims();
  const std::string token = sign_access_token(claims, kSecret);
  auto verified = verify_access_token(token, kSecret, kNow);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->sub, claims.sub);
  EXPECT_EQ(verified->role, claims.role);
  EXPECT_EQ(verified->iat, claims.iat);
  EXPECT_EQ(verified->exp, claims.exp);
  EXPECT_EQ(verified->jti, claims.jti);
}

TEST(JwtTest, TokenHasStandardHs256Header) {
  const std::string token = sign_access_token(sample_claims(), kSecret);
  const std::string header_b64 = token.substr(0, token.find('.'));
  EXPECT_EQ(base64url_decode(header_b64), R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find('='), std::string::npos);
}

TEST(JwtTest, ClaimsWithCharactersNeedingEscapesRoundTrip) {
  AccessClaims claims = sample_claims();
  claims.sub = "quote\" backslash\\ newline\n é 😀";
  const auto verified = verify_access_token(sign_access_token(claims, kSecret), kSecret, kNow);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->sub, claims.sub);
}

TEST(JwtTest, CraftedTokenWithExpectedShapeVerifies) {
  // Guards the test helper itself: a well-formed crafted token passes.
  EXPECT_TRUE(verify_access_token(craft(kHeader, kPayload), kSecret, kNow).ok());
  EXPECT_TRUE(verify_access_token(craft(R"({"alg":"HS256"})", kPayload), kSecret, kNow).ok());
  EXPECT_TRUE(verify_access_token(craft(R"({"typ":"JWT","alg":"HS256","kid":"2026-01"})", kPayload),
                                  kSecret, kNow)
                  .ok());
  EXPECT_TRUE(
      verify_access_token(craft(" {\r\n\"alg\" : \"HS256\" } ", kPayload), kSecret, kNow).ok());
}

TEST(JwtTest, WrongSecretIsRejected) {
  const std::string token = sign_access_token(sample_claims(), kSecret);
  expect_unauthenticated(verify_access_token(token, "Zp4Lw9Qe2Rt7Yu1Io6Pa3Sd8Fg5Hj0Kx", kNow),
                         "invalid token signature");
}

TEST(JwtTest, ShortSecretVerifiesNothing) {
  const std::string token = craft(kHeader, kPayload, "short");
  expect_unauthenticated(verify_access_token(token, "short", kNow),
                         "token verification is not configured");
  const std::string empty_key_token = craft(kHeader, kPayload, "");
  expect_unauthenticated(verify_access_token(empty_key_token, "", kNow),
                         "token verification is not configured");
}

TEST(JwtTest, TamperedPayloadIsRejected) {
  const std::string token = sign_access_token(sample_claims(), kSecret);
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.find('.', dot1 + 1);
  AccessClaims elevated = sample_claims();
  elevated.role = "admin";
  const std::string forged_payload =
      sign_access_token(elevated, "another-secret-another-secret-xx");
  const std::string forged =
      token.substr(0, dot1) + forged_payload.substr(dot1, dot2 - dot1) + token.substr(dot2);
  expect_unauthenticated(verify_access_token(forged, kSecret, kNow), "invalid token signature");
}

TEST(JwtTest, EveryFlippedSignatureCharacterIsRejected) {
  const std::string token = sign_access_token(sample_claims(), kSecret);
  const std::size_t sig_start = token.rfind('.') + 1;
  for (std::size_t i = sig_start; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_access_token(tampered, kSecret, kNow).ok()) << i;
  }
}

TEST(JwtTest, AlgorithmNoneIsRejected) {
  // Unsigned token, empty signature segment.
  const std::string none_token =
      base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(kPayload) + ".";
  expect_unauthenticated(verify_access_token(none_token, kSecret, kNow), "malformed token");
  // Even with a valid HS256 MAC, a header naming another algorithm is refused.
  for (std::string_view alg : {"none", "None", "NONE", "HS512", "HS384", "RS256", "ES256", "PS256",
                               "hs256", "HS256 ", ""}) {
    const std::string header = R"({"alg":")" + std::string(alg) + R"(","typ":"JWT"})";
    expect_unauthenticated(verify_access_token(craft(header, kPayload), kSecret, kNow),
                           "unsupported token algorithm");
  }
}

TEST(JwtTest, MissingOrNonStringAlgIsRejected) {
  for (std::string_view header : {R"({"typ":"JWT"})", R"({})", R"({"alg":null})", R"({"alg":256})",
                                  R"({"alg":["HS256"]})", R"({"alg":{"name":"HS256"}})"}) {
    expect_unauthenticated(verify_access_token(craft(header, kPayload), kSecret, kNow),
                           "unsupported token algorithm");
  }
}

TEST(JwtTest, DuplicateAlgResolvesToLastMember) {
  // RFC 7515 §5.2 permits "lexically last wins"; either way the token cannot choose "none".
  expect_unauthenticated(
      verify_access_token(craft(R"({"alg":"HS256","alg":"none"})", kPayload), kSecret, kNow),
      "unsupported token algorithm");
}

TEST(JwtTest, UnexpectedHeaderMembersAreRejected) {
  for (std::string_view header :
       {R"({"alg":"HS256","crit":["exp"]})", R"({"alg":"HS256","typ":"at+jwt"})",
        R"({"alg":"HS256","typ":5})", R"({"alg":"HS256","jku":"https://evil.example/keys"})",
        R"({"alg":"HS256","jwk":{"kty":"oct"}})", R"({"alg":"HS256","x5u":"https://x"})",
        R"({"alg":"HS256","kid":7})", R"({"alg":"HS256","zip":"DEF"})",
        R"({"alg":"HS256","b64":false})"}) {
    expect_unauthenticated(verify_access_token(craft(header, kPayload), kSecret, kNow),
                           "malformed token");
  }
  const std::string long_kid = R"({"alg":"HS256","kid":")" + std::string(300, 'k') + R"("})";
  expect_unauthenticated(verify_access_token(craft(long_kid, kPayload), kSecret, kNow),
                         "malformed token");
}

TEST(JwtTest, HeaderMustBeAJsonObject) {
  for (std::string_view header :
       {R"(["alg","HS256"])", R"("HS256")", "null", "", R"({"alg":"HS256")", R"({"alg":"HS256",})",
        R"({"alg":"HS256"} // c)", R"({'alg':'HS256'})", "{\"alg\":\"HS256\"}\x01",
        "{\"alg\":\"HS256\",\"kid\":\"\xff\"}"}) {
    expect_unauthenticated(verify_access_token(craft(header, kPayload), kSecret, kNow),
                           "malformed token");
  }
}

TEST(JwtTest, StructureMustBeThreeStrictSegments) {
  const std::string good = sign_access_token(sample_claims(), kSecret);
  const std::size_t dot1 = good.find('.');
  const std::size_t dot2 = good.find('.', dot1 + 1);
  const std::string header = good.substr(0, dot1);
  const std::string payload = good.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string signature = good.substr(dot2 + 1);
  const std::string malformed_tokens[] = {
      "",
      ".",
      "..",
      header,
      header + "." + payload,
      header + "." + payload + "." + signature + ".",
      header + "." + payload + "." + signature + "." + signature,
      "." + payload + "." + signature,
      header + ".." + signature,
      header + "." + payload + ".",
      header + "=." + payload + "." + signature,  // padding
      header + "." + payload + "." + signature + "=",
      header + "." + payload + "." + signature.substr(1),  // 31-byte signature / bad length
      header + "." + payload + "." + signature + "AA",     // 33+ bytes
      " " + good,
      good + " ",
      good + "\n",
      "Bearer " + good,
  };
  for (const std::string& token : malformed_tokens) {
    const auto result = verify_access_token(token, kSecret, kNow);
    ASSERT_FALSE(result.ok()) << token;
    EXPECT_EQ(result.error().code(), ErrorCode::kUnauthenticated);
  }
}

TEST(JwtTest, StandardBase64InsteadOfUrlSafeIsRejected) {
  const std::string good = sign_access_token(sample_claims(), kSecret);
  std::string standard = good;
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (standard != good) {
    EXPECT_FALSE(verify_access_token(standard, kSecret, kNow).ok());
  }
  // A signature segment that only differs in non-canonical trailing bits is refused too.
  std::string sig_variant = good;
  const char last = sig_variant.back();
  sig_variant.back() = last == 'A' ? 'B' : static_cast<char>(last + 1);
  EXPECT_FALSE(verify_access_token(sig_variant, kSecret, kNow).ok());
}

TEST(JwtTest, OversizedTokenIsRejectedBeforeDecoding) {
  AccessClaims claims = sample_claims();
  claims.sub = std::string(4000, 'x');
  const std::string token = sign_access_token(claims, kSecret);
  ASSERT_GT(token.size(), kMaxAccessTokenBytes);
  expect_unauthenticated(verify_access_token(token, kSecret, kNow), "malformed token");
  expect_unauthenticated(verify_access_token(std::string(1 << 20, 'a'), kSecret, kNow),
                         "malformed token");
}

TEST(JwtTest, ExpiryIsEnforcedWithLeeway) {
  const AccessClaims claims = sample_claims();  // exp = kNow + 900
  const std::string token = sign_access_token(claims, kSecret);
  EXPECT_TRUE(verify_access_token(token, kSecret, claims.exp - 1).ok());
  expect_unauthenticated(verify_access_token(token, kSecret, claims.exp), "token expired");
  expect_unauthenticated(verify_access_token(token, kSecret, claims.exp + 3600), "token expired");
  EXPECT_TRUE(verify_access_token(token, kSecret, claims.exp + 29, 30).ok());
  expect_unauthenticated(verify_access_token(token, kSecret, claims.exp + 30, 30), "token expired");
  // A negative leeway is treated as none, never as a way to extend acceptance.
  expect_unauthenticated(verify_access_token(token, kSecret, claims.exp, -100), "token expired");
}

TEST(JwtTest, FutureIssuedAtIsRejectedBeyondLeeway) {
  AccessClaims claims = sample_claims();
  claims.iat = kNow + 100;
  claims.exp = kNow + 1000;
  const std::string token = sign_access_token(claims, kSecret);
  expect_unauthenticated(verify_access_token(token, kSecret, kNow), "token issued in the future");
  expect_unauthenticated(verify_access_token(token, kSecret, kNow, 99),
                         "token issued in the future");
  EXPECT_TRUE(verify_access_token(token, kSecret, kNow, 100).ok());
  EXPECT_TRUE(verify_access_token(token, kSecret, kNow + 100).ok());
}

TEST(JwtTest, ExtremeTimesDoNotOverflow) {
  AccessClaims claims = sample_claims();
  claims.iat = 0;
  claims.exp = std::numeric_limits<std::int64_t>::max();
  const std::string token = sign_access_token(claims, kSecret);
  EXPECT_TRUE(
      verify_access_token(token, kSecret, kNow, std::numeric_limits<std::int64_t>::max()).ok());
  expect_unauthenticated(
      verify_access_token(token, kSecret, std::numeric_limits<std::int64_t>::max()),
      "token expired");
  expect_unauthenticated(
      verify_access_token(token, kSecret, std::numeric_limits<std::int64_t>::min()),
      "token issued in the future");
}

TEST(JwtTest, ClaimsMustHaveTheRightTypes) {
  const std::string iat = std::to_string(kNow - 10);
  const std::string exp = std::to_string(kNow + 600);
  const std::string bad_payloads[] = {
      R"({"role":"user","iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":"j"})",  // no sub
      R"({"sub":"u","iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":"j"})",      // no role
      R"({"sub":"u","role":"user","exp":)" + exp + R"(,"jti":"j"})",             // no iat
      R"({"sub":"u","role":"user","iat":)" + iat + R"(,"jti":"j"})",             // no exp
      R"({"sub":"u","role":"user","iat":)" + iat + R"(,"exp":)" + exp + "}",     // no jti
      R"({"sub":1,"role":"user","iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":"j"})",
      R"({"sub":"u","role":null,"iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":"j"})",
      R"({"sub":"u","role":"user","iat":")" + iat + R"(","exp":)" + exp + R"(,"jti":"j"})",
      R"({"sub":"u","role":"user","iat":)" + iat + R"(.0,"exp":)" + exp + R"(,"jti":"j"})",
      R"({"sub":"u","role":"user","iat":)" + iat + R"(,"exp":1.9e9,"jti":"j"})",
      R"({"sub":"u","role":"user","iat":)" + iat + R"(,"exp":18446744073709551615,"jti":"j"})",
      R"({"sub":"u","role":"user","iat":)" + iat + R"(,"exp":true,"jti":"j"})",
      R"({"sub":"u","role":"user","iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":["j"]})",
      R"({"sub":"","role":"user","iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":"j"})",
      R"({"sub":"u","role":"","iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":"j"})",
      R"({"sub":"u","role":"user","iat":)" + iat + R"(,"exp":)" + exp + R"(,"jti":""})",
      R"({"sub":"u","role":"user","iat":-5,"exp":)" + exp + R"(,"jti":"j"})",  // iat < 0
      R"({"sub":"u","role":"user","iat":)" + exp + R"(,"exp":)" + exp +
          R"(,"jti":"j"})",  // exp==iat
  };
  for (const std::string& payload : bad_payloads) {
    expect_unauthenticated(verify_access_token(craft(kHeader, payload), kSecret, kNow),
                           "invalid token claims");
  }
}

TEST(JwtTest, PayloadMustBeAJsonObject) {
  for (std::string_view payload :
       {"[]", "\"claims\"", "42", "", "{", R"({"sub":"u",})", "{\"sub\":\"\xC0\xAF\"}",
        R"({"a":{"b":{"c":{"d":{"e":{}}}}}})"}) {
    expect_unauthenticated(verify_access_token(craft(kHeader, payload), kSecret, kNow),
                           "malformed token");
  }
}

TEST(JwtTest, UnknownPayloadClaimsAreIgnored) {
  const std::string payload = R"({"sub":"u1","role":"user","iat":)" + std::to_string(kNow - 10) +
                              R"(,"exp":)" + std::to_string(kNow + 600) +
                              R"(,"jti":"j1","iss":"oeuvre","scope":["a","b"]})";
  const auto verified = verify_access_token(craft(kHeader, payload), kSecret, kNow);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->sub, "u1");
}

TEST(JwtTest, ErrorsNeverEchoTheToken) {
  AccessClaims claims = sample_claims();
  claims.sub = "secret-subject-marker";
  const std::string token = sign_access_token(claims, kSecret);
  for (const auto& result :
       {verify_access_token(token, kSecret, claims.exp + 1),
        verify_access_token(token + "x", kSecret, kNow),
        verify_access_token(token, "wrong-secret-wrong-secret-wrong-!", kNow)}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message().find("secret-subject-marker"), std::string::npos);
    EXPECT_EQ(result.error().message().find(token.substr(0, 10)), std::string::npos);
    EXPECT_LT(result.error().message().size(), 48u);
  }
}

}  // namespace
}  // namespace oeuvre::security
