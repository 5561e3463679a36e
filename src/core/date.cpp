#include "core/date.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace oeuvre {

// Howard Hinnant's civil-date algorithms (public domain).
std::int32_t days_from_civil(int year, int month, int day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year =
      static_cast<unsigned>((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1);
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int>(day_of_era) - 719468;
}

void civil_from_days(std::int32_t days, int& year, int& month, int& day) {
  const std::int64_t z = static_cast<std::int64_t>(days) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(z - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2));
}

std::string format_iso_date(std::int32_t days) {
  if (days == kNoDate) return "";
  int year, month, day;
  civil_from_days(days, year, month, day);
  if (year < 0 || year > 9999) {
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
    return text;
  }
  std::string text = "0000-00-00";
  for (int k = 3; k >= 0; --k, year /= 10)
    text[static_cast<std::size_t>(k)] = static_cast<char>('0' + year % 10);
  text[5] = static_cast<char>('0' + month / 10);
  text[6] = static_cast<char>('0' + month % 10);
  text[8] = static_cast<char>('0' + day / 10);
  text[9] = static_cast<char>('0' + day % 10);
  return text;
}

int business_days_between(std::int32_t a, std::int32_t b) {
  if (a > b) std::swap(a, b);
  // Count weekdays in (a, b]. 1970-01-01 was a Thursday: weekday(d) = (d + 3) mod 7, Monday = 0.
  auto weekdays_up_to = [](std::int64_t d) {  // weekdays in [epoch-anchored origin, d]
    std::int64_t shifted = d + 3;             // Monday-based day number
    std::int64_t weeks = shifted >= 0 ? shifted / 7 : (shifted - 6) / 7;
    std::int64_t rest = shifted - weeks * 7;  // 0..6, Monday = 0
    return weeks * 5 + std::min<std::int64_t>(rest + 1, 5);
  };
  return static_cast<int>(weekdays_up_to(b) - weekdays_up_to(a));
}

}  // namespace oeuvre
