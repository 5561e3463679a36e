// FileParser on nasty files written to a temp dir: every CSV dialect users upload, JSON arrays and
// JSON Lines, files that are not tables at all, and the promises between analyse(), read_records()
// and preview_file().
#include "ingest/file_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/date.h"

namespace oeuvre::ingest {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

struct Parsed {
  FileLayout layout;
  std::vector<RowError> errors;
  std::vector<ParsedRecord> records;
};

std::string iso(const ParsedRecord& r) { return r.date_days ? format_iso_date(*r.date_days) : ""; }

std::string field_of(const Error& e) {
  return e.field_errors().empty() ? "" : e.field_errors()[0].field;
}

std::string text_of(const Error& e) {
  std::string text = e.message();
  for (const auto& f : e.field_errors()) text += " | " + f.field + ": " + f.message;
  return text;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

class FileParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("oeuvre-file-parser-test-" + std::to_string(random()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string write(std::string_view bytes, const std::string& name = "upload.csv") {
    const fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path.string();
  }

  // open + analyse + read_records; the error of the first step that fails.
  Result<Parsed> parse(std::string_view bytes, ParseSettings settings = {},
                       const std::string& name = "upload.csv", std::size_t batch_size = 7) {
    auto parser = FileParser::open(write(bytes, name), name, "", std::move(settings));
    if (!parser.ok()) return parser.error();
    auto layout = (*parser)->analyse();
    if (!layout.ok()) return layout.error();
    Parsed out{*layout, (*parser)->errors(), {}};
    Status read = (*parser)->read_records(batch_size, [&](std::span<const ParsedRecord> batch) {
      EXPECT_LE(batch.size(), batch_size);
      EXPECT_FALSE(batch.empty());
      out.records.insert(out.records.end(), batch.begin(), batch.end());
      return OkStatus();
    });
    if (!read.ok()) return read.error();
    EXPECT_EQ(out.records.size(), out.layout.rows - out.layout.rows_failed);
    return out;
  }

  // Expects analyse() to fail with kValidation; returns the whole text of the error.
  std::string failure(std::string_view bytes, ParseSettings settings = {},
                      const std::string& name = "upload.csv") {
    auto parsed = parse(bytes, std::move(settings), name);
    EXPECT_FALSE(parsed.ok()) << "parsed " << (parsed.ok() ? parsed->layout.rows : 0) << " rows";
    if (parsed.ok()) return "";
    EXPECT_EQ(parsed.error().code(), ErrorCode::kValidation) << text_of(parsed.error());
    return text_of(parsed.error());
  }

  static ParseSettings eur() {
    ParseSettings s;
    s.mapping.default_currency = "EUR";
    return s;
  }

  fs::path dir_;
};

// --- CSV dialects -------------------------------------------------------------------------------

TEST_F(FileParserTest, EveryDelimiterIsSniffed) {
  for (char d : {',', ';', '\t', '|'}) {
    std::string text =
        "Date#Amount#Currency#Memo\n2024-03-05#12.50#EUR#Rent\n2024-03-06#-3#USD#Fee\n";
    std::replace(text.begin(), text.end(), '#', d);
    auto parsed = parse(text);
    ASSERT_TRUE(parsed.ok()) << d << ": " << text_of(parsed.error());
    EXPECT_EQ(parsed->layout.format, "csv");
    EXPECT_EQ(parsed->layout.delimiter, d);
    ASSERT_EQ(parsed->records.size(), 2u) << d;
    EXPECT_EQ(parsed->records[0].amount_minor, 1250);
    EXPECT_EQ(parsed->records[0].currency, "EUR");
    EXPECT_EQ(parsed->records[0].description, "Rent");
    EXPECT_EQ(iso(parsed->records[0]), "2024-03-05");
    EXPECT_EQ(parsed->records[1].amount_minor, -300);
    EXPECT_EQ(parsed->records[1].currency, "USD");
  }
}

TEST_F(FileParserTest, QuotedFieldsKeepDelimitersNewlinesAndQuotes) {
  auto parsed = parse(
      "id,date,amount,description,reference\n"
      "A1,2024-03-05,\"1,234.50\",\"Rent, March\nsecond line\",\"say \"\"hi\"\"\"\n"
      "A2,2024-03-06,7.00,\"  padded  \",\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  ASSERT_EQ(parsed->records.size(), 2u);
  const ParsedRecord& a = parsed->records[0];
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.external_id, "A1");
  EXPECT_EQ(a.amount_minor, 123450);
  EXPECT_EQ(a.description, "Rent, March\nsecond line");
  EXPECT_EQ(a.reference, "say \"hi\"");
  // The embedded line break counts: the next record starts on line 4.
  EXPECT_EQ(parsed->records[1].line, 4u);
  EXPECT_EQ(parsed->records[1].description, "padded");
  EXPECT_EQ(parsed->records[1].reference, "");
}

TEST_F(FileParserTest, BomCrlfAndBlankLines) {
  auto parsed = parse(
      "\xEF\xBB\xBF"
      "Date,Amount\r\n\r\n2024-01-02,1.00\r\n   \r\n,\r\n2024-01-03,2.00\r\n\r\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.header, (std::vector<std::string>{"Date", "Amount"}));
  EXPECT_EQ(parsed->layout.rows, 2u);
  EXPECT_EQ(parsed->layout.rows_failed, 0u);
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[0].line, 3u);
  EXPECT_EQ(parsed->records[1].line, 6u);
  EXPECT_EQ(parsed->records[1].amount_minor, 200);
}

TEST_F(FileParserTest, RaggedRowsAreRowErrors) {
  auto parsed = parse(
      "date,amount,memo\n"
      "2024-01-01,1.00,ok\n"
      "2024-01-02,2.00\n"
      "2024-01-03,3.00,too,many\n"
      "2024-01-04,4.00,padded,,\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.rows, 4u);
  EXPECT_EQ(parsed->layout.rows_failed, 2u);
  ASSERT_EQ(parsed->errors.size(), 2u);
  EXPECT_EQ(parsed->errors[0].line, 3u);
  EXPECT_EQ(parsed->errors[0].column, "");
  EXPECT_EQ(parsed->errors[0].value, "2024-01-02,2.00");
  EXPECT_TRUE(contains(parsed->errors[0].reason, "2 fields but the header has 3"));
  EXPECT_EQ(parsed->errors[1].line, 4u);
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[1].amount_minor, 400);  // empty trailing fields are padding
}

TEST_F(FileParserTest, WhenEveryRowIsRaggedTheHeaderIsBroken) {
  const std::string error = failure("date;amount\n2024-01-01;1;x\n2024-01-02;2;y\n", eur());
  EXPECT_TRUE(contains(error, "header")) << error;
}

TEST_F(FileParserTest, ExcelExport) {
  // BOM, ';', comma decimals, quoted thousands, CRLF, day-first dotted dates, an Excel sep= line.
  const std::string body =
      "Buchungstag;Betrag;W\xC3\xA4hrung;Verwendungszweck;Empf\xC3\xA4nger\r\n"
      "01.03.2024;\"1.234,56\";EUR;\"Miete; M\xC3\xA4rz\";Vermieter GmbH\r\n"
      "15.03.2024;-12,5;EUR;Geb\xC3\xBChr;Bank\r\n"
      "02.03.2024;\"-1.000.000,00\";EUR;Kauf;\r\n";
  for (const std::string& prefix : {std::string("\xEF\xBB\xBF"), std::string("sep=;\r\n")}) {
    auto parsed = parse(prefix + body);
    ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
    EXPECT_EQ(parsed->layout.delimiter, ';');
    EXPECT_EQ(parsed->layout.decimal_separator, DecimalSeparator::kComma);
    EXPECT_EQ(parsed->layout.date_order, DateOrder::kDayMonthYear);
    ASSERT_EQ(parsed->records.size(), 3u);
    EXPECT_EQ(parsed->records[0].amount_minor, 123456);
    EXPECT_EQ(iso(parsed->records[0]), "2024-03-01");
    EXPECT_EQ(parsed->records[0].description, "Miete; M\xC3\xA4rz");
    EXPECT_EQ(parsed->records[0].counterparty, "Vermieter GmbH");
    EXPECT_EQ(parsed->records[1].amount_minor, -1250);
    EXPECT_EQ(parsed->records[2].amount_minor, -100000000);
    EXPECT_EQ(iso(parsed->records[2]), "2024-03-02");
  }
}

TEST_F(FileParserTest, EuropeanAndEnglishNumberFormats) {
  auto european = parse(
      "date;amount\n"
      "2024-01-01;1 234,56\n"
      "2024-01-02;1.234,56\n"
      "2024-01-03;(12,00)\n"
      "2024-01-04;12,00-\n"
      "2024-01-05;\xE2\x82\xAC 3,10\n"
      "2024-01-06;1\xC2\xA0"
      "000,00\n",
      eur());
  ASSERT_TRUE(european.ok()) << text_of(european.error());
  EXPECT_EQ(european->layout.decimal_separator, DecimalSeparator::kComma);
  std::vector<std::int64_t> amounts;
  for (const auto& r : european->records) amounts.push_back(r.amount_minor);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{123456, 123456, -1200, -1200, 310, 100000}));

  auto english = parse(
      "date,amount\n"
      "2024-01-01,\"1,234.56\"\n"
      "2024-01-02,(12.00)\n"
      "2024-01-03,-12.00\n"
      "2024-01-04,12.00-\n"
      "2024-01-05,$5\n"
      "2024-01-06,EUR 7.25\n"
      "2024-01-07,1'000.00\n",
      eur());
  ASSERT_TRUE(english.ok()) << text_of(english.error());
  EXPECT_EQ(english->layout.decimal_separator, DecimalSeparator::kDot);
  amounts.clear();
  for (const auto& r : english->records) amounts.push_back(r.amount_minor);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{123456, -1200, -1200, -1200, 500, 725, 100000}));
}

TEST_F(FileParserTest, TheDecimalSeparatorCanBeSetAndBadAmountsAreRowErrors) {
  ParseSettings settings = eur();
  settings.mapping.decimal_separator = DecimalSeparator::kComma;
  auto parsed = parse(
      "date,amount\n2024-01-01,\"1.234\"\n2024-01-02,12.5\n2024-01-03,abc\n"
      "2024-01-04,\n2024-01-05,1e5\n",
      settings);
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  ASSERT_EQ(parsed->records.size(), 1u);
  EXPECT_EQ(parsed->records[0].amount_minor, 123400);  // "1.234" with a comma decimal: 1234
  ASSERT_EQ(parsed->errors.size(), 4u);
  for (const RowError& e : parsed->errors) EXPECT_EQ(e.column, "amount");
  EXPECT_EQ(parsed->errors[0].value, "12.5");
  EXPECT_EQ(parsed->errors[1].value, "abc");
  EXPECT_EQ(parsed->errors[2].reason, "the amount is empty");
  EXPECT_TRUE(contains(parsed->errors[3].reason, "scientific notation"))
      << parsed->errors[3].reason;
}

TEST_F(FileParserTest, DebitAndCreditColumns) {
  auto parsed = parse(
      "Date,Details,Money Out,Money In\n"
      "2024-01-01,Salary,,2500.00\n"
      "2024-01-02,Rent,900.00,\n"
      "2024-01-03,Zero padded,0.00,15.00\n"
      "2024-01-04,Negative debit,-20.00,\n"
      "2024-01-05,Nothing,,\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.mapping,
            (std::vector<std::pair<std::string, std::string>>{{"date", "Date"},
                                                              {"debit", "Money Out"},
                                                              {"credit", "Money In"},
                                                              {"description", "Details"}}));
  std::vector<std::int64_t> amounts;
  for (const auto& r : parsed->records) amounts.push_back(r.amount_minor);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{250000, -90000, 1500, -2000}));
  ASSERT_EQ(parsed->errors.size(), 1u);
  EXPECT_EQ(parsed->errors[0].line, 6u);
  EXPECT_EQ(parsed->errors[0].column, "");
  EXPECT_EQ(parsed->errors[0].reason, "both 'Money Out' and 'Money In' are empty");
}

TEST_F(FileParserTest, DrCrInTheAmountText) {
  auto parsed = parse(
      "date,amount\n"
      "2024-01-01,12.00 DR\n"
      "2024-01-02,12.00 CR\n"
      "2024-01-03,DR 1.50\n"
      "2024-01-04,\"1,000.00Cr\"\n"
      "2024-01-05,EUR 3.00 dr\n"
      "2024-01-06,-4.00 DR\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  std::vector<std::int64_t> amounts;
  for (const auto& r : parsed->records) amounts.push_back(r.amount_minor);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{-1200, 1200, -150, 100000, -300}));
  ASSERT_EQ(parsed->errors.size(), 1u);
  EXPECT_TRUE(contains(parsed->errors[0].reason, "both a sign and a DR/CR indicator"));
}

TEST_F(FileParserTest, DebitCreditIndicatorColumnIsDetected) {
  auto parsed = parse(
      "Date,Amount,Dr/Cr,Memo\n"
      "2024-01-01,12.00,DR,a\n"
      "2024-01-02,12.00,CR,b\n"
      "2024-01-03,5.00,d,c\n"
      "2024-01-04,5.00,Credit,d\n"
      "2024-01-05,5.00,,e\n"
      "2024-01-06,5.00,X,f\n"
      "2024-01-07,-5.00,CR,g\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.mapping.back(),
            (std::pair<std::string, std::string>{"credit_debit_indicator", "Dr/Cr"}));
  std::vector<std::int64_t> amounts;
  for (const auto& r : parsed->records) amounts.push_back(r.amount_minor);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{-1200, 1200, -500, 500, 500}));
  ASSERT_EQ(parsed->errors.size(), 2u);
  EXPECT_EQ(parsed->errors[0].column, "Dr/Cr");
  EXPECT_EQ(parsed->errors[0].value, "X");
  EXPECT_EQ(parsed->errors[1].line, 8u);
  EXPECT_TRUE(contains(parsed->errors[1].reason, "negative")) << parsed->errors[1].reason;
  // The indicator is not an extra.
  EXPECT_EQ(parsed->records[0].extra_json, "{}");

  ParseSettings named = eur();
  named.mapping.columns.credit_debit_indicator = "S/H";
  auto german = parse("Datum;Betrag;S/H\n2024-01-01;12,50;S\n2024-01-02;3,00;H\n", named);
  ASSERT_TRUE(german.ok()) << text_of(german.error());
  ASSERT_EQ(german->records.size(), 2u);
  EXPECT_EQ(german->records[0].amount_minor, -1250);
  EXPECT_EQ(german->records[1].amount_minor, 300);
}

// --- Files that are not tables ------------------------------------------------------------------

TEST_F(FileParserTest, InvalidUtf8FailsNamingTheLine) {
  const std::string error =
      failure("date,amount,memo\n2024-01-01,1.00,ok\n2024-01-02,2.00,caf\xE9\n");
  EXPECT_TRUE(contains(error, "line 3")) << error;
  EXPECT_TRUE(contains(error, "UTF-8")) << error;
  const std::string json_error =
      failure("[{\"amount\": \"1.00\"},\n {\"amount\": \"caf\xE9\"}]", eur(), "x.json");
  EXPECT_TRUE(contains(json_error, "line 2")) << json_error;
  EXPECT_TRUE(contains(json_error, "UTF-8")) << json_error;
}

TEST_F(FileParserTest, EmptyBinaryAndUtf16FilesFailClearly) {
  EXPECT_TRUE(contains(failure(""), "empty (0 bytes)"));
  EXPECT_TRUE(contains(failure("\n\r\n  \n"), "blank"));
  EXPECT_TRUE(contains(failure("\xEF\xBB\xBF"), "blank"));
  EXPECT_TRUE(contains(failure("\x89PNG\r\n\x1A\n\0\0\0\rIHDR"s), "PNG image"));
  EXPECT_TRUE(contains(failure("PK\x03\x04 workbook"), ".xlsx"));
  EXPECT_TRUE(contains(failure("date,amount\n2024-01-01,1\0\0\n"s), "line 2 holds a NUL"));
  EXPECT_TRUE(contains(failure("\xFF\xFE"s + "d\0a\0t\0e\0\n\0"s), "UTF-16"));
  EXPECT_TRUE(contains(failure("\xFE\xFF\0d\0a"s), "UTF-16"));
  EXPECT_TRUE(contains(failure("\xFF\xFE\0\0d\0\0\0"s), "UTF-32"));
  EXPECT_TRUE(contains(failure("d\0a\0t\0e\0,\0a\0m\0o\0u\0n\0t\0\n\0"s), "UTF-16"));
}

TEST_F(FileParserTest, MissingFileFailsAtOpen) {
  auto parser = FileParser::open((dir_ / "nope.csv").string(), "nope.csv", "", {});
  ASSERT_FALSE(parser.ok());
  EXPECT_EQ(parser.error().code(), ErrorCode::kNotFound);
}

TEST_F(FileParserTest, HeaderOnlyFileHasNoRows) {
  auto parsed = parse("Date,Amount,Memo\r\n");
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.rows, 0u);
  EXPECT_EQ(parsed->layout.rows_failed, 0u);
  EXPECT_TRUE(parsed->records.empty());
  EXPECT_EQ(parsed->layout.header.size(), 3u);
  auto empty_array = parse("[ ]", {}, "x.json");
  ASSERT_TRUE(empty_array.ok()) << text_of(empty_array.error());
  EXPECT_EQ(empty_array->layout.format, "json");
  EXPECT_EQ(empty_array->layout.rows, 0u);
}

TEST_F(FileParserTest, AHeaderWithoutAmountFails) {
  const std::string error = failure("date,memo\n2024-01-01,x\n");
  EXPECT_TRUE(contains(error, "no amount column")) << error;
  EXPECT_TRUE(contains(failure("date,amount,Amount\n"), "appears twice"));
}

TEST_F(FileParserTest, AFileWithoutAmountsIsReadWhenAmountsAreOptional) {
  ParseSettings optional;
  optional.amount_optional = true;
  auto parsed = parse(
      "rec_id,given_name,surname,date_of_birth\n"
      "rec-1-org,katherine,white,19870305\n"
      "rec-2-org,joshua,,\n",
      optional);
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_FALSE(parsed->layout.has_amounts);
  EXPECT_TRUE(parsed->layout.mapping.empty());  // no standard field: every column is extra
  ASSERT_EQ(parsed->records.size(), 2u);
  const ParsedRecord& r = parsed->records[0];
  EXPECT_EQ(r.amount_minor, 0);
  EXPECT_EQ(r.currency, "");  // no currency needed, none asked for
  EXPECT_FALSE(r.date_days);
  EXPECT_EQ(r.extra_json, R"({"rec_id":"rec-1-org","given_name":"katherine","surname":"white",)"
                          R"("date_of_birth":"19870305"})");
  // No amounts, no currency: a currency column is an extra one, the default does not apply. A
  // date column still gives the records their date.
  optional.mapping.default_currency = "EUR";
  auto dated = parse("name,date,currency\nAcme,2024-03-05,USD\n", optional);
  ASSERT_TRUE(dated.ok()) << text_of(dated.error());
  EXPECT_EQ(dated->records[0].currency, "");
  EXPECT_EQ(dated->records[0].extra_json, R"({"currency":"USD"})");
  EXPECT_EQ(dated->records[0].counterparty, "Acme");
  EXPECT_EQ(dated->records[0].date_days, days_from_civil(2024, 3, 5));
  // The mapping may say so too (a data source of customers or people on the server).
  ParseSettings by_mapping;
  by_mapping.mapping.amount_optional = true;
  auto mapped = parse("name\nAcme\n", by_mapping);
  ASSERT_TRUE(mapped.ok()) << text_of(mapped.error());
  EXPECT_FALSE(mapped->layout.has_amounts);
  // With an amount column nothing changes.
  auto with_amounts = parse("date,amount\n2024-01-01,1.50\n", optional);
  ASSERT_TRUE(with_amounts.ok());
  EXPECT_TRUE(with_amounts->layout.has_amounts);
  EXPECT_EQ(with_amounts->records[0].amount_minor, 150);
}

TEST_F(FileParserTest, BrokenCsvQuotingFailsTheFile) {
  const std::string error =
      failure("date,amount,memo\n2024-01-01,1.00,\"open\n2024-01-02,2.00,x\n");
  EXPECT_TRUE(contains(error, "quoted field is not closed")) << error;
}

// --- JSON ---------------------------------------------------------------------------------------

TEST_F(FileParserTest, JsonArrayOfObjects) {
  auto parsed = parse(
      "\xEF\xBB\xBF[\n"
      "  {\"id\": \"T1\", \"date\": \"2024-03-05\", \"amount\": \"12.50\", \"currency\": \"eur\",\n"
      "   \"memo\": \"Caf\\u00e9 \\\"Nord\\\"\", \"flag\": true, \"note\": null},\n"
      "  {\"id\": 7, \"date\": \"2024-03-06\", \"amount\": -3, \"currency\": \"JPY\", \"memo\": "
      "\"x\", \"branch\": 12.0}\n"
      "]\n",
      {}, "export.json");
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.format, "json");
  EXPECT_EQ(parsed->layout.header, (std::vector<std::string>{"id", "date", "amount", "currency",
                                                             "memo", "flag", "note", "branch"}));
  ASSERT_EQ(parsed->records.size(), 2u);
  const ParsedRecord& a = parsed->records[0];
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.external_id, "T1");
  EXPECT_EQ(a.amount_minor, 1250);
  EXPECT_EQ(a.currency, "EUR");
  EXPECT_EQ(a.description, "Caf\xC3\xA9 \"Nord\"");
  EXPECT_EQ(a.extra_json, R"({"flag":"true","note":""})");
  const ParsedRecord& b = parsed->records[1];
  EXPECT_EQ(b.line, 4u);
  EXPECT_EQ(b.external_id, "7");
  EXPECT_EQ(b.amount_minor, -3);
  EXPECT_EQ(b.extra_json, R"({"branch":"12.0"})");  // keys missing from the object are left out
}

// Text cannot hold U+0000 (PostgreSQL refuses it): a NUL in any value, a JSON \u0000 or a raw CSV
// byte, is the row's error (the value shown without it), never a record.
TEST_F(FileParserTest, ANulInAValueIsARowError) {
  auto json = parse(
      "[{\"date\": \"2024-03-05\", \"amount\": \"1.00\", \"memo\": \"a\\u0000b\"},\n"
      " {\"date\": \"2024-03-06\", \"amount\": \"2.00\", \"memo\": \"fine\"}]",
      eur(), "nul.json");
  ASSERT_TRUE(json.ok()) << text_of(json.error());
  EXPECT_EQ(json->layout.rows_failed, 1u);
  ASSERT_EQ(json->records.size(), 1u);
  EXPECT_EQ(json->records[0].amount_minor, 200);
  ASSERT_EQ(json->errors.size(), 1u);
  EXPECT_EQ(json->errors[0].line, 1u);
  EXPECT_EQ(json->errors[0].column, "memo");
  EXPECT_TRUE(contains(json->errors[0].reason, "NUL")) << json->errors[0].reason;
  EXPECT_EQ(json->errors[0].value.find('\0'), std::string::npos)
      << "the report cannot hold it either";

  std::string csv = "date,amount,description\n";
  for (int i = 0; i < 5000; ++i) csv += "2024-03-05,1.00,row\n";  // past the sniffed part
  csv += "2024-03-06,2.00,a"s + '\0' + "b\n";
  auto parsed = parse(csv, eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.rows_failed, 1u);
  EXPECT_EQ(parsed->records.size(), 5000u);
  ASSERT_EQ(parsed->errors.size(), 1u);
  EXPECT_EQ(parsed->errors[0].column, "description");
}

TEST_F(FileParserTest, JsonNumbersAreExact) {
  auto parsed = parse(
      "[{\"amount\": 0.1, \"currency\": \"EUR\"},"
      " {\"amount\": 1e2, \"currency\": \"EUR\"},"
      " {\"amount\": 1.5E-1, \"currency\": \"EUR\"},"
      " {\"amount\": -2.5e+3, \"currency\": \"EUR\"},"
      " {\"amount\": 1e2, \"currency\": \"JPY\"},"
      " {\"amount\": 0.125, \"currency\": \"KWD\"},"
      " {\"amount\": 12345678901234567890123, \"currency\": \"EUR\"},"
      " {\"amount\": 0.30000000000000004, \"currency\": \"EUR\"},"
      " {\"amount\": 1e400, \"currency\": \"EUR\"},"
      " {\"amount\": \"1.234,50\", \"currency\": \"EUR\"}]",
      {}, "numbers.json");
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  std::vector<std::int64_t> amounts;
  for (const auto& r : parsed->records) amounts.push_back(r.amount_minor);
  // A JSON string amount votes for the decimal separator like a CSV cell: "1.234,50" is 1234.50.
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{10, 10000, 15, -250000, 100, 125, 123450}));
  ASSERT_EQ(parsed->errors.size(), 3u);
  EXPECT_TRUE(contains(parsed->errors[0].reason, "too large")) << parsed->errors[0].reason;
  EXPECT_TRUE(contains(parsed->errors[1].reason, "decimal places")) << parsed->errors[1].reason;
  EXPECT_EQ(parsed->errors[1].value, "0.30000000000000004");
  EXPECT_TRUE(contains(parsed->errors[2].reason, "exponent")) << parsed->errors[2].reason;
}

TEST_F(FileParserTest, JsonNestedValuesAreKeptAsJsonText) {
  auto parsed = parse(
      "[{\"amount\": \"1.00\", \"tags\": [\"a\", {\"b\": [1, 2.50, true, null]}], \"meta\": "
      "{\"k\": \"v\\n\", \"e\": {}}},"
      " {\"amount\": {\"value\": 1}},"
      " {\"amount\": [1]}]",
      eur(), "nested.json");
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  ASSERT_EQ(parsed->records.size(), 1u);
  EXPECT_EQ(parsed->records[0].extra_json,
            R"({"tags":"[\"a\",{\"b\":[1,2.50,true,null]}]","meta":"{\"k\":\"v\\n\",\"e\":{}}"})");
  ASSERT_EQ(parsed->errors.size(), 2u);
  EXPECT_EQ(parsed->errors[0].column, "amount");
  EXPECT_EQ(parsed->errors[0].value, R"({"value":1})");
  EXPECT_EQ(parsed->errors[0].reason, "is not an amount");
}

TEST_F(FileParserTest, JsonLines) {
  auto parsed = parse(
      "{\"date\": \"2024-01-01\", \"amount\": \"1.00\"}\n"
      "\n"
      "   \r\n"
      "[1, 2]\n"
      "{\"date\": \"2024-01-02\", \"amount\": 2}\r\n"
      "{\"date\": \"2024-01-03\", \"amount\": \n"
      "{\"date\": \"2024-01-04\", \"amount\": 4, \"amount\": 5}\n"
      "\"text\"\n"
      "{\"date\": \"2024-01-05\", \"amount\": 5, \"new_key\": \"x\"}",
      eur(), "data.jsonl");
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.format, "jsonl");
  EXPECT_EQ(parsed->layout.rows, 7u);
  EXPECT_EQ(parsed->layout.rows_failed, 4u);
  ASSERT_EQ(parsed->records.size(), 3u);
  EXPECT_EQ(parsed->records[0].line, 1u);
  EXPECT_EQ(parsed->records[1].line, 5u);
  EXPECT_EQ(parsed->records[1].amount_minor, 200);
  EXPECT_EQ(parsed->records[2].line, 9u);
  EXPECT_EQ(parsed->records[2].extra_json, R"({"new_key":"x"})");
  ASSERT_EQ(parsed->errors.size(), 4u);
  EXPECT_EQ(parsed->errors[0].line, 4u);
  EXPECT_EQ(parsed->errors[0].column, "");
  EXPECT_EQ(parsed->errors[0].reason, "the line is not a JSON object");
  EXPECT_EQ(parsed->errors[1].line, 6u);
  EXPECT_TRUE(contains(parsed->errors[1].reason, "not valid JSON")) << parsed->errors[1].reason;
  EXPECT_EQ(parsed->errors[2].line, 7u);
  EXPECT_TRUE(contains(parsed->errors[2].reason, "'amount' appears twice"));
  EXPECT_EQ(parsed->errors[3].line, 8u);
}

TEST_F(FileParserTest, FilesLargerThanOneReadChunk) {
  // Elements and rows straddle the 1 MiB read chunks; one element alone is larger than a chunk.
  const std::string big(1'500'000, 'x');
  std::string array = "[\n", lines, csv = "id,amount,memo\n";
  std::int64_t expected_sum = 0;
  for (int i = 0; i < 5'000; ++i) {
    const std::string memo = i == 2'345 ? big : std::string(static_cast<std::size_t>(i % 97), 'm');
    const std::string object = "{\"id\": \"" + std::to_string(i) +
                               "\", \"amount\": " + std::to_string(i) + ".25, \"memo\": \"" + memo +
                               "\"}";
    array += (i == 0 ? "" : ",\n") + object;
    lines += object + "\n";
    // A CSV field may not exceed 1 MiB (the reader's limit).
    csv +=
        std::to_string(i) + "," + std::to_string(i) + ".25,\"" + memo.substr(0, 900'000) + "\"\n";
    expected_sum += i * 100 + 25;
  }
  array += "\n]\n";
  ParseSettings settings = eur();
  for (const auto& [text, name] :
       {std::pair{array, "big.json"}, std::pair{lines, "big.jsonl"}, std::pair{csv, "big.csv"}}) {
    SCOPED_TRACE(name);
    ParseSettings s = settings;
    if (std::string(name) == "big.csv") s.mapping.columns.description = "memo";
    auto parsed = parse(text, s, name, 4096);
    ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
    EXPECT_EQ(parsed->layout.rows, 5'000u);
    EXPECT_EQ(parsed->layout.rows_failed, 0u);
    ASSERT_EQ(parsed->records.size(), 5'000u);
    std::int64_t sum = 0;
    for (const auto& r : parsed->records) sum += r.amount_minor;
    EXPECT_EQ(sum, expected_sum);
    EXPECT_EQ(parsed->records[2'345].external_id, "2345");
    EXPECT_EQ(parsed->records.back().line,
              std::string(name) == "big.json" ? 5'001u : 5'000u + (std::string(name) == "big.csv"));
  }
}

TEST_F(FileParserTest, JsonThatIsNotObjectsOrNotValidFailsTheFile) {
  EXPECT_TRUE(contains(failure("[1, 2, 3]", {}, "x.json"), "no JSON objects"));
  EXPECT_TRUE(contains(failure("{\n  \"amount\": 1\n}\n", {}, "x.json"), "no JSON objects"));
  std::string truncated = failure("[{\"amount\": \"1\"},\n{\"amount\": \"2\"", eur(), "x.json");
  EXPECT_TRUE(contains(truncated, "line 2")) << truncated;
  EXPECT_TRUE(contains(truncated, "truncated")) << truncated;
  EXPECT_TRUE(contains(failure("[{\"amount\": 1}] trailing", eur(), "x.json"), "after the end"));
  EXPECT_TRUE(contains(failure("[{\"amount\": 1},]", eur(), "x.json"), "unexpected ']'"));
  EXPECT_TRUE(contains(failure("[{\"amount\": 1} {\"amount\": 2}]", eur(), "x.json"), "','"));
  const std::string syntax = failure("[{\"amount\": 1},\n\n{\"amount\": tru}]", eur(), "x.json");
  EXPECT_TRUE(contains(syntax, "line 3")) << syntax;
  EXPECT_TRUE(contains(syntax, "not valid JSON")) << syntax;
  std::string deep = "[{\"amount\": 1, \"x\": ";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}]";
  EXPECT_TRUE(contains(failure(deep, eur(), "x.json"), "line 1"));
}

TEST_F(FileParserTest, JsonArrayElementsThatAreNotObjectsAreRowErrors) {
  auto parsed =
      parse("[{\"amount\": \"1\"}, \"oops\", 3, [4], {\"amount\": \"5\"}]", eur(), "x.json");
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.rows, 5u);
  EXPECT_EQ(parsed->layout.rows_failed, 3u);
  ASSERT_EQ(parsed->errors.size(), 3u);
  EXPECT_EQ(parsed->errors[0].value, "\"oops\"");
  EXPECT_EQ(parsed->errors[2].value, "[4]");
  EXPECT_EQ(parsed->records.back().amount_minor, 500);
}

TEST_F(FileParserTest, ABracketHeaderIsStillCsv) {
  auto parsed = parse("[Date],[Amount]\n2024-01-01,1.00\n", eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.format, "csv");
  EXPECT_EQ(parsed->records[0].amount_minor, 100);
  EXPECT_EQ(iso(parsed->records[0]), "2024-01-01");
}

// --- Dates --------------------------------------------------------------------------------------

TEST_F(FileParserTest, AmbiguousDatesAskForTheFormat) {
  const std::string csv = "date,amount\n01/02/2024,1\n03/04/2024,2\n12/11/2024,3\n";
  const std::string error = failure(csv, eur());
  EXPECT_TRUE(contains(error, "column_mapping.date_format")) << error;
  EXPECT_TRUE(contains(error, "dd/mm/yyyy")) << error;
  EXPECT_TRUE(contains(error, "line 2")) << error;
  ParseSettings day_first = eur();
  day_first.mapping.date_format = DateFormat::kDayFirst;
  auto parsed = parse(csv, day_first);
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(iso(parsed->records[0]), "2024-02-01");
  ParseSettings month_first = eur();
  month_first.mapping.date_format = DateFormat::kMonthFirst;
  auto us = parse(csv, month_first);
  ASSERT_TRUE(us.ok());
  EXPECT_EQ(iso(us->records[0]), "2024-01-02");
}

TEST_F(FileParserTest, DatesMixingBothOrdersFail) {
  const std::string error = failure("date,amount\n13/01/2024,1\n01/13/2024,2\n", eur());
  EXPECT_TRUE(contains(error, "line 2")) << error;
  EXPECT_TRUE(contains(error, "line 3")) << error;
  EXPECT_TRUE(contains(error, "column_mapping.date_format")) << error;
}

TEST_F(FileParserTest, MonthFirstIsDecidedByTheWholeColumn) {
  std::string csv = "date,amount\n";
  for (int i = 0; i < 3000; ++i) csv += "01/02/2024,1\n";
  csv += "02/13/2024,2\n";  // the only evidence, on the last line
  auto parsed = parse(csv, eur(), "upload.csv", 1000);
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.date_order, DateOrder::kMonthDayYear);
  EXPECT_EQ(iso(parsed->records.front()), "2024-01-02");
  EXPECT_EQ(iso(parsed->records.back()), "2024-02-13");
}

TEST_F(FileParserTest, UnambiguousDateFormats) {
  auto quoted = parse(
      "date,amount\n"
      "2024-03-05,1\n"
      "2024-03-05T10:00:00Z,1\n"
      "20240305,1\n"
      "5 Mar 2024,1\n"
      "\"March 5, 2024\",1\n",
      eur());
  ASSERT_TRUE(quoted.ok()) << text_of(quoted.error());
  EXPECT_EQ(quoted->layout.date_order, DateOrder::kYearMonthDay);
  for (const auto& r : quoted->records) EXPECT_EQ(iso(r), "2024-03-05") << r.line;
  auto dotted = parse("date;amount\n05.03.2024;1\n31.12.2024;2\n", eur());
  ASSERT_TRUE(dotted.ok());
  EXPECT_EQ(iso(dotted->records[0]), "2024-03-05");
}

TEST_F(FileParserTest, DottedDatesAreDayFirstByConvention) {
  auto dotted = parse("date;amount\n05.03.2024;1\n01.02.2024;2\n", eur());
  ASSERT_TRUE(dotted.ok()) << text_of(dotted.error());
  EXPECT_EQ(dotted->layout.date_order, DateOrder::kDayMonthYear);
  EXPECT_EQ(iso(dotted->records[0]), "2024-03-05");
  // One ambiguous slashed date is enough to ask.
  EXPECT_TRUE(contains(failure("date;amount\n05.03.2024;1\n01/02/2024;2\n", eur()), "line 3"));
  // Month-first evidence still wins (and reads the dotted ones month-first).
  auto us = parse("date;amount\n05.03.2024;1\n01.13.2024;2\n", eur());
  ASSERT_TRUE(us.ok());
  EXPECT_EQ(us->layout.date_order, DateOrder::kMonthDayYear);
}

TEST_F(FileParserTest, BadAndEmptyDatesAreRowErrors) {
  auto parsed = parse(
      "date,amount\n2024-01-01,1\n,2\n2024-02-30,3\nyesterday,4\n31/04/2024,5\n13/01/2024,6\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_EQ(parsed->layout.date_order, DateOrder::kDayMonthYear);
  ASSERT_EQ(parsed->records.size(), 2u);
  ASSERT_EQ(parsed->errors.size(), 4u);
  EXPECT_EQ(parsed->errors[0].reason, "the date is empty");
  EXPECT_EQ(parsed->errors[0].column, "date");
  EXPECT_EQ(parsed->errors[1].reason, "day 30 does not exist in February");
  EXPECT_EQ(parsed->errors[2].value, "yesterday");
  EXPECT_EQ(parsed->errors[3].reason, "day 31 does not exist in April (read as day/month/year)");
}

TEST_F(FileParserTest, YearFirstSettingRejectsNumericDates) {
  ParseSettings settings = eur();
  settings.mapping.date_format = DateFormat::kIso;
  auto parsed = parse("date,amount\n2024-01-01,1\n01/02/2024,2\n", settings);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->errors.size(), 1u);
  EXPECT_TRUE(contains(parsed->errors[0].reason, "column_mapping.date_format"));
}

TEST_F(FileParserTest, NoDateColumnMeansNoDates) {
  auto parsed = parse("amount,memo\n1.00,x\n", eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  EXPECT_FALSE(parsed->records[0].date_days.has_value());
}

// --- Currencies ---------------------------------------------------------------------------------

TEST_F(FileParserTest, CurrencyScales) {
  auto parsed = parse(
      "date,amount,currency\n"
      "2024-01-01,\"1,234\",JPY\n"
      "2024-01-02,1.234,KWD\n"
      "2024-01-03,1.23,EUR\n"
      "2024-01-04,12.50,JPY\n"
      "2024-01-05,1.2345,KWD\n"
      "2024-01-06,5,bhd\n");
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  std::vector<std::int64_t> amounts;
  for (const auto& r : parsed->records) amounts.push_back(r.amount_minor);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{1234, 1234, 123, 5000}));
  EXPECT_EQ(parsed->records.back().currency, "BHD");
  ASSERT_EQ(parsed->errors.size(), 2u);
  EXPECT_EQ(parsed->errors[0].reason, "has more than 0 decimal places (JPY has 0)");
  EXPECT_EQ(parsed->errors[1].reason, "has more than 3 decimal places (KWD has 3)");
}

TEST_F(FileParserTest, CurrencyComesFromTheColumnTheAmountOrTheDefault) {
  const std::string csv =
      "date,amount,currency\n"
      "2024-01-01,1.00,usd\n"
      "2024-01-02,2.00,\n"
      "2024-01-03,3.00 GBP,\n"
      "2024-01-04,4.00 GBP,EUR\n"
      "2024-01-05,5.00,EURO\n"
      "2024-01-06,$6.00,CHF\n";
  auto without_default = parse(csv);
  ASSERT_TRUE(without_default.ok()) << text_of(without_default.error());
  ASSERT_EQ(without_default->errors.size(), 3u);
  EXPECT_EQ(without_default->errors[0].line, 3u);
  EXPECT_EQ(without_default->errors[0].column, "currency");
  EXPECT_TRUE(contains(without_default->errors[0].reason, "column_mapping.default_currency"));
  EXPECT_EQ(without_default->errors[1].reason, "is in GBP but the row's currency is EUR");
  EXPECT_EQ(without_default->errors[1].column, "amount");
  EXPECT_EQ(without_default->errors[2].value, "EURO");

  auto with_default = parse(csv, eur());
  ASSERT_TRUE(with_default.ok());
  std::vector<std::string> currencies;
  for (const auto& r : with_default->records) currencies.push_back(r.currency);
  EXPECT_EQ(currencies, (std::vector<std::string>{"USD", "EUR", "GBP", "CHF"}));

  auto no_column = parse("amount\n1.00\n");
  ASSERT_TRUE(no_column.ok());
  ASSERT_EQ(no_column->errors.size(), 1u);
  EXPECT_EQ(no_column->errors[0].column, "");
  EXPECT_EQ(no_column->errors[0].reason,
            "the file has no currency column; set column_mapping.default_currency");
}

// --- Mapping ------------------------------------------------------------------------------------

TEST_F(FileParserTest, SettingsOverrideTheAliases) {
  const std::string csv =
      "Amount,Betrag,Buchung,Wert,Text\n"
      "99.99,\"1.234,50\",05.03.2024,2024-01-01,Miete\n";
  ParseSettings settings = eur();
  settings.mapping.columns.amount = "Betrag";
  settings.mapping.columns.date = "buchung";  // matched after normalisation
  settings.mapping.columns.description = " Text ";
  auto parsed = parse(csv, settings);
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  ASSERT_EQ(parsed->records.size(), 1u);
  EXPECT_EQ(parsed->records[0].amount_minor, 123450);
  EXPECT_EQ(iso(parsed->records[0]), "2024-03-05");
  EXPECT_EQ(parsed->records[0].description, "Miete");
  EXPECT_EQ(parsed->records[0].extra_json, R"({"Amount":"99.99","Wert":"2024-01-01"})");
  const auto& mapping = parsed->layout.mapping;
  EXPECT_NE(std::find(mapping.begin(), mapping.end(),
                      std::pair<std::string, std::string>{"amount", "Betrag"}),
            mapping.end());
  EXPECT_NE(std::find(mapping.begin(), mapping.end(),
                      std::pair<std::string, std::string>{"date", "Buchung"}),
            mapping.end());
}

TEST_F(FileParserTest, ANamedColumnThatIsNotInTheFileFails) {
  ParseSettings settings = eur();
  settings.mapping.columns.amount = "Betrag";
  settings.mapping.columns.reference = "Ref";
  auto parsed = parse("date,amount\n2024-01-01,1\n", settings);
  ASSERT_FALSE(parsed.ok());
  const Error& e = parsed.error();
  EXPECT_EQ(e.code(), ErrorCode::kValidation);
  ASSERT_EQ(e.field_errors().size(), 2u);
  EXPECT_EQ(e.field_errors()[0].field, "column_mapping.columns.amount");
  EXPECT_EQ(e.field_errors()[0].message, "the file has no column 'Betrag'");
  EXPECT_EQ(e.field_errors()[1].field, "column_mapping.columns.reference");
}

TEST_F(FileParserTest, NamedDebitAndCredit) {
  ParseSettings settings = eur();
  settings.mapping.columns.debit = "Out";
  settings.mapping.columns.credit = "In";
  auto parsed = parse("amount,Out,In\n5,1.00,\n5,,2.00\n", settings);
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[0].amount_minor, -100);
  EXPECT_EQ(parsed->records[1].amount_minor, 200);
  EXPECT_EQ(parsed->records[0].extra_json, R"({"amount":"5"})");
}

TEST_F(FileParserTest, ExtraJsonHoldsTheUnmappedColumnsEscaped) {
  auto parsed = parse(
      "date,amount,Note \"A\",,Branch\n"
      "2024-01-01,1,\"line1\nline2\\\",,Main\n"
      "2024-01-02,2,,x,\n",
      eur());
  ASSERT_TRUE(parsed.ok()) << text_of(parsed.error());
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[0].extra_json, R"({"Note \"A\"":"line1\nline2\\","Branch":"Main"})");
  EXPECT_EQ(parsed->records[1].extra_json, R"({"Note \"A\"":"","column 4":"x","Branch":""})");
  auto none = parse("date,amount\n2024-01-01,1\n", eur());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->records[0].extra_json, "{}");
}

// --- Errors, limits and passes ------------------------------------------------------------------

TEST_F(FileParserTest, MaxErrorsKeptBoundsTheListNotTheCount) {
  std::string csv = "date,amount\n";
  for (int i = 0; i < 50; ++i) csv += "2024-01-01,bad" + std::to_string(i) + "\n";
  csv += "2024-01-02,1\n";
  ParseSettings settings = eur();
  settings.max_errors_kept = 10;
  auto parsed = parse(csv, settings);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->layout.rows, 51u);
  EXPECT_EQ(parsed->layout.rows_failed, 50u);
  ASSERT_EQ(parsed->errors.size(), 10u);
  EXPECT_EQ(parsed->errors[9].line, 11u);
  EXPECT_EQ(parsed->records.size(), 1u);
}

TEST_F(FileParserTest, LongValuesAreCutInErrorsOnACharacterBoundary) {
  std::string value;
  for (int i = 0; i < 150; ++i) value += "\xC3\xA9";  // 300 bytes
  auto parsed = parse("date,amount\n2024-01-01," + value + "\n", eur());
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->errors.size(), 1u);
  EXPECT_EQ(parsed->errors[0].value.size(), 200u);
  EXPECT_EQ(parsed->errors[0].value, value.substr(0, 200));
}

TEST_F(FileParserTest, TooManyRowsFail) {
  ParseSettings settings = eur();
  settings.max_records = 3;
  EXPECT_TRUE(contains(failure("amount\n1\n2\n3\n4\n", settings), "more than 3 rows"));
  EXPECT_TRUE(parse("amount\n1\n2\n3\n", settings).ok());
}

TEST_F(FileParserTest, ReadRecordsYieldsWhatAnalyseCountedInBatches) {
  std::string csv = "id,date,amount,memo\n";
  for (int i = 0; i < 2500; ++i) {
    csv += "T" + std::to_string(i) + ",2024-01-" + (i % 7 == 0 ? "40" : "01") + "," +
           std::to_string(i) + ".5,m\n";
  }
  const std::string path = write(csv);
  auto parser = FileParser::open(path, "a.csv", "text/csv", eur());
  ASSERT_TRUE(parser.ok());
  std::vector<double> fractions;
  auto layout = (*parser)->analyse([&](double f) { fractions.push_back(f); });
  ASSERT_TRUE(layout.ok()) << text_of(layout.error());
  ASSERT_FALSE(fractions.empty());
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  EXPECT_EQ(layout->rows, 2500u);
  EXPECT_EQ(layout->rows_failed, 358u);
  EXPECT_EQ((*parser)->errors().size(), 358u);
  for (std::size_t batch_size : {1000u, 1u, 5000u}) {
    std::vector<std::size_t> sizes;
    std::vector<std::string> ids;
    Status read = (*parser)->read_records(batch_size, [&](std::span<const ParsedRecord> batch) {
      sizes.push_back(batch.size());
      for (const auto& r : batch) ids.push_back(r.external_id);
      return OkStatus();
    });
    ASSERT_TRUE(read.ok()) << read.error().message();
    EXPECT_EQ(ids.size(), 2142u);
    EXPECT_EQ(ids.front(), "T1");
    EXPECT_EQ(ids.back(), "T2498");  // 2499 is a multiple of 7: a bad date
    if (batch_size == 1000) {
      EXPECT_EQ(sizes, (std::vector<std::size_t>{1000, 1000, 142}));
    }
  }
  // The sink's error stops the pass and is returned.
  int calls = 0;
  Status stopped = (*parser)->read_records(100, [&](std::span<const ParsedRecord>) {
    ++calls;
    return Status(Error::Unavailable("store down"));
  });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(calls, 1);
}

TEST_F(FileParserTest, ReadRecordsNeedsAnalyse) {
  auto parser = FileParser::open(write("amount\n1\n"), "a.csv", "", eur());
  ASSERT_TRUE(parser.ok());
  Status read =
      (*parser)->read_records(10, [](std::span<const ParsedRecord>) { return OkStatus(); });
  EXPECT_FALSE(read.ok());
}

// --- Preview ------------------------------------------------------------------------------------

TEST_F(FileParserTest, PreviewShowsRawCellsRecordsAndErrors) {
  const std::string path = write(
      "Date;Amount;Memo\n"
      "05.03.2024;1,50;  spaced  \n"
      "06.03.2024;oops;x\n"
      "07.03.2024;2,00\n"
      "08.03.2024;3,00;later\n");
  auto preview = preview_file(path, "a.csv", "text/csv", eur(), 3);
  ASSERT_TRUE(preview.ok()) << text_of(preview.error());
  EXPECT_EQ(preview->layout.format, "csv");
  EXPECT_EQ(preview->layout.delimiter, ';');
  EXPECT_EQ(preview->layout.decimal_separator, DecimalSeparator::kComma);
  EXPECT_EQ(preview->layout.rows, 3u);
  EXPECT_EQ(preview->layout.rows_failed, 2u);
  ASSERT_EQ(preview->rows.size(), 3u);
  const PreviewRow& first = preview->rows[0];
  EXPECT_EQ(first.line, 2u);
  EXPECT_EQ(first.cells, (std::vector<std::string>{"05.03.2024", "1,50", "  spaced  "}));
  ASSERT_TRUE(first.record.has_value());
  EXPECT_EQ(first.record->amount_minor, 150);
  EXPECT_EQ(first.record->description, "spaced");
  EXPECT_FALSE(preview->rows[1].record.has_value());
  ASSERT_EQ(preview->rows[1].errors.size(), 1u);
  EXPECT_EQ(preview->rows[1].errors[0].column, "Amount");
  EXPECT_EQ(preview->rows[2].cells, (std::vector<std::string>{"07.03.2024", "2,00", ""}));
  EXPECT_EQ(preview->rows[2].errors[0].column, "");
}

TEST_F(FileParserTest, PreviewWithUndecidableDatesShowsWhyInsteadOfFailing) {
  const std::string path = write("date,amount\n01/02/2024,1\n2024-05-06,2\n");
  auto preview = preview_file(path, "a.csv", "", eur());
  ASSERT_TRUE(preview.ok()) << text_of(preview.error());
  ASSERT_EQ(preview->rows.size(), 2u);
  EXPECT_FALSE(preview->rows[0].record.has_value());
  EXPECT_TRUE(contains(preview->rows[0].errors.at(0).reason, "column_mapping.date_format"));
  ASSERT_TRUE(preview->rows[1].record.has_value());
}

TEST_F(FileParserTest, PreviewOfJsonPadsCellsToTheKeysSeen) {
  const std::string path = write(
      "{\"amount\": 1, \"a\": \"x\"}\n{\"amount\": 2, \"b\": {\"n\": 1}}\n{\"amount\": 3, \"c\": "
      "1}\n",
      "p.jsonl");
  auto preview = preview_file(path, "p.jsonl", "application/x-ndjson", eur(), 2);
  ASSERT_TRUE(preview.ok()) << text_of(preview.error());
  EXPECT_EQ(preview->layout.format, "jsonl");
  EXPECT_EQ(preview->layout.header, (std::vector<std::string>{"amount", "a", "b"}));
  ASSERT_EQ(preview->rows.size(), 2u);
  EXPECT_EQ(preview->rows[0].cells, (std::vector<std::string>{"1", "x", ""}));
  EXPECT_EQ(preview->rows[1].cells, (std::vector<std::string>{"2", "", R"({"n":1})"}));
  ASSERT_TRUE(preview->rows[1].record.has_value());
  EXPECT_EQ(preview->rows[1].record->extra_json, R"({"b":"{\"n\":1}"})");
}

TEST_F(FileParserTest, PreviewOfANonTableFails) {
  const std::string path = write("\0\0\0\0"s);
  auto preview = preview_file(path, "a.csv", "", {});
  ASSERT_FALSE(preview.ok());
  EXPECT_EQ(field_of(preview.error()), "file");
}

}  // namespace
}  // namespace oeuvre::ingest
