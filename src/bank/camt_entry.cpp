#include "bank/camt_entry.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "core/money.h"
#include "core/time.h"
#include "core/utf8.h"

namespace oeuvre::bank::camt {
namespace {

constexpr std::size_t kProblemValueBytes = 200;

}  // namespace

std::string kept(std::string_view text) { return std::string(cut_utf8(text, kMaxFieldBytes)); }

std::string quoted(std::string_view text) { return to_valid_utf8(text, kQuotedBytes); }

std::string currency_code(std::string_view text) {
  if (text.size() != 3) return "";
  std::string code;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return "";
    code += c;
  }
  return code;
}

std::int32_t read_date(std::string_view text) {
  if (text.size() > 10 && text[10] != 'T' && text[10] != 'Z' && text[10] != '+' && text[10] != '-')
    return kNoDate;
  const std::optional<std::chrono::sys_days> date = parse_date(text.substr(0, 10));
  if (!date) return kNoDate;
  return static_cast<std::int32_t>(date->time_since_epoch().count());
}

void set_code(Codes& codes, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  for (auto& [k, v] : codes) {
    if (k == key) {
      v = kept(value);
      return;
    }
  }
  codes.emplace_back(std::string(key), kept(value));
}

ReadAmount read_amount(const AmountText& amount) {
  ReadAmount out;
  out.value = amount.text;
  if (amount.currency.empty()) {
    out.error = "amount '" + quoted(amount.text) + "' has no currency (the Ccy attribute)";
    return out;
  }
  out.currency = currency_code(amount.currency);
  if (out.currency.empty()) {
    out.value = amount.currency;
    out.error = "currency '" + quoted(amount.currency) + "' is not a three-letter ISO 4217 code";
    return out;
  }
  const AmountResult result = decimal_to_minor(amount.text, '.', out.currency);
  if (!result.error.empty()) {
    out.error = "amount '" + quoted(amount.text) + "' " + result.error;
    return out;
  }
  out.minor = result.minor;
  return out;
}

std::string BankCodes::domain_code() const {
  std::string out = domain;
  for (const std::string* part : {&family, &sub_family}) {
    if (part->empty()) continue;
    if (!out.empty()) out += '/';
    out += *part;
  }
  return out;
}

// ---- EntryMapping ----

void EntryMapping::start(std::uint64_t line, std::size_t index) {
  entry_ = Entry{};
  entry_.line = line;
  entry_.index = index;
  mode_ = Mode::kOpen;
  details_.clear();
  detail_count_ = 0;
  signed_minor_ = 0;
  currency_.clear();
  credit_ = true;
  reversal_ = false;
  booking_date_ = value_date_ = kNoDate;
  detail_sum_ = 0;
  detail_sum_known_ = true;
}

void EntryMapping::add_detail(Detail detail) {
  ++detail_count_;
  switch (mode_) {
    case Mode::kOpen:
      details_.push_back(std::move(detail));
      if (details_.size() > kMaxBufferedDetails) decide();
      break;
    case Mode::kSplit:
      deliver_member(detail);
      break;
    case Mode::kSingle:  // only the first detail is kept
    case Mode::kFailed:
      break;
  }
}

void EntryMapping::finish() {
  if (mode_ == Mode::kOpen) decide();
  switch (mode_) {
    case Mode::kSingle:
      deliver_single();
      break;
    case Mode::kSplit:
      if (detail_sum_known_ && detail_sum_ != signed_minor_) {
        const int scale = currency_scale(currency_);
        sink_.warning(entry_.line, entry_.location + ": its " + std::to_string(detail_count_) +
                                       " transaction details add up to " +
                                       format_minor_units(detail_sum_, scale) + " " + currency_ +
                                       ", not the entry's " +
                                       format_minor_units(signed_minor_, scale) + " " + currency_);
      }
      break;
    case Mode::kOpen:
    case Mode::kFailed:
      break;
  }
  details_.clear();
}

void EntryMapping::report(std::uint64_t line, const std::string& location, std::string_view value,
                          std::string reason) {
  RowProblem problem;
  problem.line = line;
  problem.location = location;
  problem.value = to_valid_utf8(value, kProblemValueBytes);
  problem.reason = std::move(reason);
  sink_.problem(problem);
}

// Reads the entry's own amount, mark, reversal flag and dates; false (and a RowProblem, and the
// entry kFailed) when one of them cannot be read.
bool EntryMapping::read_entry() {
  const Entry& entry = entry_;
  const auto problem = [&](std::string_view value, std::string reason) {
    report(entry.line, entry.location, value, std::move(reason));
    mode_ = Mode::kFailed;
    details_.clear();
    return false;
  };
  if (!entry.amount.present) return problem("", "the entry has no amount (Amt)");
  const ReadAmount amount = read_amount(entry.amount);
  if (!amount.error.empty()) return problem(amount.value, amount.error);
  if (entry.credit_debit == "CRDT" || entry.credit_debit == "DBIT") {
    credit_ = entry.credit_debit == "CRDT";
  } else if (entry.credit_debit.empty()) {
    return problem("", "the entry has no credit/debit mark (CdtDbtInd)");
  } else {
    return problem(entry.credit_debit, "credit/debit mark '" + quoted(entry.credit_debit) +
                                           "' is neither CRDT nor DBIT");
  }
  if (entry.has_reversal) {
    if (entry.reversal_text == "true" || entry.reversal_text == "1") {
      reversal_ = true;
    } else if (entry.reversal_text != "false" && entry.reversal_text != "0") {
      return problem(entry.reversal_text, "reversal mark '" + quoted(entry.reversal_text) +
                                              "' is neither true nor false");
    }
  }
  if (entry.has_booking) {
    booking_date_ = read_date(entry.booking_text);
    if (booking_date_ == kNoDate)
      return problem(entry.booking_text,
                     "booking date '" + quoted(entry.booking_text) + "' is not a date");
  }
  if (entry.has_value) {
    value_date_ = read_date(entry.value_text);
    if (value_date_ == kNoDate)
      return problem(entry.value_text,
                     "value date '" + quoted(entry.value_text) + "' is not a date");
  }
  if (!entry.has_booking && !entry.has_value)
    return problem("", "the entry has neither a booking date (BookgDt) nor a value date (ValDt)");
  if (!entry.has_booking) booking_date_ = value_date_;
  currency_ = amount.currency;
  signed_minor_ = credit_ ? amount.minor : -amount.minor;
  return true;
}

// Decides what an open entry becomes once its details are known (at its end, or when more are
// held back than kMaxBufferedDetails): a batch split into its details when there are several and
// every one has its own amount, else one transaction.
void EntryMapping::decide() {
  if (!read_entry()) return;
  bool split = details_.size() > 1;
  for (const Detail& detail : details_) split = split && detail.has_amount();
  if (!split) {
    mode_ = Mode::kSingle;
    if (details_.size() > 1) details_.resize(1);
    return;
  }
  mode_ = Mode::kSplit;
  for (const Detail& detail : details_) deliver_member(detail);
  details_.clear();
}

Transaction EntryMapping::transaction_for(const Detail* detail, bool credit) const {
  const Entry& entry = entry_;
  Transaction t;
  t.booking_date = booking_date_;
  t.value_date = value_date_;
  t.reversal = reversal_;
  if (!with_details_) return t;
  // A detail's own bank transaction code is the more precise one; the entry's fills in.
  const bool detail_domain = detail != nullptr && detail->bank_codes.has_domain();
  const bool detail_proprietary = detail != nullptr && !detail->bank_codes.proprietary.empty();
  set_code(t.codes, "bank_transaction_code",
           (detail_domain ? detail->bank_codes : entry.bank_codes).domain_code());
  set_code(t.codes, "proprietary_bank_transaction_code",
           (detail_proprietary ? detail->bank_codes : entry.bank_codes).proprietary);
  set_code(t.codes, "status", entry.status);
  set_code(t.codes, "entry_reference", entry.entry_reference);
  for (const auto& [key, value] : entry.batch_codes) set_code(t.codes, key, value);
  if (detail != nullptr) {
    for (const auto& [key, value] : detail->codes) set_code(t.codes, key, value);
    // The other party: who paid us for a credit, whom we paid for a debit. A reversal undoes a
    // payment the other way, whose parties the details name.
    const bool debtor_side = credit != reversal_;
    t.counterparty_name = debtor_side ? detail->debtor_name : detail->creditor_name;
    t.counterparty_account = debtor_side ? detail->debtor_account : detail->creditor_account;
    t.end_to_end_id = detail->end_to_end_id == "NOTPROVIDED" ? "" : detail->end_to_end_id;
    t.creditor_reference = detail->creditor_reference;
    t.description = !detail->unstructured.empty()      ? detail->unstructured
                    : !detail->additional_info.empty() ? detail->additional_info
                                                       : entry.additional_info;
  } else {
    t.description = entry.additional_info;
  }
  // No last resort: the bank's own reference (AcctSvcrRef) is its id of the entry, already the
  // record's external id; it names nothing in the customer's ledger, and as a reference it would
  // count against every ledger line that has one.
  t.reference = best_reference(t, "");
  return t;
}

void EntryMapping::deliver_single() {
  const Entry& entry = entry_;
  const Detail* detail = details_.empty() ? nullptr : &details_.front();
  Transaction t = transaction_for(detail, credit_);
  t.line = entry.line;
  t.location = entry.location;
  t.amount_minor = signed_minor_;
  t.currency = currency_;
  t.transaction_id = !entry.account_servicer_reference.empty() || detail == nullptr
                         ? entry.account_servicer_reference
                         : detail->account_servicer_reference;
  if (detail_count_ > 1) {
    set_code(t.codes, "detail_count", std::to_string(detail_count_));
    sink_.warning(entry.line,
                  entry.location + ": the entry has " + std::to_string(detail_count_) +
                      " transaction details, not all with an amount of their own; it is kept as "
                      "one transaction of the entry's amount, with the first detail's references");
  }
  sink_.transaction(t);
}

void EntryMapping::deliver_member(const Detail& detail) {
  const Entry& entry = entry_;
  const auto problem = [&](std::string_view value, std::string reason) {
    report(detail.line, detail.location, value, std::move(reason));
    detail_sum_known_ = false;
  };
  if (!detail.has_amount()) return problem("", "the batch's transaction detail has no amount");
  const ReadAmount amount =
      read_amount(detail.tx_amount.present ? detail.tx_amount : detail.amount);
  if (!amount.error.empty()) return problem(amount.value, amount.error);
  bool credit = credit_;
  if (detail.credit_debit == "CRDT" || detail.credit_debit == "DBIT") {
    credit = detail.credit_debit == "CRDT";
  } else if (!detail.credit_debit.empty()) {
    return problem(detail.credit_debit, "credit/debit mark '" + quoted(detail.credit_debit) +
                                            "' is neither CRDT nor DBIT");
  }
  Transaction t = transaction_for(&detail, credit);
  t.line = detail.line;
  t.location = detail.location;
  t.amount_minor = credit ? amount.minor : -amount.minor;
  t.currency = amount.currency;
  t.transaction_id = detail.account_servicer_reference;
  t.batch_id = !entry.account_servicer_reference.empty() ? entry.account_servicer_reference
               : !entry.entry_reference.empty()          ? entry.entry_reference
               : entry.statement_id.empty()
                   ? "entry " + std::to_string(entry.index)
                   : entry.statement_id + " entry " + std::to_string(entry.index);
  t.batch_amount_minor = signed_minor_;
  if (t.currency == currency_) {
    detail_sum_ += t.amount_minor;
  } else {
    detail_sum_known_ = false;
  }
  sink_.transaction(t);
}

}  // namespace oeuvre::bank::camt
