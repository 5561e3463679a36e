// The MT940 reader (mt940.h): lines and messages, the statement's tags (:20: :25: :28C: :60F:
// :62F: :64: :65:), the :61: statement line, dates and the recognition of an MT940 file. A little
// over 600 lines on purpose: field 86's dialects, the one natural seam, are already apart
// (mt940_details.h); what is left is one reader whose parts share its line and date state.
#include "bank/mt940.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "bank/mt940_details.h"
#include "bank/text_encoding.h"
#include "core/date.h"
#include "core/utf8.h"

namespace oeuvre::bank {
namespace mt940 {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;
constexpr std::size_t kMaxLineBytes = std::size_t{64} * 1024;
// One transaction's :86: lines (or its :61: supplementary lines) together.
constexpr std::size_t kMaxFieldBytes = std::size_t{64} * 1024;
// Bank header lines ("ABNANL2A", "940", ":940:") accepted before the first :20:.
constexpr std::size_t kMaxLinesBeforeFirstStatement = 10;
constexpr std::size_t kMaxHeaderLinesSniffed = 5;
constexpr std::size_t kMaxProblemValueBytes = 200;
// A :61: customer reference has at most 16 characters; Rabobank pads it with blanks to 16 and
// writes the counterparty's name right after it.
constexpr std::size_t kCustomerReferenceWidth = 16;
// A customer reference shorter than this ("N", "X") is no reference to match on.
constexpr std::size_t kMinUsableReference = 3;

// ---------------------------------------------------------------------------------------------
// Text

bool is_control(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 0x20 || b == 0x7F;
}

// "NL91ABNA0417164300": two letters, two check digits, 11 to 30 letters or digits.
bool is_iban(std::string_view text) {
  if (text.size() < 15 || text.size() > 34) return false;
  if (!is_upper(text[0]) || !is_upper(text[1]) || !is_digit(text[2]) || !is_digit(text[3]))
    return false;
  for (char c : text)
    if (!is_alnum_upper(c)) return false;
  return true;
}

// An ISO 11649 structured creditor reference: "RF", two check digits, 1 to 21 letters or digits.
bool is_rf_reference(std::string_view text) {
  if (text.size() < 5 || text.size() > 25) return false;
  if (text[0] != 'R' || text[1] != 'F' || !is_digit(text[2]) || !is_digit(text[3])) return false;
  for (char c : text)
    if (!is_alnum_upper(c) && !is_lower(c)) return false;
  return true;
}

// A safety net for text cut at byte positions: valid UTF-8 as it is, else repaired.
void keep_valid(std::string& text) {
  if (!is_valid_utf8(text)) text = to_valid_utf8(text, text.size() * 3);
}

std::string excerpt(std::string_view text) {
  return std::string(cut_utf8(text, kMaxProblemValueBytes));
}

std::string quoted(std::string_view text) { return "'" + excerpt(text) + "'"; }

// ---------------------------------------------------------------------------------------------
// Lines

// Hands out the lines of a ByteSource, read 64 KiB at a time, without their line ends (LF or
// CR LF). Memory: one chunk plus one line.
class LineReader {
 public:
  explicit LineReader(csv::ByteSource& source) : source_(source), chunk_(kChunkBytes) {}

  // The next line into `line`; false at the end of the file. Fails on a read error or a line over
  // kMaxLineBytes.
  Result<bool> next(std::string& line) {
    while (true) {
      const std::size_t newline = buffer_.find('\n', scanned_);
      if (newline != std::string::npos || (eof_ && position_ < buffer_.size())) {
        const std::size_t end = newline == std::string::npos ? buffer_.size() : newline;
        line.assign(buffer_, position_, end - position_);
        position_ = scanned_ = newline == std::string::npos ? buffer_.size() : newline + 1;
        ++line_number_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.size() > kMaxLineBytes) return too_long(line_number_);
        return true;
      }
      if (eof_) return false;
      scanned_ = buffer_.size();
      if (buffer_.size() - position_ > kMaxLineBytes + 1) return too_long(line_number_ + 1);
      if (position_ > 0) {  // keep only the unfinished line
        buffer_.erase(0, position_);
        scanned_ -= position_;
        position_ = 0;
      }
      Result<std::size_t> read = source_.read(chunk_.data(), chunk_.size());
      if (!read.ok()) return std::move(read).error();
      if (*read == 0) eof_ = true;
      buffer_.append(chunk_.data(), std::min(*read, chunk_.size()));
    }
  }

  std::uint64_t line_number() const { return line_number_; }

 private:
  static Error too_long(std::uint64_t line) {
    return file_error("line " + std::to_string(line) + " is longer than " +
                      std::to_string(kMaxLineBytes / 1024) +
                      " KiB, far more than any MT940 line: the file is not an MT940 "
                      "statement or is damaged");
  }

  csv::ByteSource& source_;
  std::vector<char> chunk_;
  std::string buffer_;  // bytes read and not yet handed out, from position_
  std::size_t position_ = 0;
  std::size_t scanned_ = 0;  // buffer_ has no line end before this
  bool eof_ = false;
  std::uint64_t line_number_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Dates

struct DateRead {
  std::int32_t days = kNoDate;
  bool clamped = false;  // the day did not exist in its month: the month's last day instead
  std::string error;     // "" when read
};

DateRead civil_date(int year, int month, int day) {
  DateRead out;
  if (month < 1 || month > 12) {
    out.error = "has no month " + std::to_string(month);
    return out;
  }
  if (day < 1 || day > 31) {
    out.error = "has no day " + std::to_string(day);
    return out;
  }
  const int last = static_cast<int>(
      static_cast<unsigned>((std::chrono::year{year} /
                             std::chrono::month{static_cast<unsigned>(month)} / std::chrono::last)
                                .day()));
  if (day > last) {
    day = last;
    out.clamped = true;
  }
  out.days = days_from_civil(year, month, day);
  return out;
}

// "YYMMDD"; years 80-99 are 19YY, the others 20YY.
DateRead read_yymmdd(std::string_view text) {
  if (text.size() != 6 || !all_digits(text)) {
    DateRead out;
    out.error = "is not a date (YYMMDD)";
    return out;
  }
  const int yy = two_digits(text);
  return civil_date(yy >= 80 ? 1900 + yy : 2000 + yy, two_digits(text.substr(2)),
                    two_digits(text.substr(4)));
}

// "MMDD" in the year that puts it nearest to `value_date` (an entry booked on 2 January for a
// value date of 30 December is in the next year).
DateRead read_entry_date(std::string_view mmdd, std::int32_t value_date) {
  int year = 0, month = 0, day = 0;
  civil_from_days(value_date, year, month, day);
  DateRead best;
  for (int candidate = year - 1; candidate <= year + 1; ++candidate) {
    DateRead read = civil_date(candidate, two_digits(mmdd), two_digits(mmdd.substr(2)));
    if (!read.error.empty()) return read;
    if (best.days == kNoDate || std::llabs(static_cast<long long>(read.days) - value_date) <
                                    std::llabs(static_cast<long long>(best.days) - value_date))
      best = read;
  }
  return best;
}

std::string clamp_warning(std::string_view written, std::int32_t days) {
  return "date '" + std::string(written) + "' does not exist; read as " + format_iso_date(days);
}

// ---------------------------------------------------------------------------------------------
// Balances: "C160229EUR1200,00"

struct BalanceRead {
  Balance balance;
  bool clamped = false;
  std::string error;  // "" when read
};

BalanceRead read_balance(std::string_view value, std::string_view tag) {
  BalanceRead out;
  value = trim(value);
  out.balance.code = std::string(tag);
  if (value.size() < 11 || (value[0] != 'C' && value[0] != 'D')) {
    out.error = "does not start with C or D, a date (YYMMDD), a currency and an amount";
    return out;
  }
  const DateRead date = read_yymmdd(value.substr(1, 6));
  if (!date.error.empty()) {
    out.error = "date '" + std::string(value.substr(1, 6)) + "' " + date.error;
    return out;
  }
  out.balance.date = date.days;
  out.clamped = date.clamped;
  std::string currency(value.substr(7, 3));
  for (char& c : currency) {
    if (is_lower(c)) c = static_cast<char>(c - 'a' + 'A');
    if (!is_upper(c)) {
      out.error = "currency '" + std::string(value.substr(7, 3)) + "' is not a currency code";
      return out;
    }
  }
  const std::string_view amount = trim(value.substr(10));
  const AmountResult minor = decimal_to_minor(amount, ',', currency);
  if (!minor.error.empty()) {
    out.error = "amount " + quoted(amount) + " " + minor.error;
    return out;
  }
  out.balance.amount_minor = value[0] == 'D' ? -minor.minor : minor.minor;
  out.balance.currency = std::move(currency);
  return out;
}

std::string_view balance_type(std::string_view tag) {
  if (tag == "60F") return "opening";
  if (tag == "60M" || tag == "62M") return "interim";
  if (tag == "62F") return "closing";
  if (tag == "64") return "closing_available";
  if (tag == "65") return "forward_available";
  return "other";
}

std::string_view balance_words(std::string_view tag) {
  if (tag == "60F") return "opening balance";
  if (tag == "60M") return "intermediate opening balance";
  if (tag == "62F") return "closing balance";
  if (tag == "62M") return "intermediate closing balance";
  if (tag == "64") return "closing available balance";
  return "forward available balance";
}

// ---------------------------------------------------------------------------------------------
// :61: statement line: 240312 [0312] C|D|RC|RD|EC|ED [funds] 212,39 NTRF custref [//bankref]

struct EntryLine {
  std::int32_t value_date = kNoDate, booking_date = kNoDate;
  std::vector<std::string> warnings;  // dates that do not exist, read as their month's last day
  std::string mark;
  std::string amount;
  std::string type;
  std::string customer_reference, bank_reference;
  std::string supplementary;  // after the customer reference on the line, and the next lines
  std::string error;          // why this is no transaction; "" when read
};

EntryLine read_entry_line(std::string_view value) {
  EntryLine out;
  if (value.size() < 6 || !all_digits(value.substr(0, 6))) {
    out.error = "does not start with a value date (YYMMDD)";
    return out;
  }
  const DateRead value_date = read_yymmdd(value.substr(0, 6));
  if (!value_date.error.empty()) {
    out.error = "value date '" + std::string(value.substr(0, 6)) + "' " + value_date.error;
    return out;
  }
  out.value_date = value_date.days;
  if (value_date.clamped) out.warnings.push_back(clamp_warning(value.substr(0, 6), out.value_date));
  std::size_t i = 6;
  out.booking_date = out.value_date;
  if (value.size() >= i + 4 && all_digits(value.substr(i, 4))) {
    const DateRead entry = read_entry_date(value.substr(i, 4), out.value_date);
    if (!entry.error.empty()) {
      out.error = "entry date '" + std::string(value.substr(i, 4)) + "' " + entry.error;
      return out;
    }
    out.booking_date = entry.days;
    if (entry.clamped) out.warnings.push_back(clamp_warning(value.substr(i, 4), entry.days));
    i += 4;
  } else if (value.substr(i, 4) == "    ") {  // Citi: four spaces for the entry date
    i += 4;
  }
  const std::string_view two = value.substr(i, 2);
  if (two == "RC" || two == "RD" || two == "EC" || two == "ED") {
    out.mark = std::string(two);
    i += 2;
  } else if (i < value.size() && (value[i] == 'C' || value[i] == 'D')) {
    out.mark = std::string(1, value[i]);
    i += 1;
  } else {
    out.error = "has no debit/credit mark (C, D, RC or RD) after its dates";
    return out;
  }
  if (i < value.size() && is_upper(value[i])) ++i;  // funds code: the currency's third letter
  if (i < value.size() && value[i] == ' ') ++i;
  const std::size_t amount_start = i;
  while (i < value.size() && (is_digit(value[i]) || value[i] == ',' || value[i] == '.')) ++i;
  out.amount = std::string(value.substr(amount_start, i - amount_start));
  if (out.amount.empty()) {
    out.error = "has no amount after its debit/credit mark";
    return out;
  }
  if (i < value.size() && is_upper(value[i])) {  // N/F/S + 3 characters: NTRF, NMSC, FMSC, S051
    out.type = std::string(trim(value.substr(i, 4)));
    i = std::min(value.size(), i + 4);
  }
  const std::string_view rest = value.substr(i);
  const std::size_t slashes = rest.find("//");
  if (slashes != std::string_view::npos) {
    out.customer_reference = std::string(trim(rest.substr(0, slashes)));
    out.bank_reference = std::string(trim(rest.substr(slashes + 2)));
  } else if (rest.size() > kCustomerReferenceWidth &&
             is_blank_char(rest[kCustomerReferenceWidth - 1])) {
    const std::string_view reference = rest.substr(0, kCustomerReferenceWidth);
    out.customer_reference = std::string(trim(reference));
    out.supplementary = std::string(trim(rest.substr(reference.size())));
  } else {
    out.customer_reference = std::string(trim(rest));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The parse

bool is_tag_char(char c) { return is_upper(c) || is_digit(c); }

// ":61:..." -> tag "61", value "..."; false when the line is no tag line.
bool split_tag(std::string_view line, std::string_view& tag, std::string_view& value) {
  if (line.size() < 3 || line[0] != ':') return false;
  std::size_t i = 1;
  while (i < line.size() && i <= 5 && is_tag_char(line[i])) ++i;
  if (i == 1 || i >= line.size() || line[i] != ':') return false;
  tag = line.substr(1, i - 1);
  value = line.substr(i + 1);
  return true;
}

bool is_statement_tag(std::string_view tag) {
  static constexpr std::string_view kTags[] = {"21", "25",  "28",  "28C", "60F", "60M",
                                               "61", "62F", "62M", "64",  "65",  "86"};
  for (std::string_view known : kTags)
    if (tag == known) return true;
  return false;
}

// "-", "-}", "-}{5:}", "--}{5:}", ING's "-XXX", and "$": the end of a message.
bool is_message_end(std::string_view line) {
  if (line == "$") return true;
  if (line.empty() || line[0] != '-') return false;
  if (line.starts_with("-}") || line.starts_with("--")) return true;
  if (line.size() > 4) return false;
  for (char c : line.substr(1))
    if (!is_upper(c)) return false;
  return true;
}

class Mt940Parser {
 public:
  Mt940Parser(csv::ByteSource& source, StatementSink& sink) : lines_(source), sink_(sink) {}

  Result<void> run() {
    std::string raw;
    std::string converted;
    while (true) {
      Result<bool> more = lines_.next(raw);
      if (!more.ok()) return std::move(more).error();
      if (!*more) break;
      const std::uint64_t number = lines_.line_number();
      std::string_view line = raw;
      if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      if (!is_valid_utf8(line)) {
        if (!warned_encoding_) {
          sink_.warning(number, "the text is not UTF-8; read as Windows-1252");
          warned_encoding_ = true;
        }
        converted = windows_1252_to_utf8(line);
        line = converted;
      }
      RETURN_IF_ERROR(handle_line(line, number));
    }
    RETURN_IF_ERROR(end_message());
    if (statements_ == 0)
      return file_error(
          "the file holds no MT940 statement: no line starts a statement with ':20:'");
    return {};
  }

 private:
  Result<void> handle_line(std::string_view line, std::uint64_t number) {
    const std::size_t width = line.size();
    while (!line.empty() && is_control(line.front())) line.remove_prefix(1);  // mBank's SOH
    while (!line.empty() && is_control(line.back())) line.remove_suffix(1);   // ... and ETX
    if (trim(line).empty()) return {};  // blank lines carry nothing, even inside :86:
    if (line.front() == '{' || line.starts_with("-}")) {
      // SWIFT blocks: {1:...}{2:...}{3:...}{4: opens the message text, -}{5:...} closes it.
      if (line.front() == '-') RETURN_IF_ERROR(end_message());
      const std::size_t text = line.find("{4:");
      if (text == std::string_view::npos) return {};
      line = trim(line.substr(text + 3));
      if (line.empty()) return {};
    }
    if (is_message_end(trim(line))) return end_message();
    std::string_view tag, value;
    if (split_tag(line, tag, value)) return handle_tag(tag, value, number, width);
    return handle_continuation(line, number, width);
  }

  Result<void> handle_continuation(std::string_view line, std::uint64_t number, std::size_t width) {
    if (!in_message_) return outside_line(number);
    if (field_ == Field::kEntry) {
      RETURN_IF_ERROR(grow_field(line.size(), number));
      append_sentence(entry_.supplementary, trim(line));
    } else if (field_ == Field::kInfo) {
      RETURN_IF_ERROR(grow_field(line.size(), number));
      info_lines_.push_back({std::string(line), width, false});
    }
    return {};
  }

  // A line before the first statement: a bank header ("ABNANL2A", "940", ":940:") at most.
  Result<void> outside_line(std::uint64_t number) {
    if (statements_ == 0 && ++lines_before_first_ > kMaxLinesBeforeFirstStatement)
      return file_error("line " + std::to_string(number) +
                        ": not an MT940 statement: no ':20:' line starts a statement in "
                        "the first lines of the file");
    return {};
  }

  Result<void> grow_field(std::size_t bytes, std::uint64_t number) {
    field_bytes_ += bytes + 1;
    if (field_bytes_ > kMaxFieldBytes)
      return file_error("line " + std::to_string(number) + ": the transaction at line " +
                        std::to_string(entry_line_) + " has more than " +
                        std::to_string(kMaxFieldBytes / 1024) +
                        " KiB of text, far more than MT940 allows");
    return {};
  }

  Result<void> handle_tag(std::string_view tag, std::string_view value, std::uint64_t number,
                          std::size_t width) {
    if (tag == "20") {
      RETURN_IF_ERROR(end_message());
      start_message(value, number);
      return {};
    }
    if (!in_message_) {
      if (is_statement_tag(tag))
        return file_error("line " + std::to_string(number) + ": ':" + std::string(tag) +
                          ":' is outside a statement: the ':20:' line that starts its "
                          "statement is missing");
      return outside_line(number);  // ":940:" and the like
    }
    field_ = Field::kNone;
    if (tag == "61") {
      flush_entry();
      RETURN_IF_ERROR(begin_transactions(number));
      entry_ = read_entry_line(value);
      entry_line_ = number;
      entry_value_ = std::string(value);
      has_entry_ = true;
      field_bytes_ = 0;
      info_lines_.clear();
      field_ = Field::kEntry;
      return {};
    }
    if (tag == "86") {
      if (!has_entry_) {  // about the statement (ING writes one after :62F:): not kept
        field_ = Field::kIgnored;
        return {};
      }
      RETURN_IF_ERROR(grow_field(value.size(), number));
      info_lines_.push_back({std::string(value), width, true});
      field_ = Field::kInfo;
      return {};
    }
    if (tag == "21") {
      related_reference_ = std::string(trim(value));
    } else if (tag == "25") {
      statement_.account = without_spaces(value);
      has_account_ = true;
    } else if (tag == "28C" || tag == "28") {
      statement_.sequence = std::string(trim(value));
    } else if (tag == "60F" || tag == "60M" || tag == "62F" || tag == "62M" || tag == "64" ||
               tag == "65") {
      flush_entry();
      return add_balance(tag, value, number);
    } else {
      field_ = Field::kIgnored;  // :NS:, :13D:, :34F:, :90D:, ... : not read
    }
    return {};
  }

  Result<void> add_balance(std::string_view tag, std::string_view value, std::uint64_t number) {
    BalanceRead read = read_balance(value, tag);
    if (!read.error.empty()) {
      const std::string message = "the " + std::string(balance_words(tag)) +
                                  " (:" + std::string(tag) + ":) " + quoted(trim(value)) +
                                  " cannot be read: " + read.error;
      if (tag == "64" || tag == "65") {
        sink_.warning(number, message + "; it is left out");
        return {};
      }
      return file_error("line " + std::to_string(number) + ": " + message);
    }
    if (read.clamped)
      sink_.warning(number, clamp_warning(trim(value).substr(1, 6), read.balance.date));
    read.balance.type = std::string(balance_type(tag));
    StatementInfo& info = statement_;
    if (tag.starts_with("60")) {
      if (tag == "60F" || !has_opening_) info.currency = read.balance.currency;
      if (info.period_start == kNoDate) info.period_start = read.balance.date;
      has_opening_ = true;
    } else if (tag == "62F" || (tag == "62M" && !has_final_closing_)) {
      info.period_end = read.balance.date;
      has_final_closing_ = has_final_closing_ || tag == "62F";
    }
    info.balances.push_back(std::move(read.balance));
    return {};
  }

  void start_message(std::string_view reference, std::uint64_t number) {
    statement_ = StatementInfo{};
    statement_.line = number;
    statement_.statement_id = std::string(trim(reference));
    related_reference_.clear();
    in_message_ = true;
    begun_ = has_account_ = has_opening_ = has_final_closing_ = false;
    field_ = Field::kNone;
  }

  std::string statement_words() const {
    return "the statement starting at line " + std::to_string(statement_.line) +
           " (':20:" + excerpt(statement_.statement_id) + "')";
  }

  Result<void> require_header(std::uint64_t number, std::string_view where) {
    if (!has_account_)
      return file_error("line " + std::to_string(number) + ": " + statement_words() +
                        " has no ':25:' account line " + std::string(where));
    if (!has_opening_)
      return file_error("line " + std::to_string(number) + ": " + statement_words() +
                        " has no ':60F:' opening balance " + std::string(where));
    return {};
  }

  Result<void> begin_transactions(std::uint64_t number) {
    if (begun_) return {};
    RETURN_IF_ERROR(require_header(number, "before its first transaction"));
    keep_valid(statement_.account);
    keep_valid(statement_.statement_id);
    keep_valid(statement_.sequence);
    sink_.begin_statement(statement_);
    begun_ = true;
    return {};
  }

  Result<void> end_message() {
    flush_entry();
    if (!in_message_) return {};
    in_message_ = false;
    field_ = Field::kNone;
    RETURN_IF_ERROR(require_header(lines_.line_number(), "before its end"));
    RETURN_IF_ERROR(begin_transactions(statement_.line));
    sink_.end_statement(statement_);
    ++statements_;
    return {};
  }

  void flush_entry() {
    if (!has_entry_) return;
    has_entry_ = false;
    const std::string location = "line " + std::to_string(entry_line_);
    for (std::string& warning : entry_.warnings) sink_.warning(entry_line_, std::move(warning));
    std::string reason = entry_.error;
    AmountResult amount;
    if (reason.empty()) {
      amount = decimal_to_minor(entry_.amount, ',', statement_.currency);
      if (!amount.error.empty()) reason = "amount " + quoted(entry_.amount) + " " + amount.error;
    }
    if (!reason.empty()) {
      RowProblem problem;
      problem.line = entry_line_;
      problem.location = location;
      problem.value = excerpt(entry_value_);
      keep_valid(problem.value);
      problem.reason = "the statement line (:61:) " + reason;
      keep_valid(problem.reason);
      sink_.problem(problem);
      return;
    }
    Transaction t;
    t.line = entry_line_;
    t.location = location;
    t.value_date = entry_.value_date;
    t.booking_date = entry_.booking_date;
    const bool debit = entry_.mark == "D" || entry_.mark == "ED" || entry_.mark == "RC";
    t.amount_minor = debit ? -amount.minor : amount.minor;
    t.reversal = entry_.mark == "RC" || entry_.mark == "RD";
    t.currency = statement_.currency;
    Details details = interpret_details(info_lines_, entry_.customer_reference);
    if (details.counterparty_account.empty() && is_iban(entry_.supplementary))
      details.counterparty_account = entry_.supplementary;  // Rabobank: the account on line two
    if (details.creditor_reference.empty()) {
      const std::string compact = without_spaces(details.description);
      if (is_rf_reference(compact)) details.creditor_reference = compact;
    }
    t.counterparty_name = std::move(details.counterparty_name);
    t.counterparty_account = std::move(details.counterparty_account);
    t.end_to_end_id = std::move(details.end_to_end_id);
    t.creditor_reference = std::move(details.creditor_reference);
    t.description = std::move(details.description);
    // MT940's last resort is the :61: customer reference, unless it was the counterparty's account.
    t.reference = best_reference(
        t, details.account_from_customer_reference ? "" : usable_customer_reference(details.codes));
    if (!is_no_reference(entry_.bank_reference)) t.transaction_id = entry_.bank_reference;
    add_code(t.codes, "swift_code", entry_.type);
    if (entry_.mark == "EC" || entry_.mark == "ED")
      add_code(t.codes, "debit_credit_mark", entry_.mark);
    if (!is_no_reference(entry_.customer_reference))
      add_code(t.codes, "customer_reference", entry_.customer_reference);
    add_code(t.codes, "supplementary_details", entry_.supplementary);
    if (!is_no_reference(related_reference_))
      add_code(t.codes, "related_reference", related_reference_);
    for (auto& code : details.codes) t.codes.push_back(std::move(code));
    for (std::string* text :
         {&t.counterparty_name, &t.counterparty_account, &t.end_to_end_id, &t.creditor_reference,
          &t.reference, &t.description, &t.transaction_id})
      keep_valid(*text);
    for (auto& [key, value] : t.codes) keep_valid(value);
    sink_.transaction(t);
  }

  // The :61: customer reference for Transaction::reference, or "": German banks write "KREF+"
  // there, meaning the KREF+ value of the :86:; NONREF and one or two characters are none.
  std::string usable_customer_reference(const Codes& details_codes) const {
    std::string_view reference = entry_.customer_reference;
    if (reference.size() == 5 && reference.back() == '+') {
      reference = {};
      if (entry_.customer_reference == "KREF+")
        for (const auto& [key, value] : details_codes)
          if (key == "sepa_customer_reference") reference = value;
    }
    if (is_no_reference(reference) || reference.size() < kMinUsableReference) return "";
    return std::string(reference);
  }

  enum class Field { kNone, kEntry, kInfo, kIgnored };  // what continuation lines belong to

  LineReader lines_;
  StatementSink& sink_;
  bool warned_encoding_ = false;
  std::size_t statements_ = 0;
  std::size_t lines_before_first_ = 0;

  // The message being read.
  bool in_message_ = false;
  bool begun_ = false;  // begin_statement delivered
  bool has_account_ = false, has_opening_ = false, has_final_closing_ = false;
  StatementInfo statement_;
  std::string related_reference_;
  Field field_ = Field::kNone;

  // The transaction being read: its :61: and :86: lines.
  bool has_entry_ = false;
  EntryLine entry_;
  std::uint64_t entry_line_ = 0;
  std::string entry_value_;
  std::vector<InfoLine> info_lines_;
  std::size_t field_bytes_ = 0;
};

// One line of `text` from `pos` (without CR LF / LF); `pos` moves past it.
std::string_view next_line(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  std::size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  pos = end < text.size() ? end + 1 : text.size();
  std::string_view line = text.substr(start, end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool contains_line_starting(std::string_view text, std::string_view prefix) {
  return text.find("\n" + std::string(prefix)) != std::string_view::npos;
}

// "ABNANL2A", "940", "0000 01INGBNL2AXXXX00001", "940 00", ":940:".
bool is_bank_header_line(std::string_view line) {
  while (!line.empty() && is_control(line.back())) line.remove_suffix(1);
  if (line == ":940:") return true;
  if (line.size() > 40) return false;
  for (char c : line)
    if (!is_alnum_upper(c) && c != ' ') return false;
  return true;
}

bool looks_like_statement(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  while (!head.empty() && (is_control(head.front()) || head.front() == ' ')) head.remove_prefix(1);
  if (head.starts_with("{1:")) {
    const std::size_t text = head.find("{4:");
    if (text == std::string_view::npos) return false;
    std::string_view rest = head.substr(text + 3);
    while (!rest.empty() && (is_control(rest.front()) || rest.front() == ' '))
      rest.remove_prefix(1);
    return rest.starts_with(":20:");
  }
  std::size_t pos = 0;
  for (std::size_t headers = 0;; ++headers) {
    if (pos >= head.size()) return false;
    const std::size_t start = pos;
    const std::string_view line = next_line(head, pos);
    if (line.starts_with(":20:")) {
      // ":20:" then ":25:" is MT940 (or MT942) however broken the rest: recognised, a file without
      // its balances is refused by parse_mt940 saying what is missing, not read as a CSV.
      return contains_line_starting(head.substr(start), ":25:");
    }
    if (headers == kMaxHeaderLinesSniffed || !is_bank_header_line(line)) return false;
  }
}

}  // namespace
}  // namespace mt940

bool looks_like_mt940(std::string_view head) { return mt940::looks_like_statement(head); }

Result<void> parse_mt940(csv::ByteSource& source, StatementSink& sink) {
  mt940::Mt940Parser parser(source, sink);
  return parser.run();
}

}  // namespace oeuvre::bank
