#pragma once
// Bank statements as banks send them (ISO 20022 camt.052/053/054, SWIFT MT940, BAI2, OFX/QFX), read
// into one shape: statements (account, id, period, balances) and their transactions, delivered one
// at a time to a StatementSink so that memory stays flat whatever the size of the file. Each
// format's parser (camt.h, mt940.h, bai2.h, ofx.h) produces exactly these types; the rest of Œuvre
// (uploads, `oeuvre reconcile`, the statements API) only ever sees them.
//
// Decisions shared by every parser:
// - Amounts are exact integer minor units at the currency's scale (core/money.h currency_scale):
//   "18.150" EUR is 1815; significant digits beyond the scale ("8.855" EUR) make the transaction a
//   row error, never a rounded amount.
// - Signs: credit positive, debit negative, as the entry itself moves the account. Where the mark
//   names the original direction (MT940 "RC"/"RD": the reversal of a credit is a debit), the sign
//   is flipped; camt's CdtDbtInd is already the reversal's own direction (ISO 20022's usage rule),
//   so RvslInd only flags it. Either way Transaction::reversal is set.
// - A transaction the parser cannot read (a bad amount, a missing date) is a RowProblem and the
//   others still arrive; a file that is not the format at all, or is broken beyond the current
//   transaction (XML not well formed, MT940 without :20:), fails the parse with a kValidation
//   error whose message names the line (or XML path) and the reason.
// Thread-safety: value types; a sink is used by one parse at a time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace oeuvre::bank {

enum class BankFormat { kCamt052, kCamt053, kCamt054, kMt940, kBai2, kOfx };

// "camt.052" | "camt.053" | "camt.054" | "mt940" | "bai2" | "ofx".
std::string_view format_name(BankFormat format);

struct Balance {
  // What the balance is, in one vocabulary for every format: "opening", "closing",
  // "opening_available", "closing_available", "forward_available", "interim", "interim_available",
  // "information", "expected_credit", "expected_debit", or "other".
  std::string type;
  std::string code;  // the bank's own code: camt "OPBD", MT940 "60F", BAI2 "010", OFX "LEDGERBAL"
  std::int64_t amount_minor = 0;  // signed, at currency_scale(currency)
  std::string currency;           // ISO 4217, upper case; "" when the file does not say
  std::int32_t date = kNoDate;    // days since 1970-01-01
};

struct StatementInfo {
  std::uint64_t line = 0;    // 1-based line where the statement starts
  std::string account;       // IBAN or account number, as the bank writes it (spaces removed)
  std::string currency;      // the account's currency; "" when the file does not say
  std::string statement_id;  // camt Stmt/Id, MT940 :20: reference, BAI2 group id, OFX ...
  std::string sequence;      // camt ElctrncSeqNb/LglSeqNb, MT940 :28C:, ...; "" when absent
  std::string message_id;    // camt GrpHdr/MsgId, BAI2 file id, OFX ...; "" when absent
  std::int32_t period_start = kNoDate, period_end = kNoDate;
  std::vector<Balance> balances;  // in file order

  // The first balance of that type, or null.
  const Balance* balance(std::string_view type) const;
};

struct Transaction {
  std::uint64_t line = 0;  // 1-based line where the transaction (or its detail) starts
  std::string location;    // for messages: "line 12", or an XML path such as
                           // "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/NtryDtls/TxDtls[2]"
  std::int32_t booking_date = kNoDate, value_date = kNoDate;
  std::int64_t amount_minor = 0;  // signed as the entry moves the account: credit +, debit -
  std::string currency;           // ISO 4217, upper case
  bool reversal = false;
  std::string counterparty_name;
  std::string counterparty_account;  // IBAN or account number
  std::string end_to_end_id;         // "" also when the bank wrote NOTPROVIDED
  std::string creditor_reference;    // structured creditor reference (RF..., or a national one)
  // The best reference for matching, by one rule for every format (best_reference): the creditor
  // reference, else an end-to-end id, else an invoice number found in the remittance text, else
  // the format's own last resort (the customer's reference of the entry, the bank's, ...).
  std::string reference;
  std::string description;  // remittance text (unstructured lines joined by a space)
  // The bank's id of the entry (camt AcctSvcrRef, MT940 bank reference, ...).
  std::string transaction_id;
  // An entry with several transaction details (a batch booking) yields one Transaction per
  // detail; each carries the entry's id here (the same for all of them) so that they can still be
  // matched as one line. "" for an entry with one detail.
  std::string batch_id;
  std::int64_t batch_amount_minor = 0;  // the entry's whole amount when batch_id is set
  // The bank's transaction codes and further ids, kept as they are for `extra`:
  // {"bank_transaction_code", "PMNT/RCDT/ESCT"}, {"swift_code", "NTRF"},
  // {"bai_type_code", "165"}, ...
  std::vector<std::pair<std::string, std::string>> codes;
};

// A transaction the parser could not read; the others still arrive.
struct RowProblem {
  std::uint64_t line = 0;
  std::string location;  // as Transaction::location
  std::string value;     // the offending text, at most 200 bytes
  std::string reason;    // "amount '8.855' has more decimals than EUR allows", ...
};

// Receives one file's statements. For each statement: begin_statement (what the file says before
// its first transaction), its transactions and problems in file order, then end_statement with
// everything (closing balances, period) known.
class StatementSink {
 public:
  virtual ~StatementSink() = default;
  virtual void begin_statement(const StatementInfo& info) = 0;
  virtual void transaction(const Transaction& transaction) = 0;
  virtual void problem(const RowProblem& problem) = 0;
  virtual void end_statement(const StatementInfo& info) = 0;
  // Something the user should know that is no reason to refuse the file ("currency missing: ...").
  virtual void warning(std::uint64_t /*line*/, std::string /*message*/) {}
  // False when the sink reads only the statements and each transaction's amount, currency and
  // dates, and counts problems (a statement summary): a parser may then leave the rest of each
  // transaction (texts, references, codes, locations) empty. The amounts, dates, currencies and
  // problems it delivers stay exactly those of a full read.
  virtual bool wants_details() const { return true; }
};

// Largest accepted magnitude in minor units: ingest::kMaxAmountMinor's bound (10^15), so sums over
// millions of transactions cannot overflow int64.
inline constexpr std::int64_t kMaxAmountMinor = 1'000'000'000'000'000;

// The error a parse fails with: kValidation, field "file", `message` naming where and why.
inline Error file_error(std::string message) {
  return Error::Validation("file", std::move(message));
}

// Exact minor units of a decimal amount written with `decimal_separator` ('.' or ','), digits
// only apart from that one separator (no sign, no group separators), at currency_scale(currency).
// Fails (reason alone, kBadRequest) on anything else, on significant decimals beyond the scale, or
// a magnitude above kMaxAmountMinor: "has more decimals than EUR allows".
struct AmountResult {
  std::int64_t minor = 0;
  std::string error;  // "" when the amount was read
};
AmountResult decimal_to_minor(std::string_view text, char decimal_separator,
                              std::string_view currency);

// The first invoice-like number in a remittance text ("INV-2024-001", "Invoice 12345",
// "Rechnung Nr. 4711", "RF18539007547034"), or "". Used for Transaction::reference when the bank
// gives no structured reference.
std::string find_invoice_reference(std::string_view text);

// Transaction::reference by the rule every parser follows: `t`'s creditor_reference, else its
// end_to_end_id, else find_invoice_reference(t.description), else `fallback`, the format's own
// last resort (camt: the bank's reference of the detail or entry; MT940: the :61: customer
// reference; OFX: an invoice number in NAME, CHECKNUM, REFNUM). BAI2 does not use it: its
// customer reference comes before the text (bai2.h).
std::string best_reference(const Transaction& t, std::string_view fallback);

}  // namespace oeuvre::bank
