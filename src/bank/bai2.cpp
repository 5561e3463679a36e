#include "bank/bai2.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bank/bai2_records.h"
#include "core/date.h"

namespace oeuvre::bank {
namespace bai2 {
namespace {

constexpr std::size_t kMaxFieldBytes = 4096;  // references and the like, as kept

// The record's name after "a" or "an": "a group header (02)", "an account trailer (49)".
std::string with_article(std::string_view name) {
  return (name.front() == 'a' ? "an " : "a ") + std::string(name);
}

// A YYMMDD date (years 70-99 are 19xx, 00-69 20xx) as a day number, or nullopt.
std::optional<std::int32_t> parse_yymmdd(std::string_view text) {
  if (text.size() != 6 || !all_digits(text)) return std::nullopt;
  const int yy = (text[0] - '0') * 10 + (text[1] - '0');
  const auto month = static_cast<unsigned>((text[2] - '0') * 10 + (text[3] - '0'));
  const auto day = static_cast<unsigned>((text[4] - '0') * 10 + (text[5] - '0'));
  const std::chrono::year_month_day date{std::chrono::year{yy >= 70 ? 1900 + yy : 2000 + yy},
                                         std::chrono::month{month}, std::chrono::day{day}};
  if (!date.ok()) return std::nullopt;
  return static_cast<std::int32_t>(std::chrono::sys_days{date}.time_since_epoch().count());
}

// A 16 amount: digits only (the type code gives the direction), at most kMaxAmountMinor.
// The reason when it cannot be read.
std::string read_detail_amount(std::string_view text, std::int64_t& amount) {
  if (text.empty()) return "amount is missing";
  if (!all_digits(text))
    return "amount '" + excerpt(text) + "' is not a whole number of minor units";
  const std::optional<std::int64_t> value = parse_signed(text);
  if (!value || *value > kMaxAmountMinor) return "amount '" + excerpt(text) + "' is too large";
  amount = *value;
  return "";
}

// Adds `value` to `sum`, or sets `overflow` when the sum would not fit.
void add_to(std::int64_t& sum, std::int64_t value, bool& overflow) {
  std::int64_t result = 0;
  if (__builtin_add_overflow(sum, value, &result)) {
    overflow = true;
  } else {
    sum = result;
  }
}

// The numeric value of a three-digit type code, or nullopt.
std::optional<int> type_code_value(std::string_view text) {
  if (text.size() != 3 || !all_digits(text)) return std::nullopt;
  return (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
}

// The statement.h balance type of a 03 status or summary type code.
std::string_view balance_type(int code) {
  switch (code) {
    case 10:
      return "opening";
    case 15:
      return "closing";
    case 30:
      return "interim";
    case 40:
      return "opening_available";
    case 45:
      return "closing_available";
    case 60:
      return "interim_available";
    default:
      return "other";
  }
}

// +1 for a credit detail type code, -1 for a debit, 0 when BAI2 gives the code no direction
// (status codes, 700-799 loan detail, 890 non-monetary information, 900-919).
int detail_direction(int code) {
  if ((code >= 100 && code <= 399) || (code >= 920 && code <= 959)) return 1;
  if ((code >= 400 && code <= 699) || code >= 960) return -1;
  return 0;
}

// A funds type and the fields that come with it.
struct Funds {
  std::string type;          // "", "0", "1", "2", "S", "V", "D" or "Z"
  std::string distribution;  // S and D: "days:amount ..."
  std::int32_t value_date = kNoDate;
  std::string value_time;
};

// Reads the funds type `code` and, for S, V and D, the fields that follow it from `fields`. The
// reason when they cannot be read, else "".
std::string read_funds(std::string_view code, FieldCursor& fields, Funds& funds) {
  std::string type(code);
  for (char& c : type)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  funds.type = type;
  if (type.empty() || type == "0" || type == "1" || type == "2" || type == "Z") return "";
  auto add_amount = [&funds](std::string_view days, std::string_view amount) -> bool {
    if (amount.empty()) return true;
    const std::optional<std::int64_t> value = parse_signed(amount);
    if (!value) return false;
    if (!funds.distribution.empty()) funds.distribution.push_back(' ');
    funds.distribution += std::string(days) + ":" + std::to_string(*value);
    return true;
  };
  if (type == "S") {
    static constexpr std::string_view kDays[] = {"0", "1", "2"};
    for (std::string_view days : kDays) {
      const std::string amount = fields.next().value_or("");
      if (!add_amount(days, amount))
        return "funds type S amount '" + excerpt(amount) + "' is not a whole number";
    }
    return "";
  }
  if (type == "V") {
    const std::string date = fields.next().value_or("");
    funds.value_time = fields.next().value_or("");
    if (date.empty()) return "";
    const std::optional<std::int32_t> day = parse_yymmdd(date);
    if (!day) return "funds type V value date '" + excerpt(date) + "' is not a date (YYMMDD)";
    funds.value_date = *day;
    return "";
  }
  if (type == "D") {
    const std::string count_text = fields.next().value_or("");
    if (count_text.size() > 4 || !all_digits(count_text))
      return "funds type D number of distributions '" + excerpt(count_text) + "' is not a number";
    const std::int64_t count = *parse_signed(count_text);
    for (std::int64_t k = 0; k < count; ++k) {
      const std::optional<std::string> days = fields.next();
      const std::optional<std::string> amount = fields.next();
      if (!days || !amount)
        return "funds type D announces " + count_text + " distributions but has fewer";
      if (!all_digits(*days) || days->size() > 4 || !add_amount(*days, *amount))
        return "funds type D distribution '" + excerpt(*days) + "," + excerpt(*amount) +
               "' is not a number of days and an amount";
    }
    return "";
  }
  return "funds type '" + excerpt(code) + "' is not a BAI2 funds type (0, 1, 2, S, V, D or Z)";
}

// ---------------------------------------------------------------------------------------------
// The file's structure.

class Bai2Parser {
 public:
  explicit Bai2Parser(StatementSink& sink) : sink_(sink) {}

  Result<void> handle(const LogicalRecord& record) {
    file_records_ += record.record_count;
    const std::string& code = record.code;
    if (code == "01" && expect_ == Expect::kFileHeader) return file_header(record);
    if (code == "02" && expect_ == Expect::kGroupOrFileTrailer) return group_header(record);
    if (code == "03" && expect_ == Expect::kAccountOrGroupTrailer) return account(record);
    if (code == "16" && expect_ == Expect::kDetailOrAccountTrailer) return detail(record);
    if (code == "49" && expect_ == Expect::kDetailOrAccountTrailer) return account_trailer(record);
    if (code == "98" && expect_ == Expect::kAccountOrGroupTrailer) return group_trailer(record);
    if (code == "99" && expect_ == Expect::kGroupOrFileTrailer) return file_trailer(record);
    std::string expected;
    switch (expect_) {
      case Expect::kFileHeader:
        return file_error(line_prefix(record.line) +
                          "a BAI2 file starts with a file header (01), not " +
                          with_article(record_name(code)));
      case Expect::kGroupOrFileTrailer:
        expected = "a group header (02) or the file trailer (99)";
        break;
      case Expect::kAccountOrGroupTrailer:
        expected = "an account identifier (03) or the group trailer (98)";
        break;
      case Expect::kDetailOrAccountTrailer:
        expected = "a transaction detail (16) or the account trailer (49)";
        break;
      case Expect::kNothing:
        return file_error(line_prefix(record.line) + with_article(record_name(code)) +
                          " after the file trailer (99)");
    }
    return file_error(line_prefix(record.line) + "unexpected " + std::string(record_name(code)) +
                      " here: expected " + expected);
  }

  // After the last record: fails unless the file trailer (99) was read.
  Result<void> finish(std::uint64_t last_line) {
    const std::string where = line_prefix(last_line) + "the file ends ";
    switch (expect_) {
      case Expect::kNothing:
        return {};
      case Expect::kFileHeader:
        return file_error("the file is empty: it has no BAI2 file header (01)");
      case Expect::kGroupOrFileTrailer:
        return file_error(where + "without its file trailer (99): the file is incomplete");
      case Expect::kAccountOrGroupTrailer:
        return file_error(where + "inside the group that starts at line " +
                          std::to_string(group_.line) +
                          " (no group trailer 98, no file trailer 99): the file is incomplete");
      case Expect::kDetailOrAccountTrailer:
        break;
    }
    return file_error(where + "inside the account that starts at line " +
                      std::to_string(account_.info.line) +
                      " (no account trailer 49): the file is incomplete");
  }

 private:
  enum class Expect {
    kFileHeader,
    kGroupOrFileTrailer,
    kAccountOrGroupTrailer,
    kDetailOrAccountTrailer,
    kNothing,
  };

  struct GroupState {
    std::uint64_t line = 0;
    std::string currency;  // the group's default; "" when the 02 gives none
    std::int32_t as_of_date = kNoDate;
    std::uint64_t records = 0;
    std::uint64_t accounts = 0;
    std::int64_t account_totals = 0;  // the sum of its 49 control totals as written
    bool account_totals_overflow = false;
  };

  struct AccountState {
    StatementInfo info;
    std::uint64_t records = 0;
    std::int64_t amounts = 0;      // the sum of its 03, 88 and 16 amounts
    bool amounts_unknown = false;  // an amount could not be read or the sum overflowed
  };

  Result<void> error(const LogicalRecord& record, const std::string& reason) const {
    return file_error(line_prefix(record.line) + std::string(record_name(record.code)) + ": " +
                      reason);
  }

  // A trailer's figure: a whole number with an optional sign.
  Result<std::int64_t> trailer_number(const LogicalRecord& record, std::string_view what,
                                      const std::optional<std::string>& text) const {
    const std::optional<std::int64_t> value =
        text && !text->empty() ? parse_signed(*text) : std::nullopt;
    if (!value) {
      return file_error(line_prefix(record.line) + std::string(record_name(record.code)) + ": " +
                        std::string(what) + " '" + excerpt(text.value_or("")) +
                        "' is not a whole number");
    }
    return *value;
  }

  // Warns when a trailer's figure disagrees with the file: "<subject>: <what> <written>, but
  // <before> <counted><after>".
  void check(std::uint64_t line, const std::string& subject, std::string_view what,
             std::int64_t written, std::int64_t counted, std::string_view before,
             std::string_view after = "") {
    if (written == counted) return;
    sink_.warning(line, subject + ": " + std::string(what) + " " + std::to_string(written) +
                            ", but " + std::string(before) + " " + std::to_string(counted) +
                            std::string(after));
  }

  Result<void> file_header(const LogicalRecord& record) {
    FieldCursor fields(record.parts);
    std::vector<std::string> values;
    while (std::optional<std::string> field = fields.next()) {
      if (values.size() == 8)
        return error(record, "has more than the 8 fields of BAI2 after its record code");
      values.push_back(std::move(*field));
    }
    if (values.size() < 8) {
      return error(record, "has " + std::to_string(values.size()) +
                               " fields after its record code; BAI2 has 8 (sender, receiver, "
                               "date, time, file id, record length, block size, version)");
    }
    if (!parse_yymmdd(values[2]))
      return error(record, "creation date '" + excerpt(values[2]) + "' is not a date (YYMMDD)");
    if (values[4].empty()) return error(record, "the file id is missing");
    if (values[7] != "2") {
      return error(record, "version '" + excerpt(values[7]) +
                               "': only BAI2 (version 2) is read, not BAI version 1 or BTRS "
                               "version 3");
    }
    file_id_ = kept_text(values[4], kMaxFieldBytes);
    expect_ = Expect::kGroupOrFileTrailer;
    return {};
  }

  Result<void> group_header(const LogicalRecord& record) {
    FieldCursor fields(record.parts);
    fields.next();  // ultimate receiver
    fields.next();  // originator
    const std::string status = fields.next().value_or("");
    const std::string date = fields.next().value_or("");
    fields.next();  // as-of time
    std::string currency = fields.next().value_or("");
    group_ = GroupState{};
    group_.line = record.line;
    group_.records = record.record_count;
    const std::optional<std::int32_t> as_of = parse_yymmdd(date);
    if (!as_of) return error(record, "as-of date '" + excerpt(date) + "' is not a date (YYMMDD)");
    group_.as_of_date = *as_of;
    RETURN_IF_ERROR(check_currency(record, currency));
    group_.currency = currency;
    if (status == "2") {
      sink_.warning(record.line,
                    "group status 2 (deletion): the bank asks to delete the data it sent "
                    "before for this group; its statements are read all the same");
    } else if (status == "4") {
      sink_.warning(record.line,
                    "group status 4 (test only): the bank marks this group as test data");
    }
    ++group_ordinal_;
    account_ordinal_ = 0;
    expect_ = Expect::kAccountOrGroupTrailer;
    return {};
  }

  // Upper-cases `currency` and fails unless it is empty or three letters.
  Result<void> check_currency(const LogicalRecord& record, std::string& currency) const {
    for (char& c : currency)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (currency.empty()) return {};
    bool letters = currency.size() == 3;
    for (char c : currency) letters = letters && c >= 'A' && c <= 'Z';
    if (!letters)
      return error(record, "currency '" + excerpt(currency) + "' is not an ISO 4217 code");
    return {};
  }

  Result<void> account(const LogicalRecord& record) {
    FieldCursor fields(record.parts);
    std::string number;
    for (char c : fields.next().value_or(""))
      if (!is_space(c)) number.push_back(c);
    if (number.empty()) return error(record, "the account number is missing");
    std::string currency = fields.next().value_or("");
    RETURN_IF_ERROR(check_currency(record, currency));
    if (currency.empty()) currency = group_.currency.empty() ? "USD" : group_.currency;

    account_ = AccountState{};
    account_.records = record.record_count;
    ++account_ordinal_;
    StatementInfo& info = account_.info;
    info.line = record.line;
    info.account = kept_text(number, kMaxFieldBytes);
    info.currency = currency;
    info.statement_id =
        file_id_ + "/" + std::to_string(group_ordinal_) + "/" + std::to_string(account_ordinal_);
    info.message_id = file_id_;
    info.period_start = group_.as_of_date;
    info.period_end = group_.as_of_date;

    // Summaries: type code, amount, item count, funds type (and its fields), repeated.
    while (std::optional<std::string> type = fields.next()) {
      const std::string amount = fields.next().value_or("");
      fields.next();  // item count
      const std::string funds_code = fields.next().value_or("");
      Funds funds;
      const std::string funds_error = read_funds(funds_code, fields, funds);
      if (!funds_error.empty()) return error(record, funds_error);
      if (type->empty() && amount.empty()) continue;  // an empty summary: ",,,,"
      const std::optional<int> code = type_code_value(*type);
      if (!code) {
        return error(record, "summary type code '" + excerpt(*type) +
                                 "' is not a three-digit BAI2 type code");
      }
      if (amount.empty()) continue;  // a type code with no figure reported
      const std::optional<std::int64_t> value = parse_signed(amount);
      if (!value || *value > kMaxAmountMinor || *value < -kMaxAmountMinor) {
        return error(record, "amount '" + excerpt(amount) + "' of type code " + *type +
                                 " is not a whole number of minor units");
      }
      add_to(account_.amounts, *value, account_.amounts_unknown);
      info.balances.push_back(
          Balance{std::string(balance_type(*code)), *type, *value, currency, group_.as_of_date});
    }
    sink_.begin_statement(info);
    expect_ = Expect::kDetailOrAccountTrailer;
    return {};
  }

  Result<void> detail(const LogicalRecord& record) {
    account_.records += record.record_count;
    FieldCursor fields(record.parts);
    const std::string type = fields.next().value_or("");
    const std::string amount_text = fields.next().value_or("");
    const std::string funds_code = fields.next().value_or("");

    RowProblem problem;
    problem.line = record.line;
    problem.location = "line " + std::to_string(record.line);
    std::int64_t amount = 0;
    const std::string amount_error = read_detail_amount(amount_text, amount);
    if (!amount_error.empty()) {
      account_.amounts_unknown = true;
      problem.value = excerpt(amount_text);
      problem.reason = amount_error;
      sink_.problem(problem);
      return {};
    }
    add_to(account_.amounts, amount, account_.amounts_unknown);
    const std::optional<int> code = type_code_value(type);
    if (!code) {
      problem.value = excerpt(type);
      problem.reason = "type code '" + excerpt(type) + "' is not a three-digit BAI2 type code";
      sink_.problem(problem);
      return {};
    }
    Funds funds;
    const std::string funds_error = read_funds(funds_code, fields, funds);
    if (!funds_error.empty()) {
      problem.value = excerpt(funds_code);
      problem.reason = funds_error;
      sink_.problem(problem);
      return {};
    }
    const int direction = detail_direction(*code);
    if (direction == 0) {
      sink_.warning(record.line, "transaction detail with type code " + type +
                                     " skipped: BAI2 gives it no credit or debit direction (890 is "
                                     "non-monetary information, 700-799 loan detail)");
      return {};
    }
    const std::string bank_reference = fields.next().value_or("");
    const std::string customer_reference = fields.next().value_or("");

    Transaction transaction;
    transaction.line = record.line;
    transaction.location = problem.location;
    transaction.booking_date = group_.as_of_date;
    transaction.value_date = funds.value_date;
    transaction.amount_minor = direction * amount;
    transaction.currency = account_.info.currency;
    transaction.transaction_id = kept_text(bank_reference, kMaxFieldBytes);
    transaction.description = fields.rest_as_text(kMaxRecordBytes);
    // Not statement.h's best_reference: BAI2 has no creditor reference or end-to-end id, and its
    // customer reference, the closest it has to a structured one, comes before the text.
    transaction.reference = kept_text(customer_reference, kMaxFieldBytes);
    if (transaction.reference.empty())
      transaction.reference = find_invoice_reference(transaction.description);
    transaction.codes.emplace_back("bai_type_code", type);
    if (!funds.type.empty()) transaction.codes.emplace_back("bai_funds_type", funds.type);
    if (!funds.value_time.empty())
      transaction.codes.emplace_back("bai_value_time", kept_text(funds.value_time, kExcerptBytes));
    if (!funds.distribution.empty())
      transaction.codes.emplace_back("bai_funds_distribution", funds.distribution);
    sink_.transaction(transaction);
    return {};
  }

  Result<void> account_trailer(const LogicalRecord& record) {
    account_.records += record.record_count;
    FieldCursor fields(record.parts);
    ASSIGN_OR_RETURN(const std::int64_t total,
                     trailer_number(record, "control total", fields.next()));
    ASSIGN_OR_RETURN(const std::int64_t count,
                     trailer_number(record, "number of records", fields.next()));
    const std::string subject = "account trailer (49) of account " + account_.info.account;
    if (!account_.amounts_unknown) {
      check(record.line, subject, "control total", total, account_.amounts,
            "the account's 03, 88 and 16 amounts add up to");
    }
    check(record.line, subject, "number of records", count,
          static_cast<std::int64_t>(account_.records), "the account has", " (03 to 49)");
    group_.records += account_.records;
    ++group_.accounts;
    add_to(group_.account_totals, total, group_.account_totals_overflow);
    sink_.end_statement(account_.info);
    expect_ = Expect::kAccountOrGroupTrailer;
    return {};
  }

  Result<void> group_trailer(const LogicalRecord& record) {
    group_.records += record.record_count;
    FieldCursor fields(record.parts);
    ASSIGN_OR_RETURN(const std::int64_t total,
                     trailer_number(record, "control total", fields.next()));
    ASSIGN_OR_RETURN(const std::int64_t accounts,
                     trailer_number(record, "number of accounts", fields.next()));
    ASSIGN_OR_RETURN(const std::int64_t count,
                     trailer_number(record, "number of records", fields.next()));
    const std::string subject =
        "group trailer (98) of the group at line " + std::to_string(group_.line);
    if (!group_.account_totals_overflow) {
      check(record.line, subject, "control total", total, group_.account_totals,
            "its account trailers' (49) control totals add up to");
    }
    check(record.line, subject, "number of accounts", accounts,
          static_cast<std::int64_t>(group_.accounts), "the group has");
    check(record.line, subject, "number of records", count,
          static_cast<std::int64_t>(group_.records), "the group has", " (02 to 98)");
    ++groups_;
    add_to(group_totals_, total, group_totals_overflow_);
    expect_ = Expect::kGroupOrFileTrailer;
    return {};
  }

  Result<void> file_trailer(const LogicalRecord& record) {
    FieldCursor fields(record.parts);
    ASSIGN_OR_RETURN(const std::int64_t total,
                     trailer_number(record, "control total", fields.next()));
    ASSIGN_OR_RETURN(const std::int64_t groups,
                     trailer_number(record, "number of groups", fields.next()));
    ASSIGN_OR_RETURN(const std::int64_t count,
                     trailer_number(record, "number of records", fields.next()));
    const std::string subject = "file trailer (99)";
    if (!group_totals_overflow_) {
      check(record.line, subject, "control total", total, group_totals_,
            "the group trailers' (98) control totals add up to");
    }
    check(record.line, subject, "number of groups", groups, static_cast<std::int64_t>(groups_),
          "the file has");
    check(record.line, subject, "number of records", count,
          static_cast<std::int64_t>(file_records_), "the file has", " (01 to 99)");
    expect_ = Expect::kNothing;
    return {};
  }

  StatementSink& sink_;
  Expect expect_ = Expect::kFileHeader;
  std::string file_id_;
  std::uint64_t file_records_ = 0;
  std::uint64_t groups_ = 0;
  std::int64_t group_totals_ = 0;  // the sum of the 98 control totals as written
  bool group_totals_overflow_ = false;
  std::uint64_t group_ordinal_ = 0;
  std::uint64_t account_ordinal_ = 0;
  GroupState group_;
  AccountState account_;
};

}  // namespace
}  // namespace bai2

bool looks_like_bai2(std::string_view head) {
  using bai2::all_digits, bai2::is_space, bai2::parse_yymmdd, bai2::trim;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  while (!head.empty() && (is_space(head.front()) || head.front() == '\r' || head.front() == '\n'))
    head.remove_prefix(1);
  if (head.substr(0, 3) != "01,") return false;
  const std::size_t end = head.find_first_of("/\r\n");
  if (end == std::string_view::npos) return false;  // the header is not complete in `head`
  const std::string_view header = head.substr(0, end);
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= header.size(); ++i) {
    if (i < header.size() && header[i] != ',') continue;
    fields.push_back(trim(header.substr(start, i - start)));
    start = i + 1;
  }
  if (fields.size() != 9) return false;
  auto digits_or_empty = [](std::string_view text) { return text.empty() || all_digits(text); };
  return !fields[1].empty() && !fields[2].empty() && parse_yymmdd(fields[3]).has_value() &&
         fields[4].size() == 4 && all_digits(fields[4]) && !fields[5].empty() &&
         digits_or_empty(fields[6]) && digits_or_empty(fields[7]) && fields[8] == "2";
}

Result<void> parse_bai2(csv::ByteSource& source, StatementSink& sink) {
  bai2::RecordReader records(source);
  bai2::Bai2Parser parser(sink);
  bai2::LogicalRecord record;
  while (true) {
    ASSIGN_OR_RETURN(const bool got, records.next(record));
    if (!got) break;
    RETURN_IF_ERROR(parser.handle(record));
  }
  return parser.finish(records.line_number());
}

}  // namespace oeuvre::bank
