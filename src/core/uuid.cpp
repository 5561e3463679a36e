#include "core/uuid.h"

#include <chrono>

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace oeuvre {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Value of each byte as a hex digit, or -1 (a table: parse runs for every id a query returns).
constexpr std::array<std::int8_t, 256> kHexValues = [] {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
  return table;
}();

// Offsets of the 16 hex pairs in the 36-character form.
constexpr std::size_t kPairAt[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};

// Random bytes for version 7 ids, drawn from OpenSSL in blocks: one RAND_bytes call per id cost
// more than the rest of a bulk load's row. The bytes are CSPRNG output all the same. (A process
// forked without exec would share the block's rest with its parent; nothing here forks that way.)
void random_v7_bytes(std::uint8_t* out, std::size_t n) {
  thread_local std::array<std::uint8_t, 4096> block;
  thread_local std::size_t used = block.size();
  if (used + n > block.size()) {
    if (RAND_bytes(block.data(), static_cast<int>(block.size())) != 1) {
      std::fputs("fatal: OpenSSL RAND_bytes failed; cannot generate UUIDs\n", stderr);
      std::abort();
    }
    used = 0;
  }
  std::memcpy(out, block.data() + used, n);
  used += n;
}

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
  random_v7_bytes(bytes.data() + 6, bytes.size() - 6);
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
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
    return std::nullopt;
  }
  Bytes bytes;
  int invalid = 0;  // any digit's -1 (all bits set) shows here
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int high = kHexValues[static_cast<unsigned char>(text[kPairAt[i]])];
    const int low = kHexValues[static_cast<unsigned char>(text[kPairAt[i] + 1])];
    invalid |= high | low;
    bytes[i] = static_cast<std::uint8_t>((static_cast<unsigned>(high) << 4) | (static_cast<unsigned>(low) & 0x0Fu));
  }
  if (invalid < 0) return std::nullopt;
  return Uuid(bytes);
}

void Uuid::write_chars(char* out) const {
  out[8] = out[13] = out[18] = out[23] = '-';
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    out[kPairAt[i]] = kHexDigits[bytes_[i] >> 4];
    out[kPairAt[i] + 1] = kHexDigits[bytes_[i] & 0x0F];
  }
}

std::string Uuid::to_string() const {
  std::string text(36, '-');
  write_chars(text.data());
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
