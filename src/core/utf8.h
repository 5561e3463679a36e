#pragma once
// UTF-8 validation and measurement (RFC 3629, Unicode Table 3-7), and ASCII case folding.
// Thread-safety: pure functions, safe for concurrent use.

#include <cstddef>
#include <string>
#include <string_view>

namespace oeuvre {

// True iff `text` is well-formed UTF-8: shortest-form encodings only (no overlongs such as C0 80 or
// E0 80 80), no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no stray continuation
// bytes, no truncated sequences. U+0000 is a valid code point and is accepted. The empty string is
// valid. Runs in O(n) with a word-at-a-time fast path for ASCII.
bool is_valid_utf8(std::string_view text);

// Number of code points in `text`.
// REQUIRES: is_valid_utf8(text) for a meaningful answer. On ill-formed input the result is the
// number of bytes that are not continuation bytes (10xxxxxx); it never reads past the end.
std::size_t utf8_length(std::string_view text);

// `text` made safe to store and print: ill-formed sequences become U+FFFD, and the result is cut to at
// most `max_bytes` bytes without splitting a character. Thread-safe.
std::string to_valid_utf8(std::string_view text, std::size_t max_bytes);

// `text` with A-Z as a-z; every other byte (UTF-8 sequences included) as it is. For names compared
// without case: header and media-type names, URL schemes, e-mail addresses, field names.
std::string ascii_lowercase(std::string_view text);

}  // namespace oeuvre
