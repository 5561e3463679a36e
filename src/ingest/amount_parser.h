#pragma once
// Exact decimal amounts: "1,234.56", "-1.234,56 EUR", "(12.30)", "$ 5", "12.5-" become integer
// minor units (123456, -123456, -1230, 500, -1250 at scale 2). Never a float. Thread-safety: pure
// functions, safe for concurrent use.

#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"

namespace oeuvre::ingest {

enum class DecimalSeparator { kDot, kComma };

// Largest accepted magnitude in minor units (10^15, i.e. 10 trillion at scale 2), so sums over
// millions of records cannot overflow int64.
inline constexpr std::int64_t kMaxAmountMinor = 1'000'000'000'000'000;

// Parses `text` into minor units with `scale` digits after the decimal point (0..6).
// Accepts: surrounding spaces, a sign (+, -, U+2212) in front or a trailing '-', parentheses for
// negatives, a currency symbol or 3-letter code before or after, group separators (',', '.', ' ',
// '\'', '_', NBSP; whichever is not the decimal separator) in groups of three.
// Fails (kBadRequest, message quoting the text) on anything else: empty text, letters, scientific
// notation, misplaced separators, more significant decimals than `scale` ("1.005" at scale 2), or a
// magnitude above kMaxAmountMinor.
Result<std::int64_t> parse_amount(std::string_view text, int scale, DecimalSeparator separator);

// Decides the decimal separator from sample values: a value like "1.234,56" or "12,5" votes comma,
// one like "1,234.56" or "12.5" votes dot; "1,234" (ambiguous) does not vote. Dot wins ties and
// empty input.
DecimalSeparator detect_decimal_separator(std::span<const std::string_view> samples);

}  // namespace oeuvre::ingest
