#pragma once
// camt's entries made into transactions, for camt.cpp's document walk: an entry (Ntry) and its
// transaction details (TxDtls) as the walk reads them, and EntryMapping, which delivers them to a
// StatementSink as camt.h decides: one Transaction per detail for a batch whose details all have
// an amount of their own (a warning when they do not add up to the entry's), else one Transaction
// of the entry's amount with its first detail's parties and references; a RowProblem, located at
// the entry's or the detail's XML path, for an amount, mark or date that cannot be read. Also the
// readers of camt values the walk shares with it (amounts with their Ccy, ISO dates, codes).
// Thread-safety: value types and pure functions; an EntryMapping is used by one parse at a time.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bank/statement.h"

namespace oeuvre::bank::camt {

using Codes = std::vector<std::pair<std::string, std::string>>;

// What is kept of one text (a name, a reference, a remittance line): ISO 20022 allows at most 500
// characters in any of them, so nothing a bank writes is cut.
inline constexpr std::size_t kMaxFieldBytes = 2048;
inline constexpr std::size_t kQuotedBytes = 100;  // of a value quoted in a reason

// `text` as kept in a field: at most kMaxFieldBytes, cut on a character boundary.
std::string kept(std::string_view text);

// `text` inside a reason: quoted by the caller, valid UTF-8, at most kQuotedBytes.
std::string quoted(std::string_view text);

// The ISO 4217 code in `text`, upper-cased, or "" when it is not three ASCII letters.
std::string currency_code(std::string_view text);

// The calendar date an ISO 8601 date or date-time starts with ("2014-12-31",
// "2014-12-31T13:15:00+01:00": the date as the bank wrote it, not moved to UTC), or kNoDate.
std::int32_t read_date(std::string_view text);

// Sets codes[key] to kept(value), replacing an earlier value; nothing when `value` is empty.
void set_code(Codes& codes, std::string_view key, std::string_view value);

// An Amt element as written: its text and its Ccy attribute.
struct AmountText {
  bool present = false;
  std::string text;
  std::string currency;  // the attribute as written; "" when absent
};

// An amount read: minor units (unsigned) and the currency, or why it cannot be.
struct ReadAmount {
  std::int64_t minor = 0;
  std::string currency;
  std::string value;  // the offending text, for a RowProblem
  std::string error;  // "" when read
};

ReadAmount read_amount(const AmountText& amount);

// A bank transaction code: the ISO domain/family/sub-family and a proprietary code.
struct BankCodes {
  std::string domain, family, sub_family, proprietary;

  bool has_domain() const { return !domain.empty() || !family.empty() || !sub_family.empty(); }
  // "PMNT/RCDT/ESCT".
  std::string domain_code() const;
};

// One TxDtls as read.
struct Detail {
  std::uint64_t line = 0;
  std::string location;
  AmountText amount;  // TxDtls/Amt (versions 3 and later)
  AmountText
      tx_amount;  // TxDtls/AmtDtls/TxAmt/Amt: preferred, the amount in the account's currency
  std::string credit_debit;
  std::string end_to_end_id, account_servicer_reference;
  std::string debtor_name, creditor_name, debtor_account, creditor_account;
  std::string unstructured;  // RmtInf/Ustrd lines joined by a space
  std::string creditor_reference;
  std::string additional_info;  // AddtlTxInf
  BankCodes bank_codes;
  Codes codes;

  bool has_amount() const { return amount.present || tx_amount.present; }
};

// One Ntry as read (its details go to EntryMapping::add_detail as they end).
struct Entry {
  std::uint64_t line = 0;
  std::string location;
  std::size_t index = 0;  // 1-based within the statement
  std::string statement_id;  // of its statement ("" when it has none), to name a batch
  AmountText amount;
  std::string credit_debit, reversal_text, booking_text, value_text;
  bool has_reversal = false, has_booking = false, has_value = false;
  std::string account_servicer_reference, entry_reference, status, additional_info;
  BankCodes bank_codes;
  Codes batch_codes;                    // NtryDtls/Btch
  std::size_t entry_details_index = 0;  // of the current NtryDtls
  std::size_t detail_index = 0;         // of the current TxDtls within it
};

// Delivers one entry at a time to a sink. Details are held back until the entry ends (its
// AddtlNtryInf comes after them), at most kMaxBufferedDetails of them: a larger batch is decided
// on then and delivered as it is read, so memory stays bounded.
class EntryMapping {
 public:
  static constexpr std::size_t kMaxBufferedDetails = 256;

  explicit EntryMapping(StatementSink& sink) : sink_(sink), with_details_(sink.wants_details()) {}

  // A new entry, the `index`th of its statement, starts at `line`; its location and fields are
  // filled in through entry().
  void start(std::uint64_t line, std::size_t index);
  Entry& entry() { return entry_; }
  const Entry& entry() const { return entry_; }
  // A transaction detail of the current entry has been read.
  void add_detail(Detail detail);
  // The current entry has been read: delivers what is left of it.
  void finish();

 private:
  enum class Mode {
    kOpen,    // still reading its details
    kSplit,   // a batch: one transaction per detail, delivered as they are read
    kSingle,  // one transaction of the entry's amount
    kFailed,  // a RowProblem was reported: nothing more of it is delivered
  };

  bool read_entry();
  void decide();
  void deliver_single();
  void deliver_member(const Detail& detail);
  Transaction transaction_for(const Detail* detail, bool credit) const;
  void report(std::uint64_t line, const std::string& location, std::string_view value,
              std::string reason);

  StatementSink& sink_;
  const bool with_details_;  // sink_.wants_details(): else transactions carry amounts and dates alone
  Entry entry_;
  Mode mode_ = Mode::kOpen;
  std::vector<Detail> details_;  // held back (kOpen), or the first one (kSingle)
  std::size_t detail_count_ = 0;
  // Read by read_entry.
  std::int64_t signed_minor_ = 0;
  std::string currency_;
  bool credit_ = true, reversal_ = false;
  std::int32_t booking_date_ = kNoDate, value_date_ = kNoDate;
  // The details' amounts in kSplit, to tell the user when they do not add up to the entry's.
  std::int64_t detail_sum_ = 0;
  bool detail_sum_known_ = true;
};

}  // namespace oeuvre::bank::camt
