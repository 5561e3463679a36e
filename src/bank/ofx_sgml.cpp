#include "bank/ofx_sgml.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "bank/statement.h"
#include "core/utf8.h"

namespace oeuvre::bank::ofx {
namespace {

constexpr std::size_t kMaxTagBytes = 1024;
constexpr std::size_t kMaxQuotedBytes = 200;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// `bytes` in `charset` as valid UTF-8 (kUnknown: UTF-8 when they are valid UTF-8, else
// Windows-1252).
std::string to_utf8(std::string_view bytes, Charset charset) {
  if (is_ascii(bytes)) return std::string(bytes);
  if (charset == Charset::kUtf8 || (charset == Charset::kUnknown && is_valid_utf8(bytes)))
    return to_valid_utf8(bytes, SIZE_MAX);
  return charset == Charset::kLatin1 ? latin1_to_utf8(bytes) : windows_1252_to_utf8(bytes);
}

// `text` with SGML character references decoded: &amp; &lt; &gt; &quot; &apos; &nbsp; &#NNN;
// &#xHH;. Anything else after '&' stays as written (banks write "AT&T").
std::string decode_references(std::string_view text) {
  if (text.find('&') == std::string_view::npos) return std::string(text);
  static constexpr std::pair<std::string_view, char32_t> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t semicolon = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semicolon == std::string_view::npos || semicolon - i > 10) {
      out += text[i++];
      continue;
    }
    const std::string_view name = text.substr(i + 1, semicolon - i - 1);
    char32_t character = 0;
    if (name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      std::uint32_t value = 0;
      bool ok = !digits.empty();
      for (char c : digits) {
        int digit = -1;
        if (is_digit(c)) digit = c - '0';
        if (hex && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit < 0 || value > 0x10FFFF) {
          ok = false;
          break;
        }
        value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
      }
      if (ok && value > 0 && value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF))
        character = value;
    } else {
      for (const auto& [entity, named] : kNamed)
        if (name == entity) character = named;
    }
    if (character == 0) {
      out += text[i++];
      continue;
    }
    append_utf8(out, character);
    i = semicolon + 1;
  }
  return out;
}

}  // namespace

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string quoted(std::string_view text) { return to_valid_utf8(text, kMaxQuotedBytes); }

std::string at_line(std::uint64_t line) { return "line " + std::to_string(line) + ": "; }

std::string value_too_long_message(std::uint64_t line, std::string_view name) {
  return at_line(line) + "the value of <" + quoted(name) + "> is longer than " +
         std::to_string(kMaxValueBytes) + " bytes";
}

bool is_known_aggregate(std::string_view name) {
  return one_of(name, {"OFX",
                       "SIGNONMSGSRSV1",
                       "SONRS",
                       "STATUS",
                       "FI",
                       "BANKMSGSRSV1",
                       "CREDITCARDMSGSRSV1",
                       "STMTTRNRS",
                       "CCSTMTTRNRS",
                       "STMTRS",
                       "CCSTMTRS",
                       "BANKACCTFROM",
                       "CCACCTFROM",
                       "BANKACCTTO",
                       "CCACCTTO",
                       "BANKTRANLIST",
                       "STMTTRN",
                       "PAYEE",
                       "CURRENCY",
                       "ORIGCURRENCY",
                       "LEDGERBAL",
                       "AVAILBAL",
                       "BALLIST",
                       "BAL",
                       "IMAGEDATA",
                       "INVSTMTMSGSRSV1",
                       "INVSTMTTRNRS",
                       "INVSTMTRS",
                       "STMTENDTRNRS",
                       "STMTENDRS",
                       "CCSTMTENDTRNRS",
                       "CCSTMTENDRS"});
}

bool is_known_leaf(std::string_view name) {
  return one_of(
      name, {"CODE",     "SEVERITY",   "MESSAGE",       "DTSERVER", "LANGUAGE",     "DTPROFUP",
             "DTACCTUP", "ORG",        "FID",           "INTU.BID", "INTU.USERID",  "SESSCOOKIE",
             "TRNUID",   "CLTCOOKIE",  "CURDEF",        "BANKID",   "BRANCHID",     "ACCTID",
             "ACCTTYPE", "ACCTKEY",    "DTSTART",       "DTEND",    "TRNTYPE",      "DTPOSTED",
             "DTUSER",   "DTAVAIL",    "TRNAMT",        "FITID",    "CORRECTFITID", "CORRECTACTION",
             "SRVRTID",  "CHECKNUM",   "REFNUM",        "SIC",      "PAYEEID",      "NAME",
             "EXTDNAME", "MEMO",       "INV401KSOURCE", "CURRATE",  "CURSYM",       "BALAMT",
             "DTASOF",   "MKTGINFO",   "ADDR1",         "ADDR2",    "ADDR3",        "CITY",
             "STATE",    "POSTALCODE", "COUNTRY",       "PHONE"});
}

Status SgmlReader::append_text(std::string_view raw) {
  if (segment_.empty() && value_.empty()) {
    while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  }
  if (segment_.size() + raw.size() > kMaxValueBytes)
    return file_error(value_too_long_message(pending_line_, pending_));
  segment_.append(raw);
  return {};
}

Status SgmlReader::flush_text() {
  if (segment_.empty()) return {};
  Status status;
  if (has_pending_) status = add_value(decode_references(to_utf8(segment_, charset_)));
  segment_.clear();
  return status;
}

Status SgmlReader::add_value(std::string_view utf8) {
  if (value_.size() + utf8.size() > kMaxValueBytes)
    return file_error(value_too_long_message(pending_line_, pending_));
  value_.append(utf8);
  return {};
}

Status SgmlReader::feed(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (state_ == State::kText) {
      const void* found = std::memchr(bytes.data() + i, '<', bytes.size() - i);
      const std::size_t end =
          found ? static_cast<std::size_t>(static_cast<const char*>(found) - bytes.data())
                : bytes.size();
      const std::string_view run = bytes.substr(i, end - i);
      line_ += static_cast<std::uint64_t>(std::count(run.begin(), run.end(), '\n'));
      if (has_pending_) RETURN_IF_ERROR(append_text(run));
      i = end;
      if (found) {
        state_ = State::kMarkup;
        markup_line_ = line_;
        ++i;
      }
      continue;
    }
    const char c = bytes[i];
    switch (state_) {
      case State::kText:
        break;
      case State::kMarkup:
        if (c == '/') {
          state_ = State::kEndMarkup;
          ++i;
        } else if (c == '!' || c == '?' || is_letter(c)) {
          RETURN_IF_ERROR(flush_text());
          markup_.clear();
          previous_[0] = previous_[1] = 0;
          if (is_letter(c)) markup_ += c;
          state_ = c == '!' ? State::kBang : c == '?' ? State::kProcessing : State::kStartTag;
          ++i;
        } else {  // "< " is text, not markup
          if (has_pending_) RETURN_IF_ERROR(append_text("<"));
          state_ = State::kText;
        }
        break;
      case State::kEndMarkup:
        if (is_letter(c)) {
          RETURN_IF_ERROR(flush_text());
          markup_.assign(1, c);
          state_ = State::kEndTag;
          ++i;
        } else {
          if (has_pending_) RETURN_IF_ERROR(append_text("</"));
          state_ = State::kText;
        }
        break;
      case State::kStartTag:
      case State::kEndTag:
        ++i;
        if (c == '>') {
          const bool start = state_ == State::kStartTag;
          state_ = State::kText;
          RETURN_IF_ERROR(start ? start_tag() : end_tag());
        } else if (c == '<') {
          return file_error(at_line(markup_line_) + "the tag '<" + excerpt() +
                            "' is not closed by '>'");
        } else {
          if (c == '\n') ++line_;
          markup_ += c;
          if (markup_.size() > kMaxTagBytes)
            return file_error(at_line(markup_line_) + "the tag '<" + excerpt() +
                              "...' is longer than " + std::to_string(kMaxTagBytes) + " bytes");
        }
        break;
      case State::kBang: {
        ++i;
        if (c == '\n') ++line_;
        markup_ += c;
        static constexpr std::string_view kComment = "--";
        static constexpr std::string_view kCdata = "[CDATA[";
        if (markup_ == kComment) {
          state_ = State::kComment;
        } else if (markup_ == kCdata) {
          state_ = State::kCdata;
          cdata_.clear();
        } else if (!kComment.starts_with(markup_) && !kCdata.starts_with(markup_)) {
          state_ = c == '>' ? State::kText : State::kDeclaration;
        }
        break;
      }
      case State::kComment:
      case State::kProcessing:
        ++i;
        if (c == '\n') ++line_;
        if (c == '>' &&
            ((state_ == State::kComment && previous_[0] == '-' && previous_[1] == '-') ||
             (state_ == State::kProcessing && previous_[1] == '?'))) {
          state_ = State::kText;
        }
        previous_[0] = previous_[1];
        previous_[1] = c;
        break;
      case State::kCdata:
        ++i;
        if (c == '\n') ++line_;
        cdata_ += c;
        if (cdata_.size() >= 3 && cdata_.compare(cdata_.size() - 3, 3, "]]>") == 0) {
          cdata_.resize(cdata_.size() - 3);
          if (has_pending_) RETURN_IF_ERROR(add_value(to_utf8(cdata_, charset_)));
          cdata_.clear();
          state_ = State::kText;
        } else if (cdata_.size() > kMaxValueBytes + 3) {
          return file_error(at_line(markup_line_) + "a CDATA section is longer than " +
                            std::to_string(kMaxValueBytes) + " bytes");
        }
        break;
      case State::kDeclaration:
        ++i;
        if (c == '\n') ++line_;
        if (c == '>') state_ = State::kText;
        break;
    }
  }
  return {};
}

Status SgmlReader::settle_pending() {
  if (!has_pending_) return {};
  has_pending_ = false;
  const std::string_view value = trimmed(value_);
  if (is_known_aggregate(pending_) || (value.empty() && !is_known_leaf(pending_))) {
    RETURN_IF_ERROR(sink_.open(pending_, pending_line_));
    open_.push_back(pending_);
    return {};
  }
  return sink_.leaf(pending_, value, pending_line_);
}

Status SgmlReader::start_tag() {
  std::string_view body = markup_;
  const bool empty_element = !body.empty() && body.back() == '/';
  std::size_t name_end = 0;
  while (name_end < body.size() && !is_space(body[name_end]) && body[name_end] != '/') ++name_end;
  std::string name = upper(body.substr(0, name_end));
  RETURN_IF_ERROR(settle_pending());
  if (empty_element) return sink_.leaf(name, "", markup_line_);
  has_pending_ = true;
  pending_ = std::move(name);
  pending_line_ = markup_line_;
  value_.clear();
  return {};
}

Status SgmlReader::end_tag() {
  const std::string name = upper(trimmed(markup_));
  if (has_pending_) {
    // The pending element is a leaf: "<CODE>0</CODE>", "<NAME></NAME>", or one whose end tag was
    // left out before its parent's ("<ACCTTYPE></BANKACCTFROM>").
    has_pending_ = false;
    RETURN_IF_ERROR(sink_.leaf(pending_, trimmed(value_), pending_line_));
    if (pending_ == name) return {};
  }
  const auto match = std::find(open_.rbegin(), open_.rend(), name);
  if (match == open_.rend()) return {};  // a stray end tag, such as a leaf's after its value
  const std::size_t keep = open_.size() - static_cast<std::size_t>(match - open_.rbegin()) - 1;
  while (open_.size() > keep) {
    open_.pop_back();
    sink_.close();
  }
  return {};
}

Status SgmlReader::finish() {
  if (state_ != State::kText)
    return file_error(at_line(markup_line_) +
                      "the file ends inside the markup that starts "
                      "here (a tag, comment or CDATA section that is never closed)");
  RETURN_IF_ERROR(flush_text());
  if (has_pending_) {
    has_pending_ = false;
    RETURN_IF_ERROR(sink_.leaf(pending_, trimmed(value_), pending_line_));
  }
  return sink_.finish(line_);
}

}  // namespace oeuvre::bank::ofx
