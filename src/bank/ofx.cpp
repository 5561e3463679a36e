// The OFX reader (ofx.h): the OFX mapping (statements, balances, transactions) fed by either front
// end -- the SGML tokenizer (ofx_sgml.h) for OFX 1.x or XmlStream for OFX 2.x -- the choice between
// them from the header, and the header's character set. A little over 600 lines on purpose: the
// tokenizer, the one natural seam, is already apart; the mapping and the front-end choice share the
// event interface and the charset state.
#include "bank/ofx.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bank/ofx_sgml.h"
#include "bank/text_encoding.h"
#include "bank/xml_stream.h"
#include "core/date.h"
#include "core/utf8.h"

namespace oeuvre::bank {
namespace ofx {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;
constexpr std::size_t kHeadBytes =
    std::size_t{64} * 1024;  // what looks_like_ofx and the dialect choice see
constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxNameBytes = 64;

// OFX 2.x's XmlStream: names as written (OFX has no namespaces), the depth OfxMapping allows (64
// aggregates) and a leaf inside the deepest, values as long as OFX 1.x's.
constexpr XmlStream::Options kXmlOptions = {
    .namespaces = false,
    .max_depth = kMaxDepth + 1,
    .max_text_bytes = kMaxValueBytes,
    .format = "OFX",
    .not_well_formed = "the OFX XML is not well-formed",
};

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && upper(text.substr(0, prefix.size())) == prefix;
}

std::string without_spaces(std::string_view text) {
  std::string out;
  for (char c : text)
    if (!is_space(c)) out += c;
  return out;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// ---------------------------------------------------------------------------------------------
// OFX values

// The date part of an OFX date "YYYYMMDD[HHMMSS[.XXX]][[offset:TZ]]", or kNoDate.
std::int32_t ofx_date(std::string_view text) {
  if (text.size() < 8) return kNoDate;
  for (std::size_t i = 0; i < 8; ++i)
    if (!is_digit(text[i])) return kNoDate;
  const auto number = [&](std::size_t from, std::size_t count) {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const int year = number(0, 4);
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(number(4, 2))},
                                         std::chrono::day{static_cast<unsigned>(number(6, 2))}};
  if (year < 1 || !date.ok()) return kNoDate;
  return static_cast<std::int32_t>(std::chrono::sys_days{date}.time_since_epoch().count());
}

// A signed OFX amount: an optional sign, digits, and '.' (or a lone ',') as decimal separator.
AmountResult signed_amount(std::string_view text, std::string_view currency) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const bool comma =
      text.find(',') != std::string_view::npos && text.find('.') == std::string_view::npos;
  AmountResult result = decimal_to_minor(text, comma ? ',' : '.', currency);
  if (result.error.empty() && negative) result.minor = -result.minor;
  return result;
}

// An ISO 4217 code in upper case, or "" when `text` is not three letters.
std::string currency_code(std::string_view text) {
  if (text.size() != 3 || !is_letter(text[0]) || !is_letter(text[1]) || !is_letter(text[2]))
    return "";
  return upper(text);
}

// ---------------------------------------------------------------------------------------------
// The mapping from OFX elements to statements, fed by both front ends.

// An open aggregate.
struct Frame {
  std::string name;
  std::uint32_t index = 0;  // position among same-named siblings; 0 when not counted
  std::uint64_t line = 0;
  std::vector<std::pair<std::string, std::uint32_t>> repeated_children;
};

// A statement (STMTRS / CCSTMTRS) being read.
struct OpenStatement {
  StatementInfo info;
  std::size_t depth = 0;  // the nesting depth at which its STMTRS / CCSTMTRS is the innermost
  bool begun = false;
  std::string currency_text;            // CURDEF as written
  std::string transaction_response_id;  // TRNUID of the enclosing STMTTRNRS
};

// A LEDGERBAL / AVAILBAL being read.
struct OpenBalance {
  std::string code;  // LEDGERBAL | AVAILBAL
  std::string amount, date;
  std::uint64_t line = 0;
  std::size_t depth = 0;
};

// A STMTTRN being read: its leaves as written.
struct OpenTransaction {
  std::uint64_t line = 0;
  std::string location;
  std::size_t depth = 0;
  std::string type, posted, user, amount, id, name, memo, check_number, reference_number;
  std::string sic, payee_id, server_id, account_to, currency, currency_rate, original_currency;
};

// Receives one OFX document from either front end and delivers its statements to the sink.
// External synchronisation needed.
class OfxMapping final : public ElementSink {
 public:
  explicit OfxMapping(StatementSink& sink) : sink_(sink) {}

  // Fails when the root is not <OFX>, the nesting is deeper than kMaxDepth, or a name is too long.
  Status open(std::string_view name, std::uint64_t line) override;
  Status leaf(std::string_view name, std::string_view value, std::uint64_t line) override;
  void close() override;
  // Fails when an element is still open or no <OFX> element was seen.
  Status finish(std::uint64_t line) override;

  // "/OFX/BANKMSGSRSV1/STMTTRNRS[2]/STMTRS": the open aggregates, with the position of repeated
  // ones.
  std::string path() const;
  // The message for an aggregate at `line` that would be nested deeper than kMaxDepth.
  std::string too_deep_message(std::uint64_t line) const;

 private:
  // A top-level element: <OFX> (a file may hold several OFX documents one after another), else an
  // error.
  Status check_root(std::string_view name, std::uint64_t line);
  // The nearest aggregate around the current position that is_known_aggregate, or "".
  std::string_view context() const;
  void read_statement_leaf(std::string_view context, std::string_view name, std::string_view value,
                           std::uint64_t line);
  void read_transaction_leaf(std::string_view context, std::string_view name,
                             std::string_view value);
  void begin_statement();
  void end_balance();
  void end_transaction();

  StatementSink& sink_;
  std::vector<Frame> frames_;
  bool seen_root_ = false;
  std::string message_id_;               // SONRS/DTSERVER
  std::string transaction_response_id_;  // TRNUID of the STMTTRNRS / CCSTMTTRNRS open now
  std::optional<OpenStatement> statement_;
  std::optional<OpenBalance> balance_;
  std::optional<OpenTransaction> transaction_;
  std::size_t statements_ = 0;
  bool warned_investment_ = false;
};

// Fails when an element name is longer than kMaxNameBytes or is not valid UTF-8 (OFX 1.x bytes).
Status check_name(std::string_view name, std::uint64_t line) {
  if (name.size() > kMaxNameBytes)
    return file_error(at_line(line) + "the element name '" + quoted(name.substr(0, 40)) +
                      "...' is longer than " + std::to_string(kMaxNameBytes) + " bytes");
  if (!is_valid_utf8(name))
    return file_error(at_line(line) + "the element name '" + quoted(name) + "' is not valid text");
  return {};
}

Status OfxMapping::check_root(std::string_view name, std::uint64_t line) {
  if (name == "OFX") {
    seen_root_ = true;
    return {};
  }
  if (seen_root_)
    return file_error(at_line(line) + "<" + std::string(name) +
                      "> follows the end of the OFX document (</OFX>)");
  return file_error(at_line(line) + "the document's root element is <" + std::string(name) +
                    ">, not <OFX>: this is not an OFX file");
}

std::string OfxMapping::path() const {
  std::string path;
  for (const Frame& frame : frames_) {
    path += '/';
    path += frame.name;
    if (frame.index > 0) path += "[" + std::to_string(frame.index) + "]";
  }
  return path.empty() ? "/" : path;
}

std::string_view OfxMapping::context() const {
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it)
    if (is_known_aggregate(it->name)) return it->name;
  return "";
}
std::string OfxMapping::too_deep_message(std::uint64_t line) const {
  return at_line(line) + "the elements are nested more than " + std::to_string(kMaxDepth) +
         " levels deep (at " + path() + ")";
}

Status OfxMapping::open(std::string_view name, std::uint64_t line) {
  RETURN_IF_ERROR(check_name(name, line));
  if (frames_.empty()) RETURN_IF_ERROR(check_root(name, line));
  if (frames_.size() >= kMaxDepth) return file_error(too_deep_message(line));
  Frame frame{std::string(name), 0, line, {}};
  if (!frames_.empty() && one_of(name, {"STMTTRNRS", "CCSTMTTRNRS", "STMTTRN"})) {
    auto& counts = frames_.back().repeated_children;
    auto it =
        std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == name; });
    if (it == counts.end()) it = counts.insert(counts.end(), {std::string(name), 0});
    frame.index = ++it->second;
  }
  frames_.push_back(std::move(frame));
  const std::size_t depth = frames_.size();

  if (name == "STMTTRNRS" || name == "CCSTMTTRNRS") {
    transaction_response_id_.clear();
  } else if ((name == "STMTRS" || name == "CCSTMTRS") && !statement_) {
    statement_.emplace();
    statement_->info.line = line;
    statement_->info.message_id = message_id_;
    statement_->depth = depth;
    statement_->transaction_response_id = transaction_response_id_;
  } else if (name == "STMTTRN" && statement_ && !transaction_) {
    begin_statement();
    transaction_.emplace();
    transaction_->line = line;
    transaction_->location = path();
    transaction_->depth = depth;
  } else if ((name == "LEDGERBAL" || name == "AVAILBAL") && statement_ && !transaction_ &&
             !balance_) {
    balance_.emplace();
    balance_->code = std::string(name);
    balance_->line = line;
    balance_->depth = depth;
  } else if (name == "INVSTMTRS" && !warned_investment_) {
    warned_investment_ = true;
    sink_.warning(line, "the file has an investment statement (INVSTMTRS), which is not read");
  }
  return {};
}

Status OfxMapping::leaf(std::string_view name, std::string_view value, std::uint64_t line) {
  RETURN_IF_ERROR(check_name(name, line));
  if (frames_.empty()) return check_root(name, line);
  const std::string_view where = context();
  if (where == "SONRS" && name == "DTSERVER") {
    message_id_ = std::string(value);
  } else if ((where == "STMTTRNRS" || where == "CCSTMTTRNRS") && name == "TRNUID") {
    transaction_response_id_ = std::string(value);
  } else if (transaction_) {
    read_transaction_leaf(where, name, value);
  } else if (statement_) {
    read_statement_leaf(where, name, value, line);
  }
  return {};
}

void OfxMapping::read_statement_leaf(std::string_view context, std::string_view name,
                                     std::string_view value, std::uint64_t line) {
  StatementInfo& info = statement_->info;
  if ((context == "STMTRS" || context == "CCSTMTRS") && name == "CURDEF") {
    statement_->currency_text = std::string(value);
    info.currency = currency_code(value);
  } else if ((context == "BANKACCTFROM" || context == "CCACCTFROM") && name == "ACCTID") {
    info.account = without_spaces(value);
  } else if (context == "BANKTRANLIST" && (name == "DTSTART" || name == "DTEND")) {
    const std::int32_t date = ofx_date(value);
    if (date == kNoDate && !value.empty())
      sink_.warning(line, "the statement period's " + std::string(name) + " '" + quoted(value) +
                              "' is not a date (YYYYMMDD); it is left out");
    (name == "DTSTART" ? info.period_start : info.period_end) = date;
  } else if (balance_ && context == balance_->code) {
    if (name == "BALAMT") balance_->amount = std::string(value);
    if (name == "DTASOF") balance_->date = std::string(value);
  }
}

void OfxMapping::read_transaction_leaf(std::string_view context, std::string_view name,
                                       std::string_view value) {
  OpenTransaction& t = *transaction_;
  const auto set = [&](std::string& field) { field = std::string(value); };
  if (context == "STMTTRN") {
    static constexpr std::pair<std::string_view, std::string OpenTransaction::*> kFields[] = {
        {"TRNTYPE", &OpenTransaction::type},
        {"DTPOSTED", &OpenTransaction::posted},
        {"DTUSER", &OpenTransaction::user},
        {"TRNAMT", &OpenTransaction::amount},
        {"FITID", &OpenTransaction::id},
        {"MEMO", &OpenTransaction::memo},
        {"CHECKNUM", &OpenTransaction::check_number},
        {"REFNUM", &OpenTransaction::reference_number},
        {"SIC", &OpenTransaction::sic},
        {"PAYEEID", &OpenTransaction::payee_id},
        {"SRVRTID", &OpenTransaction::server_id}};
    for (const auto& [field_name, field] : kFields)
      if (name == field_name) set(t.*field);
    if (name == "NAME" && t.name.empty()) set(t.name);
  } else if (context == "PAYEE") {
    if (name == "NAME" && t.name.empty()) set(t.name);
  } else if (context == "BANKACCTTO" || context == "CCACCTTO") {
    if (name == "ACCTID") t.account_to = without_spaces(value);
  } else if (context == "CURRENCY") {
    if (name == "CURSYM") t.currency = currency_code(value);
    if (name == "CURRATE") set(t.currency_rate);
  } else if (context == "ORIGCURRENCY") {
    if (name == "CURSYM") t.original_currency = currency_code(value);
    if (name == "CURRATE") set(t.currency_rate);
  }
}

void OfxMapping::close() {
  if (frames_.empty()) return;
  const std::size_t depth = frames_.size();
  const std::string& name = frames_.back().name;
  if (transaction_ && transaction_->depth == depth) {
    end_transaction();
    transaction_.reset();
  } else if (balance_ && balance_->depth == depth) {
    end_balance();
    balance_.reset();
  } else if (statement_ && statement_->depth == depth) {
    begin_statement();
    sink_.end_statement(statement_->info);
    statement_.reset();
    ++statements_;
  } else if (name == "STMTTRNRS" || name == "CCSTMTTRNRS") {
    transaction_response_id_.clear();
  }
  frames_.pop_back();
}

Status OfxMapping::finish(std::uint64_t line) {
  if (!seen_root_)
    return file_error(at_line(line) + "the file has no <OFX> element: it is not an OFX file");
  if (!frames_.empty())
    return file_error(at_line(line) + "the file ends inside <" + frames_.back().name +
                      "> (opened on line " + std::to_string(frames_.back().line) + ", " + path() +
                      "): it looks cut off");
  if (statements_ == 0)
    sink_.warning(line, "the file has no bank or credit card statement (STMTRS or CCSTMTRS)");
  return {};
}

void OfxMapping::begin_statement() {
  OpenStatement& s = *statement_;
  if (s.begun) return;
  s.begun = true;
  StatementInfo& info = s.info;
  if (trimmed(s.currency_text).empty()) {
    sink_.warning(info.line, "the statement does not say its currency (CURDEF)");
  } else if (info.currency.empty()) {
    sink_.warning(info.line, "the statement's currency (CURDEF) '" + quoted(s.currency_text) +
                                 "' is not a three-letter ISO 4217 code; it is left empty");
  }
  if (info.account.empty())
    sink_.warning(info.line, "the statement does not say its account number (ACCTID)");
  if (!s.transaction_response_id.empty()) {
    info.statement_id = s.transaction_response_id;
  } else {
    info.statement_id = info.account;
    if (info.period_end != kNoDate) info.statement_id += "/" + format_iso_date(info.period_end);
  }
  sink_.begin_statement(info);
}

void OfxMapping::end_balance() {
  const OpenBalance& b = *balance_;
  StatementInfo& info = statement_->info;
  if (b.amount.empty()) return;  // an empty BALAMT: no balance (ofxparse tolerates it too)
  const AmountResult amount = signed_amount(b.amount, info.currency);
  if (!amount.error.empty()) {
    sink_.warning(b.line, "the " + b.code + " balance amount '" + quoted(b.amount) + "' " +
                              amount.error + "; that balance is left out");
    return;
  }
  Balance balance;
  balance.type = b.code == "LEDGERBAL" ? "closing" : "closing_available";
  balance.code = b.code;
  balance.amount_minor = amount.minor;
  balance.currency = info.currency;
  balance.date = ofx_date(b.date);
  if (balance.date == kNoDate && !b.date.empty())
    sink_.warning(b.line, "the " + b.code + " balance date (DTASOF) '" + quoted(b.date) +
                              "' is not a date (YYYYMMDD); it is left out");
  info.balances.push_back(std::move(balance));
}

void OfxMapping::end_transaction() {
  OpenTransaction& t = *transaction_;
  const std::string currency = t.currency.empty() ? statement_->info.currency : t.currency;
  RowProblem problem{t.line, t.location, "", ""};
  AmountResult amount;
  std::int32_t posted = kNoDate;
  if (t.amount.empty()) {
    problem.reason = "the transaction has no amount (TRNAMT)";
  } else if (amount = signed_amount(t.amount, currency); !amount.error.empty()) {
    problem.value = quoted(t.amount);
    problem.reason = "amount '" + problem.value + "' " + amount.error;
  } else if (t.posted.empty()) {
    problem.reason = "the transaction has no posting date (DTPOSTED)";
  } else if (posted = ofx_date(t.posted); posted == kNoDate) {
    problem.value = quoted(t.posted);
    problem.reason = "posting date (DTPOSTED) '" + problem.value + "' is not a date (YYYYMMDD)";
  }
  if (!problem.reason.empty()) {
    sink_.problem(problem);
    return;
  }

  Transaction transaction;
  transaction.line = t.line;
  transaction.location = std::move(t.location);
  transaction.booking_date = posted;
  if (!t.user.empty()) {
    transaction.value_date = ofx_date(t.user);
    if (transaction.value_date == kNoDate)
      sink_.warning(t.line, "the user date (DTUSER) '" + quoted(t.user) + "' of " +
                                transaction.location + " is not a date (YYYYMMDD); it is left out");
  }
  transaction.amount_minor = amount.minor;
  transaction.currency = currency;
  transaction.counterparty_name = std::move(t.name);
  transaction.counterparty_account = std::move(t.account_to);
  transaction.description = std::move(t.memo);
  transaction.transaction_id = std::move(t.id);
  // OFX's last resorts, after an invoice number in MEMO: one in NAME, CHECKNUM (unless all
  // zeros), REFNUM.
  std::string fallback = find_invoice_reference(transaction.counterparty_name);
  if (fallback.empty() && t.check_number.find_first_not_of('0') != std::string::npos)
    fallback = t.check_number;
  if (fallback.empty()) fallback = t.reference_number;
  transaction.reference = best_reference(transaction, fallback);
  for (auto [key, value] : {std::pair<const char*, std::string*>{"ofx_type", &t.type},
                            {"check_number", &t.check_number},
                            {"reference_number", &t.reference_number},
                            {"sic", &t.sic},
                            {"payee_id", &t.payee_id},
                            {"server_transaction_id", &t.server_id},
                            {"currency_rate", &t.currency_rate},
                            {"original_currency", &t.original_currency}}) {
    if (!value->empty()) transaction.codes.emplace_back(key, std::move(*value));
  }
  sink_.transaction(transaction);
}

// ---------------------------------------------------------------------------------------------
// OFX 2.x: XML through an XmlStream (no entity may be declared, so none can expand or reach
// outside the file). An element without child elements is a leaf whose value is its text.

class XmlReader final : public XmlHandler {
 public:
  explicit XmlReader(OfxMapping& mapping) : mapping_(mapping) {}

  // Reads the document: `head` (the bytes already taken from `source`), then the rest of `source`.
  Status read(csv::ByteSource& source, std::string_view head) {
    RETURN_IF_ERROR(xml_.read(source, head));
    return mapping_.finish(xml_.line());
  }

  void start_element(XmlName name, const XmlAttributes& /*attributes*/) override {
    if (has_pending_) {
      has_pending_ = false;
      if (!succeeded(mapping_.open(pending_, pending_line_))) return;
    }
    has_pending_ = true;
    pending_ = upper(name.local);
    pending_line_ = xml_.line();
  }

  void end_element(std::string_view text) override {
    if (has_pending_) {
      has_pending_ = false;
      succeeded(mapping_.leaf(pending_, trimmed(text), pending_line_));
    } else {
      mapping_.close();
    }
  }

  std::string location() const override { return mapping_.path(); }

  // Elements nest one deeper than kXmlOptions allows only below a pending element whose mapping
  // would then be one aggregate too many: the mapping's own message, as OFX 1.x gives it.
  std::string too_deep_message(std::uint64_t /*line*/, std::size_t /*max_depth*/) const override {
    return mapping_.too_deep_message(pending_line_);
  }

  // Text is kept only while the element has no child: the pending element's value.
  std::string text_too_long_message(std::uint64_t /*line*/,
                                    std::size_t /*max_bytes*/) const override {
    return value_too_long_message(pending_line_, pending_);
  }

 private:
  // False (and the stream stopped with its error) when `status` is an error.
  bool succeeded(Status status) {
    if (status.ok()) return true;
    xml_.fail(std::move(status).error());
    return false;
  }

  OfxMapping& mapping_;
  XmlStream xml_{*this, kXmlOptions};
  bool has_pending_ = false;
  std::string pending_;  // the element opened last, while it has no child element
  std::uint64_t pending_line_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Which front end reads a file

enum class Dialect {
  kNone,
  kSgmlWithHeader,     // "OFXHEADER:100 ..." then SGML
  kXml,                // <?xml ...?> / <?OFX ...?> then XML
  kSgmlWithoutHeader,  // starts at <OFX>
};

std::string_view after_bom_and_space(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  while (!head.empty() && is_space(head.front())) head.remove_prefix(1);
  return head;
}

Dialect dialect_of(std::string_view head) {
  std::string_view text = after_bom_and_space(head);
  if (text.starts_with("OFXHEADER")) {
    const std::string_view rest = trimmed(text.substr(9));
    return rest.starts_with(':') ? Dialect::kSgmlWithHeader : Dialect::kNone;
  }
  if (starts_with_ci(text, "<?XML")) {
    const std::size_t end = text.find("?>");
    if (end == std::string_view::npos) return Dialect::kNone;
    text = after_bom_and_space(text.substr(end + 2));
    if (text.starts_with("<?OFX") && text.size() > 5 && is_space(text[5])) return Dialect::kXml;
    // A document type naming OFX (expat then refuses any entity it declares).
    if (text.starts_with("<!DOCTYPE OFX") && text.size() > 13 &&
        (is_space(text[13]) || text[13] == '[' || text[13] == '>'))
      return Dialect::kXml;
    return starts_with_ci(text, "<OFX>") ? Dialect::kXml : Dialect::kNone;
  }
  if (text.starts_with("<?OFX") && text.size() > 5 && is_space(text[5])) return Dialect::kXml;
  return starts_with_ci(text, "<OFX>") ? Dialect::kSgmlWithoutHeader : Dialect::kNone;
}

// True when the first leaf element of a file with an XML declaration has no end tag after its value
// ("<CODE>0" then "<SEVERITY>", as in ofxparse's anzcc.ofx): the body is SGML.
bool xml_body_is_sgml(std::string_view head) {
  std::size_t i = 0;
  while ((i = head.find('<', i)) != std::string_view::npos) {
    if (i + 1 >= head.size()) return false;
    if (!is_letter(head[i + 1])) {
      ++i;
      continue;
    }
    const std::size_t close = head.find('>', i);
    if (close == std::string_view::npos) return false;
    const std::string_view tag = head.substr(i + 1, close - i - 1);
    const std::size_t next = head.find('<', close);
    if (next == std::string_view::npos) return false;
    if (tag.ends_with('/') || trimmed(head.substr(close + 1, next - close - 1)).empty()) {
      i = next;
      continue;
    }
    std::size_t name_end = 0;
    while (name_end < tag.size() && !is_space(tag[name_end])) ++name_end;
    const std::string end_tag = "</" + std::string(tag.substr(0, name_end));
    const std::string_view after = head.substr(next);
    if (!after.starts_with(end_tag)) return true;
    return after.size() > end_tag.size() && after[end_tag.size()] != '>' &&
           !is_space(after[end_tag.size()]);
  }
  return false;
}

// The value of `name`="..." in the XML declaration at the start of `head`, or "".
std::string_view xml_declaration_attribute(std::string_view head, std::string_view name) {
  std::string_view text = after_bom_and_space(head);
  const std::size_t end = text.find("?>");
  if (!starts_with_ci(text, "<?XML") || end == std::string_view::npos) return "";
  text = text.substr(0, end);
  const std::size_t at = text.find(name);
  if (at == std::string_view::npos) return "";
  std::size_t i = at + name.size();
  while (i < text.size() && (is_space(text[i]) || text[i] == '=')) ++i;
  if (i >= text.size() || (text[i] != '"' && text[i] != '\'')) return "";
  const std::size_t close = text.find(text[i], i + 1);
  if (close == std::string_view::npos) return "";
  return text.substr(i + 1, close - i - 1);
}

// The character set an OFX 1.x header (the KEY:VALUE words before the first '<') names.
Charset header_charset(std::string_view head) {
  const std::size_t body = head.find('<');
  std::string_view header = head.substr(0, body == std::string_view::npos ? head.size() : body);
  std::string encoding;
  std::string charset;
  while (!header.empty()) {
    while (!header.empty() && is_space(header.front())) header.remove_prefix(1);
    std::size_t end = 0;
    while (end < header.size() && !is_space(header[end])) ++end;
    const std::string_view word = header.substr(0, end);
    header.remove_prefix(end);
    const std::size_t colon = word.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key = upper(word.substr(0, colon));
    if (key == "ENCODING") encoding = upper(word.substr(colon + 1));
    if (key == "CHARSET") charset = upper(word.substr(colon + 1));
  }
  if (charset_named(encoding) == Charset::kUtf8) return Charset::kUtf8;
  return charset_named(charset);
}

// Reads OFX 1.x SGML through `reader`: `head` (the bytes already taken from `source`), then the
// rest of `source` chunk by chunk.
Status read_sgml(csv::ByteSource& source, std::string_view head, SgmlReader& reader) {
  RETURN_IF_ERROR(reader.feed(head));
  while (true) {
    ASSIGN_OR_RETURN(const std::string chunk, csv::read_prefix(source, kChunkBytes));
    if (chunk.empty()) return reader.finish();
    RETURN_IF_ERROR(reader.feed(chunk));
  }
}

Result<void> read_ofx(csv::ByteSource& source, StatementSink& sink) {
  ASSIGN_OR_RETURN(const std::string head, csv::read_prefix(source, kHeadBytes));
  const Dialect dialect = dialect_of(head);
  if (dialect == Dialect::kNone)
    return file_error(
        "line 1: this is not an OFX file (it should start with an OFXHEADER: header, an <?xml "
        "...?> "
        "declaration with an <?OFX ...?> instruction, or <OFX>)");
  OfxMapping mapping(sink);
  if (dialect == Dialect::kXml && !xml_body_is_sgml(head)) {
    XmlReader reader(mapping);
    return reader.read(source, head);
  }
  Charset charset = Charset::kUnknown;  // UTF-8 when valid, else Windows-1252
  if (dialect == Dialect::kSgmlWithHeader) charset = header_charset(head);
  if (dialect == Dialect::kXml) {
    const std::string_view encoding = xml_declaration_attribute(head, "encoding");
    charset = encoding.empty() ? Charset::kUtf8 : charset_named(encoding);
  }
  SgmlReader reader(mapping, charset);
  return read_sgml(source, head, reader);
}

}  // namespace
}  // namespace ofx

bool looks_like_ofx(std::string_view head) { return ofx::dialect_of(head) != ofx::Dialect::kNone; }

Result<void> parse_ofx(csv::ByteSource& source, StatementSink& sink) {
  return ofx::read_ofx(source, sink);
}

}  // namespace oeuvre::bank
