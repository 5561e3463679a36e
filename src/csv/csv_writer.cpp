#include "csv/csv_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace oeuvre::csv {

void CsvWriter::separate() {
  if (!at_row_start_) out_.push_back(delimiter_);
  at_row_start_ = false;
}

namespace {

// True iff `value` holds the delimiter, a quote, CR or LF; eight bytes at a time.
bool needs_quotes(std::string_view value, char delimiter) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  auto has_byte = [](std::uint64_t word, std::uint64_t pattern) {
    const std::uint64_t v = word ^ pattern;  // a zero byte where word holds the byte
    return ((v - kOnes) & ~v & kHighs) != 0;
  };
  const std::uint64_t d = kOnes * static_cast<unsigned char>(delimiter), q = kOnes * '"',
                      n = kOnes * '\n', r = kOnes * '\r';
  std::size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, value.data() + i, 8);
    if (has_byte(word, d) || has_byte(word, q) || has_byte(word, n) || has_byte(word, r))
      return true;
  }
  for (; i < value.size(); ++i) {
    const char c = value[i];
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

}  // namespace

void CsvWriter::field(std::string_view value) {
  separate();
  if (!needs_quotes(value, delimiter_)) {
    out_.append(value);
    return;
  }
  out_.push_back('"');
  for (char c : value) {
    if (c == '"') out_.push_back('"');
    out_.push_back(c);
  }
  out_.push_back('"');
}

void CsvWriter::field(std::int64_t value) {
  separate();
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;
  out_.append(digits, end);
}

namespace {

// `value` with `digits` digits after the point, exactly as std::to_chars(fixed, digits) writes it,
// for the common case of a small non-negative number whose rounding is not a near tie: one
// multiplication instead of an exact decimal expansion. Returns false (nothing written) otherwise.
bool format_fixed_fast(double value, int digits, std::string& out) {
  static constexpr std::uint32_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  if (digits < 0 || digits > 6 || std::signbit(value) || !(value < 2147483648.0)) return false;
  const std::uint32_t scale = kPow10[digits];
  const double scaled = value * scale;
  // Below 2^31 the product is within 2^-22 of the exact value * scale, so a fraction clear of
  // one half by 1e-6 rounds the same way as the exact value would.
  if (!(scaled < 2147483648.0)) return false;
  const double whole = std::floor(scaled);
  const double fraction = scaled - whole;
  if (std::abs(fraction - 0.5) <= 1e-6) return false;
  const auto units = static_cast<std::uint64_t>(whole) + (fraction > 0.5 ? 1 : 0);
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, units / scale);
  (void)ec;
  if (digits > 0) {
    *end++ = '.';
    std::uint64_t rest = units % scale;
    for (int k = digits - 1; k >= 0; --k) {
      end[k] = static_cast<char>('0' + rest % 10);
      rest /= 10;
    }
    end += digits;
  }
  out.append(text, end);
  return true;
}

}  // namespace

void CsvWriter::number_field(double value, int digits) {
  separate();
  if (!std::isfinite(value)) value = 0;
  if (format_fixed_fast(value, digits, out_)) return;
  char text[64];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, digits);
  (void)ec;
  out_.append(text, end);
}

void CsvWriter::end_row() {
  out_.push_back('\n');
  at_row_start_ = true;
}

}  // namespace oeuvre::csv
