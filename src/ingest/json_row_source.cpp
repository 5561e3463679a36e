// JsonRowSource: one streaming pass over a JSON array or JSON Lines file, tokenizer and row building
// together (about 540 lines): the tokenizer keeps offsets into the row it builds, and splitting them
// would put that state behind an interface for no reader's benefit.
#include "ingest/json_row_source.h"

#include "core/json_writer.h"
#include "core/utf8.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <cstring>

#include "csv/csv_reader.h"

namespace oeuvre::ingest {
namespace {

namespace json = boost::json;

constexpr std::size_t kIgnore = static_cast<std::size_t>(-1);

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::uint64_t count_lines(std::string_view text) {
  return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string describe_byte(unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 15];
}

// A short excerpt of `text` from `offset`, on character boundaries, for error messages.
std::string excerpt(std::string_view text, std::size_t offset) {
  offset = cut_utf8(text, offset).size();  // back to the start of the character at offset
  std::string out(cut_utf8(text.substr(offset), 30));
  const bool valid = is_valid_utf8(out);  // bytes not yet checked may be bad
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (!valid && static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  return out;
}

}  // namespace

// Builds one row from the parse events of one element. Top-level members become cells; a nested
// value of a member is re-serialised as compact JSON into the same arena.
struct JsonRowSource::Handler {
  static constexpr std::size_t max_object_size = 1'000'000;
  static constexpr std::size_t max_array_size = 100'000'000;
  static constexpr std::size_t max_key_size = 4096;
  static constexpr std::size_t max_string_size = std::size_t{16} << 20;

  struct Slot {
    std::size_t offset = 0, size = 0;
    CellKind kind = CellKind::kMissing;
  };

  JsonRowSource* source = nullptr;

  std::size_t depth = 0;  // open containers, the element's own included
  bool top_object = false;
  std::size_t column = kIgnore;  // column of the current top-level member
  std::string key;
  std::string arena;  // cell texts
  std::vector<Slot> slots;
  std::string duplicate;  // the first repeated key
  bool number_open = false;
  std::size_t value_start = 0;
  // Re-serialising a nested member value.
  bool capturing = false;
  std::size_t capture_start = 0;
  std::vector<bool> first_member;
  bool after_key = false;

  void begin_element(std::size_t columns) {
    depth = 0;
    top_object = false;
    column = kIgnore;
    arena.clear();
    slots.assign(columns, Slot{});
    duplicate.clear();
    number_open = false;
    capturing = false;
    first_member.clear();
    after_key = false;
  }

  // A member value of the top-level object (not nested), for a column we keep.
  bool member_value() const { return depth == 1 && top_object && column != kIgnore; }
  void set_slot(CellKind kind) {
    slots[column] = Slot{value_start, arena.size() - value_start, kind};
  }

  // Compact JSON writer for captured nested values.
  void w_prefix() {
    if (after_key) {
      after_key = false;
      return;
    }
    if (!first_member.empty()) {
      if (!first_member.back()) arena += ',';
      first_member.back() = false;
    }
  }
  void w_begin(char c) {
    w_prefix();
    arena += c;
    first_member.push_back(true);
  }
  void w_end(char c) {
    arena += c;
    first_member.pop_back();
  }
  void w_text_part(json::string_view s, std::size_t n) {
    if (n == s.size()) {
      w_prefix();
      arena += '"';
    }
    append_json_escaped(arena, std::string_view(s.data(), s.size()));
  }

  bool begin_container(char c) {
    if (depth == 0) {
      top_object = c == '{';
      depth = 1;
      return true;
    }
    if (member_value() && !capturing) {
      capturing = true;
      capture_start = arena.size();
    }
    if (capturing) w_begin(c);
    ++depth;
    return true;
  }
  bool end_container(char c) {
    --depth;
    if (capturing) {
      w_end(c);
      if (depth == 1) {
        slots[column] = Slot{capture_start, arena.size() - capture_start, CellKind::kNested};
        capturing = false;
      }
    }
    return true;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return begin_container('['); }
  bool on_array_end(std::size_t, json::error_code&) { return end_container(']'); }
  bool on_object_begin(json::error_code&) { return begin_container('{'); }
  bool on_object_end(std::size_t, json::error_code&) { return end_container('}'); }

  bool on_key_part(json::string_view s, std::size_t n, json::error_code&) {
    if (depth == 1 && top_object) {
      if (n == s.size()) key.clear();
      key.append(s.data(), s.size());
    } else if (capturing) {
      w_text_part(s, n);
    }
    return true;
  }
  bool on_key(json::string_view s, std::size_t n, json::error_code& ec) {
    if (depth == 1 && top_object) {
      if (n == s.size()) key.clear();
      key.append(s.data(), s.size());
      column = source->column_of(key);
      if (source->too_many_keys_) {
        ec = json::error::object_too_large;
        return false;
      }
      if (column == kIgnore) return true;
      if (column >= slots.size()) slots.resize(column + 1);
      if (slots[column].kind != CellKind::kMissing && duplicate.empty()) duplicate = key;
      slots[column] = Slot{arena.size(), 0, CellKind::kNull};
    } else if (capturing) {
      w_text_part(s, n);
      arena += "\":";
      after_key = true;
    }
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t n, json::error_code&) {
    if (member_value()) {
      if (n == s.size()) value_start = arena.size();
      arena.append(s.data(), s.size());
    } else if (capturing) {
      w_text_part(s, n);
    }
    return true;
  }
  bool on_string(json::string_view s, std::size_t n, json::error_code&) {
    if (member_value()) {
      if (n == s.size()) value_start = arena.size();
      arena.append(s.data(), s.size());
      set_slot(CellKind::kText);
    } else if (capturing) {
      w_text_part(s, n);
      arena += '"';
    }
    return true;
  }

  bool number_part(json::string_view s) {
    if (member_value()) {
      if (!number_open) value_start = arena.size();
      arena.append(s.data(), s.size());
    } else if (capturing) {
      if (!number_open) w_prefix();
      arena.append(s.data(), s.size());
    }
    number_open = true;
    return true;
  }
  bool number(json::string_view s) {
    number_part(s);
    number_open = false;
    if (member_value()) set_slot(CellKind::kNumber);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) { return number_part(s); }
  bool on_int64(std::int64_t, json::string_view s, json::error_code&) { return number(s); }
  bool on_uint64(std::uint64_t, json::string_view s, json::error_code&) { return number(s); }
  bool on_double(double, json::string_view s, json::error_code&) { return number(s); }

  bool literal(std::string_view text, CellKind kind) {
    if (member_value()) {
      value_start = arena.size();
      arena.append(text);
      set_slot(kind);
    } else if (capturing) {
      w_prefix();
      arena.append(kind == CellKind::kNull ? "null" : text);
    }
    return true;
  }
  bool on_bool(bool b, json::error_code&) { return literal(b ? "true" : "false", CellKind::kBool); }
  bool on_null(json::error_code&) { return literal("", CellKind::kNull); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

struct JsonRowSource::Parser {
  explicit Parser(const json::parse_options& options) : parser(options) {}
  json::basic_parser<Handler> parser;
};

JsonRowSource::JsonRowSource(std::unique_ptr<csv::ByteSource> bytes, FileFormat format,
                             std::uint64_t size, std::vector<std::string> header,
                             bool discover_keys, JsonLimits limits)
    : bytes_(std::move(bytes)),
      format_(format),
      size_(size),
      header_(std::move(header)),
      discover_keys_(discover_keys),
      limits_(limits) {
  for (std::size_t i = 0; i < header_.size(); ++i) columns_.emplace(header_[i], i);
  json::parse_options options;
  options.max_depth = limits_.max_depth;
  parser_ = std::make_unique<Parser>(options);
  parser_->parser.handler().source = this;
}

JsonRowSource::~JsonRowSource() = default;

Result<std::unique_ptr<JsonRowSource>> JsonRowSource::open(const std::string& path,
                                                           const SniffedFile& sniffed,
                                                           std::vector<std::string> header,
                                                           bool discover_keys, JsonLimits limits) {
  ASSIGN_OR_RETURN(auto bytes, csv::FileByteSource::open(path));
  std::unique_ptr<JsonRowSource> source(new JsonRowSource(
      std::move(bytes), sniffed.format, sniffed.size, std::move(header), discover_keys, limits));
  source->chunk_ = read_chunk_bytes(sniffed.size);
  source->capacity_ = source->chunk_ * 2;
  source->buffer_.reset(new char[source->capacity_]);  // not zeroed: only read bytes are used
  RETURN_IF_ERROR(source->fill());
  if (source->end_ >= 3 && std::memcmp(source->buffer_.get(), "\xEF\xBB\xBF", 3) == 0) {
    source->pos_ = 3;
  }
  return source;
}

double JsonRowSource::progress() const {
  if (size_ == 0) return 0;
  return std::min(1.0,
                  static_cast<double>(consumed_before_buffer_ + pos_) / static_cast<double>(size_));
}

Error JsonRowSource::fail(std::uint64_t line, const std::string& message) {
  failed_ = file_error("line " + std::to_string(line) + ": " + message);
  return *failed_;
}

std::size_t JsonRowSource::column_of(const std::string& key) {
  if (auto it = columns_.find(key); it != columns_.end()) return it->second;
  if (!discover_keys_) return kIgnore;
  if (header_.size() >= limits_.max_keys) {
    too_many_keys_ = key;
    return kIgnore;
  }
  header_.push_back(key);
  columns_.emplace(key, header_.size() - 1);
  return header_.size() - 1;
}

Status JsonRowSource::fill() {
  if (at_eof_) return OkStatus();
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    consumed_before_buffer_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (capacity_ - end_ < chunk_) {
    const std::size_t bigger_capacity = std::max(capacity_ * 2, end_ + chunk_);
    std::unique_ptr<char[]> bigger(new char[bigger_capacity]);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = bigger_capacity;
  }
  ASSIGN_OR_RETURN(std::size_t n, bytes_->read(buffer_.get() + end_, capacity_ - end_));
  if (n == 0) at_eof_ = true;
  end_ += n;
  return OkStatus();
}

Result<bool> JsonRowSource::skip_space() {
  for (;;) {
    while (pos_ < end_ && is_space(buffer_[pos_])) {
      if (buffer_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ < end_) return true;
    if (at_eof_) return false;
    RETURN_IF_ERROR(fill());
  }
}

Result<std::size_t> JsonRowSource::scan_element() {
  const char first = buffer_[pos_];
  const bool container = first == '{' || first == '[';
  const bool string = first == '"';
  std::size_t i = 0;
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (;;) {
    if (pos_ + i == end_) {
      if (at_eof_) {
        if (!container && !string) return i;
        return fail(line_, "the JSON array ends inside an element (is the file truncated?)");
      }
      if (i > limits_.max_element_bytes) {
        return fail(line_, "an element of the JSON array is larger than " +
                               std::to_string(limits_.max_element_bytes >> 20) + " MiB");
      }
      RETURN_IF_ERROR(fill());
      continue;
    }
    const char c = buffer_[pos_ + i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
        if (string) return i + 1;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (container) {
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    } else if (!string &&
               (is_space(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{')) {
      return i;
    }
    ++i;
  }
}

Result<std::size_t> JsonRowSource::scan_line() {
  std::size_t scanned = 0;
  for (;;) {
    const char* start = buffer_.get() + pos_ + scanned;
    const void* newline = std::memchr(start, '\n', end_ - pos_ - scanned);
    if (newline != nullptr) {
      const std::size_t length =
          static_cast<std::size_t>(static_cast<const char*>(newline) - (buffer_.get() + pos_));
      if (length > limits_.max_element_bytes) break;
      return length;
    }
    scanned = end_ - pos_;
    if (at_eof_) return scanned;
    if (scanned > limits_.max_element_bytes) break;
    RETURN_IF_ERROR(fill());
  }
  return fail(
      line_, "the line is longer than " + std::to_string(limits_.max_element_bytes >> 20) + " MiB");
}

Result<bool> JsonRowSource::parse_element(std::size_t length, SourceRow& row) {
  const std::string_view element(buffer_.get() + pos_, length);
  const std::uint64_t start_line = line_;
  pos_ += length;
  line_ += count_lines(element);
  const bool lines = format_ == FileFormat::kJsonLines;
  if (lines && trim_space(element).empty()) return false;
  if (auto bad = find_invalid_utf8(element)) {
    return fail(start_line + count_lines(element.substr(0, *bad)),
                "invalid UTF-8 (" + describe_byte(static_cast<unsigned char>(element[*bad])) +
                    "); the file may be Latin-1 or Windows-1252: convert it to UTF-8");
  }
  Handler& h = parser_->parser.handler();
  h.begin_element(header_.size());
  parser_->parser.reset();
  json::error_code ec;
  std::size_t used = parser_->parser.write_some(false, element.data(), element.size(), ec);
  if (too_many_keys_) {
    return fail(start_line, "the JSON objects have more than " + std::to_string(limits_.max_keys) +
                                " different keys");
  }
  std::string syntax;
  if (ec) {
    syntax = ec.message();
  } else if (!trim_space(element.substr(used)).empty()) {
    while (used < element.size() && is_space(element[used])) ++used;
    syntax = "unexpected text after the value";
  }
  row.line = start_line;
  row.problem.clear();
  row.problem_value.clear();
  ++rows_;
  if (!syntax.empty()) {
    const std::uint64_t error_line = start_line + count_lines(element.substr(0, used));
    const std::string what = syntax + " near '" + excerpt(element, used) + "'";
    if (!lines) return fail(error_line, "not valid JSON (" + what + ")");
    row.cells.assign(header_.size(), Cell{});
    row.problem = "the line is not valid JSON (" + what + ")";
    row.problem_value = std::string(cut_utf8(trim_space(element), 200));
    return true;
  }
  row.cells.resize(header_.size());
  h.slots.resize(header_.size());
  for (std::size_t i = 0; i < header_.size(); ++i) {
    const Handler::Slot& slot = h.slots[i];
    row.cells[i] = Cell{std::string_view(h.arena.data() + slot.offset, slot.size), slot.kind};
  }
  if (!h.top_object) {
    row.problem = lines ? "the line is not a JSON object" : "the element is not a JSON object";
    row.problem_value = std::string(cut_utf8(trim_space(element), 200));
  } else if (!h.duplicate.empty()) {
    row.problem = "the key '" + std::string(cut_utf8(h.duplicate, 100)) + "' appears twice";
    row.problem_value = std::string(cut_utf8(trim_space(element), 200));
  } else {
    ++objects_;
  }
  return true;
}

Result<bool> JsonRowSource::next(SourceRow& row) {
  if (failed_) return *failed_;
  auto result = [&]() -> Result<bool> {
    for (;;) {
      if (format_ == FileFormat::kJsonLines) {
        if (pos_ == end_) {
          if (at_eof_) return false;
          RETURN_IF_ERROR(fill());
          continue;
        }
        ASSIGN_OR_RETURN(std::size_t length, scan_line());
        ASSIGN_OR_RETURN(bool got, parse_element(length, row));
        if (pos_ < end_ && buffer_[pos_] == '\n') {
          ++pos_;
          ++line_;
        }
        if (got) return true;
        continue;
      }
      ASSIGN_OR_RETURN(bool more, skip_space());
      switch (array_state_) {
        case ArrayState::kStart:
          if (!more || buffer_[pos_] != '[') return fail(line_, "expected a JSON array ('[')");
          ++pos_;
          array_state_ = ArrayState::kFirst;
          continue;
        case ArrayState::kFirst:
        case ArrayState::kElement: {
          if (!more) return fail(line_, "the JSON array is not closed (is the file truncated?)");
          const char c = buffer_[pos_];
          if (c == ']' && array_state_ == ArrayState::kFirst) {
            ++pos_;
            array_state_ = ArrayState::kDone;
            continue;
          }
          if (c == ']' || c == ',') return fail(line_, std::string("unexpected '") + c + "'");
          ASSIGN_OR_RETURN(std::size_t length, scan_element());
          if (length == 0) return fail(line_, "expected a value");
          array_state_ = ArrayState::kAfter;
          ASSIGN_OR_RETURN(bool got, parse_element(length, row));
          if (got) return true;
          continue;
        }
        case ArrayState::kAfter: {
          if (!more) return fail(line_, "the JSON array is not closed (is the file truncated?)");
          const char c = buffer_[pos_];
          if (c == ',') {
            ++pos_;
            array_state_ = ArrayState::kElement;
          } else if (c == ']') {
            ++pos_;
            array_state_ = ArrayState::kDone;
          } else {
            return fail(line_, "expected ',' or ']' after an element of the JSON array, found '" +
                                   excerpt(std::string_view(buffer_.get() + pos_, end_ - pos_), 0) +
                                   "'");
          }
          continue;
        }
        case ArrayState::kDone:
          if (!more) return false;
          return fail(line_, "unexpected text after the end of the JSON array");
      }
    }
  }();
  if (!result.ok() && !failed_) failed_ = result.error();
  return result;
}

}  // namespace oeuvre::ingest
