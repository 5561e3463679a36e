#pragma once
// Exact decimal amounts: "1,234.56", "-1.234,56 EUR", "(12.30)", "$ 5", "12.5-", "12.50 DR" become
// integer minor units (123456, -123456, -1230, 500, -1250, -1250 at scale 2). Never a float.
// Thread-safety: pure functions and value types, safe for concurrent use.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"

namespace oeuvre::ingest {

// How a file writes the decimal point of amounts. kAuto (a column mapping's "auto") is decided per
// file; the functions below read it as kDot.
enum class DecimalSeparator { kAuto, kDot, kComma };

// Largest accepted magnitude in minor units (10^15, i.e. 10 trillion at scale 2), so sums over
// millions of records cannot overflow int64.
inline constexpr std::int64_t kMaxAmountMinor = 1'000'000'000'000'000;

// A debit/credit marker: "DR"/"CR" written in the amount text, or the value of an indicator column.
enum class CreditDebit : std::uint8_t { kNone, kDebit, kCredit };

// An amount's text taken apart: the number and what surrounds it.
struct AmountText {
  std::string_view number;         // digits and separators only: "1,234.56"
  bool negative = false;           // a sign, parentheses, a trailing '-' or a DR indicator
  bool signed_explicitly = false;  // a sign, parentheses or a trailing '-' was written
  std::string_view currency_code;  // a 3-letter code written before or after the number, or empty
  CreditDebit indicator = CreditDebit::kNone;  // "DR"/"CR" (any case) before or after the number
};

// Strips spaces (and NBSP), a sign (+, -, U+2212) in front or a trailing '-', parentheses for
// negatives, a currency symbol or 3-letter code before or after, and a "DR"/"CR" indicator (any
// case) at either end: DR makes the amount negative, CR leaves it positive; an indicator together
// with a sign is refused (it would be ambiguous). Fails (kBadRequest) with the reason alone ("is
// empty", "has no digits"), without quoting the text, for callers that show the text themselves.
Result<AmountText> split_amount(std::string_view text);

// The number of `amount` in minor units with `scale` digits after the decimal point (0..6), group
// separators (',', '.', ' ', '\'', '_', NBSP; whichever is not the decimal separator) in groups of
// three. Fails (kBadRequest) with the reason alone on misplaced separators, letters, scientific
// notation, more significant decimals than `scale` ("1.005" at scale 2) or a magnitude above
// kMaxAmountMinor.
Result<std::int64_t> to_minor_units(const AmountText& amount, int scale,
                                    DecimalSeparator separator);

// split_amount + to_minor_units. Fails (kBadRequest) with a message quoting the text: "amount
// '1,2.3': has a misplaced group separator".
Result<std::int64_t> parse_amount(std::string_view text, int scale, DecimalSeparator separator);

// The value of a debit/credit indicator column: "D", "DR", "DB", "DEBIT", "S", "SOLL", "-" are
// debits; "C", "CR", "CREDIT", "H", "HABEN", "+" credits (any case, surrounding spaces ignored);
// kNone for an empty value; nullopt for anything else.
std::optional<CreditDebit> parse_credit_debit(std::string_view text);

// Applies an indicator column's value to a parsed amount: a debit makes it negative, a credit
// leaves it positive. Fails (reason alone) when the amount's own sign contradicts the indicator
// (a negative amount marked credit). kNone returns `minor` unchanged.
Result<std::int64_t> apply_credit_debit(std::int64_t minor, CreditDebit indicator);

// Collects decimal-separator evidence one value at a time: a value like "1.234,56" or "12,5" votes
// comma, one like "1,234.56" or "12.5" votes dot; "1,234" (ambiguous) does not vote.
// Thread-safety: external synchronisation needed.
class DecimalSeparatorVotes {
 public:
  void observe(std::string_view value);
  // Comma when it has more votes, else dot (dot wins ties and no evidence); never kAuto.
  DecimalSeparator decide() const;

 private:
  std::uint64_t dot_ = 0, comma_ = 0;
};

// DecimalSeparatorVotes over `samples`.
DecimalSeparator detect_decimal_separator(std::span<const std::string_view> samples);

}  // namespace oeuvre::ingest
