// The camt.052/053/054 reader (camt.h): the document walk over XmlStream's events -- root and
// message checks, statements, balances, the dispatch of entry and detail fields to EntryMapping
// (camt_entry.h), element paths for messages -- and the recognition of a camt file by its first
// bytes. About 800 lines on purpose: the walk and the recognition share the message table and the
// namespace reading at the top of this file; split, they would need an internal header of their
// own for some forty lines. The natural seams are already apart: the entry mapping (camt_entry.h)
// and the element paths with the tables of fields (camt_paths.h).
#include "bank/camt.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bank/camt_entry.h"
#include "bank/camt_paths.h"
#include "bank/xml_stream.h"
#include "core/date.h"
#include "core/utf8.h"

namespace oeuvre::bank {
namespace camt {
namespace {

constexpr std::size_t kMaxDescriptionBytes = 4096;  // remittance lines joined
constexpr std::size_t kMaxBalances = 1000;          // per statement
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
constexpr std::string_view kIsoNamespace = "urn:iso:std:iso:20022:tech:xsd:";
constexpr std::string_view kCamtNamespace = "urn:iso:std:iso:20022:tech:xsd:camt.05";
constexpr int kFirstVersion = 2;
constexpr int kLastVersion = 12;

constexpr XmlStream::Options kXmlOptions = {
    .namespaces = true,
    .max_depth = 64,
    .max_text_bytes = std::size_t{64} * 1024,
    .format = "camt",
    .not_well_formed = "the file is not well-formed XML",
};

// The three messages: their root element inside Document and the element of one statement.
struct MessageKind {
  BankFormat format;
  std::string_view message_element;
  std::string_view statement_element;
};
constexpr std::array<MessageKind, 3> kMessages = {{
    {BankFormat::kCamt052, "BkToCstmrAcctRpt", "Rpt"},
    {BankFormat::kCamt053, "BkToCstmrStmt", "Stmt"},
    {BankFormat::kCamt054, "BkToCstmrDbtCdtNtfctn", "Ntfctn"},
}};

const MessageKind* message_by_element(std::string_view element) {
  for (const MessageKind& kind : kMessages)
    if (kind.message_element == element) return &kind;
  return nullptr;
}

const MessageKind* message_by_format(BankFormat format) {
  for (const MessageKind& kind : kMessages)
    if (kind.format == format) return &kind;
  return nullptr;
}

// "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08": which message, which version.
struct CamtNamespace {
  BankFormat format;
  int version;
};

std::optional<CamtNamespace> parse_camt_namespace(std::string_view uri) {
  if (!uri.starts_with(kCamtNamespace)) return std::nullopt;
  const std::string_view rest = uri.substr(kCamtNamespace.size());  // "3.001.08"
  if (rest.size() != 8 || rest.substr(1, 5) != ".001." || rest[6] < '0' || rest[6] > '9' ||
      rest[7] < '0' || rest[7] > '9')
    return std::nullopt;
  const int version = (rest[6] - '0') * 10 + (rest[7] - '0');
  switch (rest[0]) {
    case '2':
      return CamtNamespace{BankFormat::kCamt052, version};
    case '3':
      return CamtNamespace{BankFormat::kCamt053, version};
    case '4':
      return CamtNamespace{BankFormat::kCamt054, version};
    default:
      return std::nullopt;
  }
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_xml_space(std::string_view text) {
  while (!text.empty() && is_xml_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_xml_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string without_spaces(std::string_view text) {
  std::string out;
  for (char c : cut_utf8(text, kMaxFieldBytes))
    if (c != ' ') out += c;
  return out;
}

// The balance vocabulary of statement.h for an ISO 20022 balance type code (as genkgo/camt maps
// them: PRCD, the previous statement's closing balance, is this one's opening balance).
std::string_view balance_type(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"OPBD", "opening"},           {"PRCD", "opening"},           {"CLBD", "closing"},
      {"OPAV", "opening_available"}, {"CLAV", "closing_available"}, {"FWAV", "forward_available"},
      {"ITBD", "interim"},           {"ITAV", "interim_available"}, {"INFO", "information"},
      {"XPCD", "expected_credit"},
  };
  for (const auto& [iso, type] : kTypes)
    if (iso == code) return type;
  return "other";
}

struct BalanceState {
  std::uint64_t line = 0;
  std::string location;
  std::string code;
  bool proprietary = false;
  AmountText amount;
  std::string credit_debit, date_text;
};

struct StatementState {
  StatementInfo info;
  std::string electronic_sequence, legal_sequence;
  std::size_t index = 0;  // 1-based within the message
  std::size_t entries = 0, balances = 0;
  bool begun = false;
  bool balances_capped = false;
};

// Reads one file as an XmlHandler: a stack of element names, the state of the current statement,
// balance, entry and detail, and the depth (index in names_) of each, kNone outside. Entries are
// made into transactions by an EntryMapping.
class CamtReader final : public XmlHandler {
 public:
  explicit CamtReader(StatementSink& sink)
      : sink_(sink), details_(sink.wants_details()), entries_(sink) {}

  Result<void> run(csv::ByteSource& source);

  void start_element(XmlName name, const XmlAttributes& attributes) override;
  void end_element(std::string_view text) override;
  std::string location() const override { return path(); }
  std::string too_deep_message(std::uint64_t line, std::size_t max_depth) const override;
  std::string text_too_long_message(std::uint64_t line, std::size_t max_bytes) const override;

 private:
  bool check_root(std::string_view uri, std::string_view local);
  bool check_message(std::string_view local);

  void start_statement();
  void statement_field(std::string_view text);
  void begin_statement_once();
  void end_statement();
  void start_balance();
  void balance_field(std::string_view text);
  void end_balance();
  void start_entry();
  void entry_field(std::string_view text);
  void end_entry();
  void start_detail();
  void detail_field(std::string_view text);
  void end_detail();

  // True when the open elements are those to depth `base` followed by `relative` ("Dt/DtTm").
  bool at(std::size_t base, std::string_view relative) const {
    return base != kNone && names_.size() > base + 1 && names_.below(base) == relative;
  }
  std::string path() const;
  std::uint64_t line() const { return xml_.line(); }
  std::string line_prefix() const { return "line " + std::to_string(line()) + ": "; }
  void fail(std::string message) { xml_.fail(file_error(std::move(message))); }

  StatementSink& sink_;
  const bool details_;  // sink_.wants_details(): else a transaction's amount and dates alone
  XmlStream xml_{*this, kXmlOptions};

  ElementPath names_;
  std::string amount_currency_;  // the Ccy attribute of the Amt element being read

  const MessageKind* message_ = nullptr;
  bool document_child_seen_ = false;
  std::size_t message_depth_ = kNone;
  std::string message_path_;
  std::string message_id_;
  std::size_t statement_count_ = 0;

  std::size_t statement_depth_ = kNone, balance_depth_ = kNone, entry_depth_ = kNone,
              detail_depth_ = kNone;
  StatementState statement_;
  BalanceState balance_;
  EntryMapping entries_;
  Detail detail_;
};

// ---- elements ----

std::string CamtReader::path() const {
  const Entry& entry = entries_.entry();
  std::string out;
  for (std::size_t depth = 0; depth < names_.size(); ++depth) {
    out += '/';
    out += names_[depth];
    std::size_t index = 0;
    if (depth == statement_depth_) {
      index = statement_.index;
    } else if (depth == balance_depth_) {
      index = statement_.balances;
    } else if (depth == entry_depth_) {
      index = entry.index;
    } else if (depth == detail_depth_) {
      index = entry.detail_index;
    } else if (entry_depth_ != kNone && depth == entry_depth_ + 1 && names_[depth] == "NtryDtls" &&
               entry.entry_details_index > 1) {
      index = entry.entry_details_index;
    }
    if (index > 0) out += "[" + std::to_string(index) + "]";
  }
  return out;
}

std::string CamtReader::too_deep_message(std::uint64_t line, std::size_t max_depth) const {
  std::string where = path();
  if (where.size() > kQuotedBytes) where = where.substr(0, kQuotedBytes) + "...";
  return "line " + std::to_string(line) + ": " + where + ": elements nest more than " +
         std::to_string(max_depth) + " deep, which a camt file never needs";
}

std::string CamtReader::text_too_long_message(std::uint64_t line, std::size_t max_bytes) const {
  return "line " + std::to_string(line) + ": " + path() + ": the text of <" + std::string(names_.back()) +
         "> is longer than " + std::to_string(max_bytes / 1024) +
         " KiB, which a camt file never needs";
}

void CamtReader::start_element(XmlName name, const XmlAttributes& attributes) {
  const std::string_view local = name.local;
  const std::size_t depth = names_.size();
  if (depth == 0 && !check_root(name.uri, local)) return;
  if (depth == 1 && message_depth_ == kNone && !document_child_seen_) {
    document_child_seen_ = true;
    if (!check_message(local)) return;
  }
  names_.push(local);

  if (local == "Amt") amount_currency_ = trim_xml_space(attributes.value_of("Ccy"));
  if (message_depth_ == kNone || depth <= message_depth_) return;
  if (depth == message_depth_ + 1) {
    if (local == message_->statement_element) start_statement();
    return;
  }
  if (statement_depth_ == kNone) return;
  if (depth == statement_depth_ + 1) {
    if (local == "Bal") start_balance();
    if (local == "Ntry") start_entry();
    return;
  }
  if (entry_depth_ == kNone) return;
  Entry& entry = entries_.entry();
  if (depth == entry_depth_ + 1 && local == "NtryDtls") {
    ++entry.entry_details_index;
    entry.detail_index = 0;
  } else if (depth == entry_depth_ + 2 && local == "TxDtls" &&
             names_[entry_depth_ + 1] == "NtryDtls") {
    start_detail();
  }
}

void CamtReader::end_element(std::string_view element_text) {
  if (names_.empty()) return;
  const std::size_t depth = names_.size() - 1;
  const std::string_view text = trim_xml_space(element_text);
  if (detail_depth_ != kNone) {
    if (depth == detail_depth_) {
      end_detail();
    } else {
      detail_field(text);
    }
  } else if (entry_depth_ != kNone) {
    if (depth == entry_depth_) {
      end_entry();
    } else {
      entry_field(text);
    }
  } else if (balance_depth_ != kNone) {
    if (depth == balance_depth_) {
      end_balance();
    } else {
      balance_field(text);
    }
  } else if (statement_depth_ != kNone) {
    if (depth == statement_depth_) {
      end_statement();
    } else {
      statement_field(text);
    }
  } else if (at(message_depth_, "GrpHdr/MsgId")) {
    message_id_ = kept(text);
  }
  names_.pop();
}

bool CamtReader::check_root(std::string_view uri, std::string_view local) {
  if (local == "Document") {
    if (uri.empty()) return true;  // the message inside says which one
    const std::optional<CamtNamespace> camt = parse_camt_namespace(uri);
    if (!camt) {
      if (uri.starts_with(kIsoNamespace)) {
        fail(line_prefix() + "the file is an ISO 20022 '" +
             quoted(uri.substr(kIsoNamespace.size())) +
             "' document, not a camt.052, camt.053 or camt.054 bank statement");
      } else {
        fail(line_prefix() + "the document's namespace '" + quoted(uri) +
             "' is not that of camt.052, camt.053 or camt.054");
      }
      return false;
    }
    if (camt->version < kFirstVersion || camt->version > kLastVersion) {
      fail(line_prefix() + "the file is " + std::string(format_name(camt->format)) + " version " +
           std::to_string(camt->version) + " (" + quoted(uri) + "), which is not read: versions " +
           std::to_string(kFirstVersion) + " to " + std::to_string(kLastVersion) + " are");
      return false;
    }
    message_ = message_by_format(camt->format);
    return true;
  }
  if (const MessageKind* kind = message_by_element(local)) {
    message_ = kind;
    message_depth_ = 0;
    message_path_ = "/" + std::string(local);
    return true;
  }
  fail(line_prefix() + "the file's root element is <" + quoted(local) +
       ">, not a camt.052, camt.053 or camt.054 <Document>");
  return false;
}

bool CamtReader::check_message(std::string_view local) {
  const MessageKind* kind = message_by_element(local);
  if (message_ != nullptr && kind != message_) {
    fail(line_prefix() + "/Document: a " + std::string(format_name(message_->format)) +
         " document holds <" + std::string(message_->message_element) + ">, not <" + quoted(local) +
         ">");
    return false;
  }
  if (kind == nullptr) {
    fail(line_prefix() + "/Document: <" + quoted(local) +
         "> is not a camt.052, camt.053 or camt.054 message (BkToCstmrAcctRpt, BkToCstmrStmt or "
         "BkToCstmrDbtCdtNtfctn)");
    return false;
  }
  message_ = kind;
  message_depth_ = 1;
  message_path_ = "/Document/" + std::string(local);
  return true;
}

// ---- statements and balances ----

void CamtReader::start_statement() {
  statement_depth_ = names_.size() - 1;
  const std::size_t index = statement_.index + 1;
  statement_ = StatementState{};
  statement_.index = index;
  statement_.info.line = line();
  statement_.info.message_id = message_id_;
  ++statement_count_;
}

void CamtReader::statement_field(std::string_view text) {
  const std::size_t s = statement_depth_;
  StatementInfo& info = statement_.info;
  if (at(s, "Id")) {
    info.statement_id = kept(text);
  } else if (at(s, "ElctrncSeqNb") || at(s, "LglSeqNb")) {
    (names_.back() == "LglSeqNb" ? statement_.legal_sequence : statement_.electronic_sequence) =
        kept(text);
    info.sequence = statement_.electronic_sequence.empty() ? statement_.legal_sequence
                                                           : statement_.electronic_sequence;
  } else if (at(s, "FrToDt/FrDtTm") || at(s, "FrToDt/FrDt") ||
             at(s, "FrToDt/ToDtTm") || at(s, "FrToDt/ToDt")) {
    const std::int32_t date = read_date(text);
    if (date == kNoDate) {
      sink_.warning(line(), path() + ": '" + quoted(text) +
                                "' is not a date; the statement's period is left open there");
    }
    (names_.back().starts_with("Fr") ? info.period_start : info.period_end) = date;
  } else if (at(s, "Acct/Id/IBAN") || at(s, "Acct/Id/Othr/Id")) {
    info.account = without_spaces(text);
  } else if (at(s, "Acct/Ccy")) {
    info.currency = currency_code(text);
    if (info.currency.empty()) {
      sink_.warning(line(), path() + ": the account's currency '" + quoted(text) +
                                "' is not a three-letter ISO 4217 code; it is left out");
    }
  }
}

void CamtReader::begin_statement_once() {
  if (statement_.begun) return;
  statement_.begun = true;
  sink_.begin_statement(statement_.info);
}

void CamtReader::end_statement() {
  begin_statement_once();
  sink_.end_statement(statement_.info);
  statement_depth_ = kNone;
}

void CamtReader::start_balance() {
  balance_depth_ = names_.size() - 1;
  ++statement_.balances;
  balance_ = BalanceState{};
  balance_.line = line();
  balance_.location = path();
}

void CamtReader::balance_field(std::string_view text) {
  const std::size_t b = balance_depth_;
  if (at(b, "Tp/CdOrPrtry/Cd")) {
    balance_.code = kept(text);
  } else if (at(b, "Tp/CdOrPrtry/Prtry")) {
    balance_.code = kept(text);
    balance_.proprietary = true;
  } else if (at(b, "Amt")) {
    balance_.amount = {true, kept(text), amount_currency_};
  } else if (at(b, "CdtDbtInd")) {
    balance_.credit_debit = kept(text);
  } else if (at(b, "Dt/Dt") || at(b, "Dt/DtTm")) {
    balance_.date_text = kept(text);
  }
}

void CamtReader::end_balance() {
  balance_depth_ = kNone;
  const BalanceState& state = balance_;
  const auto leave_out = [&](const std::string& reason) {
    sink_.warning(state.line, state.location + ": the balance " + quoted(state.code) +
                                  " is left out: " + reason);
  };
  if (statement_.info.balances.size() >= kMaxBalances) {
    if (!statement_.balances_capped) leave_out("a statement keeps at most 1000 balances");
    statement_.balances_capped = true;
    return;
  }
  if (!state.amount.present) return leave_out("it has no amount (Amt)");
  AmountText amount = state.amount;
  if (amount.currency.empty()) amount.currency = statement_.info.currency;
  const ReadAmount read = read_amount(amount);
  if (!read.error.empty()) return leave_out(read.error);
  if (state.credit_debit != "CRDT" && state.credit_debit != "DBIT")
    return leave_out("its credit/debit mark '" + quoted(state.credit_debit) +
                     "' is neither CRDT nor DBIT");
  Balance balance;
  balance.code = state.code;
  balance.type = state.proprietary ? "other" : std::string(balance_type(state.code));
  balance.amount_minor = state.credit_debit == "DBIT" ? -read.minor : read.minor;
  balance.currency = read.currency;
  if (!state.date_text.empty()) {
    balance.date = read_date(state.date_text);
    if (balance.date == kNoDate)
      return leave_out("'" + quoted(state.date_text) + "' is not a date");
  }
  statement_.info.balances.push_back(std::move(balance));
}

// ---- entries ----

void CamtReader::start_entry() {
  begin_statement_once();
  entry_depth_ = names_.size() - 1;
  entries_.start(line(), ++statement_.entries);
  if (details_) entries_.entry().location = path();  // which names the entry's index
  entries_.entry().statement_id = statement_.info.statement_id;
}

// The bank transaction code's fields, of an entry or of a detail: false when `field` is another.
bool read_bank_code(Field field, std::string_view text, BankCodes& codes) {
  switch (field) {
    case Field::kDomain:
      codes.domain = kept(text);
      return true;
    case Field::kFamily:
      codes.family = kept(text);
      return true;
    case Field::kSubFamily:
      codes.sub_family = kept(text);
      return true;
    case Field::kProprietary:
      codes.proprietary = kept(text);
      return true;
    default:
      return false;
  }
}

void CamtReader::entry_field(std::string_view text) {
  const std::optional<Field> field = entry_field_at(names_.below(entry_depth_));
  if (!field) return;
  Entry& entry = entries_.entry();
  if (read_bank_code(*field, text, entry.bank_codes)) return;
  switch (*field) {
    case Field::kAmount:
      entry.amount = {true, kept(text), amount_currency_};
      break;
    case Field::kCreditDebit:
      entry.credit_debit = kept(text);
      break;
    case Field::kReversal:
      entry.reversal_text = kept(text);
      entry.has_reversal = true;
      break;
    case Field::kStatus:
      if (!text.empty()) entry.status = kept(text);
      break;
    case Field::kBooking:
      entry.booking_text = kept(text);
      entry.has_booking = true;
      break;
    case Field::kValue:
      entry.value_text = kept(text);
      entry.has_value = true;
      break;
    case Field::kServicerReference:
      entry.account_servicer_reference = kept(text);
      break;
    case Field::kEntryReference:
      entry.entry_reference = kept(text);
      break;
    case Field::kEntryInfo:
      entry.additional_info = kept(text);
      break;
    case Field::kBatchMessage:
      set_code(entry.batch_codes, "batch_message_id", text);
      break;
    case Field::kBatchPaymentInformation:
      set_code(entry.batch_codes, "batch_payment_information_id", text);
      break;
    case Field::kBatchCount:
      set_code(entry.batch_codes, "batch_transaction_count", text);
      break;
    default:
      break;
  }
}

void CamtReader::start_detail() {
  detail_depth_ = names_.size() - 1;
  ++entries_.entry().detail_index;
  detail_ = Detail{};
  detail_.line = line();
  if (details_) detail_.location = path();
}

void CamtReader::detail_field(std::string_view text) {
  const std::size_t d = detail_depth_;
  Detail& detail = detail_;
  // Refs: the end-to-end id and the bank's reference have fields of their own, the rest are codes.
  static constexpr std::pair<std::string_view, std::string_view> kRefCodes[] = {
      {"MsgId", "message_id"},
      {"PmtInfId", "payment_information_id"},
      {"InstrId", "instruction_id"},
      {"TxId", "tx_id"},
      {"MndtId", "mandate_id"},
      {"ChqNb", "cheque_number"},
      {"ClrSysRef", "clearing_system_reference"},
      {"AcctOwnrTxId", "account_owner_transaction_id"},
      {"AcctSvcrTxId", "account_servicer_transaction_id"},
      {"UETR", "uetr"},
  };
  if (details_ && names_.size() == d + 3 && names_[d + 1] == "Refs") {
    const std::string_view field = names_.back();
    if (field == "EndToEndId") {
      detail.end_to_end_id = kept(text);
    } else if (field == "AcctSvcrRef") {
      detail.account_servicer_reference = kept(text);
      set_code(detail.codes, "account_servicer_reference", text);
    } else {
      for (const auto& [element, key] : kRefCodes)
        if (field == element) set_code(detail.codes, key, text);
    }
    return;
  }
  const std::optional<Field> field = detail_field_at(names_.below(d));
  if (!field) return;
  // Without details, the amount alone.
  if (!details_ && field != Field::kAmount && field != Field::kTxAmount &&
      field != Field::kCreditDebit)
    return;
  if (read_bank_code(*field, text, detail.bank_codes)) return;
  switch (*field) {
    case Field::kAmount:
      detail.amount = {true, kept(text), amount_currency_};
      break;
    case Field::kTxAmount:
      detail.tx_amount = {true, kept(text), amount_currency_};
      break;
    case Field::kCreditDebit:
      detail.credit_debit = kept(text);
      break;
    case Field::kDebtorName:
      detail.debtor_name = kept(text);
      break;
    case Field::kCreditorName:
      detail.creditor_name = kept(text);
      break;
    case Field::kDebtorAccount:
      detail.debtor_account = without_spaces(text);
      break;
    case Field::kCreditorAccount:
      detail.creditor_account = without_spaces(text);
      break;
    case Field::kUnstructured:
      if (!text.empty() && detail.unstructured.size() < kMaxDescriptionBytes) {
        if (!detail.unstructured.empty()) detail.unstructured += ' ';
        detail.unstructured += text;
        detail.unstructured = std::string(cut_utf8(detail.unstructured, kMaxDescriptionBytes));
      }
      break;
    case Field::kCreditorReference:
      if (detail.creditor_reference.empty()) detail.creditor_reference = kept(text);
      break;
    case Field::kDetailInfo:
      detail.additional_info = kept(text);
      break;
    case Field::kPurpose:
      set_code(detail.codes, "purpose", text);
      break;
    case Field::kReturnReason:
      set_code(detail.codes, "return_reason", text);
      break;
    default:
      break;
  }
}

void CamtReader::end_detail() {
  detail_depth_ = kNone;
  entries_.add_detail(std::move(detail_));
}

void CamtReader::end_entry() {
  entry_depth_ = kNone;
  entries_.finish();
}

// ---- the parse ----

Result<void> CamtReader::run(csv::ByteSource& source) {
  RETURN_IF_ERROR(xml_.read(source));
  if (message_depth_ == kNone) {
    return file_error(
        "/Document: the document holds no camt.052, camt.053 or camt.054 "
        "message (BkToCstmrAcctRpt, BkToCstmrStmt or BkToCstmrDbtCdtNtfctn)");
  }
  if (statement_count_ == 0) {
    return file_error(message_path_ + ": the " + std::string(format_name(message_->format)) +
                      " message has no statement (<" + std::string(message_->statement_element) +
                      ">), so there is nothing to read");
  }
  return OkStatus();
}

// ---- recognising a file by its first bytes ----

// The name at `text[i]` (an XML name: up to whitespace, '>', '/' or '='), advancing i.
std::string_view xml_name_at(std::string_view text, std::size_t& i) {
  const std::size_t start = i;
  while (i < text.size() && !is_xml_space(text[i]) && text[i] != '>' && text[i] != '/' &&
         text[i] != '=')
    ++i;
  return text.substr(start, i - start);
}

std::string_view local_part(std::string_view name) {
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// A start tag found by scanning: its local name and the namespace it declares for itself (xmlns,
// or xmlns:p for a name p:local), when it does.
struct StartTag {
  std::string_view local;
  std::optional<BankFormat> namespace_format;  // when that namespace is a camt one
  bool has_namespace = false;
};

// The next start tag at or after `i` in `head`, skipping the XML declaration, processing
// instructions, comments, a DOCTYPE and whitespace; nullopt when anything else comes first or the
// head ends. Advances i past the tag.
std::optional<StartTag> next_start_tag(std::string_view head, std::size_t& i) {
  while (i < head.size()) {
    if (is_xml_space(head[i])) {
      ++i;
      continue;
    }
    if (head[i] != '<') return std::nullopt;
    const std::string_view rest = head.substr(i);
    std::string_view terminator;
    if (rest.starts_with("<?")) {
      terminator = "?>";
    } else if (rest.starts_with("<!--")) {
      terminator = "-->";
    } else if (rest.starts_with("<!DOCTYPE")) {
      // A camt file has none; one with an internal subset ("[...]", say entity declarations) is
      // still recognised, so that parse_camt refuses it saying why instead of it being no format.
      const std::size_t open = rest.find_first_of("[>");
      terminator = open != std::string_view::npos && rest[open] == '[' ? "]" : ">";
    } else {
      break;
    }
    std::size_t end = rest.find(terminator);
    if (terminator == "]" && end != std::string_view::npos) {  // then "]" white space ">"
      std::size_t close = end + 1;
      while (close < rest.size() && is_xml_space(rest[close])) ++close;
      if (close >= rest.size() || rest[close] != '>') return std::nullopt;
      end = close;
      terminator = ">";
    }
    if (end == std::string_view::npos) return std::nullopt;
    i += end + terminator.size();
  }
  if (i >= head.size() || head[i] != '<') return std::nullopt;
  ++i;
  StartTag tag;
  const std::string_view qualified = xml_name_at(head, i);
  tag.local = local_part(qualified);
  if (tag.local.empty()) return std::nullopt;
  const std::size_t colon = qualified.find(':');
  const std::string own_namespace_attribute =
      colon == std::string_view::npos ? "xmlns"
                                      : "xmlns:" + std::string(qualified.substr(0, colon));
  // Attributes up to '>': name="value" or name='value'.
  while (i < head.size()) {
    while (i < head.size() && is_xml_space(head[i])) ++i;
    if (i >= head.size()) return std::nullopt;
    if (head[i] == '>' || head[i] == '/') {
      const std::size_t close = head.find('>', i);
      if (close == std::string_view::npos) return std::nullopt;
      i = close + 1;
      return tag;
    }
    const std::string_view name = xml_name_at(head, i);
    while (i < head.size() && is_xml_space(head[i])) ++i;
    if (name.empty() || i >= head.size() || head[i] != '=') return std::nullopt;
    ++i;
    while (i < head.size() && is_xml_space(head[i])) ++i;
    if (i >= head.size() || (head[i] != '"' && head[i] != '\'')) return std::nullopt;
    const std::size_t close = head.find(head[i], i + 1);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view value = head.substr(i + 1, close - i - 1);
    i = close + 1;
    if (name == own_namespace_attribute && !value.empty()) {
      tag.has_namespace = true;
      if (const std::optional<CamtNamespace> camt = parse_camt_namespace(value))
        tag.namespace_format = camt->format;
    }
  }
  return std::nullopt;
}

}  // namespace
}  // namespace camt

std::optional<BankFormat> camt_format(std::string_view head) {
  using camt::MessageKind, camt::StartTag, camt::message_by_element, camt::next_start_tag;
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  std::size_t i = 0;
  const std::optional<StartTag> root = next_start_tag(head, i);
  if (!root) return std::nullopt;
  if (const MessageKind* kind = message_by_element(root->local)) return kind->format;
  if (root->local != "Document") return std::nullopt;
  if (root->namespace_format) return root->namespace_format;
  if (root->has_namespace) return std::nullopt;  // another namespace: not camt
  const std::optional<StartTag> child = next_start_tag(head, i);
  if (!child) return std::nullopt;
  if (const MessageKind* kind = message_by_element(child->local)) return kind->format;
  return std::nullopt;
}

bool looks_like_camt(std::string_view head) { return camt_format(head).has_value(); }

Result<void> parse_camt(csv::ByteSource& source, StatementSink& sink) {
  camt::CamtReader reader(sink);
  return reader.run(source);
}

}  // namespace oeuvre::bank
