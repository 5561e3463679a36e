#include "ingest/date_parser.h"

#include <algorithm>

#include "core/date.h"
#include "core/utf8.h"

namespace oeuvre::ingest {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int month_from_name(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() < 3) return 0;
  std::string prefix;
  for (char c : name.substr(0, 3)) prefix.push_back(lower(c));
  for (int m = 0; m < 12; ++m) {
    if (prefix == kMonths[m]) return m + 1;
  }
  return 0;
}

Error reason(const std::string& why) { return Error::BadRequest(why); }

int expand_year(int value, std::size_t digits) {
  if (digits == 2) return value < 70 ? 2000 + value : 1900 + value;
  return value;
}

}  // namespace

std::string_view date_order_name(DateOrder order) {
  switch (order) {
    case DateOrder::kYearMonthDay:
      return "ymd";
    case DateOrder::kDayMonthYear:
      return "dmy";
    case DateOrder::kMonthDayYear:
      return "mdy";
  }
  return "ymd";
}

Result<DateParts> split_date(std::string_view text) {
  auto parts = split_date_unquoted(text);
  if (!parts.ok()) {
    return Error::BadRequest("date '" + std::string(cut_utf8(text, 40)) +
                             "': " + parts.error().message());
  }
  return parts;
}

Result<DateParts> split_date_unquoted(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return reason("is empty");
  // Drop a time part: "2024-03-05T10:00:00Z", "05/03/2024 10:00".
  if (std::size_t t = s.find('T');
      t >= 8 && t != std::string_view::npos && t + 1 < s.size() && is_digit(s[t + 1])) {
    s = s.substr(0, t);
  }
  if (std::size_t colon = s.find(':'); colon != std::string_view::npos) {
    std::size_t space = s.rfind(' ', colon);
    if (space == std::string_view::npos) return reason("is not a date");
    s = s.substr(0, space);
  }
  // Tokens: runs of digits or letters; separators between them.
  struct Token {
    std::string_view text;
    bool digits;
  };
  Token tokens[4] = {};
  int count = 0;
  char separator = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z')) {
      const bool digits = is_digit(c);
      std::size_t j = i;
      while (j < s.size() && (digits ? is_digit(s[j]) : (lower(s[j]) >= 'a' && lower(s[j]) <= 'z')))
        ++j;
      if (count == 4) return reason("is not a date");
      tokens[count++] = {s.substr(i, j - i), digits};
      i = j;
    } else if (c == '-' || c == '/' || c == '.' || c == ' ' || c == ',') {
      if (separator == 0 && c != ' ' && c != ',') separator = c;
      ++i;
    } else {
      // Quote the whole (UTF-8) character, not a lone byte of it.
      const auto lead = static_cast<unsigned char>(c);
      const std::size_t length = std::max<std::size_t>(utf8_sequence_length(s, i), 1);
      if (lead < 0x20 || lead == 0x7f) return reason("has an unexpected control character");
      return reason("has an unexpected character '" + std::string(s.substr(i, length)) + "'");
    }
  }
  auto number = [](std::string_view digits) {
    int v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    return v;
  };
  DateParts parts;
  parts.separator = separator == 0 ? ' ' : separator;
  if (count == 1 && tokens[0].digits && tokens[0].text.size() == 8) {
    std::string_view d = tokens[0].text;
    parts.shape = DateParts::Shape::kYearFirst;
    parts.year = number(d.substr(0, 4));
    parts.first = static_cast<std::uint8_t>(number(d.substr(4, 2)));
    parts.second = static_cast<std::uint8_t>(number(d.substr(6, 2)));
    return parts;
  }
  if (count != 3) return reason("is not a date");
  for (int k = 0; k < count; ++k) {
    if (tokens[k].digits && tokens[k].text.size() > 4) return reason("is not a date");
  }
  int named = -1;
  for (int k = 0; k < 3; ++k) {
    if (!tokens[k].digits) {
      if (named >= 0 || month_from_name(tokens[k].text) == 0)
        return reason("has an unknown month name");
      named = k;
    }
  }
  if (named >= 0) {
    parts.shape = DateParts::Shape::kNamedMonth;
    const int month = month_from_name(tokens[named].text);
    std::string_view a = tokens[(named + 1) % 3].text, b = tokens[(named + 2) % 3].text;
    std::string_view day, year;
    if (named == 0) {  // Mar 5 2024
      day = tokens[1].text;
      year = tokens[2].text;
    } else if (named == 1) {  // 5 Mar 2024 or 2024 Mar 5
      if (tokens[0].text.size() == 4) {
        year = tokens[0].text;
        day = tokens[2].text;
      } else {
        day = tokens[0].text;
        year = tokens[2].text;
      }
    } else {
      (void)a;
      (void)b;
      return reason("is not a date");
    }
    if (day.size() > 2 || (year.size() != 4 && year.size() != 2)) return reason("is not a date");
    parts.year = expand_year(number(year), year.size());
    parts.first = static_cast<std::uint8_t>(month);
    parts.second = static_cast<std::uint8_t>(number(day));
    return parts;
  }
  if (tokens[0].text.size() == 4) {
    if (tokens[1].text.size() > 2 || tokens[2].text.size() > 2) return reason("is not a date");
    parts.shape = DateParts::Shape::kYearFirst;
    parts.year = number(tokens[0].text);
    parts.first = static_cast<std::uint8_t>(number(tokens[1].text));
    parts.second = static_cast<std::uint8_t>(number(tokens[2].text));
    return parts;
  }
  if (tokens[0].text.size() > 2 || tokens[1].text.size() > 2 ||
      (tokens[2].text.size() != 4 && tokens[2].text.size() != 2)) {
    return reason("is not a date");
  }
  parts.shape = DateParts::Shape::kNumeric;
  parts.first = static_cast<std::uint8_t>(number(tokens[0].text));
  parts.second = static_cast<std::uint8_t>(number(tokens[1].text));
  parts.year = expand_year(number(tokens[2].text), tokens[2].text.size());
  return parts;
}

Result<std::int32_t> to_days(const DateParts& parts, DateOrder order) {
  int month = parts.first, day = parts.second;
  if (parts.shape == DateParts::Shape::kNumeric && order == DateOrder::kDayMonthYear) {
    day = parts.first;
    month = parts.second;
  }
  if (parts.year < 1900 || parts.year > 2200) {
    return Error::BadRequest("year " + std::to_string(parts.year) +
                             " is out of range (1900..2200)");
  }
  const std::string read_as =
      parts.shape == DateParts::Shape::kNumeric
          ? (order == DateOrder::kDayMonthYear ? " (read as day/month/year)"
                                               : " (read as month/day/year)")
          : "";
  if (month < 1 || month > 12) {
    return Error::BadRequest("month " + std::to_string(month) + " does not exist" + read_as);
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  static constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                                "May",       "June",     "July",     "August",
                                                "September", "October",  "November", "December"};
  const bool leap = (parts.year % 4 == 0 && parts.year % 100 != 0) || parts.year % 400 == 0;
  const int limit = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > limit) {
    std::string where = kMonthNames[month - 1];
    if (month == 2 && day == 29) where += " " + std::to_string(parts.year);
    return Error::BadRequest("day " + std::to_string(day) + " does not exist in " + where +
                             read_as);
  }
  return days_from_civil(parts.year, month, day);
}

Result<std::int32_t> parse_date(std::string_view text, DateOrder order) {
  ASSIGN_OR_RETURN(DateParts parts, split_date(text));
  auto days = to_days(parts, order);
  if (!days.ok())
    return Error::BadRequest("date '" + std::string(cut_utf8(text, 40)) +
                             "': " + days.error().message());
  return days;
}

void DateOrderDetector::observe(const DateParts& parts, std::uint64_t line) {
  if (parts.shape != DateParts::Shape::kNumeric) return;
  if (numeric_line_ == 0) numeric_line_ = line;
  if (parts.first > 12 && parts.second <= 12 && day_first_line_ == 0) day_first_line_ = line;
  if (parts.second > 12 && parts.first <= 12 && month_first_line_ == 0) month_first_line_ = line;
}

Result<DateOrder> DateOrderDetector::decide() const {
  if (day_first_line_ != 0 && month_first_line_ != 0) {
    return Error::BadRequest("dates mix day-first (line " + std::to_string(day_first_line_) +
                             ") and month-first (line " + std::to_string(month_first_line_) +
                             ") order; pass the order explicitly");
  }
  if (month_first_line_ != 0) return DateOrder::kMonthDayYear;
  return DateOrder::kDayMonthYear;
}

}  // namespace oeuvre::ingest
