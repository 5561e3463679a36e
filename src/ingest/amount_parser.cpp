#include "ingest/amount_parser.h"

#include <string>

namespace oeuvre::ingest {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// Removes leading and trailing ASCII spaces and NBSP (C2 A0) / narrow NBSP (E2 80 AF).
std::string_view trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    } else if (s.size() >= 2 && s.substr(0, 2) == "\xC2\xA0") {
      s.remove_prefix(2);
    } else if (s.size() >= 3 && s.substr(0, 3) == "\xE2\x80\xAF") {
      s.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") {
      s.remove_suffix(2);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE2\x80\xAF") {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// Strips one currency marker (symbol or 3-letter code) from the front or the back.
bool strip_currency(std::string_view& s, bool front) {
  static constexpr std::string_view kSymbols[] = {"$",
                                                  "\xE2\x82\xAC" /*€*/,
                                                  "\xC2\xA3" /*£*/,
                                                  "\xC2\xA5" /*¥*/,
                                                  "\xE2\x82\xB9" /*₹*/,
                                                  "\xE2\x82\xA9" /*₩*/,
                                                  "\xE2\x82\xBD" /*₽*/,
                                                  "\xE2\x82\xBA" /*₺*/,
                                                  "\xE2\x82\xAA" /*₪*/};
  for (std::string_view symbol : kSymbols) {
    if (front && s.substr(0, symbol.size()) == symbol) {
      s.remove_prefix(symbol.size());
      return true;
    }
    if (!front && s.size() >= symbol.size() && s.substr(s.size() - symbol.size()) == symbol) {
      s.remove_suffix(symbol.size());
      return true;
    }
  }
  if (s.size() >= 3) {
    std::string_view code = front ? s.substr(0, 3) : s.substr(s.size() - 3);
    bool letters = is_upper(code[0]) && is_upper(code[1]) && is_upper(code[2]);
    bool bounded =
        front ? (s.size() == 3 || !is_upper(s[3])) : (s.size() == 3 || !is_upper(s[s.size() - 4]));
    if (letters && bounded) {
      if (front) {
        s.remove_prefix(3);
      } else {
        s.remove_suffix(3);
      }
      return true;
    }
  }
  return false;
}

Error bad(std::string_view text, const std::string& why) {
  std::string shown(text.substr(0, 64));
  return Error::BadRequest("amount '" + shown + "': " + why);
}

}  // namespace

Result<std::int64_t> parse_amount(std::string_view text, int scale, DecimalSeparator separator) {
  if (scale < 0 || scale > 6) return Error::BadRequest("amount scale must be between 0 and 6");
  std::string_view s = trim(text);
  if (s.empty()) return bad(text, "is empty");
  bool negative = false;
  auto take_sign = [&]() {
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
      negative = negative != (s.front() == '-');
      s.remove_prefix(1);
      s = trim(s);
      return true;
    }
    if (s.size() >= 3 && s.substr(0, 3) == "\xE2\x88\x92") {  // U+2212 minus sign
      negative = !negative;
      s.remove_prefix(3);
      s = trim(s);
      return true;
    }
    return false;
  };
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    negative = true;
    s = trim(s.substr(1, s.size() - 2));
  }
  take_sign();
  if (strip_currency(s, true)) s = trim(s);
  take_sign();
  if (!s.empty() && s.back() == '-') {
    negative = !negative;
    s.remove_suffix(1);
    s = trim(s);
  }
  if (strip_currency(s, false)) s = trim(s);
  if (!s.empty() && s.back() == '-') {
    negative = !negative;
    s.remove_suffix(1);
    s = trim(s);
  }
  if (s.empty()) return bad(text, "has no digits");

  const char decimal = separator == DecimalSeparator::kDot ? '.' : ',';
  std::int64_t units = 0;
  std::int64_t fraction = 0;
  int fraction_digits = 0;
  bool seen_decimal = false, seen_digit = false, seen_group = false;
  int digits_since_group = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (is_digit(c)) {
      seen_digit = true;
      const int d = c - '0';
      if (seen_decimal) {
        if (fraction_digits < scale) {
          fraction = fraction * 10 + d;
          ++fraction_digits;
        } else if (d != 0) {
          return bad(text, "has more than " + std::to_string(scale) + " decimal places");
        }
      } else {
        if (units > kMaxAmountMinor) return bad(text, "is too large");
        units = units * 10 + d;
        ++digits_since_group;
      }
      ++i;
      continue;
    }
    if (c == decimal) {
      if (seen_decimal)
        return bad(text, std::string("has two '") + decimal + "' decimal separators");
      if (seen_group && digits_since_group != 3)
        return bad(text, "has a misplaced group separator");
      seen_decimal = true;
      ++i;
      continue;
    }
    std::size_t width = 0;
    if (c == ',' || c == '.' || c == '\'' || c == ' ' || c == '_') {
      width = 1;
    } else if (s.substr(i, 2) == "\xC2\xA0") {
      width = 2;
    } else if (s.substr(i, 3) == "\xE2\x80\xAF") {
      width = 3;
    }
    if (width > 0) {
      // A group separator: only between integer digits, then exactly three digits per group.
      if (seen_decimal || !seen_digit) return bad(text, "has a misplaced group separator");
      if (seen_group && digits_since_group != 3)
        return bad(text, "has a misplaced group separator");
      seen_group = true;
      digits_since_group = 0;
      i += width;
      continue;
    }
    if (c == 'e' || c == 'E')
      return bad(text, "scientific notation is not accepted (amounts must be exact)");
    return bad(text, std::string("unexpected character '") + c + "'");
  }
  if (!seen_digit) return bad(text, "has no digits");
  if (seen_group && !seen_decimal && digits_since_group != 3)
    return bad(text, "has a misplaced group separator");
  std::int64_t scale_factor = 1;
  for (int k = 0; k < scale; ++k) scale_factor *= 10;
  for (int k = fraction_digits; k < scale; ++k) fraction *= 10;
  if (units > kMaxAmountMinor / scale_factor) return bad(text, "is too large");
  std::int64_t minor = units * scale_factor + fraction;
  if (minor > kMaxAmountMinor) return bad(text, "is too large");
  return negative ? -minor : minor;
}

DecimalSeparator detect_decimal_separator(std::span<const std::string_view> samples) {
  int dot = 0, comma = 0;
  for (std::string_view s : samples) {
    const std::size_t last_dot = s.rfind('.'), last_comma = s.rfind(',');
    const bool has_dot = last_dot != std::string_view::npos,
               has_comma = last_comma != std::string_view::npos;
    if (has_dot && has_comma) {
      (last_dot > last_comma ? dot : comma)++;
      continue;
    }
    if (!has_dot && !has_comma) continue;
    const char sep = has_dot ? '.' : ',';
    const std::size_t pos = has_dot ? last_dot : last_comma;
    const bool repeated = s.find(sep) != pos;
    std::size_t digits_after = 0;
    while (pos + 1 + digits_after < s.size() && is_digit(s[pos + 1 + digits_after])) ++digits_after;
    if (repeated) {
      (sep == '.' ? comma : dot)++;  // "1.234.567" groups with dots: the decimal is a comma
    } else if (digits_after != 3) {
      (sep == '.' ? dot : comma)++;
    }
  }
  return comma > dot ? DecimalSeparator::kComma : DecimalSeparator::kDot;
}

}  // namespace oeuvre::ingest
