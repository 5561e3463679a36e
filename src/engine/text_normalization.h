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

// The numbers of an identifier as it was written: its runs of kMinNumberDigits or more ASCII
// digits, leading zeros kept, joined by single spaces, at most kMaxNumbers of them:
// "INV-2025-000044" -> "2025 000044", "Inv 000044" -> "000044", "2025/105395" -> "2025 105395".
// Payers write an invoice's number in many ways (with or without its prefix and year); its
// numbers are what the ways share.
inline constexpr std::size_t kMinNumberDigits = 4;
// A number this long identifies (a year, 2025, does not).
inline constexpr std::size_t kMinIdentifyingDigits = 5;
inline constexpr std::size_t kMaxNumbers = 8;
void identifier_numbers_into(std::string_view text, std::string& out);

// Two identifiers written differently name the same thing: the numbers of one (at least one of
// them kMinIdentifyingDigits long) are all among the other's. "Inv 000044" and
// "INV-2025-000044" agree; "INV-2024-000044" and "INV-2025-000044" do not. Takes
// identifier_numbers_into's output.
bool identifier_numbers_agree(std::string_view a, std::string_view b);

// Two strings of one length a typo apart: one byte changed, or two neighbouring bytes swapped.
bool one_typo_apart(std::string_view a, std::string_view b);

// As identifier_numbers_agree, but one identifying number may be a typo (one digit changed, or two
// neighbours swapped) away from the other's: "INVOICE NO 024763" and INV-2025-024663.
bool identifier_numbers_a_typo_apart(std::string_view a, std::string_view b);

// The identifying numbers (kMinIdentifyingDigits or more digits) of an identifier are all among
// the numbers of a free text (a payment's description quoting "Inv 105395" for
// INV-2025-105395), and there is at least one. Takes identifier_numbers_into's output for both.
bool identifier_numbers_in_text(std::string_view identifier, std::string_view text);

// A free text quotes another identifier than this one: the identifier's longest identifying
// number is not among the text's numbers, its other numbers (at least one: a year) are, and the
// text holds another number of the first one's length that is more than a typo away from it (a payment's description quoting INV-2025-007842 against the
// invoice INV-2025-011536; INV-2025-011563 would be a mistyped INV-2025-011536).
bool text_quotes_another_identifier(std::string_view identifier, std::string_view text);

// Calls visit(number) for each number of identifier_numbers_into's output until it returns false;
// false when one did.
template <class Visit>
bool each_number(std::string_view numbers, Visit&& visit) {
  std::size_t start = 0;
  while (start < numbers.size()) {
    std::size_t end = numbers.find(' ', start);
    if (end == std::string_view::npos) end = numbers.size();
    if (!visit(numbers.substr(start, end - start))) return false;
    start = end + 1;
  }
  return true;
}

// Calls visit(number) for each identifying number (kMinIdentifyingDigits or more digits) of
// identifier_numbers_into's output.
template <class Visit>
void for_each_identifying_number(std::string_view numbers, Visit&& visit) {
  each_number(numbers, [&](std::string_view n) {
    if (n.size() >= kMinIdentifyingDigits) visit(n);
    return true;
  });
}

// `number` is one of identifier_numbers_into's output `numbers`.
bool holds_number(std::string_view numbers, std::string_view number);

// The same three, writing into `out` (its contents replaced) so a caller preparing millions of
// values reuses one buffer. REQUIRES: `out` does not alias the input.
void normalize_text_into(std::string_view text, std::string& out);
void normalize_key_into(std::string_view text, std::string& out);
void sorted_token_set_into(std::string_view normalized_text, std::string& out);

}  // namespace oeuvre::engine
