// Tests of src/ingest/column_indexes: resolving a header into the columns of the record fields.
#include "ingest/column_indexes.h"

#include <gtest/gtest.h>

namespace oeuvre::ingest {
namespace {

TEST(ColumnIndexes, FindsAliases) {
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

TEST(ColumnIndexes, ErrorsNameTheProblem) {
  std::vector<std::string_view> no_amount{"date", "memo"};
  auto m = map_columns(no_amount);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().field_errors()[0].field, "header");
  EXPECT_NE(m.error().field_errors()[0].message.find("found: date, memo"), std::string::npos);
  std::vector<std::string_view> twice{"amount", "Amount"};
  EXPECT_FALSE(map_columns(twice).ok());
}

TEST(ColumnIndexes, AnAmountColumnIsOptionalWhenNotRequired) {
  // Person records: no amount, no date; every column but the id an extra field.
  std::vector<std::string_view> people{"id", "given_name", "surname", "date_of_birth",
                                       "Dr", "soc_sec_id"};
  auto m = map_columns(people, MappedColumns{}, false);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->id, 0u);
  EXPECT_FALSE(m->amount);
  EXPECT_FALSE(m->date);
  // A lone debit ("Dr": a title) without credit is no amount: an extra column like the others.
  EXPECT_FALSE(m->debit);
  EXPECT_EQ(m->extras, (std::vector<std::size_t>{1, 2, 3, 4, 5}));
  // Required (the default) it is the error it always was.
  EXPECT_FALSE(map_columns(people).ok());
  // A named half of a debit/credit pair is an error either way.
  MappedColumns debit_only;
  debit_only.debit = "Dr";
  auto half = map_columns(people, debit_only, false);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().field_errors()[0].field, "column_mapping.columns.credit");
}

TEST(ColumnIndexes, MappedColumnsComeFirst) {
  std::vector<std::string_view> header{"Amount", "Betrag", " Datum ", "Dr/Cr", "Notes"};
  MappedColumns named;
  named.amount = "Betrag";
  named.date = "datum";  // normalized match
  auto m = map_columns(header, named);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->amount, 1u);
  EXPECT_EQ(m->date, 2u);
  EXPECT_EQ(m->credit_debit_indicator, 3u);
  EXPECT_EQ(m->extras, (std::vector<std::size_t>{0, 4}));

  MappedColumns missing;
  missing.amount = "Value (EUR)";
  missing.credit_debit_indicator = "Sign";
  auto bad = map_columns(header, missing);
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().field_errors().size(), 2u);
  EXPECT_EQ(bad.error().field_errors()[0].field, "column_mapping.columns.amount");
  EXPECT_EQ(bad.error().field_errors()[0].message, "the file has no column 'Value (EUR)'");
  EXPECT_EQ(bad.error().field_errors()[1].field, "column_mapping.columns.credit_debit_indicator");

  std::vector<std::string_view> pair{"Out", "In", "Debit"};
  MappedColumns out_only;
  out_only.debit = "Out";
  auto half = map_columns(pair, out_only);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().field_errors()[0].field, "column_mapping.columns.credit");
  MappedColumns both;
  both.debit = "Out";
  both.credit = "In";
  auto ok = map_columns(pair, both);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->amount.has_value());
  EXPECT_FALSE(ok->credit_debit_indicator.has_value());
  EXPECT_EQ(ok->extras, (std::vector<std::size_t>{2}));
}

}  // namespace
}  // namespace oeuvre::ingest
