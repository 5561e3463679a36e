#include "bank/bai2_records.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "bank/statement.h"
#include "core/utf8.h"

namespace oeuvre::bank::bai2 {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// True when a record starts at text[i]: a BAI2 record code and a comma.
bool record_starts_at(std::string_view text, std::size_t i) {
  if (i > text.size() || text.size() - i < 3 || text[i + 2] != ',') return false;
  const std::string_view code = text.substr(i, 2);
  static constexpr std::string_view kCodes[] = {"01", "02", "03", "16", "49", "88", "98", "99"};
  for (std::string_view known : kCodes)
    if (code == known) return true;
  return false;
}

}  // namespace

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!is_digit(c)) return false;
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (is_space(text.front()) || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (is_space(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string excerpt(std::string_view text) {
  std::string out = to_valid_utf8(text, kExcerptBytes);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (out.size() < text.size()) out += "...";
  return out;
}

std::string kept_text(std::string_view text, std::size_t max_bytes) {
  std::string out = to_valid_utf8(text, max_bytes);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return std::string(trim(out));
}

std::string line_prefix(std::uint64_t line) { return "line " + std::to_string(line) + ": "; }

std::string_view record_name(std::string_view code) {
  if (code == "01") return "file header (01)";
  if (code == "02") return "group header (02)";
  if (code == "03") return "account identifier (03)";
  if (code == "16") return "transaction detail (16)";
  if (code == "49") return "account trailer (49)";
  if (code == "88") return "continuation (88)";
  if (code == "98") return "group trailer (98)";
  return "file trailer (99)";
}

std::optional<std::int64_t> parse_signed(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (!all_digits(text)) return std::nullopt;
  while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
  if (text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return negative ? -value : value;
}

// ---------------------------------------------------------------------------------------------
// Physical lines.

PhysicalLineReader::PhysicalLineReader(csv::ByteSource& source)
    : source_(source), chunk_(kChunkBytes) {}

Result<bool> PhysicalLineReader::next(std::string& line) {
  if (!started_) RETURN_IF_ERROR(start());
  line.clear();
  bool any = false;
  while (true) {
    if (position_ == filled_) {
      if (end_of_input_) break;
      RETURN_IF_ERROR(fill());
      continue;
    }
    any = true;
    const char* begin = chunk_.data() + position_;
    std::size_t available = filled_ - position_;
    if (record_length_ > 0) {
      if (line.size() == record_length_) break;
      available = std::min(available, record_length_ - line.size());
    }
    const void* newline = std::memchr(begin, '\n', available);
    const std::size_t take =
        newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - begin) : available;
    line.append(begin, take);
    position_ += take;
    if (line.size() > kMaxLineBytes) {
      return file_error(line_prefix(line_number_ + 1) + "the line is longer than " +
                        std::to_string(kMaxLineBytes) +
                        " bytes; a BAI2 line holds one or a few records");
    }
    if (newline) {
      ++position_;
      break;
    }
  }
  if (!any) return false;
  ++line_number_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

// Reads the next chunk of the source into chunk_, keeping nothing of the previous one.
Result<void> PhysicalLineReader::fill() {
  position_ = 0;
  filled_ = 0;
  while (filled_ < chunk_.size() && !end_of_input_) {
    ASSIGN_OR_RETURN(const std::size_t n,
                     source_.read(chunk_.data() + filled_, chunk_.size() - filled_));
    if (n == 0) end_of_input_ = true;
    filled_ += n;
  }
  return {};
}

// Reads the first chunk, skips a UTF-8 BOM and decides between lines and fixed-length records.
Result<void> PhysicalLineReader::start() {
  started_ = true;
  RETURN_IF_ERROR(fill());
  const std::string_view head(chunk_.data(), filled_);
  if (head.substr(0, 3) == "\xEF\xBB\xBF") position_ = 3;
  if (end_of_input_ || head.find('\n') != std::string_view::npos) return {};
  // No line break in the first 64 KiB: a blocked file, if its header says how long a record is.
  std::string_view header = head.substr(position_);
  while (!header.empty() && is_space(header.front())) header.remove_prefix(1);
  if (header.substr(0, 3) != "01,") return {};
  header = header.substr(0, header.find('/'));
  std::size_t field = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= header.size(); ++i) {
    if (i < header.size() && header[i] != ',') continue;
    if (field == 6) {
      const std::string_view length = trim(header.substr(start, i - start));
      const std::optional<std::int64_t> n =
          all_digits(length) ? parse_signed(length) : std::nullopt;
      if (n && *n >= 10 && static_cast<std::size_t>(*n) <= kMaxLineBytes)
        record_length_ = static_cast<std::size_t>(*n);
      break;
    }
    ++field;
    start = i + 1;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Records.

Result<bool> RecordReader::next(LogicalRecord& out) {
  while (true) {
    RawRecord raw;
    ASSIGN_OR_RETURN(const bool got, next_raw(raw));
    if (!got) {
      if (!has_current_) return false;
      out = std::move(current_);
      has_current_ = false;
      return true;
    }
    const std::string_view code = std::string_view(raw.text).substr(0, 2);
    std::string body = raw.text.substr(3);
    if (code == "88") {
      if (!has_current_) {
        return file_error(line_prefix(raw.line) +
                          "a continuation record (88) with no record before it");
      }
      current_.bytes += body.size();
      if (current_.bytes > kMaxRecordBytes) {
        return file_error(line_prefix(raw.line) + "the " + std::string(record_name(current_.code)) +
                          " starting at line " + std::to_string(current_.line) +
                          " continues for more than " + std::to_string(kMaxRecordBytes) + " bytes");
      }
      current_.parts.push_back(std::move(body));
      ++current_.record_count;
      continue;
    }
    LogicalRecord started;
    started.line = raw.line;
    started.code = std::string(code);
    started.bytes = body.size();
    started.parts.push_back(std::move(body));
    started.record_count = 1;
    if (has_current_) {
      out = std::move(current_);
      current_ = std::move(started);
      return true;
    }
    current_ = std::move(started);
    has_current_ = true;
  }
}

Result<bool> RecordReader::next_raw(RawRecord& out) {
  while (ready_.empty()) {
    if (end_of_input_) return false;
    ASSIGN_OR_RETURN(const bool got, lines_.next(line_));
    if (!got) {
      end_of_input_ = true;
      if (has_open_) ready_.push_back(std::move(open_));
      has_open_ = false;
      continue;
    }
    RETURN_IF_ERROR(split_line(lines_.line_number(), line_));
  }
  out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

// The "/" that ends the record in `line` from `from`: one followed, after spaces, by the end of
// the line or by the next record. npos when the record runs to the end of the line.
std::size_t RecordReader::find_delimiter(std::string_view line, std::size_t from) {
  for (std::size_t slash = line.find('/', from); slash != std::string_view::npos;
       slash = line.find('/', slash + 1)) {
    std::size_t next = slash + 1;
    while (next < line.size() && is_space(line[next])) ++next;
    if (next == line.size() || record_starts_at(line, next)) return slash;
  }
  return std::string_view::npos;
}

Result<void> RecordReader::split_line(std::uint64_t number, std::string_view line) {
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i >= line.size()) return {};
    if (has_open_ && !record_starts_at(line, i)) {
      // The unterminated record of the line before goes on here.
      if (!lines_.cuts_by_length()) open_.text.push_back('\n');
    } else {
      if (has_open_) ready_.push_back(std::move(open_));
      has_open_ = false;
      if (!record_starts_at(line, i)) {
        return file_error(
            line_prefix(number) + "\"" + excerpt(line.substr(i)) +
            "\" is not a BAI2 record: a record starts with its type code (01, 02, 03, 16, 49, "
            "88, 98 or 99) and a comma");
      }
      open_ = RawRecord{number, ""};
      has_open_ = true;
    }
    const std::size_t end = find_delimiter(line, i);
    const std::size_t stop = end == std::string_view::npos ? line.size() : end;
    open_.text.append(line.substr(i, stop - i));
    if (open_.text.size() > kMaxRecordBytes) {
      return file_error(line_prefix(open_.line) + "the record is longer than " +
                        std::to_string(kMaxRecordBytes) + " bytes");
    }
    if (end == std::string_view::npos) return {};
    ready_.push_back(std::move(open_));
    has_open_ = false;
    i = end + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Fields.

std::optional<std::string> FieldCursor::next() {
  if (part_done_) {
    if (part_ + 1 >= parts_.size()) return std::nullopt;
    ++part_;
    offset_ = 0;
    part_done_ = false;
  }
  if (part_ >= parts_.size()) return std::nullopt;
  const std::string_view part = parts_[part_];
  const std::size_t comma = part.find(',', offset_);
  std::string_view field;
  if (comma == std::string_view::npos) {
    field = part.substr(offset_);
    part_done_ = true;
  } else {
    field = part.substr(offset_, comma - offset_);
    offset_ = comma + 1;
  }
  std::string out;
  for (char c : trim(field))
    if (c != '\n') out.push_back(c);
  return std::string(trim(out));
}

std::string FieldCursor::rest_as_text(std::size_t max_bytes) {
  std::string out;
  auto add = [&out](std::string_view piece) {
    std::string text(piece);
    for (char& c : text)
      if (c == '\n') c = ' ';
    const std::string_view trimmed = trim(text);
    if (trimmed.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out.append(trimmed);
  };
  if (part_ < parts_.size() && !part_done_) add(std::string_view(parts_[part_]).substr(offset_));
  for (std::size_t k = part_ + 1; k < parts_.size(); ++k) add(parts_[k]);
  part_ = parts_.size();
  return kept_text(out, max_bytes);
}

}  // namespace oeuvre::bank::bai2
