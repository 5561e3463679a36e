#include "core/utf8.h"

#include <cstdint>
#include <cstring>

namespace oeuvre {

namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Loads 8 bytes without alignment or aliasing concerns (compiles to one load).
std::uint64_t load_word(const unsigned char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The length (2..4) of the well-formed multi-byte sequence starting at p[i], or 0 when the bytes there
// are ill-formed. REQUIRES: i < n and p[i] >= 0x80.
std::size_t sequence_length(const unsigned char* p, std::size_t i, std::size_t n) {
  const unsigned char lead = p[i];
  // Allowed range of the second byte depends on the lead byte (Unicode Table 3-7); the third and
  // fourth bytes, when present, are always 80..BF.
  std::size_t length;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead == 0xE0) {
    length = 3;
    second_min = 0xA0;  // excludes overlong 3-byte forms
  } else if (lead == 0xED) {
    length = 3;
    second_max = 0x9F;                        // excludes surrogates U+D800..U+DFFF
  } else if (lead >= 0xE1 && lead <= 0xEF) {  // E1..EC, EE..EF
    length = 3;
  } else if (lead == 0xF0) {
    length = 4;
    second_min = 0x90;  // excludes overlong 4-byte forms
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    length = 4;
  } else if (lead == 0xF4) {
    length = 4;
    second_max = 0x8F;  // excludes code points above U+10FFFF
  } else {
    return 0;  // 80..BF stray continuation, C0/C1 overlong leads, F5..FF
  }
  if (n - i < length) return 0;
  if (p[i + 1] < second_min || p[i + 1] > second_max) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!is_continuation(p[i + k])) return 0;
  }
  return length;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path: skip 8 bytes at a time while none has its high bit set.
    while (i + 8 <= n && (load_word(p + i) & kHighBits) == 0) i += 8;
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = sequence_length(p, i, n);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::string out;
  out.reserve(std::min(n, max_bytes));
  std::size_t i = 0;
  while (i < n) {
    std::size_t length = 1;
    std::string_view piece = text.substr(i, 1);
    if (p[i] >= 0x80) {
      length = sequence_length(p, i, n);
      piece = length == 0 ? kReplacement : text.substr(i, length);
      if (length == 0) length = 1;
    }
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
    i += length;
  }
  return out;
}

std::size_t utf8_length(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < n) {
    while (i + 8 <= n && (load_word(p + i) & kHighBits) == 0) {
      i += 8;
      count += 8;
    }
    if (i >= n) break;
    if (!is_continuation(p[i])) ++count;
    ++i;
  }
  return count;
}

std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace oeuvre
