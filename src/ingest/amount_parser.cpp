#include "ingest/amount_parser.h"

#include <algorithm>
#include <string>

#include "core/utf8.h"

namespace oeuvre::ingest {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

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

// Strips one currency marker (symbol or 3-letter code) from the front or the back; a code is
// stored in `code`.
bool strip_currency(std::string_view& s, bool front, std::string_view& code) {
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
    std::string_view candidate = front ? s.substr(0, 3) : s.substr(s.size() - 3);
    bool letters = is_upper(candidate[0]) && is_upper(candidate[1]) && is_upper(candidate[2]);
    bool bounded =
        front ? (s.size() == 3 || !is_upper(s[3])) : (s.size() == 3 || !is_upper(s[s.size() - 4]));
    if (letters && bounded) {
      code = candidate;
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

// "DR"/"CR" in any case, not part of a longer word.
CreditDebit indicator_of(char a, char b) {
  if (upper(b) != 'R') return CreditDebit::kNone;
  if (upper(a) == 'D') return CreditDebit::kDebit;
  if (upper(a) == 'C') return CreditDebit::kCredit;
  return CreditDebit::kNone;
}

// Strips a DR/CR indicator from either end of `s`.
CreditDebit strip_indicator(std::string_view& s) {
  if (s.size() < 2) return CreditDebit::kNone;
  if (s.size() == 2 || !is_letter(s[2])) {
    if (CreditDebit found = indicator_of(s[0], s[1]); found != CreditDebit::kNone) {
      s.remove_prefix(2);
      return found;
    }
  }
  const std::size_t n = s.size();
  if (n == 2 || !is_letter(s[n - 3])) {
    if (CreditDebit found = indicator_of(s[n - 2], s[n - 1]); found != CreditDebit::kNone) {
      s.remove_suffix(2);
      return found;
    }
  }
  return CreditDebit::kNone;
}

Error reason(std::string why) { return Error::BadRequest(std::move(why)); }

}  // namespace

Result<AmountText> split_amount(std::string_view text) {
  AmountText out;
  std::string_view s = trim(text);
  if (s.empty()) return reason("is empty");
  out.indicator = strip_indicator(s);
  s = trim(s);
  bool negative = false, explicit_sign = false;
  auto take_sign = [&]() {
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
      negative = negative != (s.front() == '-');
      explicit_sign = true;
      s.remove_prefix(1);
      s = trim(s);
      return true;
    }
    if (s.size() >= 3 && s.substr(0, 3) == "\xE2\x88\x92") {  // U+2212 minus sign
      negative = !negative;
      explicit_sign = true;
      s.remove_prefix(3);
      s = trim(s);
      return true;
    }
    return false;
  };
  auto take_trailing_minus = [&]() {
    if (!s.empty() && s.back() == '-') {
      negative = !negative;
      explicit_sign = true;
      s.remove_suffix(1);
      s = trim(s);
    }
  };
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    negative = true;
    explicit_sign = true;
    s = trim(s.substr(1, s.size() - 2));
  }
  take_sign();
  if (strip_currency(s, true, out.currency_code)) s = trim(s);
  take_sign();
  take_trailing_minus();
  std::string_view back_code;
  if (strip_currency(s, false, back_code)) {
    s = trim(s);
    if (!out.currency_code.empty() && back_code != out.currency_code) {
      return reason("names two currencies (" + std::string(out.currency_code) + " and " +
                    std::string(back_code) + ")");
    }
    if (!back_code.empty()) out.currency_code = back_code;
  }
  take_trailing_minus();
  if (out.indicator == CreditDebit::kNone) {  // "12.00 EUR CR" / "CR EUR 12.00"
    out.indicator = strip_indicator(s);
    s = trim(s);
  }
  if (s.empty()) return reason("has no digits");
  if (out.indicator != CreditDebit::kNone && explicit_sign) {
    return reason("has both a sign and a DR/CR indicator");
  }
  out.number = s;
  out.negative = negative || out.indicator == CreditDebit::kDebit;
  out.signed_explicitly = explicit_sign;
  return out;
}

Result<std::int64_t> to_minor_units(const AmountText& amount, int scale,
                                    DecimalSeparator separator) {
  if (scale < 0 || scale > 6) return reason("amount scale must be between 0 and 6");
  const std::string_view s = amount.number;
  const char decimal = separator == DecimalSeparator::kComma ? ',' : '.';
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
          return reason("has more than " + std::to_string(scale) + " decimal places");
        }
      } else {
        if (units > kMaxAmountMinor) return reason("is too large");
        units = units * 10 + d;
        ++digits_since_group;
      }
      ++i;
      continue;
    }
    if (c == decimal) {
      if (seen_decimal) return reason(std::string("has two '") + decimal + "' decimal separators");
      if (seen_group && digits_since_group != 3) return reason("has a misplaced group separator");
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
      if (seen_decimal || !seen_digit) return reason("has a misplaced group separator");
      if (seen_group && digits_since_group != 3) return reason("has a misplaced group separator");
      seen_group = true;
      digits_since_group = 0;
      i += width;
      continue;
    }
    if (c == 'e' || c == 'E')
      return reason("scientific notation is not accepted (amounts must be exact)");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return reason("has an unexpected control character");
    }
    // Quote the whole (UTF-8) character, not a lone byte of it.
    const std::size_t length = std::max<std::size_t>(utf8_sequence_length(s, i), 1);
    return reason("has an unexpected character '" + std::string(s.substr(i, length)) + "'");
  }
  if (!seen_digit) return reason("has no digits");
  if (seen_group && !seen_decimal && digits_since_group != 3)
    return reason("has a misplaced group separator");
  std::int64_t scale_factor = 1;
  for (int k = 0; k < scale; ++k) scale_factor *= 10;
  for (int k = fraction_digits; k < scale; ++k) fraction *= 10;
  if (units > kMaxAmountMinor / scale_factor) return reason("is too large");
  std::int64_t minor = units * scale_factor + fraction;
  if (minor > kMaxAmountMinor) return reason("is too large");
  return amount.negative ? -minor : minor;
}

Result<std::int64_t> parse_amount(std::string_view text, int scale, DecimalSeparator separator) {
  auto quoted = [&](const Error& e) {
    return Error::BadRequest("amount '" + std::string(text.substr(0, 64)) + "': " + e.message());
  };
  auto parts = split_amount(text);
  if (!parts.ok()) return quoted(parts.error());
  auto minor = to_minor_units(*parts, scale, separator);
  if (!minor.ok()) return quoted(minor.error());
  return minor;
}

std::optional<CreditDebit> parse_credit_debit(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return CreditDebit::kNone;
  if (text.size() > 8) return std::nullopt;
  std::string word;
  for (char c : text) word.push_back(upper(c));
  for (std::string_view debit : {"D", "DR", "DB", "DEBIT", "S", "SOLL", "-"}) {
    if (word == debit) return CreditDebit::kDebit;
  }
  for (std::string_view credit : {"C", "CR", "CREDIT", "H", "HABEN", "+"}) {
    if (word == credit) return CreditDebit::kCredit;
  }
  return std::nullopt;
}

Result<std::int64_t> apply_credit_debit(std::int64_t minor, CreditDebit indicator) {
  switch (indicator) {
    case CreditDebit::kNone:
      return minor;
    case CreditDebit::kDebit:
      return minor > 0 ? -minor : minor;
    case CreditDebit::kCredit:
      if (minor < 0) return reason("the amount is negative but the indicator says credit");
      return minor;
  }
  return minor;
}

void DecimalSeparatorVotes::observe(std::string_view s) {
  const std::size_t last_dot = s.rfind('.'), last_comma = s.rfind(',');
  const bool has_dot = last_dot != std::string_view::npos,
             has_comma = last_comma != std::string_view::npos;
  if (has_dot && has_comma) {
    ++(last_dot > last_comma ? dot_ : comma_);
    return;
  }
  if (!has_dot && !has_comma) return;
  const char sep = has_dot ? '.' : ',';
  const std::size_t pos = has_dot ? last_dot : last_comma;
  const bool repeated = s.find(sep) != pos;
  std::size_t digits_after = 0;
  while (pos + 1 + digits_after < s.size() && is_digit(s[pos + 1 + digits_after])) ++digits_after;
  if (repeated) {
    ++(sep == '.' ? comma_ : dot_);  // "1.234.567" groups with dots: the decimal is a comma
  } else if (digits_after != 3) {
    ++(sep == '.' ? dot_ : comma_);
  }
}

DecimalSeparator DecimalSeparatorVotes::decide() const {
  return comma_ > dot_ ? DecimalSeparator::kComma : DecimalSeparator::kDot;
}

DecimalSeparator detect_decimal_separator(std::span<const std::string_view> samples) {
  DecimalSeparatorVotes votes;
  for (std::string_view s : samples) votes.observe(s);
  return votes.decide();
}

}  // namespace oeuvre::ingest
