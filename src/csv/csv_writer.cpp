#include "csv/csv_writer.h"

#include <charconv>
#include <cmath>

namespace oeuvre::csv {

void CsvWriter::separate() {
  if (!at_row_start_) out_.push_back(delimiter_);
  at_row_start_ = false;
}

void CsvWriter::field(std::string_view value) {
  separate();
  bool needs_quotes = false;
  for (char c : value) {
    if (c == delimiter_ || c == '"' || c == '\n' || c == '\r') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
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

void CsvWriter::number_field(double value, int digits) {
  separate();
  if (!std::isfinite(value)) value = 0;
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
