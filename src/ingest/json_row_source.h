#pragma once
// JsonRowSource: the objects of a JSON array ("[{...},{...}]") or of JSON Lines (one object per
// line) as rows, streamed with bounded memory: a small splitter finds one array element (or line)
// at a time, checks it is UTF-8 and hands it to a boost::json::basic_parser whose handler builds
// the row's cells. Memory is bounded by the largest element (limit 16 MiB), never by the file.
//
// Values: strings are kText, numbers kNumber with their original text ("0.10" stays "0.10"),
// booleans kBool ("true"/"false"), null kNull (""), and a nested object or array kNested holding
// its compact JSON text. Nesting deeper than 64 levels is refused.
//
// Problems: a JSON array that is not valid JSON (syntax, truncation) fails the file, naming the
// line; in JSON Lines a line that is not valid JSON is a row problem. An element or line that is
// not an object, or an object repeating a key, is a row problem. Invalid UTF-8 fails the file.
//
// Thread-safety: external synchronisation needed.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "csv/byte_source.h"
#include "ingest/file_sniffer.h"
#include "ingest/row_source.h"

namespace oeuvre::ingest {

struct JsonLimits {
  std::size_t max_element_bytes = std::size_t{16} << 20;  // one array element or one line
  std::size_t max_keys = 4096;                            // distinct keys over the whole file
  std::size_t max_depth = 64;
};

class JsonRowSource final : public RowSource {
 public:
  // Opens `path`. With `discover_keys`, keys not in `header` are appended to it as they are first
  // seen (up to JsonLimits::max_keys, then the file fails); without, they are ignored.
  static Result<std::unique_ptr<JsonRowSource>> open(const std::string& path,
                                                     const SniffedFile& sniffed,
                                                     std::vector<std::string> header,
                                                     bool discover_keys, JsonLimits limits = {});
  ~JsonRowSource() override;

  const std::vector<std::string>& header() const override { return header_; }
  Result<bool> next(SourceRow& row) override;
  double progress() const override;

  // Rows returned so far, and how many of them were objects.
  std::uint64_t rows() const { return rows_; }
  std::uint64_t objects() const { return objects_; }

  // The basic_parser handler and the parser holding it (json_row_source.cpp).
  struct Handler;
  struct Parser;

 private:
  JsonRowSource(std::unique_ptr<csv::ByteSource> bytes, FileFormat format, std::uint64_t size,
                std::vector<std::string> header, bool discover_keys, JsonLimits limits);

  enum class ArrayState { kStart, kFirst, kElement, kAfter, kDone };

  Status fill();
  // Skips JSON white space, counting lines; false at the end of the input.
  Result<bool> skip_space();
  // Length of the element (array) or line (JSON Lines) starting at pos_.
  Result<std::size_t> scan_element();
  Result<std::size_t> scan_line();
  // Parses [pos_, pos_ + length) into `row`; returns false for a blank JSON Lines line.
  Result<bool> parse_element(std::size_t length, SourceRow& row);
  Error fail(std::uint64_t line, const std::string& message);
  // The column of `key`, registering it when discovering; npos to ignore it. Sets a failure when
  // there are too many keys.
  std::size_t column_of(const std::string& key);

  std::unique_ptr<csv::ByteSource> bytes_;
  FileFormat format_;
  std::uint64_t size_;
  std::vector<std::string> header_;
  std::unordered_map<std::string, std::size_t> columns_;
  bool discover_keys_;
  JsonLimits limits_;

  std::unique_ptr<char[]> buffer_;
  std::size_t chunk_ = 0, capacity_ = 0, pos_ = 0, end_ = 0;
  bool at_eof_ = false;
  std::uint64_t consumed_before_buffer_ = 0;
  std::uint64_t line_ = 1;  // line of buffer_[pos_]
  ArrayState array_state_ = ArrayState::kStart;

  std::unique_ptr<Parser> parser_;
  std::optional<Error> failed_;
  std::optional<std::string> too_many_keys_;
  std::uint64_t rows_ = 0, objects_ = 0;
};

}  // namespace oeuvre::ingest
