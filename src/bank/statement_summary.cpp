#include "bank/statement_summary.h"

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <memory>

#include "core/mix.h"
#include "core/money.h"

namespace oeuvre::bank {

namespace {

std::string upper_account(std::string_view account) {
  std::string out;
  for (char c : account) {
    if (c == ' ') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
    return std::string(data.size() > 64 ? data.substr(0, 64)
                                        : data);  // cannot happen with OpenSSL 3
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

std::string balance_text(const Balance* b) {
  if (b == nullptr) return "-";
  return std::to_string(b->amount_minor) + " " + b->currency + " @" + std::to_string(b->date);
}

std::string amount_text(std::int64_t minor, const std::string& currency) {
  return format_minor_units(minor, currency_scale(currency)) +
         (currency.empty() ? "" : " " + currency);
}

}  // namespace

void SummarisingSink::begin_statement(const StatementInfo& info) {
  current_ = StatementSummary{};
  current_.info = info;
  multiset_hash_ = 0;
  currency_.clear();
  if (next_ != nullptr) next_->begin_statement(info);
}

void SummarisingSink::transaction(const Transaction& t) {
  ++current_.transactions;
  ++transaction_count_;
  current_.transactions_sum += t.amount_minor;
  if (currency_.empty()) {
    currency_ = t.currency;
  } else if (currency_ != t.currency) {
    currency_ = "*";
  }
  // Summing the mixes of the transactions gives a hash of their multiset, independent of their
  // order.
  multiset_hash_ += splitmix64(splitmix64(static_cast<std::uint64_t>(t.booking_date)) ^
                               static_cast<std::uint64_t>(t.amount_minor));
  if (next_ != nullptr) next_->transaction(t);
}

void SummarisingSink::problem(const RowProblem& problem) {
  ++current_.problems;
  if (next_ != nullptr) next_->problem(problem);
}

void SummarisingSink::warning(std::uint64_t line, std::string message) {
  warnings_.push_back("line " + std::to_string(line) + ": " + message);
  if (next_ != nullptr) next_->warning(line, std::move(message));
}

void SummarisingSink::end_statement(const StatementInfo& info) {
  StatementSummary& s = current_;
  s.info = info;
  const std::string account = upper_account(info.account);
  const Balance* opening = info.balance("opening");
  const Balance* closing = info.balance("closing");
  // Banks reuse statement ids ("0" as OFX's TRNUID, a fixed MT940 :20:), never for the same day:
  // the statement's last day is part of its identity.
  const std::int32_t last_day =
      closing != nullptr && closing->date != kNoDate ? closing->date : info.period_end;
  if (!info.statement_id.empty()) {
    s.identity = account + "|" + info.statement_id + "|" + info.sequence + "|" +
                 (last_day == kNoDate ? std::string() : format_iso_date(last_day));
  }
  s.fingerprint =
      sha256_hex(account + "|" + info.currency + "|" + balance_text(opening) + "|" +
                 balance_text(closing) + "|" + std::to_string(s.transactions) + "|" +
                 std::to_string(s.transactions_sum) + "|" + std::to_string(multiset_hash_));

  const std::string name =
      info.statement_id.empty() ? std::string("the statement") : "statement " + info.statement_id;
  const std::string currency =
      currency_ == "*" ? "" : (currency_.empty() && opening ? opening->currency : currency_);
  if (opening != nullptr && closing != nullptr && currency_ != "*" &&
      opening->currency == closing->currency &&
      (currency_.empty() || opening->currency.empty() || opening->currency == currency_)) {
    const std::int64_t difference =
        closing->amount_minor - (opening->amount_minor + s.transactions_sum);
    s.balance_difference = difference;
    if (difference != 0) {
      s.warning = name + ": opening balance " + amount_text(opening->amount_minor, currency) +
                  " + transactions " + amount_text(s.transactions_sum, currency) + " = " +
                  amount_text(opening->amount_minor + s.transactions_sum, currency) +
                  ", but the closing balance is " + amount_text(closing->amount_minor, currency) +
                  " (difference " + amount_text(difference, currency) + ")";
    }
  } else if (opening != nullptr && closing != nullptr) {
    s.warning = name +
                ": the balances cannot be checked: the opening balance, the closing balance "
                "and the transactions are not all in one currency";
  }
  if (s.problems > 0 && !s.warning.empty()) {
    s.warning +=
        "; " + std::to_string(s.problems) + " transaction(s) could not be read and are not counted";
  }
  if (!s.warning.empty())
    warnings_.push_back("line " + std::to_string(info.line) + ": " + s.warning);
  statements_.push_back(std::move(s));
  current_ = StatementSummary{};
  if (next_ != nullptr) next_->end_statement(info);
}

}  // namespace oeuvre::bank
