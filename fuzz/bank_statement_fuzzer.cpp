// libFuzzer target for the bank statement parsers (src/bank: camt.052/053/054, MT940, BAI2, OFX):
// any bytes, as any upload, must give a clean success or a clean error -- never a crash, a hang, a
// sanitizer report, or broken promises:
//  - detect_bank_format agrees with the parser it picks (no parser is handed another's file);
//  - statements are begun and ended in pairs, transactions and problems arrive inside one;
//  - every kept text is valid UTF-8, every amount within the bound, every problem has a reason;
//  - the same bytes read in 1-byte pieces give the same transactions as read whole (the streaming
//    parsers keep no state that depends on where a read ends).
//  - a file read into a spool (bank/transaction_spool.h) plays back the same transactions, and
//    any bytes played back as a spool give a clean success or a kInternal error.
// The first input byte picks the parser (0: by content as on upload; 1-4: one parser whatever the
// content, so each parser also meets the others' files; 5: the rest is played back as a spool);
// the rest is the file. Built outside CMake
// by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "bank/bank_file.h"
#include "bank/transaction_spool.h"
#include "core/utf8.h"

namespace {

using namespace oeuvre;
using namespace oeuvre::bank;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "broken promise: %s\n", what);
    std::abort();
  }
}

class CheckingSink final : public StatementSink {
 public:
  void begin_statement(const StatementInfo& info) override {
    check(!open_, "a statement begins while another is open");
    open_ = true;
    check(is_valid_utf8(info.account) && is_valid_utf8(info.statement_id),
          "statement texts are UTF-8");
  }
  void transaction(const Transaction& t) override {
    check(open_, "a transaction arrives inside a statement");
    check(t.amount_minor <= kMaxAmountMinor && t.amount_minor >= -kMaxAmountMinor,
          "amount within the bound");
    check(is_valid_utf8(t.description) && is_valid_utf8(t.reference) &&
              is_valid_utf8(t.counterparty_name) && is_valid_utf8(t.counterparty_account) &&
              is_valid_utf8(t.transaction_id) && is_valid_utf8(t.currency),
          "transaction texts are UTF-8");
    for (const auto& [key, value] : t.codes)
      check(is_valid_utf8(key) && is_valid_utf8(value), "codes are UTF-8");
    amounts_ += std::to_string(t.amount_minor) + ",";
  }
  void problem(const RowProblem& p) override {
    check(!p.reason.empty(), "a problem has a reason");
    check(is_valid_utf8(p.reason) && is_valid_utf8(p.value) && is_valid_utf8(p.location),
          "problem texts are UTF-8");
    check(p.value.size() <= 200, "a problem's value is cut to 200 bytes");
  }
  void end_statement(const StatementInfo&) override {
    check(open_, "a statement ends that began");
    open_ = false;
  }
  const std::string& amounts() const { return amounts_; }

 private:
  bool open_ = false;
  std::string amounts_;
};

// Takes anything (a spool's play-back of arbitrary bytes promises no order of events).
class CountingSink final : public StatementSink {
 public:
  void begin_statement(const StatementInfo&) override { ++events; }
  void transaction(const Transaction&) override { ++events; }
  void problem(const RowProblem&) override { ++events; }
  void end_statement(const StatementInfo&) override { ++events; }
  std::size_t events = 0;
};

// Serves the bytes one at a time.
class TrickleSource final : public csv::ByteSource {
 public:
  explicit TrickleSource(std::string_view data) : data_(data) {}
  Result<std::size_t> read(char* destination, std::size_t) override {
    if (position_ >= data_.size()) return std::size_t{0};
    *destination = data_[position_++];
    return std::size_t{1};
  }

 private:
  std::string_view data_;
  std::size_t position_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int pick = data[0] % 6;
  const std::string_view file(reinterpret_cast<const char*>(data + 1), size - 1);
  if (pick == 5) {
    CountingSink any;
    csv::MemoryByteSource spool(file);
    const Status played = replay_transaction_spool(spool, BankFormat::kCamt053, any);
    check(played.ok() || played.error().code() == ErrorCode::kInternal,
          "a damaged spool is refused as damaged");
    return 0;
  }
  std::optional<BankFormat> format;
  if (pick == 0) {
    format = detect_bank_format(file.substr(0, kSniffBytes));
    if (!format) return 0;
  } else {
    static constexpr BankFormat kFormats[] = {BankFormat::kCamt053, BankFormat::kMt940,
                                              BankFormat::kBai2, BankFormat::kOfx};
    format = kFormats[pick - 1];
  }
  CheckingSink whole;
  csv::MemoryByteSource source(file);
  const Status parsed = parse_bank_statement(*format, source, whole);
  if (!parsed.ok()) check(!parsed.error().message().empty(), "a failed parse says why");
  if (file.size() <= 4096) {
    CheckingSink trickled;
    TrickleSource slow(file);
    const Status again = parse_bank_statement(*format, slow, trickled);
    check(again.ok() == parsed.ok(), "read in pieces, the file parses as read whole");
    if (parsed.ok())
      check(trickled.amounts() == whole.amounts(), "the same transactions in pieces as whole");
  }
  if (parsed.ok() && file.size() <= 65536) {
    static const std::string path = "/tmp/oeuvre-fuzz-spool-" + std::to_string(::getpid());
    auto writer = TransactionSpoolWriter::create(path, *format);
    check(writer.ok(), "a spool can be created");
    csv::MemoryByteSource again(file);
    (void)parse_bank_statement(*format, again, **writer);
    check((*writer)->finish().ok(), "a spool is written");
    auto spool = csv::FileByteSource::open(path);
    check(spool.ok(), "a spool can be opened");
    CheckingSink played;
    check(replay_transaction_spool(**spool, *format, played).ok(), "a spool plays back");
    check(played.amounts() == whole.amounts(), "the same transactions from the spool");
  }
  return 0;
}
