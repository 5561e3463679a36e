// Tests of src/ingest/column_mapping and record_loader (kept with the CSV tests: ingestion front
// end).
#include "ingest/record_loader.h"

#include <gtest/gtest.h>

namespace oeuvre::ingest {
namespace {

Result<LoadedRecords> load_text(const std::string& text, LoadOptions options = {}) {
  auto reader = csv::CsvReader::open(std::make_unique<csv::MemoryByteSource>(text));
  if (!reader.ok()) return reader.error();
  return load_records(**reader, options);
}

TEST(ColumnMapping, FindsAliases) {
  std::vector<std::string_view> header{"Booking Date", "Value Date", "Details", "Payee", "Ref.",
                                       "Debit",        "Credit",     "CCY",     "Branch"};
  auto m = map_columns(header);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->date, 0u);
  EXPECT_EQ(m->description, 2u);
  EXPECT_EQ(m->counterparty, 3u);
  EXPECT_EQ(m->reference, 4u);
  EXPECT_EQ(m->debit, 5u);
  EXPECT_EQ(m->credit, 6u);
  EXPECT_EQ(m->currency, 7u);
  EXPECT_EQ(m->extras, (std::vector<std::size_t>{1, 8}));
  EXPECT_EQ(normalize_header("  Booking Date "), "booking_date");
}

TEST(ColumnMapping, ErrorsNameTheProblem) {
  std::vector<std::string_view> no_amount{"date", "memo"};
  auto m = map_columns(no_amount);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().field_errors()[0].field, "header");
  EXPECT_NE(m.error().field_errors()[0].message.find("found: date, memo"), std::string::npos);
  std::vector<std::string_view> twice{"amount", "Amount"};
  EXPECT_FALSE(map_columns(twice).ok());
}

TEST(ColumnMapping, NamedColumnsComeFirst) {
  std::vector<std::string_view> header{"Amount", "Betrag", " Datum ", "Dr/Cr", "Notes"};
  NamedColumns named;
  named.amount = "Betrag";
  named.date = "datum";  // normalized match
  auto m = map_columns(header, named);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->amount, 1u);
  EXPECT_EQ(m->date, 2u);
  EXPECT_EQ(m->credit_debit_indicator, 3u);
  EXPECT_EQ(m->extras, (std::vector<std::size_t>{0, 4}));

  NamedColumns missing;
  missing.amount = "Value (EUR)";
  missing.credit_debit_indicator = "Sign";
  auto bad = map_columns(header, missing);
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().field_errors().size(), 2u);
  EXPECT_EQ(bad.error().field_errors()[0].field, "column_mapping.columns.amount");
  EXPECT_EQ(bad.error().field_errors()[0].message, "the file has no column 'Value (EUR)'");
  EXPECT_EQ(bad.error().field_errors()[1].field, "column_mapping.columns.credit_debit_indicator");

  std::vector<std::string_view> pair{"Out", "In", "Debit"};
  NamedColumns out_only;
  out_only.debit = "Out";
  auto half = map_columns(pair, out_only);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().field_errors()[0].field, "column_mapping.columns.credit");
  NamedColumns both;
  both.debit = "Out";
  both.credit = "In";
  auto ok = map_columns(pair, both);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->amount.has_value());
  EXPECT_FALSE(ok->credit_debit_indicator.has_value());
  EXPECT_EQ(ok->extras, (std::vector<std::size_t>{2}));
}

TEST(RecordLoader, AppliesTheIndicatorColumn) {
  auto loaded = load_text("date,amount,dr_cr\n2024-01-01,5.00,DR\n2024-01-02,7.00,CR\n");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->table.amounts, (std::vector<std::int64_t>{-500, 700}));
  auto bad = load_text("date,amount,dr_cr\n2024-01-01,5.00,??\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("column 'dr_cr'"), std::string::npos);
}

TEST(RecordLoader, LoadsAndDecidesFormatsFromTheData) {
  auto loaded = load_text(
      "Date;Amount;Memo;Ref\n"
      "01.02.2024;1.234,50;Rent;R-1\n"
      "13.02.2024;-7,00;Fee;\n");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  const engine::RecordTable& t = loaded->table;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(loaded->delimiter, ';');
  EXPECT_EQ(loaded->decimal_separator, DecimalSeparator::kComma);
  EXPECT_EQ(loaded->date_order, DateOrder::kDayMonthYear);
  EXPECT_EQ(t.amounts, (std::vector<std::int64_t>{123450, -700}));
  EXPECT_EQ(engine::format_iso_date(t.dates[0]), "2024-02-01");
  EXPECT_EQ(t.ids[0], "2");  // no id column: the line number
  EXPECT_EQ(t.references[0], "R-1");
  EXPECT_TRUE(t.has_reference);
  EXPECT_FALSE(t.has_counterparty);
}

TEST(RecordLoader, DebitAndCreditColumns) {
  auto loaded = load_text("id,date,debit,credit\nA,2024-01-01,10.00,\nB,2024-01-02,,5.50\n");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->table.amounts, (std::vector<std::int64_t>{-1000, 550}));
  EXPECT_EQ(loaded->table.ids[1], "B");
  EXPECT_FALSE(loaded->table.has_reference);  // ids are not references
}

TEST(RecordLoader, ErrorsNameLineAndColumn) {
  auto bad_amount = load_text("date,amount\n2024-01-01,1.00\n2024-01-02,12x\n");
  ASSERT_FALSE(bad_amount.ok());
  EXPECT_NE(bad_amount.error().message().find("line 3, column 'amount'"), std::string::npos);
  auto bad_date = load_text("date,amount\n2024-02-30,1.00\n");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.error().message().find("line 2, column 'date'"), std::string::npos);
  auto too_many = load_text("date,amount\n2024-02-01,1.00,extra\n");
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(load_text("").ok());
  LoadOptions small;
  small.max_records = 1;
  EXPECT_FALSE(load_text("amount\n1\n2\n", small).ok());
}

}  // namespace
}  // namespace oeuvre::ingest
