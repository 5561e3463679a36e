#pragma once
// CsvWriter: appends RFC 4180 records to a caller-owned string. Fields holding the delimiter, a
// quote, CR or LF are quoted with inner quotes doubled; fields starting with = + - @ are not
// altered (callers exporting to spreadsheets decide about formula injection themselves).
// Thread-safety: external synchronisation needed.

#include <cstdint>
#include <string>
#include <string_view>

namespace oeuvre::csv {

class CsvWriter {
 public:
  // REQUIRES: `out` outlives the writer; delimiter is not '"', '\r' or '\n'.
  explicit CsvWriter(std::string& out, char delimiter = ',') : out_(out), delimiter_(delimiter) {}

  void field(std::string_view value);
  void field(std::int64_t value);
  // Writes `value` with `digits` digits after the point.
  void number_field(double value, int digits);
  // Terminates the current record with "\n".
  void end_row();

 private:
  void separate();

  std::string& out_;
  char delimiter_;
  bool at_row_start_ = true;
};

}  // namespace oeuvre::csv
