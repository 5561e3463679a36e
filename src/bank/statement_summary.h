#pragma once
// What Œuvre keeps of each statement in a bank file, and the checks made on it: the balance check
// (opening + transactions = closing, else a warning naming the difference) and the statement's
// identity and content fingerprint, by which the same statement uploaded twice is recognised even
// when its bytes differ (a re-export). SummarisingSink computes them while a parser streams the
// file, passing every transaction and problem on. Thread-safety: one sink per parse.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bank/statement.h"

namespace oeuvre::bank {

struct StatementSummary {
  StatementInfo info;  // as at end_statement
  std::uint64_t transactions = 0;
  std::uint64_t problems = 0;         // transactions that could not be read
  std::int64_t transactions_sum = 0;  // minor units, of the transactions read
  // closing - (opening + transactions_sum), when the statement has an opening and a closing balance
  // in the transactions' currency; nullopt when it cannot be checked.
  std::optional<std::int64_t> balance_difference;
  std::string warning;  // "" or why the balances do not add up (or could not be checked fully)
  // "account|statement id|sequence|last day" (upper-cased account; the closing balance's date, else
  // the period's end: banks reuse ids, never for the same day); "" when the statement has no id.
  std::string identity;
  // SHA-256 (hex) of the account, currency, opening and closing balances and the multiset of the
  // transactions' (booking date, amount): the same for a re-export of the statement, whatever the
  // format, ids or order of its entries.
  std::string fingerprint;
};

class SummarisingSink final : public StatementSink {
 public:
  // `next` (may be null) receives everything as the parser delivered it. Without one, the sink
  // asks the parser for no details (StatementSink::wants_details): the summaries are the same,
  // the parser's own warnings may name their place less precisely.
  explicit SummarisingSink(StatementSink* next) : next_(next) {}

  void begin_statement(const StatementInfo& info) override;
  void transaction(const Transaction& transaction) override;
  void problem(const RowProblem& problem) override;
  void end_statement(const StatementInfo& info) override;
  void warning(std::uint64_t line, std::string message) override;
  bool wants_details() const override { return next_ != nullptr && next_->wants_details(); }

  const std::vector<StatementSummary>& statements() const { return statements_; }
  // The parser's own warnings, and one per statement whose balances do not add up: "line N: ...".
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::uint64_t transaction_count() const { return transaction_count_; }

 private:
  StatementSink* next_;
  std::vector<StatementSummary> statements_;
  std::vector<std::string> warnings_;
  std::uint64_t transaction_count_ = 0;
  // Of the statement being read.
  StatementSummary current_;
  std::uint64_t multiset_hash_ = 0;
  std::string currency_;  // of its transactions; "*" once they differ
};

}  // namespace oeuvre::bank
