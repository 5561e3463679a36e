#pragma once
// BAI2's records for bai2.cpp: the physical lines of a file (or, for a blocked transmission with no
// line break in its first 64 KiB, the fixed-length physical records its 01 header declares), split
// into records at their "/" delimiters as bai2.h describes, each joined with the 88 continuations
// that follow it, and a cursor over the comma-separated fields of such a record. Lines are at most
// 64 KiB, a record with its 88s at most 256 KiB; memory stays flat whatever the size of the file.
// With them, the text rules bai2.cpp shares (trimming, excerpts in messages, whole numbers).
// Thread-safety: pure functions; a reader is used by one parse at a time.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank::bai2 {

inline constexpr std::size_t kMaxLineBytes = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxRecordBytes = std::size_t{256} * 1024;
inline constexpr std::size_t kExcerptBytes = 60;

inline bool is_space(char c) { return c == ' ' || c == '\t'; }
// True when `text` is not empty and only ASCII digits.
bool all_digits(std::string_view text);
// `text` without spaces, tabs and CRs at either end.
std::string_view trim(std::string_view text);
// Untrusted text made printable and short (kExcerptBytes, then "..."), for messages.
std::string excerpt(std::string_view text);
// Text to keep: valid UTF-8 of at most `max_bytes`, control characters as spaces, trimmed.
std::string kept_text(std::string_view text, std::size_t max_bytes);
// "line N: ", the start of a message.
std::string line_prefix(std::uint64_t line);
// A whole number with an optional sign ("+000000000834000", "-1500000"), at most 18 digits.
std::optional<std::int64_t> parse_signed(std::string_view text);
// "file header (01)", "transaction detail (16)", ... for a record code.
std::string_view record_name(std::string_view code);

// One record and the 88 continuations that follow it.
struct LogicalRecord {
  std::uint64_t line = 0;          // where the record starts
  std::string code;                // "01", "02", ...
  std::vector<std::string> parts;  // the record after "NN,", then each 88 after "88,"
  std::uint64_t record_count = 0;  // 1 + the number of 88s, as trailers count records
  std::size_t bytes = 0;
};

// The physical lines of a file, read from a ByteSource chunk by chunk: a line ends at LF (a CR
// before it is dropped). A file whose first 64 KiB have no line break and whose 01 header declares
// a physical record length is cut into physical records of that length instead.
class PhysicalLineReader {
 public:
  explicit PhysicalLineReader(csv::ByteSource& source);

  // The next line into `line`; false at the end of the input. Fails on a read error of the source
  // or a line longer than kMaxLineBytes.
  Result<bool> next(std::string& line);

  std::uint64_t line_number() const { return line_number_; }
  bool cuts_by_length() const { return record_length_ > 0; }

 private:
  Result<void> fill();
  Result<void> start();

  csv::ByteSource& source_;
  std::vector<char> chunk_;
  std::size_t position_ = 0;
  std::size_t filled_ = 0;
  bool end_of_input_ = false;
  bool started_ = false;
  std::uint64_t line_number_ = 0;
  std::size_t record_length_ = 0;  // > 0: physical records of this length (a blocked file)
};

// Splits physical lines into records (see bai2.h) and joins each record with its 88s.
class RecordReader {
 public:
  explicit RecordReader(csv::ByteSource& source) : lines_(source) {}

  // The next record with its continuations; false at the end of the input. Fails on a line that
  // is not a record, an 88 with no record before it, a record over kMaxRecordBytes, or what
  // PhysicalLineReader::next fails on.
  Result<bool> next(LogicalRecord& out);

  std::uint64_t line_number() const { return lines_.line_number(); }

 private:
  struct RawRecord {
    std::uint64_t line = 0;
    std::string text;  // from the record code up to, not including, its "/"
  };

  Result<bool> next_raw(RawRecord& out);
  static std::size_t find_delimiter(std::string_view line, std::size_t from);
  Result<void> split_line(std::uint64_t number, std::string_view line);

  PhysicalLineReader lines_;
  std::string line_;
  std::deque<RawRecord> ready_;  // records complete and not yet taken
  RawRecord open_;               // the last record of the last line, when it had no "/"
  bool has_open_ = false;
  bool end_of_input_ = false;
  LogicalRecord current_;  // the record whose 88s are being gathered
  bool has_current_ = false;
};

// The comma-separated fields of a record and its 88 continuations: the end of each part also ends
// a field, so an 88 goes on with the next field of the record it continues.
class FieldCursor {
 public:
  // REQUIRES: `parts` outlives the cursor.
  explicit FieldCursor(const std::vector<std::string>& parts) : parts_(parts) {}

  // The next field, trimmed, with line breaks of joined lines removed; nullopt after the last.
  std::optional<std::string> next();

  // Everything after the fields read: the rest of the current part, then each later part, each
  // trimmed and joined by a space (a 16 record's text and the 88 records that continue it), as
  // kept_text(..., max_bytes).
  std::string rest_as_text(std::size_t max_bytes);

 private:
  const std::vector<std::string>& parts_;
  std::size_t part_ = 0;
  std::size_t offset_ = 0;
  bool part_done_ = false;  // the current part's last field has been read
};

}  // namespace oeuvre::bank::bai2
