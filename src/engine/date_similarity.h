#pragma once
// Internal: dates compared under a date rule. A date is held as its day number (for the window)
// and as its eight digits yyyymmdd (for the typos a person makes typing one: a birth date with day
// and month swapped, one digit wrong, two neighbouring digits swapped). A text value is read when
// it is written year first (yyyymmdd, yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd); its digits are kept even
// when they make no calendar date (a swap writes month 25), its day number then missing.
// Thread-safety: pure functions.

#include <cstdint>
#include <string_view>

#include "core/date.h"
#include "engine/rules.h"

namespace oeuvre::engine {

struct DateValue {
  std::int32_t days = kNoDate;  // kNoDate: not a calendar date (or none)
  std::uint32_t digits = 0;     // yyyymmdd as a number; 0: no digits (none, or a year beyond 9999)
  bool empty() const { return days == kNoDate && digits == 0; }
};

// The date of day number `days` (kNoDate gives an empty value).
DateValue date_value_from_days(std::int32_t days);

// The date written in `text`: yyyymmdd, or yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd with one- or
// two-digit month and day; surrounding white space and a time after 'T' or a space are ignored.
// Anything else gives an empty value; the digits of one that is no calendar date (month 25, day
// 00: a mistyped one) are kept, its day number kNoDate.
DateValue date_value_from_text(std::string_view text);

// The eight digits of `value` ("19870305"), or "" when it has none. `out` must hold 8 bytes.
std::string_view date_digits(const DateValue& value, char (&out)[8]);

// True when a and b (yyyymmdd digits, both non-zero and different) are one typo apart: day and
// month swapped, one digit different, or two neighbouring digits swapped.
bool dates_a_typo_apart(std::uint32_t a, std::uint32_t b);

// The similarity of a and b under the date rule `rule`, in [0, 1]; `present` false (and 0) when one
// is empty, or, without rule.typos, not a calendar date. Within the window 1 down to 0.5 (calendar
// or Monday-Friday days); with rule.typos, dates a typo apart at least kDateTypoSimilarity;
// otherwise 0.
double date_similarity(const FieldRule& rule, const DateValue& a, const DateValue& b,
                       bool& present);

}  // namespace oeuvre::engine
