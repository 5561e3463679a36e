#pragma once
// UTF-8: validation (RFC 3629, Unicode Table 3-7), measuring, cutting on character boundaries,
// decoding and encoding code points, and ASCII case folding. The one set of these for every module
// (the CSV reader's record check, ingest's error excerpts, the engine's text comparators).
// Thread-safety: pure functions, safe for concurrent use.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oeuvre {

// The length (1..4) of the well-formed character starting at text[i], or 0 when the bytes there are
// not one: a stray continuation byte, an overlong form (C0 80, E0 80 80), a UTF-16 surrogate
// (U+D800..U+DFFF), a code point above U+10FFFF, a truncated sequence. REQUIRES: i < text.size().
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char lead = p[i];
  if (lead < 0x80) return 1;
  // The allowed range of the second byte depends on the lead byte; the third and fourth bytes, when
  // present, are always 80..BF.
  std::size_t length;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong 3-byte forms
    if (lead == 0xED) second_max = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong 4-byte forms
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // 80..BF stray continuation, C0/C1 overlong leads, F5..FF
  }
  if (text.size() - i < length) return 0;
  if (p[i + 1] < second_min || p[i + 1] > second_max) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((p[i + k] & 0xC0) != 0x80) return 0;
  }
  return length;
}

// Offset of the first byte of `text` that breaks UTF-8 well-formedness (see utf8_sequence_length),
// or nullopt when it is well-formed. U+0000 is a valid code point; the empty string is valid. O(n),
// eight bytes at a time over ASCII.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// True iff `text` is well-formed UTF-8: !find_invalid_utf8(text).
bool is_valid_utf8(std::string_view text);

// True iff every byte of `text` is < 0x80.
bool is_ascii(std::string_view text);

// Number of code points in `text`.
// REQUIRES: is_valid_utf8(text) for a meaningful answer. On ill-formed input the result is the
// number of bytes that are not continuation bytes (10xxxxxx); it never reads past the end.
std::size_t utf8_length(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not split a character.
// REQUIRES: is_valid_utf8(text) for a character boundary (other input is never read past its end).
std::string_view cut_utf8(std::string_view text, std::size_t max_bytes);

// `text` made safe to store and print: ill-formed sequences become U+FFFD, and the result is cut to
// at most `max_bytes` bytes without splitting a character.
std::string to_valid_utf8(std::string_view text, std::size_t max_bytes);

// Decodes the character at text[i] and advances i past it. A byte that does not start a
// well-formed sequence decodes to U+FFFD and advances i by one, so any input is safe.
// REQUIRES: i < text.size().
inline char32_t decode_code_point(std::string_view text, std::size_t& i) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char lead = p[i];
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  const std::size_t length = utf8_sequence_length(text, i);
  if (length == 0) {
    ++i;
    return 0xFFFD;
  }
  char32_t code_point = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) code_point = (code_point << 6) | (p[i + k] & 0x3F);
  i += length;
  return code_point;
}

// The code points of `text` into `out` (cleared first), at most `limit` of them, decoded as
// decode_code_point does.
void decode_utf8(std::string_view text, std::u32string& out, std::size_t limit = SIZE_MAX);

// Appends the UTF-8 encoding of `code_point` to `out`. REQUIRES: code_point <= U+10FFFF.
void append_utf8(std::string& out, char32_t code_point);

// `text` with A-Z as a-z; every other byte (UTF-8 sequences included) as it is. For names compared
// without case: header and media-type names, URL schemes, e-mail addresses, field names.
std::string ascii_lowercase(std::string_view text);

// True when `text` has an ASCII control character (below U+0020, or DEL); with `allow_line_breaks`,
// LF, CR and TAB are allowed. For names and single-line values taken from users.
bool has_control_characters(std::string_view text, bool allow_line_breaks = false);

// True when `text` is empty or only spaces and tabs.
bool is_blank(std::string_view text);

}  // namespace oeuvre
