#include "core/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/uuid.h"

namespace oeuvre {

namespace {

// A byte a JSON string must escape: a control character (< 0x20), '"' or '\\'.
bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Whether any of the 8 bytes in `w` needs an escape (the classic "has a byte less than n" / "has a
// zero byte" tricks; exact for every byte value).
bool word_needs_escape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHigh) != 0; };
  const bool control = ((w - kOnes * 0x20) & ~w & kHigh) != 0;
  return control || has_zero(w ^ (kOnes * '"')) || has_zero(w ^ (kOnes * '\\'));
}

}  // namespace

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_) out_ += ',';
  first_ = false;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  // Appended piece by piece: assembling `,"name":` in a stack buffer first cost a stalled
  // variable-length copy per key (8 % of a results page's CPU).
  if (!first_) out_ += ',';
  out_ += '"';
  if (std::none_of(name.begin(), name.end(), [](char c) { return needs_escape(static_cast<unsigned char>(c)); })) {
    out_.append(name);
  } else {
    append_json_escaped(out_, name);
  }
  out_.append("\":", 2);
  first_ = false;
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view text) {
  before_value();
  out_.reserve(out_.size() + text.size() + 2);
  out_ += '"';
  append_json_escaped(out_, text);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::uuid(const Uuid& id) {
  before_value();
  char text[38];
  text[0] = text[37] = '"';
  id.write_chars(text + 1);
  out_.append(text, sizeof text);
  return *this;
}

JsonWriter& JsonWriter::number(std::int64_t n) {
  before_value();
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::number(std::uint64_t n) {
  before_value();
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::number(double d) {
  before_value();
  append_json_number(out_, d);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (d == 0) {
    out += '0';  // -0 too: the sign of a zero means nothing to a reader
    return;
  }
  const double magnitude = std::fabs(d);
  const auto format = magnitude >= 1e-6 && magnitude < 1e21 ? std::chars_format::fixed
                                                            : std::chars_format::scientific;
  // Fixed notation below 1e21 needs at most 21 integer digits, or "0." with 5 zeros and 17 digits.
  char buf[48];
  char* end = std::to_chars(buf, buf + sizeof buf, d, format).ptr;
  if (format == std::chars_format::scientific && end[-2] == '0' &&
      (end[-3] == '-' || end[-3] == '+')) {
    end[-2] = end[-1];  // "1e-07" reads better as "1e-7"
    --end;
  }
  out.append(buf, end);
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Most text needs no escape: skip clean 8-byte words before looking at bytes one by one.
  std::size_t i = 0;
  while (i + 8 <= text.size()) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, sizeof w);
    if (word_needs_escape(w)) break;
    i += 8;
  }
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!needs_escape(c)) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(text.data() + run, text.size() - run);
}

}  // namespace oeuvre
