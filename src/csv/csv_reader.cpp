#include "csv/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "core/utf8.h"

namespace oeuvre::csv {
namespace {

constexpr std::size_t kSniffBytes = 64 * 1024;
constexpr int kSniffLines = 50;

std::string describe_byte(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
  static const char* digits = "0123456789ABCDEF";
  return std::string("byte 0x") + digits[byte >> 4] + digits[byte & 15];
}

}  // namespace

char sniff_delimiter(std::string_view sample) {
  static constexpr char kCandidates[] = {',', ';', '\t', '|'};
  std::vector<std::array<int, 4>> lines;
  std::array<int, 4> counts{};
  bool in_quotes = false;
  bool line_has_content = false;
  for (std::size_t i = 0; i < sample.size() && static_cast<int>(lines.size()) < kSniffLines; ++i) {
    char c = sample[i];
    if (c == '"') {
      in_quotes = !in_quotes;
      line_has_content = true;
    } else if (!in_quotes && (c == '\n' || c == '\r')) {
      if (line_has_content) lines.push_back(counts);
      counts = {};
      line_has_content = false;
    } else {
      line_has_content = true;
      if (!in_quotes) {
        for (int k = 0; k < 4; ++k) counts[k] += (c == kCandidates[k]);
      }
    }
  }
  // The last line may be cut by the sample size; use it only when it is the only one.
  if (line_has_content && lines.empty()) lines.push_back(counts);
  char best = ',';
  double best_consistency = 0;
  int best_mode = 0;
  for (int k = 0; k < 4; ++k) {
    std::map<int, int> frequency;
    for (const auto& line : lines) ++frequency[line[k]];
    int mode = 0, mode_lines = 0;
    for (auto [count, how_many] : frequency) {
      if (count > 0 && how_many > mode_lines) {
        mode = count;
        mode_lines = how_many;
      }
    }
    if (mode == 0) continue;
    double consistency = static_cast<double>(mode_lines) / static_cast<double>(lines.size());
    if (consistency > best_consistency + 1e-9 ||
        (consistency > best_consistency - 1e-9 && mode > best_mode)) {
      best = kCandidates[k];
      best_consistency = consistency;
      best_mode = mode;
    }
  }
  return best;
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, CsvOptions options)
    : source_(std::move(source)), options_(options) {}

Result<std::unique_ptr<CsvReader>> CsvReader::open(std::unique_ptr<ByteSource> source,
                                                   CsvOptions options) {
  if (source == nullptr) return Error::BadRequest("no CSV input");
  if (options.chunk_bytes < 64) options.chunk_bytes = 64;
  if (options.max_field_bytes == 0 || options.max_fields_per_row == 0 ||
      options.max_row_bytes == 0) {
    return Error::BadRequest("CSV limits must be positive");
  }
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return Error::BadRequest("the CSV delimiter cannot be a quote or a line break");
  }
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(source), options));
  reader->capacity_ = std::max(options.chunk_bytes * 2, kSniffBytes);
  reader->buffer_ = std::make_unique<char[]>(reader->capacity_);
  // Read until the sniffing window is full or the input ends.
  while (!reader->at_eof_ && reader->end_ < kSniffBytes) RETURN_IF_ERROR(reader->fill());

  std::string_view head(reader->buffer_.get(), reader->end_);
  if (head.size() >= 2 &&
      ((head[0] == '\xFF' && head[1] == '\xFE') || (head[0] == '\xFE' && head[1] == '\xFF'))) {
    return Error::BadRequest(
        "the file is UTF-16 (or UTF-32) encoded; save it as UTF-8 and try again");
  }
  if (head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF") reader->begin_ = 3;
  char delimiter = options.delimiter;
  if (delimiter == '\0') {
    delimiter = sniff_delimiter(head.substr(reader->begin_, std::min(head.size(), kSniffBytes)));
  }
  reader->configure_delimiter(delimiter);
  return reader;
}

void CsvReader::configure_delimiter(char delimiter) {
  delimiter_ = delimiter;
  ends_unquoted_field_.fill(false);
  ends_unquoted_field_[static_cast<unsigned char>(delimiter)] = true;
  ends_unquoted_field_['\n'] = true;
  ends_unquoted_field_['\r'] = true;
}

Status CsvReader::fill() {
  if (at_eof_) return OkStatus();
  // Move the unparsed tail to the front, growing the buffer when a single record fills it.
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    consumed_before_buffer_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < options_.chunk_bytes) {
    if (end_ > options_.max_row_bytes) {
      return Error::BadRequest("line " + std::to_string(line_) + ": a record is larger than " +
                               std::to_string(options_.max_row_bytes) +
                               " bytes (is a quote left open?)");
    }
    std::size_t new_capacity = std::max(capacity_ * 2, end_ + options_.chunk_bytes);
    auto bigger = std::make_unique<char[]>(new_capacity);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = new_capacity;
  }
  ASSIGN_OR_RETURN(std::size_t n, source_->read(buffer_.get() + end_, capacity_ - end_));
  if (n == 0) at_eof_ = true;
  end_ += n;
  return OkStatus();
}

CsvReader::Outcome CsvReader::fail(std::string message) {
  error_ = Error::BadRequest("line " + std::to_string(line_) + ": " + std::move(message));
  return Outcome::kError;
}

CsvReader::Outcome CsvReader::parse_row(bool at_eof, CsvRow& row) {
  const char* const start = buffer_.get() + begin_;
  const char* const end = buffer_.get() + end_;
  const char* p = start;
  spans_.clear();
  scratch_.clear();
  std::uint64_t embedded_line_breaks = 0;
  bool any_quoted = false;
  for (;;) {
    if (spans_.size() >= options_.max_fields_per_row) {
      return fail("a record has more than " + std::to_string(options_.max_fields_per_row) +
                  " fields");
    }
    FieldSpan span{};
    const char* field_end;  // just past the field: its closing quote, or where an unquoted one stops
    if (p < end && *p == '"') {
      any_quoted = true;
      const char* open_quote = p;
      const char* segment = p + 1;
      const char* q = p + 1;
      const std::size_t scratch_start = scratch_.size();
      bool escaped = false;
      const char* close_quote;
      for (;;) {
        const void* found =
            q < end ? std::memchr(q, '"', static_cast<std::size_t>(end - q)) : nullptr;
        if (found == nullptr) {
          if (!at_eof) return Outcome::kNeedMore;
          return fail("a quoted field is not closed before the end of the file");
        }
        const char* quote = static_cast<const char*>(found);
        if (quote + 1 == end && !at_eof) return Outcome::kNeedMore;
        if (quote + 1 < end && quote[1] == '"') {
          escaped = true;
          scratch_.append(segment, static_cast<std::size_t>(quote + 1 - segment));
          q = quote + 2;
          segment = q;
          continue;
        }
        close_quote = quote;
        break;
      }
      embedded_line_breaks += static_cast<std::uint64_t>(std::count(open_quote, close_quote, '\n'));
      if (escaped) {
        scratch_.append(segment, static_cast<std::size_t>(close_quote - segment));
        span = FieldSpan{nullptr, scratch_start, scratch_.size() - scratch_start, true};
      } else {
        span = FieldSpan{open_quote + 1, 0, static_cast<std::size_t>(close_quote - open_quote - 1),
                         false};
      }
      field_end = close_quote + 1;
    } else {
      const char* q = p;
      while (q < end && !ends_unquoted_field_[static_cast<unsigned char>(*q)]) ++q;
      if (q == end && !at_eof) return Outcome::kNeedMore;
      span = FieldSpan{p, 0, static_cast<std::size_t>(q - p), false};
      field_end = q;
    }
    if (span.size > options_.max_field_bytes) {
      return fail("a field is larger than " + std::to_string(options_.max_field_bytes) + " bytes");
    }
    spans_.push_back(span);
    p = field_end;
    if (p == end) break;  // at_eof holds here (both branches checked)
    if (*p == delimiter_) {
      ++p;
      if (p == end && !at_eof) return Outcome::kNeedMore;
      if (p == end) {
        spans_.push_back(FieldSpan{p, 0, 0, false});
        break;
      }
      continue;
    }
    if (*p != '\n' && *p != '\r') {  // an unquoted field ends only at a delimiter or a line break
      return fail("unexpected " + describe_byte(*p) +
                  " after a closing quote (a quote inside a quoted field must be doubled: \"\")");
    }
    // *p is a line break.
    if (*p == '\r') {
      if (p + 1 == end && !at_eof) return Outcome::kNeedMore;
      ++p;
      if (p < end && *p == '\n') ++p;
    } else {
      ++p;
    }
    break;
  }

  const std::size_t row_bytes = static_cast<std::size_t>(p - start);
  if (row_bytes > options_.max_row_bytes) {
    return fail("a record is larger than " + std::to_string(options_.max_row_bytes) + " bytes");
  }
  if (options_.validate_utf8) {
    if (auto bad = find_invalid_utf8(std::string_view(start, row_bytes))) {
      return fail("invalid UTF-8 (" + describe_byte(start[*bad]) + " at byte " +
                  std::to_string(*bad + 1) +
                  " of the record); the file may be Latin-1 or Windows-1252: convert it to UTF-8");
    }
  }
  row.fields_.resize(spans_.size());
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const FieldSpan& span = spans_[i];
    row.fields_[i] = span.in_scratch ? std::string_view(scratch_.data() + span.offset, span.size)
                                     : std::string_view(span.data, span.size);
  }
  row.line_ = line_;
  line_ += 1 + embedded_line_breaks;
  begin_ += row_bytes;
  const bool blank = spans_.size() == 1 && spans_[0].size == 0 && !any_quoted;
  if (blank && options_.skip_blank_lines) {
    row.fields_.clear();
  } else {
    row.record_ = ++record_;
  }
  return Outcome::kRow;
}

Result<bool> CsvReader::next(CsvRow& row) {
  if (error_) return *error_;
  for (;;) {
    if (begin_ == end_) {
      if (at_eof_) {
        row.fields_.clear();
        return false;
      }
      if (Status filled = fill(); !filled.ok()) {
        error_ = filled.error();
        return *error_;
      }
      continue;
    }
    Outcome outcome = parse_row(at_eof_, row);
    if (outcome == Outcome::kError) return *error_;
    if (outcome == Outcome::kNeedMore) {
      if (Status filled = fill(); !filled.ok()) {
        error_ = filled.error();
        return *error_;
      }
      continue;
    }
    if (row.fields_.empty()) continue;  // a skipped blank line
    return true;
  }
}

}  // namespace oeuvre::csv
