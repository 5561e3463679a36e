#pragma once
// Uuid: a 128-bit RFC 4122 identifier as a value type. Ids in Œuvre are Uuids, never raw strings.
// Thread-safety: a value type; const methods are safe for concurrent use, and generate_v4() may be
// called from any number of threads at once.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace oeuvre {

class Uuid {
 public:
  using Bytes = std::array<std::uint8_t, 16>;

  // The nil UUID 00000000-0000-0000-0000-000000000000.
  constexpr Uuid() = default;
  // Wraps 16 bytes in network (big-endian, textual) order; no version or variant is imposed.
  constexpr explicit Uuid(const Bytes& bytes) : bytes_(bytes) {}

  // A random (version 4, variant RFC 4122) UUID: 122 bits from OpenSSL's CSPRNG (RAND_bytes).
  // Aborts the process if the CSPRNG fails, since nothing that needs an unguessable id can run
  // then.
  static Uuid generate_v4();
  // A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds, then 74 random bits.
  // For rows inserted in bulk (records): consecutive ids land next to each other in the primary key
  // index instead of at random pages. Not for ids that must not reveal their creation time.
  static Uuid generate_v7();
  // A version 7 UUID greater than `previous` (RFC 9562 §6.2, method 2): generate_v7() when the
  // clock has moved past it, else `previous` plus one in its 62 low random bits (the version and
  // variant bits stay). For a run of ids written in one order that must also be id order (a bulk
  // load sorted by another key with id as the tie-break). Starts from generate_v7() for the nil UUID.
  static Uuid generate_v7_after(const Uuid& previous);

  // Parses the canonical 36-character form 8-4-4-4-12 of hex digits, upper or lower case
  // (e.g. "1b4e28ba-2fa1-11d2-883f-0016d3cca427"). Returns nullopt for anything else: braces, a
  // "urn:uuid:" prefix, missing or misplaced hyphens, surrounding whitespace, other lengths.
  // Any version and variant is accepted (the nil UUID too).
  static std::optional<Uuid> parse(std::string_view text);

  // Canonical lowercase 36-character form; parse(to_string()) == *this.
  std::string to_string() const;
  // The same 36 characters written to out[0..35] (no terminator), for writers that format many ids.
  void write_chars(char* out) const;

  bool is_nil() const;
  const Bytes& bytes() const { return bytes_; }
  // The version nibble (4 for generate_v4()).
  int version() const { return bytes_[6] >> 4; }

  // Byte-wise order, which equals the order of to_string() texts.
  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend std::strong_ordering operator<=>(const Uuid&, const Uuid&) = default;

 private:
  Bytes bytes_{};
};

}  // namespace oeuvre

template <>
struct std::hash<oeuvre::Uuid> {
  std::size_t operator()(const oeuvre::Uuid& id) const noexcept;
};
