#pragma once
// Calendar dates as day numbers: days since 1970-01-01 in the proleptic Gregorian calendar, the
// form records, rules and the engine work in. Their one text form is "YYYY-MM-DD" (parse_date in
// core/time.h reads it; format_iso_date writes it).
// Thread-safety: pure functions, safe for concurrent use.

#include <cstdint>
#include <limits>
#include <string>

namespace oeuvre {

// Marks a missing date among day numbers.
inline constexpr std::int32_t kNoDate = std::numeric_limits<std::int32_t>::min();

// Days since 1970-01-01 for a civil date. REQUIRES: 1 <= month <= 12, 1 <= day <= days in month.
std::int32_t days_from_civil(int year, int month, int day);

// The civil date of `days`. REQUIRES: days != kNoDate.
void civil_from_days(std::int32_t days, int& year, int& month, int& day);

// "YYYY-MM-DD" (years outside 0..9999 keep their sign and digits), or "" for kNoDate.
std::string format_iso_date(std::int32_t days);

// Number of Monday-Friday days in (min(a, b), max(a, b)]. REQUIRES: neither is kNoDate.
int business_days_between(std::int32_t a, std::int32_t b);

}  // namespace oeuvre
