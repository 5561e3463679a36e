#include "core/time.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace oeuvre {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr Timestamp kMinFormattable{
    std::chrono::sys_days{std::chrono::year{0} / std::chrono::January / 1}};
constexpr Timestamp kMaxFormattable{
    std::chrono::sys_days{std::chrono::year{9999} / std::chrono::December / 31} + days{1} -
    microseconds{1}};

// Writes `value` as exactly `width` decimal digits at out[0..width). REQUIRES: 0 <= value <
// 10^width.
void put_digits(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Reads exactly `width` ASCII digits starting at `pos`; false if any is missing or not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t width, int& value) {
  if (pos + width > text.size()) return false;
  int result = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  value = result;
  return true;
}

bool char_at(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

// Reads "YYYY-MM-DD" at the start of `text` (what follows is the caller's); false when it is not
// there or names no calendar date.
bool read_date(std::string_view text, std::chrono::year_month_day& date) {
  int year, month, day;
  if (!read_digits(text, 0, 4, year) || !char_at(text, 4, '-') || !read_digits(text, 5, 2, month) ||
      !char_at(text, 7, '-') || !read_digits(text, 8, 2, day)) {
    return false;
  }
  date = std::chrono::year_month_day{std::chrono::year{year},
                                     std::chrono::month{static_cast<unsigned>(month)},
                                     std::chrono::day{static_cast<unsigned>(day)}};
  return date.ok();
}

}  // namespace

Timestamp now_utc() { return std::chrono::floor<microseconds>(std::chrono::system_clock::now()); }

void write_timestamp(Timestamp t, char* out) {
  if (t < kMinFormattable) t = kMinFormattable;
  if (t > kMaxFormattable) t = kMaxFormattable;
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::int64_t micros_of_day = (t - day).count();  // in [0, 86400 * 10^6)
  const std::int64_t second_of_day = micros_of_day / 1'000'000;

  std::memcpy(out, "0000-00-00T00:00:00.000000Z", kTimestampChars);
  put_digits(&out[0], static_cast<int>(ymd.year()), 4);
  put_digits(&out[5], static_cast<unsigned>(ymd.month()), 2);
  put_digits(&out[8], static_cast<unsigned>(ymd.day()), 2);
  put_digits(&out[11], second_of_day / 3600, 2);
  put_digits(&out[14], second_of_day / 60 % 60, 2);
  put_digits(&out[17], second_of_day % 60, 2);
  put_digits(&out[20], micros_of_day % 1'000'000, 6);
}

std::string format_timestamp(Timestamp t) {
  std::string text(kTimestampChars, '0');
  write_timestamp(t, text.data());
  return text;
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  std::chrono::year_month_day ymd;
  int hour, minute, second;
  if (!read_date(text, ymd) || !(char_at(text, 10, 'T') || char_at(text, 10, ' ')) ||
      !read_digits(text, 11, 2, hour) || !char_at(text, 13, ':') || !read_digits(text, 14, 2, minute) ||
      !char_at(text, 16, ':') || !read_digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;

  std::int64_t micros = 0;
  if (char_at(text, pos, '.')) {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++digits > 6) return std::nullopt;
      micros = micros * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }

  int offset_minutes = 0;
  if (char_at(text, pos, 'Z')) {
    ++pos;
  } else if (char_at(text, pos, '+') || char_at(text, pos, '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    int offset_hour = 0;
    int offset_minute = 0;
    if (!read_digits(text, pos + 1, 2, offset_hour)) return std::nullopt;
    pos += 3;
    if (char_at(text, pos, ':')) {
      if (!read_digits(text, pos + 1, 2, offset_minute)) return std::nullopt;
      pos += 3;
    }
    if (offset_hour > 15 || offset_minute > 59) return std::nullopt;
    offset_minutes = sign * (offset_hour * 60 + offset_minute);
  } else {
    return std::nullopt;  // a time without a zone names no instant
  }
  if (pos != text.size()) return std::nullopt;

  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;

  return Timestamp{std::chrono::sys_days{ymd}} + hours{hour} + minutes{minute} + seconds{second} +
         microseconds{micros} - minutes{offset_minutes};
}

std::optional<std::chrono::sys_days> parse_date(std::string_view text) {
  std::chrono::year_month_day date;
  if (text.size() != 10 || !read_date(text, date)) return std::nullopt;
  return std::chrono::sys_days{date};
}

std::string format_date(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd{std::clamp(day, std::chrono::floor<days>(kMinFormattable),
                                                   std::chrono::floor<days>(kMaxFormattable))};
  std::string text = "0000-00-00";
  put_digits(&text[0], static_cast<int>(ymd.year()), 4);
  put_digits(&text[5], static_cast<unsigned>(ymd.month()), 2);
  put_digits(&text[8], static_cast<unsigned>(ymd.day()), 2);
  return text;
}

}  // namespace oeuvre
