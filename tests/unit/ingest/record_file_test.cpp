// read_record_file: a file read through FileParser into the engine's table, as `oeuvre reconcile`
// and the engine cases read it.
#include "ingest/record_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace oeuvre::ingest {
namespace {

namespace fs = std::filesystem;

class RecordFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("oeuvre-record-file-test-" + std::to_string(random()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Reads `text` as a file named `name`, as oeuvre reconcile does by default (scale 2 without a
  // currency) with `settings` on top.
  Result<RecordFile> read(std::string_view text, ParseSettings settings = offline(),
                          const engine::RuleSet& rules = engine::default_rules(),
                          const std::string& name = "file.csv") {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return read_record_file(path.string(), settings, rules, true);
  }

  static ParseSettings offline() {
    ParseSettings settings;
    settings.unknown_currency_scale = 2;
    return settings;
  }

  fs::path dir_;
};

TEST_F(RecordFileTest, DecidesFormatsFromTheDataAndNumbersLinesWithoutAnIdColumn) {
  auto file = read(
      "Date;Amount;Memo;Ref\n"
      "01.02.2024;1.234,50;Rent;R-1\n"
      "13.02.2024;-7,00;Fee;\n");
  ASSERT_TRUE(file.ok()) << file.error().message();
  const engine::RecordTable& t = file->table;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(file->layout.delimiter, ';');
  EXPECT_EQ(file->layout.decimal_separator, DecimalSeparator::kComma);
  EXPECT_EQ(file->layout.date_order, DateOrder::kDayMonthYear);
  EXPECT_EQ(t.amounts, (std::vector<std::int64_t>{123450, -700}));
  EXPECT_EQ(format_iso_date(t.dates[0]), "2024-02-01");
  EXPECT_EQ(t.ids[0], "2");  // no id column: the line number
  EXPECT_EQ(file->lines, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(t.references[0], "R-1");
  EXPECT_TRUE(t.has_reference);
  EXPECT_FALSE(t.has_counterparty);
  EXPECT_FALSE(t.has_currency);
  EXPECT_EQ(t.amount_scale, 2);
  // Rules may name a standard field by its header.
  const std::vector<std::pair<std::string, std::string>> expected_names = {
      {"Date", "date"}, {"Amount", "amount"}, {"Ref", "reference"}, {"Memo", "description"}};
  for (const auto& name : expected_names) {
    EXPECT_NE(std::find(t.column_names.begin(), t.column_names.end(), name), t.column_names.end())
        << name.first;
  }
}

TEST_F(RecordFileTest, IdsIndicatorsAndDebitCreditColumns) {
  auto indicator = read("id,date,amount,dr_cr\nA,2024-01-01,5.00,DR\nB,2024-01-02,7.00,CR\n");
  ASSERT_TRUE(indicator.ok()) << indicator.error().message();
  EXPECT_EQ(indicator->table.amounts, (std::vector<std::int64_t>{-500, 700}));
  EXPECT_EQ(indicator->table.ids[1], "B");
  auto pair = read("id,date,debit,credit\nA,2024-01-01,10.00,\nB,2024-01-02,,5.50\n");
  ASSERT_TRUE(pair.ok()) << pair.error().message();
  EXPECT_EQ(pair->table.amounts, (std::vector<std::int64_t>{-1000, 550}));
  EXPECT_FALSE(pair->table.has_reference);  // ids are not references
}

TEST_F(RecordFileTest, CurrenciesSetTheScaleAndTheMappingAppliesAsOnTheServer) {
  auto yen = read("date,amount,currency\n2024-01-01,1500,JPY\n");
  ASSERT_TRUE(yen.ok()) << yen.error().message();
  EXPECT_EQ(yen->table.amounts[0], 1500);
  EXPECT_EQ(yen->table.amount_scale, 0);
  EXPECT_TRUE(yen->table.has_currency);

  ParseSettings settings = offline();
  settings.mapping.default_currency = "KWD";
  settings.mapping.columns.amount = "Betrag";
  settings.mapping.date_format = DateFormat::kMonthFirst;
  auto mapped = read("Datum,Betrag,Amount\n02/01/2024,1.5,9\n", settings);
  ASSERT_TRUE(mapped.ok()) << mapped.error().message();
  EXPECT_EQ(mapped->table.amounts[0], 1500);
  EXPECT_EQ(mapped->table.currencies[0], "KWD");
  EXPECT_EQ(format_iso_date(mapped->table.dates[0]), "2024-02-01");

  ParseSettings server_like;  // no scale for rows without a currency: they are errors
  auto strict = read("date,amount\n2024-01-01,1.00\n", server_like);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->table.size(), 0u);
  EXPECT_EQ(strict->layout.rows_failed, 1u);
}

TEST_F(RecordFileTest, BadRowsAreLeftOutAndReportedUnlessAllOrNothing) {
  const std::string text = "date,amount\n2024-01-01,1.00\n2024-01-02,12x\n2024-02-30,1.00\n";
  auto file = read(text);
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->table.size(), 1u);
  EXPECT_EQ(file->layout.rows, 3u);
  EXPECT_EQ(file->layout.rows_failed, 2u);
  ASSERT_EQ(file->errors.size(), 2u);
  EXPECT_EQ(file->errors[0].line, 3u);
  EXPECT_EQ(file->errors[0].column, "amount");
  EXPECT_EQ(file->errors[1].column, "date");

  ParseSettings strict = offline();
  strict.mapping.all_or_nothing = true;
  auto refused = read(text, strict);
  ASSERT_FALSE(refused.ok());
  ASSERT_GE(refused.error().field_errors().size(), 3u);
  EXPECT_EQ(refused.error().field_errors()[0].field, "file");
  EXPECT_EQ(refused.error().field_errors()[1].field, "line 3, column 'amount'");

  EXPECT_FALSE(read("").ok());
  ParseSettings small = offline();
  small.max_records = 1;
  EXPECT_FALSE(read("amount\n1\n2\n", small).ok());
}

TEST_F(RecordFileTest, KeepsTheExtraFieldsTheRulesReadFromJsonToo) {
  engine::RuleSet rules = engine::default_rules();
  engine::FieldRule branch;
  branch.name = "branch";
  branch.left_field = "Branch";
  branch.right_field = "branch";
  rules.fields.push_back(branch);
  auto file = read(R"([{"id": "A", "date": "2024-01-01", "amount": 1.5, "Branch": "North", "x": 1},
                       {"id": "B", "date": "2024-01-02", "amount": "2", "Branch": 7}])",
                   offline(), rules, "file.json");
  ASSERT_TRUE(file.ok()) << file.error().message();
  ASSERT_EQ(file->table.extras.size(), 2u);  // and the rules' batch field, which none has
  EXPECT_EQ(file->table.extras[0].name, "branch");
  EXPECT_EQ(file->table.extras[0].text[0], "North");
  EXPECT_EQ(file->table.extras[0].text[1], "7");
  EXPECT_EQ(file->table.extras[1].name, "batch_id");
  EXPECT_EQ(file->table.extras[1].text[0], "");
  EXPECT_EQ(file->table.amounts, (std::vector<std::int64_t>{150, 200}));
  EXPECT_EQ(file->table.ids[0], "A");
}

TEST_F(RecordFileTest, RulesWithoutAnAmountRuleReadFilesWithoutAmounts) {
  auto rules = engine::parse_rules(R"({"fields": [
      {"field": "surname", "compare": "text", "method": "jaro_winkler", "block": true},
      {"field": "date_of_birth", "compare": "date", "typos": true}]})");
  ASSERT_TRUE(rules.ok());
  const std::string people =
      "rec_id,given_name,surname,date_of_birth\n"
      "rec-1-org,katherine,white,19870305\n"
      "rec-2-org,joshua,nguyen,\n";
  ParseSettings settings = offline();
  settings.mapping.columns.external_id = "rec_id";
  auto file = read(people, settings, *rules);
  ASSERT_TRUE(file.ok()) << file.error().message();
  const engine::RecordTable& t = file->table;
  EXPECT_FALSE(t.has_amount);
  EXPECT_FALSE(t.has_date);
  EXPECT_FALSE(file->layout.has_amounts);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.ids[0], "rec-1-org");
  // The rules' fields are extra columns (then the batch field, which none has).
  ASSERT_EQ(t.extras.size(), 3u);
  EXPECT_EQ(t.extras[0].name, "surname");
  EXPECT_EQ(t.extras[0].text[1], "nguyen");
  EXPECT_EQ(t.extras[1].name, "date_of_birth");
  EXPECT_EQ(t.extras[1].text[0], "19870305");
  EXPECT_EQ(t.extras[1].text[1], "");

  // Rules that compare amounts (the default ones) still need an amount column, and say why.
  auto refused = read(people, settings);
  ASSERT_FALSE(refused.ok());
  std::string text;
  for (const FieldError& e : refused.error().field_errors())
    text += e.field + ": " + e.message + "\n";
  EXPECT_NE(text.find("no amount column"), std::string::npos) << text;
  EXPECT_NE(text.find("rules: compare amounts"), std::string::npos) << text;
  // Also when the mapping lets the file have no amounts: the rules still need them.
  settings.mapping.amount_optional = true;
  auto still_refused = read(people, settings);
  ASSERT_FALSE(still_refused.ok());
  EXPECT_EQ(still_refused.error().field_errors().back().field, "rules");
}

}  // namespace
}  // namespace oeuvre::ingest
