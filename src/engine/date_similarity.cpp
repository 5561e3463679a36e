#include "engine/date_similarity.h"

#include <algorithm>
#include <cstdlib>

namespace oeuvre::engine {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A calendar date's day number, or kNoDate when month or day does not exist.
std::int32_t checked_days(int year, int month, int day) {
  static constexpr int kDaysIn[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysIn[month - 1]) return kNoDate;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return kNoDate;
  return days_from_civil(year, month, day);
}

// Reads 1 or 2 digits at `at`; false when there are none or more.
bool read_part(std::string_view text, std::size_t& at, int& out) {
  std::size_t n = 0;
  out = 0;
  while (at < text.size() && is_digit(text[at]) && n < 3) {
    out = out * 10 + (text[at] - '0');
    ++at;
    ++n;
  }
  return n == 1 || n == 2;
}

}  // namespace

DateValue date_value_from_days(std::int32_t days) {
  DateValue v;
  if (days == kNoDate) return v;
  v.days = days;
  int year = 0, month = 0, day = 0;
  civil_from_days(days, year, month, day);
  if (year >= 0 && year <= 9999) {
    v.digits = static_cast<std::uint32_t>(year * 10000 + month * 100 + day);
  }
  return v;
}

DateValue date_value_from_text(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  // The date part: what comes before a time.
  if (const std::size_t cut = text.find_first_of("T "); cut != std::string_view::npos)
    text = text.substr(0, cut);
  int year = 0, month = 0, day = 0;
  if (text.size() == 8 && std::all_of(text.begin(), text.end(), is_digit)) {
    for (std::size_t i = 0; i < 4; ++i) year = year * 10 + (text[i] - '0');
    month = (text[4] - '0') * 10 + (text[5] - '0');
    day = (text[6] - '0') * 10 + (text[7] - '0');
  } else {
    if (text.size() < 8 || !std::all_of(text.begin(), text.begin() + 4, is_digit)) return {};
    for (std::size_t i = 0; i < 4; ++i) year = year * 10 + (text[i] - '0');
    const char separator = text[4];
    if (separator != '-' && separator != '/' && separator != '.') return {};
    std::size_t at = 5;
    if (!read_part(text, at, month) || at >= text.size() || text[at] != separator) return {};
    ++at;
    if (!read_part(text, at, day) || at != text.size()) return {};
  }
  DateValue v;
  v.digits = static_cast<std::uint32_t>(year * 10000 + month * 100 + day);
  v.days = checked_days(year, month, day);
  return v;
}

std::string_view date_digits(const DateValue& value, char (&out)[8]) {
  if (value.digits == 0) return {};
  std::uint32_t d = value.digits;
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>('0' + d % 10);
    d /= 10;
  }
  return std::string_view(out, 8);
}

bool dates_a_typo_apart(std::uint32_t a, std::uint32_t b) {
  if (a == 0 || b == 0 || a == b) return false;
  const std::uint32_t year_a = a / 10000, year_b = b / 10000;
  const std::uint32_t month_a = a / 100 % 100, month_b = b / 100 % 100;
  const std::uint32_t day_a = a % 100, day_b = b % 100;
  if (year_a == year_b && month_a == day_b && day_a == month_b) return true;
  // The digits that differ: one, or two neighbours swapped.
  int differ[8], count = 0;
  std::uint32_t x = a, y = b;
  int digit_a[8], digit_b[8];
  for (int i = 7; i >= 0; --i) {
    digit_a[i] = static_cast<int>(x % 10);
    digit_b[i] = static_cast<int>(y % 10);
    x /= 10;
    y /= 10;
  }
  for (int i = 0; i < 8; ++i) {
    if (digit_a[i] != digit_b[i]) differ[count++] = i;
  }
  if (count == 1) return true;
  return count == 2 && differ[1] == differ[0] + 1 && digit_a[differ[0]] == digit_b[differ[1]] &&
         digit_a[differ[1]] == digit_b[differ[0]];
}

double date_similarity(const FieldRule& rule, const DateValue& a, const DateValue& b,
                       bool& present) {
  const bool dated = a.days != kNoDate && b.days != kNoDate;
  present = rule.typos ? !a.empty() && !b.empty() : dated;
  if (!present) return 0;
  double s = 0;
  if (dated) {
    const std::int64_t diff = rule.business_days
                                  ? business_days_between(a.days, b.days)
                                  : std::llabs(static_cast<std::int64_t>(a.days) - b.days);
    if (diff <= rule.window_days) {
      s = rule.window_days == 0
              ? 1.0
              : 1.0 - 0.5 * static_cast<double>(diff) / static_cast<double>(rule.window_days);
    }
  }
  if (rule.typos && s < 1.0) {
    if (a.digits != 0 && a.digits == b.digits) return 1.0;
    if (dates_a_typo_apart(a.digits, b.digits)) s = std::max(s, kDateTypoSimilarity);
  }
  return s;
}

}  // namespace oeuvre::engine
