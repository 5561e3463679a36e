#include "bank/text_encoding.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "core/utf8.h"

namespace oeuvre::bank {
namespace {

// Windows-1252's characters for bytes 0x80..0x9F; U+FFFD for the five it leaves undefined.
constexpr std::array<char32_t, 32> kWindows1252High = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

// `bytes` as UTF-8, each byte of 0x80 and above the character `code_point` gives it.
template <class CodePoint>
std::string single_byte_to_utf8(std::string_view bytes, CodePoint code_point) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      append_utf8(out, code_point(byte));
    }
  }
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

char32_t windows_1252_code_point(unsigned char byte) {
  return byte >= 0x80 && byte <= 0x9F ? kWindows1252High[byte - 0x80] : byte;
}

std::string windows_1252_to_utf8(std::string_view bytes) {
  return single_byte_to_utf8(bytes, windows_1252_code_point);
}

std::string latin1_to_utf8(std::string_view bytes) {
  return single_byte_to_utf8(bytes, [](unsigned char byte) { return char32_t{byte}; });
}

Charset charset_named(std::string_view name) {
  while (!name.empty() && is_space(name.front())) name.remove_prefix(1);
  while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
  std::string n(name);
  for (char& c : n)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (one_of(n, {"UTF-8", "UTF8", "UNICODE"})) return Charset::kUtf8;
  if (one_of(n, {"1252", "WINDOWS-1252", "WINDOWS1252", "CP1252", "X-CP1252"}))
    return Charset::kWindows1252;
  if (one_of(n, {"ISO-8859-1", "ISO8859-1", "ISO_8859-1", "8859-1", "LATIN1", "LATIN-1", "L1"}))
    return Charset::kLatin1;
  return Charset::kUnknown;
}

}  // namespace oeuvre::bank
