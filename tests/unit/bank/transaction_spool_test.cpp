// The spool of a bank statement file's transactions (bank/transaction_spool.h): played back, it
// delivers exactly what the parser delivered -- every event, every field, in order -- for every
// fixture of every format; a spool cut short, written for another format, followed by stray bytes
// or damaged anywhere is refused with kInternal (or, where a damaged byte lies inside a text,
// played back), never read past its end.
#include "bank/transaction_spool.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bank/bank_file.h"
#include "collecting_sink.h"

namespace oeuvre::bank {
namespace {

namespace fs = std::filesystem;

// Every event and every field as one line of text, so that two reads compare as strings.
class TranscriptSink final : public StatementSink {
 public:
  void begin_statement(const StatementInfo& info) override { statement("begin", info); }
  void transaction(const Transaction& t) override {
    out << "transaction " << t.line << '|' << t.location << '|' << t.booking_date << '|'
        << t.value_date << '|' << t.amount_minor << '|' << t.currency << '|' << t.reversal << '|'
        << t.counterparty_name << '|' << t.counterparty_account << '|' << t.end_to_end_id << '|'
        << t.creditor_reference << '|' << t.reference << '|' << t.description << '|'
        << t.transaction_id << '|' << t.batch_id << '|' << t.batch_amount_minor;
    for (const auto& [key, value] : t.codes) out << '|' << key << '=' << value;
    out << '\n';
  }
  void problem(const RowProblem& p) override {
    out << "problem " << p.line << '|' << p.location << '|' << p.value << '|' << p.reason << '\n';
  }
  void end_statement(const StatementInfo& info) override { statement("end", info); }
  void warning(std::uint64_t line, std::string message) override {
    out << "warning " << line << '|' << message << '\n';
  }

  std::ostringstream out;

 private:
  void statement(const char* what, const StatementInfo& info) {
    out << what << ' ' << info.line << '|' << info.account << '|' << info.currency << '|'
        << info.statement_id << '|' << info.sequence << '|' << info.message_id << '|'
        << info.period_start << '|' << info.period_end;
    for (const Balance& b : info.balances) {
      out << '|' << b.type << ',' << b.code << ',' << b.amount_minor << ',' << b.currency << ','
          << b.date;
    }
    out << '\n';
  }
};

class TransactionSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("oeuvre-spool-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Parses `content` as `format` into a spool (returned as bytes) and into `transcript`.
  std::string spool_of(const std::string& content, BankFormat format, std::string* transcript,
                       Status* parsed) {
    const std::string path = (dir_ / "spool").string();
    auto writer = TransactionSpoolWriter::create(path, format);
    EXPECT_TRUE(writer.ok());
    if (!writer.ok()) return "";
    csv::MemoryByteSource source(content);
    *parsed = parse_bank_statement(format, source, **writer);
    EXPECT_TRUE((*writer)->finish().ok());
    TranscriptSink direct;
    csv::MemoryByteSource again(content);
    (void)parse_bank_statement(format, again, direct);
    *transcript = direct.out.str();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }

  static Status replay(const std::string& spool, BankFormat format, std::string* transcript) {
    TranscriptSink sink;
    csv::MemoryByteSource source(spool);
    const Status status = replay_transaction_spool(source, format, sink);
    if (transcript != nullptr) *transcript = sink.out.str();
    return status;
  }

  fs::path dir_;
};

TEST_F(TransactionSpoolTest, EveryFixtureOfEveryFormatPlaysBackExactlyAsParsed) {
  std::size_t files = 0, events = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(std::string(OEUVRE_SOURCE_DIR) + "/tests/data/bank")) {
    if (!entry.is_regular_file()) continue;
    const std::string content = testing::read_fixture(
        fs::relative(entry.path(), std::string(OEUVRE_SOURCE_DIR) + "/tests/data/bank").string());
    const std::optional<BankFormat> format =
        detect_bank_format(std::string_view(content).substr(0, kSniffBytes));
    if (!format) continue;
    std::string parsed_transcript, replayed;
    Status parsed = OkStatus();
    const std::string spool = spool_of(content, *format, &parsed_transcript, &parsed);
    if (!parsed.ok()) continue;  // a file the parser refuses leaves no spool that is used
    ++files;
    const Status played = replay(spool, *format, &replayed);
    EXPECT_TRUE(played.ok()) << entry.path() << ": " << played.error().message();
    EXPECT_EQ(replayed, parsed_transcript) << entry.path();
    events += static_cast<std::size_t>(std::count(replayed.begin(), replayed.end(), '\n'));
  }
  EXPECT_GE(files, 30u);  // camt, MT940, BAI2 and OFX fixtures alike
  EXPECT_GT(events, 200u);
}

TEST_F(TransactionSpoolTest, ASpoolCutShortAnywhereIsRefusedAsDamaged) {
  const std::string content =
      testing::read_fixture("genkgo-camt/camt053.v2.multi.statement.xml");
  std::string transcript;
  Status parsed = OkStatus();
  const std::string spool = spool_of(content, BankFormat::kCamt053, &transcript, &parsed);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_TRUE(replay(spool, BankFormat::kCamt053, nullptr).ok());
  for (std::size_t cut = 0; cut < spool.size(); ++cut) {
    const Status played = replay(spool.substr(0, cut), BankFormat::kCamt053, nullptr);
    ASSERT_FALSE(played.ok()) << "cut at " << cut;
    EXPECT_EQ(played.error().code(), ErrorCode::kInternal) << "cut at " << cut;
  }
}

TEST_F(TransactionSpoolTest, ADamagedByteIsRefusedOrStaysInsideAText) {
  const std::string content = testing::read_fixture("genkgo-camt/camt053.v2.minimal.xml");
  std::string transcript;
  Status parsed = OkStatus();
  const std::string spool = spool_of(content, BankFormat::kCamt053, &transcript, &parsed);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  std::size_t refused = 0;
  for (std::size_t at = 0; at < spool.size(); ++at) {
    for (const unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string damaged = spool;
      damaged[at] = static_cast<char>(static_cast<unsigned char>(damaged[at]) ^ flip);
      const Status played = replay(damaged, BankFormat::kCamt053, nullptr);
      if (!played.ok()) {
        EXPECT_EQ(played.error().code(), ErrorCode::kInternal);
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 0u);
}

TEST_F(TransactionSpoolTest, ASpoolOfAnotherFormatOrWithStrayBytesIsRefused) {
  const std::string content = testing::read_fixture("genkgo-camt/camt053.v2.minimal.xml");
  std::string transcript;
  Status parsed = OkStatus();
  const std::string spool = spool_of(content, BankFormat::kCamt053, &transcript, &parsed);
  ASSERT_TRUE(parsed.ok());

  Status played = replay(spool, BankFormat::kMt940, nullptr);
  ASSERT_FALSE(played.ok());
  EXPECT_EQ(played.error().code(), ErrorCode::kInternal);
  EXPECT_NE(played.error().message().find("another format"), std::string::npos)
      << played.error().message();

  played = replay(spool + "x", BankFormat::kCamt053, nullptr);
  ASSERT_FALSE(played.ok());
  EXPECT_EQ(played.error().code(), ErrorCode::kInternal);

  played = replay(content, BankFormat::kCamt053, nullptr);  // the statement itself is no spool
  ASSERT_FALSE(played.ok());
  EXPECT_EQ(played.error().code(), ErrorCode::kInternal);

  const std::string path = (dir_ / "spool").string();
  auto format = spool_format(path);
  ASSERT_TRUE(format.ok()) << format.error().message();
  EXPECT_EQ(*format, BankFormat::kCamt053);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  EXPECT_FALSE(spool_format(path).ok());
}

TEST_F(TransactionSpoolTest, AWriterThatCannotCreateItsFileSaysSo) {
  auto writer = TransactionSpoolWriter::create((dir_ / "missing" / "spool").string(),
                                               BankFormat::kMt940);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace oeuvre::bank
