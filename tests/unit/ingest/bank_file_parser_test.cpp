// A bank statement file through FileParser, the one door for uploads, previews and `oeuvre
// reconcile`: recognised by content, its transactions as records (the fields the API and the engine
// see), its statements counted and checked, the same records on both passes, a preview that stops
// early, and the settings checked as for a table.
#include "ingest/bank_file_parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "bank/bank_file.h"
#include "bank/transaction_spool.h"
#include "core/date.h"
#include "ingest/file_parser.h"

namespace oeuvre::ingest {
namespace {

namespace fs = std::filesystem;

const std::string kCamt = std::string(OEUVRE_SOURCE_DIR) + "/samples/bank.camt053.xml";
const std::string kMt940 = std::string(OEUVRE_SOURCE_DIR) + "/samples/bank.mt940";

std::vector<ParsedRecord> read_all(FileParser& parser) {
  std::vector<ParsedRecord> records;
  EXPECT_TRUE(parser
                  .read_records(3,
                                [&](std::span<const ParsedRecord> batch) {
                                  records.insert(records.end(), batch.begin(), batch.end());
                                  return OkStatus();
                                })
                  .ok());
  return records;
}

TEST(BankFileParserTest, ACamt053IsReadAsRecordsWithItsStatementChecked) {
  auto parser = FileParser::open(kCamt, "march.xml", "application/xml", {});
  ASSERT_TRUE(parser.ok()) << parser.error().message();
  auto layout = (*parser)->analyse();
  ASSERT_TRUE(layout.ok()) << layout.error().message();
  EXPECT_EQ(layout->format, "camt.053");
  EXPECT_EQ(layout->rows, 10u);
  EXPECT_EQ(layout->rows_failed, 0u);
  EXPECT_EQ(layout->statements, 1u);
  EXPECT_TRUE(layout->warnings.empty());
  const std::vector<ParsedRecord> records = read_all(**parser);
  ASSERT_EQ(records.size(), 10u);
  const ParsedRecord& acme = records.front();
  EXPECT_EQ(acme.external_id, "B1001");
  EXPECT_EQ(acme.date_days, days_from_civil(2025, 3, 3));
  EXPECT_EQ(acme.amount_minor, 125000);
  EXPECT_EQ(acme.currency, "EUR");
  EXPECT_EQ(acme.counterparty, "ACME TRADING");
  EXPECT_EQ(acme.reference, "INV-2025-000481");
  const boost::json::object extra = boost::json::parse(acme.extra_json).as_object();
  EXPECT_EQ(extra.at("counterparty_account"), "NL91ABNA0417164300");
  EXPECT_EQ(extra.at("account"), "DE44500105175407324931");
  EXPECT_EQ(extra.at("statement_id"), "2025-03-SAMPLE");
  // B1004 has no reference of its own: the bank's id stays the external id, not the reference.
  EXPECT_EQ(records[3].external_id, "B1004");
  EXPECT_EQ(records[3].reference, "");
  std::int64_t sum = 0;
  for (const ParsedRecord& r : records) sum += r.amount_minor;
  EXPECT_EQ(sum, 199560);
}

TEST(BankFileParserTest, AnalyseHandsTheSameRecordsToItsSinkAsReadRecords) {
  auto parser = FileParser::open(kMt940, "march.sta", "", {});
  ASSERT_TRUE(parser.ok());
  std::vector<ParsedRecord> during;
  auto layout = (*parser)->analyse(4, [&](std::span<const ParsedRecord> batch) {
    EXPECT_LE(batch.size(), 4u);
    during.insert(during.end(), batch.begin(), batch.end());
    return OkStatus();
  });
  ASSERT_TRUE(layout.ok()) << layout.error().message();
  EXPECT_EQ(layout->format, "mt940");
  const std::vector<ParsedRecord> after = read_all(**parser);
  ASSERT_EQ(during.size(), after.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(during[i].line, after[i].line);
    EXPECT_EQ(during[i].amount_minor, after[i].amount_minor);
    EXPECT_EQ(during[i].extra_json, after[i].extra_json);
  }
}

TEST(BankFileParserTest, ASinkThatFailsEndsTheParseWithItsError) {
  auto parser = FileParser::open(kCamt, "march.xml", "", {});
  ASSERT_TRUE(parser.ok());
  int calls = 0;
  auto layout = (*parser)->analyse(1, [&](std::span<const ParsedRecord>) -> Status {
    ++calls;
    return Error::Unavailable("the store is full");
  });
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.error().message(), "the store is full");
  EXPECT_EQ(calls, 1);
}

TEST(BankFileParserTest, ThePreviewStopsAtItsRows) {
  auto preview = preview_file(kCamt, "march.xml", "", {}, 2);
  ASSERT_TRUE(preview.ok()) << preview.error().message();
  EXPECT_EQ(preview->layout.format, "camt.053");
  ASSERT_EQ(preview->rows.size(), 2u);
  EXPECT_EQ(preview->rows[0].cells.at(0), "2025-03-03");  // booking_date
  EXPECT_EQ(preview->rows[0].cells.at(2), "1250.00");     // amount
  ASSERT_TRUE(preview->rows[1].record.has_value());
  EXPECT_EQ(preview->rows[1].record->amount_minor, -8990);
}

TEST(BankFileParserTest, TheSettingsAreCheckedAsForATable) {
  ParseSettings settings;
  settings.mapping.default_currency = "euro";
  auto parser = FileParser::open(kCamt, "march.xml", "", settings);
  ASSERT_FALSE(parser.ok());
  EXPECT_EQ(parser.error().code(), ErrorCode::kValidation);
}

TEST(BankFileParserTest, TooManyTransactionsFailTheFile) {
  ParseSettings settings;
  settings.max_records = 5;
  auto parser = FileParser::open(kCamt, "march.xml", "", settings);
  ASSERT_TRUE(parser.ok());
  auto layout = (*parser)->analyse();
  ASSERT_FALSE(layout.ok());
  ASSERT_EQ(layout.error().field_errors().size(), 1u);
  EXPECT_EQ(layout.error().field_errors()[0].field, "file");
  EXPECT_EQ(layout.error().field_errors()[0].message, "has more than 5 transactions");
}

// What analyse() makes of a file: its layout, row errors and records, as one text to compare.
std::string analysed(FileParser& parser) {
  std::ostringstream out;
  auto layout = parser.analyse(7, [&](std::span<const ParsedRecord> batch) {
    for (const ParsedRecord& r : batch) {
      out << "record " << r.line << '|' << r.external_id << '|' << r.date_days.value_or(-1) << '|'
          << r.amount_minor << '|' << r.currency << '|' << r.description << '|' << r.reference
          << '|' << r.counterparty << '|' << r.extra_json << '\n';
    }
    return OkStatus();
  });
  if (!layout.ok()) return "failed: " + layout.error().message();
  out << "layout " << layout->format << '|' << layout->rows << '|' << layout->rows_failed << '|'
      << layout->statements;
  for (const std::string& column : layout->header) out << '|' << column;
  for (const std::string& warning : layout->warnings) out << "\nwarning " << warning;
  for (const RowError& e : parser.errors()) {
    out << "\nerror " << e.line << '|' << e.column << '|' << e.value << '|' << e.reason;
  }
  return out.str();
}

TEST(BankFileParserTest, ASpoolOfTheTransactionsGivesTheSameRecordsErrorsAndLayout) {
  const fs::path dir = fs::temp_directory_path() / ("oeuvre-spooled-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<fs::path> files = {kCamt, kMt940};
  for (const auto& entry :
       fs::recursive_directory_iterator(std::string(OEUVRE_SOURCE_DIR) + "/tests/data/bank")) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::size_t compared = 0;
  for (const fs::path& file : files) {
    auto format = bank::detect_bank_file(file.string());
    ASSERT_TRUE(format.ok());
    if (!*format) continue;
    const std::string spool = (dir / "spool").string();
    auto writer = bank::TransactionSpoolWriter::create(spool, **format);
    ASSERT_TRUE(writer.ok());
    const Status parsed = bank::parse_bank_file(**format, file.string(), **writer);
    ASSERT_TRUE((*writer)->finish().ok());
    if (!parsed.ok()) continue;  // refused at upload: no spool is kept
    for (const bool with_currency : {false, true}) {
      ParseSettings settings;
      if (with_currency) settings.mapping.default_currency = "EUR";
      auto from_file = make_bank_file_parser(file.string(), **format, settings);
      auto from_spool = make_spooled_bank_file_parser(spool, settings);
      ASSERT_TRUE(from_spool.ok()) << from_spool.error().message();
      EXPECT_EQ(analysed(**from_spool), analysed(*from_file)) << file;
      ++compared;
    }
  }
  EXPECT_GE(compared, 60u);

  // A spool cut short fails analyse() with kInternal, for the caller to parse the file instead.
  auto writer = bank::TransactionSpoolWriter::create((dir / "spool").string(), bank::BankFormat::kCamt053);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(bank::parse_bank_file(bank::BankFormat::kCamt053, kCamt, **writer).ok());
  ASSERT_TRUE((*writer)->finish().ok());
  fs::resize_file(dir / "spool", fs::file_size(dir / "spool") / 2);
  auto cut = make_spooled_bank_file_parser((dir / "spool").string(), {});
  ASSERT_TRUE(cut.ok());
  auto layout = (*cut)->analyse(10, [](std::span<const ParsedRecord>) { return OkStatus(); });
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.error().code(), ErrorCode::kInternal);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oeuvre::ingest
