#pragma once
// CsvReader: a streaming RFC 4180 reader. Quoted fields may hold delimiters, doubled quotes and
// line breaks; CRLF, LF and lone CR all end a record; a UTF-8 byte-order mark is skipped; the
// delimiter is sniffed among , ; TAB | unless given. Every record is checked to be well-formed
// UTF-8 and every field and record is bounded, so untrusted files cannot make it allocate without
// limit.
//
// Usage:
//   ASSIGN_OR_RETURN(auto reader, CsvReader::open(std::move(source)));
//   CsvRow row;
//   for (;;) {
//     ASSIGN_OR_RETURN(bool more, reader->next(row));
//     if (!more) break;
//     ... row[i] ...   // views valid until the next call to next()
//   }
//
// Thread-safety: external synchronisation needed; distinct readers are independent.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::csv {

struct CsvOptions {
  // The field delimiter; '\0' sniffs it from the first lines among ',', ';', '\t' and '|'.
  char delimiter = '\0';
  // Limits on untrusted input; exceeding one is an error naming the line.
  std::size_t max_field_bytes = std::size_t{1} << 20;
  std::size_t max_fields_per_row = 4096;
  std::size_t max_row_bytes = std::size_t{16} << 20;
  // How many bytes each read from the source asks for.
  std::size_t chunk_bytes = std::size_t{1} << 20;
  // Reject records that are not well-formed UTF-8.
  bool validate_utf8 = true;
  // Skip lines that are completely empty (an RFC 4180 reading would return one empty field).
  bool skip_blank_lines = true;
};

// One record: its fields as views into the reader's buffer.
// Valid until the next call to CsvReader::next() on the reader that filled it.
class CsvRow {
 public:
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  // REQUIRES: index < size()
  std::string_view operator[](std::size_t index) const { return fields_[index]; }
  std::span<const std::string_view> fields() const { return fields_; }
  // 1-based physical line on which the record starts (counts line breaks inside quoted fields).
  std::uint64_t line() const { return line_; }
  // 1-based record number, the header being record 1.
  std::uint64_t record() const { return record_; }

 private:
  friend class CsvReader;
  std::vector<std::string_view> fields_;
  std::uint64_t line_ = 0;
  std::uint64_t record_ = 0;
};

class CsvReader {
 public:
  // Takes ownership of `source`, reads the first chunk, skips a UTF-8 BOM and sniffs the delimiter.
  // Fails on a UTF-16/UTF-32 byte-order mark, an invalid option, or a read error.
  static Result<std::unique_ptr<CsvReader>> open(std::unique_ptr<ByteSource> source,
                                                 CsvOptions options = {});

  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `row`. Returns true when a record was read, false at the end of the
  // input. Errors (unterminated quote, stray quote, invalid UTF-8, limits) name the line and are
  // sticky: every later call returns the same error.
  Result<bool> next(CsvRow& row);

  // The delimiter in use (given or sniffed).
  char delimiter() const { return delimiter_; }
  // Bytes of input consumed by the records returned so far (for progress).
  std::uint64_t bytes_consumed() const { return consumed_before_buffer_ + begin_; }
  // The source's size hint (0 when unknown).
  std::size_t size_hint() const { return source_->size_hint(); }

 private:
  enum class Outcome { kRow, kNeedMore, kError };
  struct FieldSpan {
    const char* data;    // into the buffer, when !in_scratch
    std::size_t offset;  // into scratch_, when in_scratch
    std::size_t size;
    bool in_scratch;
  };

  CsvReader(std::unique_ptr<ByteSource> source, CsvOptions options);

  Status fill();
  Outcome parse_row(bool at_eof, CsvRow& row);
  Outcome fail(std::string message);
  void configure_delimiter(char delimiter);

  std::unique_ptr<ByteSource> source_;
  CsvOptions options_;
  char delimiter_ = ',';
  std::array<bool, 256> ends_unquoted_field_{};

  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;  // start of the unparsed data
  std::size_t end_ = 0;    // end of the valid data
  bool at_eof_ = false;
  std::uint64_t consumed_before_buffer_ = 0;

  std::uint64_t line_ = 1;
  std::uint64_t record_ = 0;
  std::vector<FieldSpan> spans_;
  std::string scratch_;  // unescaped contents of quoted fields holding doubled quotes
  std::optional<Error> error_;
};

// Guesses the delimiter of `sample` (the first bytes of a file) among ',', ';', '\t' and '|': the
// one whose per-line count is most consistent and, among equals, most frequent. ',' when nothing
// fits.
char sniff_delimiter(std::string_view sample);

}  // namespace oeuvre::csv
