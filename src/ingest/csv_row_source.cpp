#include "ingest/csv_row_source.h"

#include <algorithm>

#include "core/utf8.h"
#include "csv/byte_source.h"

namespace oeuvre::ingest {
namespace {

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The reader's errors ("line 7: invalid UTF-8 ...") become file failures.
Error as_file_error(const Error& e) {
  if (e.code() == ErrorCode::kValidation) return e;
  return file_error(e.message());
}

}  // namespace

Result<std::unique_ptr<CsvRowSource>> CsvRowSource::open(const std::string& path,
                                                         const SniffedFile& sniffed) {
  ASSIGN_OR_RETURN(auto bytes, csv::FileByteSource::open(path));
  csv::CsvOptions options;
  options.delimiter = sniffed.csv_delimiter;
  options.chunk_bytes = read_chunk_bytes(sniffed.size);
  auto reader = csv::CsvReader::open(std::move(bytes), options);
  if (!reader.ok()) return as_file_error(reader.error());
  std::unique_ptr<CsvRowSource> source(new CsvRowSource(std::move(*reader)));
  source->size_ = sniffed.size;
  if (sniffed.skip_separator_line) {
    ASSIGN_OR_RETURN(bool any, source->next_record());
    (void)any;
  }
  ASSIGN_OR_RETURN(bool has_header, source->next_record());
  if (!has_header) {
    return file_error(
        "holds no header line; expected a CSV file with a header line naming its "
        "columns");
  }
  source->header_line_ = source->record_.line();
  for (std::string_view cell : source->record_.fields()) source->header_.emplace_back(trim(cell));
  return source;
}

Result<bool> CsvRowSource::next_record() {
  for (;;) {
    auto more = reader_->next(record_);
    if (!more.ok()) return as_file_error(more.error());
    if (!*more) return false;
    const auto fields = record_.fields();
    if (std::all_of(fields.begin(), fields.end(), is_blank)) continue;  // e.g. ";;;;"
    return true;
  }
}

Result<bool> CsvRowSource::next(SourceRow& row) {
  ASSIGN_OR_RETURN(bool more, next_record());
  if (!more) return false;
  const std::size_t width = header_.size(), count = record_.size();
  row.line = record_.line();
  row.problem.clear();
  row.problem_value.clear();
  row.cells.resize(width);
  const std::size_t shared = std::min(width, count);
  for (std::size_t i = 0; i < shared; ++i) row.cells[i] = Cell{record_[i], CellKind::kText};
  for (std::size_t i = shared; i < width; ++i) row.cells[i] = Cell{{}, CellKind::kMissing};
  bool ragged = count < width;
  for (std::size_t i = width; i < count && !ragged; ++i) ragged = !is_blank(record_[i]);
  if (ragged) {
    row.problem = "the row has " + std::to_string(count) + (count == 1 ? " field" : " fields") +
                  " but the header has " + std::to_string(width);
    const char delimiter = reader_->delimiter();
    for (std::size_t i = 0; i < count && row.problem_value.size() < 200; ++i) {
      if (i > 0) row.problem_value.push_back(delimiter);
      row.problem_value.append(cut_utf8(record_[i], 200 - row.problem_value.size()));
    }
    row.problem_value = std::string(cut_utf8(row.problem_value, 200));
  }
  return true;
}

double CsvRowSource::progress() const {
  if (size_ == 0) return 0;
  return std::min(1.0, static_cast<double>(reader_->bytes_consumed()) / static_cast<double>(size_));
}

}  // namespace oeuvre::ingest
