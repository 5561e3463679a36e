#include "core/uuid.h"

#include <chrono>

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace oeuvre {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Value of one hex digit, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_hyphen_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

Uuid Uuid::generate_v4() {
  Bytes bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    std::fputs("fatal: OpenSSL RAND_bytes failed; cannot generate UUIDs\n", stderr);
    std::abort();
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // variant 10xx
  return Uuid(bytes);
}

Uuid Uuid::generate_v7() {
  Bytes bytes;
  if (RAND_bytes(bytes.data() + 6, static_cast<int>(bytes.size() - 6)) != 1) {
    std::fputs("fatal: OpenSSL RAND_bytes failed; cannot generate UUIDs\n", stderr);
    std::abort();
  }
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  for (int i = 0; i < 6; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x70);  // version 7
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // variant 10xx
  return Uuid(bytes);
}

Uuid Uuid::generate_v7_after(const Uuid& previous) {
  Uuid next = generate_v7();
  if (previous.is_nil() || next > previous) return next;
  // Same millisecond (or a clock step back): count up in bytes 9..15 and the low 6 bits of byte 8.
  Bytes bytes = previous.bytes_;
  for (std::size_t i = bytes.size() - 1; i >= 8; --i) {
    if (i == 8) {
      const auto low = static_cast<std::uint8_t>(((bytes[8] & 0x3F) + 1) & 0x3F);
      bytes[8] = static_cast<std::uint8_t>(0x80 | low);
      if (low == 0) return next;  // 2^62 ids in one millisecond: not reachable; fall back to the clock
      break;
    }
    if (++bytes[i] != 0) break;
  }
  return Uuid(bytes);
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Bytes bytes;
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (is_hyphen_position(i)) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);  // a hex pair never straddles a hyphen position
    if (high < 0 || low < 0) return std::nullopt;
    bytes[out++] = static_cast<std::uint8_t>((high << 4) | low);
    i += 2;
  }
  return Uuid(bytes);
}

std::string Uuid::to_string() const {
  std::string text(36, '-');
  std::size_t pos = 0;
  for (std::uint8_t byte : bytes_) {
    if (is_hyphen_position(pos)) ++pos;
    text[pos++] = kHexDigits[byte >> 4];
    text[pos++] = kHexDigits[byte & 0x0F];
  }
  return text;
}

bool Uuid::is_nil() const {
  for (std::uint8_t byte : bytes_) {
    if (byte != 0) return false;
  }
  return true;
}

}  // namespace oeuvre

std::size_t std::hash<oeuvre::Uuid>::operator()(const oeuvre::Uuid& id) const noexcept {
  std::uint64_t high;
  std::uint64_t low;
  std::memcpy(&high, id.bytes().data(), 8);
  std::memcpy(&low, id.bytes().data() + 8, 8);
  // Mix both halves (splitmix64 finaliser) so ids that differ in any byte spread over the buckets,
  // including non-random ids such as sequential test fixtures.
  std::uint64_t h = high ^ (low + 0x9E3779B97F4A7C15ULL + (high << 6) + (high >> 2));
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return static_cast<std::size_t>(h);
}
