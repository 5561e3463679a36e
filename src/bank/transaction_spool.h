#pragma once
// A bank statement file read once: what a parser delivered (statements, transactions, problems,
// warnings), written to a spool file as it streams and played back later into any StatementSink
// exactly as the parser delivered it. An upload reads its statements while the body arrives
// (services::StatementRead); with a spool that read also keeps the transactions, and the file's
// background parse plays them back instead of parsing the file a second time (camt.053's XML costs
// several times a CSV of the same transactions to parse; the spool costs a fraction of one).
//
// The spool is a cache, never the record: a missing or damaged one means the file is parsed
// again. Its format is private to this version of Œuvre (a magic line with a version): a
// length-prefixed binary event log that ends in a trailer counting the events, so that a file cut
// short is recognised. Play-back checks every length against what is left and a bound, like any
// untrusted input.
// Thread-safety: a writer and a play-back are each used by one thread.

#include <cstdint>
#include <memory>
#include <string>

#include "bank/statement.h"
#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank {

// Writes what it receives to a spool file, passing nothing on. Wants every detail.
class TransactionSpoolWriter final : public StatementSink {
 public:
  // Creates (truncates) the spool at `path` for a file of `format`. kUnavailable when the disk
  // refuses.
  static Result<std::unique_ptr<TransactionSpoolWriter>> create(const std::string& path,
                                                                BankFormat format);
  ~TransactionSpoolWriter() override;  // closes the file; an unfinished spool stays incomplete
  TransactionSpoolWriter(const TransactionSpoolWriter&) = delete;
  TransactionSpoolWriter& operator=(const TransactionSpoolWriter&) = delete;

  void begin_statement(const StatementInfo& info) override;
  void transaction(const Transaction& transaction) override;
  void problem(const RowProblem& problem) override;
  void end_statement(const StatementInfo& info) override;
  void warning(std::uint64_t line, std::string message) override;

  // Writes the trailer and closes the file: the spool is complete. The first write error, if any
  // (kUnavailable).
  Status finish();

 private:
  TransactionSpoolWriter(int fd, std::string path);
  void flush_if_full();
  void flush();

  int fd_;
  std::string path_;
  std::string buffer_;
  std::uint64_t events_ = 0;
  Status status_ = OkStatus();
};

// The format of the file a spool was written for. kInternal when `path` is no spool.
Result<BankFormat> spool_format(const std::string& path);

// Plays the spool read from `source` back into `sink`, event for event as it was written, after
// checking that it was written for `format`. Fails with kInternal (naming the spool as damaged)
// when it is not a complete spool of this version: the caller then parses the file itself.
// Events delivered before such a failure are not taken back.
Status replay_transaction_spool(csv::ByteSource& source, BankFormat format, StatementSink& sink);

}  // namespace oeuvre::bank
