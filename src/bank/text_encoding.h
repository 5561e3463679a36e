#pragma once
// The single-byte character sets bank files still come in, read into UTF-8: Windows-1252 (the
// usual encoding of bank exports) and ISO-8859-1. The one Windows-1252 table of the bank parsers:
// MT940 text that is not UTF-8, OFX 1.x bodies in the character set their header names, and the
// XML encodings expat does not know itself (camt, OFX 2.x; see xml_stream.h) all go through it.
// UTF-8 itself (encoding a code point, checking and repairing text) is core/utf8.h's.
// Thread-safety: pure functions, safe for concurrent use.

#include <string>
#include <string_view>

namespace oeuvre::bank {

// The character Windows-1252 gives `byte`: the ISO-8859-1 character of the same number, except
// for 0x80..0x9F (the euro sign, curly quotes, dashes, ...), where the five bytes Windows-1252
// leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are U+FFFD.
char32_t windows_1252_code_point(unsigned char byte);

// `bytes` read as Windows-1252, as UTF-8 (always valid).
std::string windows_1252_to_utf8(std::string_view bytes);

// `bytes` read as ISO-8859-1 (every byte the code point of its number), as UTF-8 (always valid).
std::string latin1_to_utf8(std::string_view bytes);

enum class Charset {
  kUtf8,
  kWindows1252,
  kLatin1,
  kUnknown,  // a name not listed below
};

// The character set an encoding name stands for (an OFX 1.x CHARSET or ENCODING value, an XML
// encoding declaration), ASCII case and surrounding whitespace ignored: "UTF-8", "UTF8",
// "UNICODE"; "1252", "WINDOWS-1252", "WINDOWS1252", "CP1252", "X-CP1252"; "ISO-8859-1",
// "ISO8859-1", "ISO_8859-1", "8859-1", "LATIN1", "LATIN-1", "L1".
Charset charset_named(std::string_view name);

}  // namespace oeuvre::bank
