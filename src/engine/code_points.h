#pragma once
// Internal: UTF-8 decoding for the text comparators. Ill-formed bytes decode to U+FFFD one byte at
// a time, so any input is safe (the CSV reader has already rejected ill-formed files).
// Thread-safety: pure functions, safe for concurrent use.

#include <cstdint>
#include <string>
#include <string_view>

namespace oeuvre::engine {

// True iff every byte of `text` is < 0x80.
bool is_ascii(std::string_view text);

// Decodes one code point at text[i], advancing i. REQUIRES: i < text.size().
char32_t decode_code_point(std::string_view text, std::size_t& i);

// Appends the code points of `text` to `out` (cleared first), at most `limit` of them.
void decode_utf8(std::string_view text, std::u32string& out, std::size_t limit = SIZE_MAX);

// Appends the UTF-8 encoding of `code_point` to `out`.
void append_utf8(std::string& out, char32_t code_point);

// Simple lower-case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals.
char32_t fold_case(char32_t code_point);

}  // namespace oeuvre::engine
