#pragma once
// Normalisation applied before comparing text, so "INV-000123 " and "inv 123" can meet.
// Thread-safety: pure functions, safe for concurrent use.

#include <string>
#include <string_view>

namespace oeuvre::engine {

// Lower-cases (ASCII and common Latin/Greek/Cyrillic capitals), turns punctuation and whitespace
// into single spaces and trims: "  ACME Corp., Ltd " -> "acme corp ltd". Letters and digits of any
// script are kept; general punctuation (U+2000..U+206F), NBSP and currency signs count as
// separators.
std::string normalize_text(std::string_view text);

// An exact-match key: normalize_text without separators and without the leading zeros of each digit
// run: "INV-000123" -> "inv123", "0042" -> "42", "000" -> "0".
std::string normalize_key(std::string_view text);

// The unique tokens of an already normalised text, sorted and joined by single spaces:
// "b a b c" -> "a b c". Used by token_set_ratio_of_sorted.
std::string sorted_token_set(std::string_view normalized_text);

// The same three, writing into `out` (its contents replaced) so a caller preparing millions of
// values reuses one buffer. REQUIRES: `out` does not alias the input.
void normalize_text_into(std::string_view text, std::string& out);
void normalize_key_into(std::string_view text, std::string& out);
void sorted_token_set_into(std::string_view normalized_text, std::string& out);

}  // namespace oeuvre::engine
