#pragma once
// Dates as found in bank and ledger exports: ISO "2024-03-05" (with or without a time part),
// "05/03/2024" and "03/05/2024" (day-first or month-first, decided from the whole column),
// "05.03.2024", "05-03-24", "20240305", "5 Mar 2024", "Mar 5, 2024". Results are days since
// 1970-01-01. Thread-safety: pure functions and value types.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace oeuvre::ingest {

enum class DateOrder { kYearMonthDay, kDayMonthYear, kMonthDayYear };

std::string_view date_order_name(DateOrder order);  // "ymd", "dmy", "mdy"

// A date split into its parts before the day/month order is known.
struct DateParts {
  enum class Shape : std::uint8_t {
    kYearFirst,  // yyyy-mm-dd, yyyymmdd, yyyy-Mon-dd: no ambiguity
    kNumeric,    // a/b/yyyy: day-first or month-first
    kNamedMonth  // the month is a name: no ambiguity
  };
  Shape shape = Shape::kYearFirst;
  std::int32_t year = 0;
  std::uint8_t first = 0, second = 0;  // kNumeric: the two leading numbers; otherwise month, day
  char separator = '-';
};

// Splits `text` (a time part after 'T' or a space is ignored). Fails on anything that is not a date
// shape (the message quotes the text). The calendar validity is checked by to_days.
Result<DateParts> split_date(std::string_view text);

// split_date for callers that show the text themselves: a failure's message is the reason alone
// ("is not a date", "has an unknown month name").
Result<DateParts> split_date_unquoted(std::string_view text);

// Days since 1970-01-01 of `parts` read in `order` (which only matters for kNumeric).
// Fails when the year, month or day is out of range, with the reason alone ("day 31 does not exist
// in April").
Result<std::int32_t> to_days(const DateParts& parts, DateOrder order);

// Convenience: split_date + to_days.
Result<std::int32_t> parse_date(std::string_view text, DateOrder order);

// Collects evidence about ambiguous numeric dates, one value at a time.
// Thread-safety: external synchronisation needed.
class DateOrderDetector {
 public:
  void observe(const DateParts& parts, std::uint64_t line);
  // Day-first when some value has a first number > 12 ("13/01/2024"), month-first when some value
  // has a second number > 12; fails when both occur (naming a line of each); day-first when nothing
  // decides (the international default — pass an explicit order to override).
  Result<DateOrder> decide() const;
  // True when some value had one of its two numbers above 12, so decide() did not fall back on its
  // default.
  bool has_evidence() const { return day_first_line_ != 0 || month_first_line_ != 0; }
  // The first line holding a numeric (a/b/yyyy) date, or 0 when there was none.
  std::uint64_t first_numeric_line() const { return numeric_line_; }
  // The first line whose date can only be day-first / only month-first, or 0.
  std::uint64_t day_first_line() const { return day_first_line_; }
  std::uint64_t month_first_line() const { return month_first_line_; }

 private:
  std::uint64_t day_first_line_ = 0, month_first_line_ = 0, numeric_line_ = 0;
};

}  // namespace oeuvre::ingest
