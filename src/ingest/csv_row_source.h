#pragma once
// CsvRowSource: a CSV file's data rows through the one csv::CsvReader (RFC 4180, delimiter sniffed
// among , ; TAB |, BOM skipped, UTF-8 checked). The first non-blank record is the header (cells
// trimmed). A row with a different number of fields than the header is a row problem, except that
// extra trailing fields that are all empty are ignored (spreadsheets pad rows with delimiters).
// Thread-safety: external synchronisation needed.

#include <memory>
#include <string>
#include <vector>

#include "csv/csv_reader.h"
#include "ingest/file_sniffer.h"
#include "ingest/row_source.h"

namespace oeuvre::ingest {

class CsvRowSource final : public RowSource {
 public:
  // Opens `path` as sniffed and reads the header. Fails (kValidation, field "file") when there is
  // no header line or the first records cannot be read.
  static Result<std::unique_ptr<CsvRowSource>> open(const std::string& path,
                                                    const SniffedFile& sniffed);

  const std::vector<std::string>& header() const override { return header_; }
  Result<bool> next(SourceRow& row) override;
  double progress() const override;

  // The delimiter in use.
  char delimiter() const { return reader_->delimiter(); }
  // The line of the header record.
  std::uint64_t header_line() const { return header_line_; }

 private:
  explicit CsvRowSource(std::unique_ptr<csv::CsvReader> reader) : reader_(std::move(reader)) {}
  // Reads the next record that is not blank; false at the end.
  Result<bool> next_record();

  std::unique_ptr<csv::CsvReader> reader_;
  csv::CsvRow record_;
  std::vector<std::string> header_;
  std::uint64_t header_line_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace oeuvre::ingest
