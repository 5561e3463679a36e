#include "security/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace oeuvre::security {

namespace {

constexpr char kBase64UrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHexDigits[] = "0123456789abcdef";

// OpenSSL dislikes null pointers even with length 0 (a default std::string_view has data() ==
// nullptr).
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.data() != nullptr ? reinterpret_cast<const unsigned char*>(s.data()) : &kEmpty;
}

// The one-shot digest and MAC calls fail only when OpenSSL cannot allocate or its default provider
// is missing; no answer would then be correct, so stop rather than return a wrong digest.
[[noreturn]] void crypto_failure(const char* what) {
  std::fprintf(stderr, "fatal: OpenSSL %s failed\n", what);
  std::abort();
}

// Value of a base64url character, or -1.
int base64url_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::array<std::uint8_t, 32> digest;
  unsigned int length = 0;
  if (EVP_Digest(bytes_of(data), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    crypto_failure("EVP_Digest(SHA-256)");
  }
  return digest;
}

std::string sha256_hex(std::string_view data) {
  const auto digest = sha256(data);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  if (key.size() > static_cast<std::size_t>(INT_MAX)) crypto_failure("HMAC (key too long)");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), bytes_of(key), static_cast<int>(key.size()), bytes_of(data), data.size(),
           mac, &length) == nullptr ||
      length != 32) {
    crypto_failure("HMAC-SHA256");
  }
  return std::string(reinterpret_cast<const char*>(mac), length);
}

Result<std::string> random_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t done = 0;
  while (done < n) {
    const std::size_t chunk = std::min<std::size_t>(n - done, 1u << 20);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done), static_cast<int>(chunk)) !=
        1) {
      OPENSSL_cleanse(out.data(), out.size());
      return Error::Internal("the system random number generator failed");
    }
    done += chunk;
  }
  return out;
}

Result<std::string> random_token(std::size_t bytes) {
  ASSIGN_OR_RETURN(std::string raw, random_bytes(bytes));
  std::string token = base64url_encode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return token;
}

std::string base64url_encode(std::string_view data) {
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size();
  std::string out;
  out.reserve((n / 3) * 4 + (n % 3 == 0 ? 0 : n % 3 + 1));
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out.push_back(kBase64UrlAlphabet[(v >> 18) & 63]);
    out.push_back(kBase64UrlAlphabet[(v >> 12) & 63]);
    out.push_back(kBase64UrlAlphabet[(v >> 6) & 63]);
    out.push_back(kBase64UrlAlphabet[v & 63]);
  }
  if (n - i == 1) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    out.push_back(kBase64UrlAlphabet[(v >> 18) & 63]);
    out.push_back(kBase64UrlAlphabet[(v >> 12) & 63]);
  } else if (n - i == 2) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    out.push_back(kBase64UrlAlphabet[(v >> 18) & 63]);
    out.push_back(kBase64UrlAlphabet[(v >> 12) & 63]);
    out.push_back(kBase64UrlAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  const std::size_t n = text.size();
  const std::size_t tail = n % 4;
  if (tail == 1) return std::nullopt;  // 6 bits cannot encode a byte
  std::string out;
  out.reserve(n / 4 * 3 + (tail == 0 ? 0 : tail - 1));
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int d = base64url_value(static_cast<unsigned char>(text[i + k]));
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    out.push_back(static_cast<char>((v >> 16) & 0xFF));
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
    out.push_back(static_cast<char>(v & 0xFF));
  }
  if (tail != 0) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < tail; ++k) {
      const int d = base64url_value(static_cast<unsigned char>(text[i + k]));
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    if (tail == 2) {  // 12 bits: one byte and 4 unused bits
      if ((v & 0x0F) != 0) return std::nullopt;
      out.push_back(static_cast<char>((v >> 4) & 0xFF));
    } else {  // 18 bits: two bytes and 2 unused bits
      if ((v & 0x03) != 0) return std::nullopt;
      out.push_back(static_cast<char>((v >> 10) & 0xFF));
      out.push_back(static_cast<char>((v >> 2) & 0xFF));
    }
  }
  return out;
}

std::string hex_encode(std::string_view data) {
  std::string out(data.size() * 2, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    out[2 * i] = kHexDigits[byte >> 4];
    out[2 * i + 1] = kHexDigits[byte & 0x0F];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    crypto_failure("EVP_DigestInit_ex(SHA-256)");
  }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1) {
    crypto_failure("EVP_DigestUpdate(SHA-256)");
  }
}

std::string Sha256Stream::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &length) != 1) {
    crypto_failure("EVP_DigestFinal_ex(SHA-256)");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace oeuvre::security
