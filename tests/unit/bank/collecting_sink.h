#pragma once
// A StatementSink that keeps everything a parse delivers, for the parsers' tests, and helpers to
// read the fixtures under tests/data/bank.

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bank/statement.h"
#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank::testing {

struct CollectedStatement {
  StatementInfo begin;  // as begin_statement saw it
  StatementInfo end;    // as end_statement saw it
  std::vector<Transaction> transactions;
  std::vector<RowProblem> problems;

  std::int64_t sum() const {
    std::int64_t total = 0;
    for (const Transaction& t : transactions) total += t.amount_minor;
    return total;
  }
};

class CollectingSink final : public StatementSink {
 public:
  void begin_statement(const StatementInfo& info) override {
    statements.push_back({info, {}, {}, {}});
    open = true;
  }
  void transaction(const Transaction& transaction) override {
    ++transaction_count;
    if (!statements.empty()) statements.back().transactions.push_back(transaction);
  }
  void problem(const RowProblem& problem) override {
    problems.push_back(problem);
    if (!statements.empty()) statements.back().problems.push_back(problem);
  }
  void end_statement(const StatementInfo& info) override {
    if (!statements.empty()) statements.back().end = info;
    open = false;
  }
  void warning(std::uint64_t line, std::string message) override {
    warnings.push_back("line " + std::to_string(line) + ": " + message);
  }

  std::size_t transaction_total() const {
    std::size_t n = 0;
    for (const auto& s : statements) n += s.transactions.size();
    return n;
  }
  std::int64_t sum() const {
    std::int64_t total = 0;
    for (const auto& s : statements) total += s.sum();
    return total;
  }

  std::vector<CollectedStatement> statements;
  std::vector<RowProblem> problems;
  std::vector<std::string> warnings;
  std::size_t transaction_count = 0;
  bool open = false;
};

// Serves a buffer `step` bytes at a time, as a slow upload would: no parser may depend on where a
// read ends.
class TrickleSource final : public csv::ByteSource {
 public:
  TrickleSource(std::string_view data, std::size_t step) : data_(data), step_(step) {}
  Result<std::size_t> read(char* destination, std::size_t capacity) override {
    const std::size_t n = std::min({capacity, step_, data_.size() - position_});
    std::copy_n(data_.data() + position_, n, destination);
    position_ += n;
    return n;
  }

 private:
  std::string_view data_;
  std::size_t step_;
  std::size_t position_ = 0;
};

// A stream that breaks at its first read with kUnavailable and `message`.
class FailingSource final : public csv::ByteSource {
 public:
  explicit FailingSource(std::string message) : message_(std::move(message)) {}
  Result<std::size_t> read(char* /*destination*/, std::size_t /*capacity*/) override {
    return Error::Unavailable(message_);
  }

 private:
  std::string message_;
};

// The bytes of tests/data/bank/<relative>.
inline std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::string(OEUVRE_SOURCE_DIR) + "/tests/data/bank/" + relative,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace oeuvre::bank::testing
