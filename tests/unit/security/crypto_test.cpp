#include "security/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace oeuvre::security {
namespace {

using namespace std::string_literals;

TEST(CryptoTest, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string_view()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(CryptoTest, Sha256BytesMatchHex) {
  const auto digest = sha256("abc");
  EXPECT_EQ(digest[0], 0xba);
  EXPECT_EQ(digest[31], 0xad);
  EXPECT_EQ(hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), 32)),
            sha256_hex("abc"));
  EXPECT_EQ(sha256_hex("a\0b"s), sha256_hex("a\0b"s));
  EXPECT_NE(sha256_hex("a\0b"s), sha256_hex("a"));
}

// RFC 4231 test cases 1, 2, 6 and 7.
TEST(CryptoTest, HmacSha256Rfc4231) {
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'),
                                   "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex_encode(hmac_sha256(
                std::string(131, '\xaa'),
                "This is a test using a larger than block-size key and a larger than block-size "
                "data. The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(CryptoTest, HmacSha256EmptyInputs) {
  // Empty key and empty message are legal HMAC inputs with a well-known value.
  EXPECT_EQ(hex_encode(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hmac_sha256(std::string_view(), std::string_view()), hmac_sha256("", ""));
  EXPECT_EQ(hmac_sha256("key", "").size(), 32u);
}

TEST(CryptoTest, Base64UrlRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(base64url_decode(encoded), std::string(plain));
  }
}

TEST(CryptoTest, Base64UrlUsesUrlAlphabet) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");       // standard base64: "+/8="
  EXPECT_EQ(base64url_encode("\xfb\xef\xbe"), "----");  // standard: "++++"
  EXPECT_EQ(base64url_encode("\xff\xff\xff"), "____");  // standard: "////"
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff"s);
}

TEST(CryptoTest, Base64UrlRoundTripsEveryByteAndLength) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (std::size_t len = 0; len <= all.size(); ++len) {
    const std::string data = all.substr(all.size() - len);
    const std::string encoded = base64url_encode(data);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), data) << len;
  }
}

TEST(CryptoTest, Base64UrlDecodeRejectsPaddingAndForeignCharacters) {
  const char* invalid[] = {"Zg==", "Zg=",   "Zm8=",     "Zm9v====",  "Zm+v",
                           "Zm/v", "Zm9 v", " Zm9v",    "Zm9v\n",    "Zm9v.",
                           "Z",    "Zm9vY", "Zm9v\x80", "Zm9vYmFy=", "ZZZZZ"};
  for (const char* text : invalid) EXPECT_FALSE(base64url_decode(text).has_value()) << text;
  EXPECT_FALSE(base64url_decode("Zm\0v"s).has_value());
}

TEST(CryptoTest, Base64UrlDecodeRejectsNonCanonicalTrailingBits) {
  // "Zg" is the only encoding of "f"; "Zh".."Zv" would decode to "f" too if unused bits were
  // ignored.
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());
  EXPECT_FALSE(base64url_decode("Zv").has_value());
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
  EXPECT_FALSE(base64url_decode("Zm9").has_value());
  EXPECT_FALSE(base64url_decode("Zm_").has_value());
  // Exhaustively: exactly one last character is accepted per 2- and 3-character tail.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int accepted2 = 0;
  int accepted3 = 0;
  for (char c : alphabet) {
    accepted2 += base64url_decode(std::string("A") + c).has_value();
    accepted3 += base64url_decode(std::string("AA") + c).has_value();
  }
  EXPECT_EQ(accepted2, 4);   // 2 significant bits of 6
  EXPECT_EQ(accepted3, 16);  // 4 significant bits of 6
}

TEST(CryptoTest, HexEncode) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode("\x00\x01\x7f\x80\xff"s), "00017f80ff");
  EXPECT_EQ(hex_encode("Hi"), "4869");
}

TEST(CryptoTest, RandomBytesHaveRequestedLengthAndDiffer) {
  for (std::size_t n : {0u, 1u, 16u, 32u, 1000u}) {
    auto bytes = random_bytes(n);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->size(), n);
  }
  const auto a = random_bytes(32);
  const auto b = random_bytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(CryptoTest, RandomBytesLargerThanOneChunk) {
  const auto big = random_bytes((1u << 20) + 5);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->size(), (1u << 20) + 5);
  // The tail was filled too (all-zero 5 bytes has probability 2^-40).
  EXPECT_NE(big->substr(big->size() - 5), std::string(5, '\0'));
}

TEST(CryptoTest, RandomTokenIsBase64UrlAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto token = random_token(32);
    ASSERT_TRUE(token.ok());
    EXPECT_EQ(token->size(), 43u);
    EXPECT_EQ(token->find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    const auto decoded = base64url_decode(*token);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->size(), 32u);
    EXPECT_TRUE(seen.insert(*token).second);
  }
}

TEST(CryptoTest, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal(std::string_view(), ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal("a\0b"s, "a\0b"s));
  EXPECT_FALSE(constant_time_equal("a\0b"s, "a\0c"s));
  const std::string mac = hmac_sha256("k", "m");
  std::string flipped = mac;
  flipped[31] = static_cast<char>(flipped[31] ^ 1);
  EXPECT_TRUE(constant_time_equal(mac, hmac_sha256("k", "m")));
  EXPECT_FALSE(constant_time_equal(mac, flipped));
}

// RFC 7515 Appendix A.1: an HS256 JWS, checked with our decoder and MAC.
TEST(CryptoTest, Rfc7515AppendixA1Signature) {
  const auto key = base64url_decode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(key.has_value());
  const std::string signing_input =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ";
  EXPECT_EQ(base64url_encode(hmac_sha256(*key, signing_input)),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

}  // namespace
}  // namespace oeuvre::security
