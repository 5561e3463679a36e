// ColumnMapping: strict validation with exact field paths, and a canonical JSON form that
// round-trips.
#include "ingest/column_mapping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace oeuvre::ingest {
namespace {

namespace json = boost::json;

json::value parse(std::string_view text) { return json::parse(text); }

std::vector<std::string> fields_of(const Result<ColumnMapping>& result) {
  std::vector<std::string> out;
  if (result.ok()) return out;
  for (const auto& e : result.error().field_errors()) out.push_back(e.field);
  return out;
}

// Expects a kValidation failure naming `field`.
void expect_error(std::string_view text, const std::string& field) {
  SCOPED_TRACE(std::string(text));
  auto result = parse_column_mapping(parse(text));
  ASSERT_FALSE(result.ok()) << "accepted";
  EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
  const auto fields = fields_of(result);
  EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end())
      << "no error for " << field << "; got " << (fields.empty() ? "(none)" : fields.front());
  for (const auto& e : result.error().field_errors()) EXPECT_FALSE(e.message.empty()) << e.field;
}

TEST(ColumnMappingTest, EmptyObjectIsTheAllAutomaticMapping) {
  auto result = parse_column_mapping(json::object{});
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, ColumnMapping{});
  EXPECT_TRUE(result->columns.empty());
  EXPECT_EQ(serialize_column_mapping(*result), "{}");
}

TEST(ColumnMappingTest, FullMappingIsReadExactly) {
  auto result = parse_column_mapping(parse(R"json({
    "columns": {"date": "Booking Date", "amount": "Betrag (EUR)", "currency": "Ccy", "reference": "Ref",
                "description": "Verwendungszweck", "counterparty": "Empf\u00e4nger", "external_id": "Txn ID"},
    "date_format": "dd.mm.yyyy", "decimal_separator": ",", "default_currency": "EUR", "all_or_nothing": true})json"));
  ASSERT_TRUE(result.ok()) << result.error().message();
  const ColumnMapping& m = *result;
  EXPECT_EQ(m.columns.date, "Booking Date");
  EXPECT_EQ(m.columns.amount, "Betrag (EUR)");
  EXPECT_EQ(m.columns.currency, "Ccy");
  EXPECT_EQ(m.columns.reference, "Ref");
  EXPECT_EQ(m.columns.description, "Verwendungszweck");
  EXPECT_EQ(m.columns.counterparty, "Empf\xC3\xA4nger");
  EXPECT_EQ(m.columns.external_id, "Txn ID");
  EXPECT_FALSE(m.columns.debit.has_value());
  EXPECT_FALSE(m.columns.credit.has_value());
  EXPECT_EQ(m.date_format, DateFormat::kDotted);
  EXPECT_EQ(m.decimal_separator, DecimalSeparator::kComma);
  EXPECT_EQ(m.default_currency, "EUR");
  EXPECT_EQ(m.all_or_nothing, true);
}

TEST(ColumnMappingTest, EveryDateFormatAndSeparatorIsAccepted) {
  const std::vector<std::pair<std::string, DateFormat>> formats = {
      {"auto", DateFormat::kAuto},           {"iso", DateFormat::kIso},
      {"dd/mm/yyyy", DateFormat::kDayFirst}, {"mm/dd/yyyy", DateFormat::kMonthFirst},
      {"dd.mm.yyyy", DateFormat::kDotted},   {"yyyymmdd", DateFormat::kCompact}};
  for (const auto& [text, format] : formats) {
    auto result = parse_column_mapping(json::object{{"date_format", text}});
    ASSERT_TRUE(result.ok()) << text;
    EXPECT_EQ(result->date_format, format);
    EXPECT_EQ(to_string(format), text);
  }
  const std::vector<std::pair<std::string, DecimalSeparator>> separators = {
      {"auto", DecimalSeparator::kAuto},
      {".", DecimalSeparator::kDot},
      {",", DecimalSeparator::kComma}};
  for (const auto& [text, separator] : separators) {
    auto result = parse_column_mapping(json::object{{"decimal_separator", text}});
    ASSERT_TRUE(result.ok()) << text;
    EXPECT_EQ(result->decimal_separator, separator);
    EXPECT_EQ(to_string(separator), text);
  }
}

TEST(ColumnMappingTest, DebitAndCreditTogetherAreAccepted) {
  auto result =
      parse_column_mapping(parse(R"({"columns": {"debit": "Money out", "credit": "Money in"}})"));
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->columns.debit, "Money out");
  EXPECT_EQ(result->columns.credit, "Money in");
}

TEST(ColumnMappingTest, AmountExcludesDebitAndCredit) {
  expect_error(R"({"columns": {"amount": "A", "debit": "D", "credit": "C"}})",
               "column_mapping.columns.amount");
  expect_error(R"({"columns": {"amount": "A", "debit": "D"}})", "column_mapping.columns.amount");
  expect_error(R"({"columns": {"amount": "A", "credit": "C"}})", "column_mapping.columns.amount");
  expect_error(R"({"columns": {"debit": "D"}})", "column_mapping.columns.credit");
  expect_error(R"({"columns": {"credit": "C"}})", "column_mapping.columns.debit");
  expect_error(R"({"columns": {"debit": "Same", "credit": "Same"}})",
               "column_mapping.columns.credit");
}

TEST(ColumnMappingTest, UnknownKeysAreRejectedWithTheirPath) {
  expect_error(R"({"colums": {}})", "column_mapping.colums");
  expect_error(R"({"columns": {"amout": "Amount"}})", "column_mapping.columns.amout");
  expect_error(R"({"columns": {"Date": "Date"}})", "column_mapping.columns.Date");
  expect_error(R"({"delimiter": ";"})", "column_mapping.delimiter");
  // A very long unknown key is cut in the path.
  auto long_key = parse_column_mapping(json::object{{std::string(500, 'k'), 1}});
  ASSERT_FALSE(long_key.ok());
  EXPECT_EQ(fields_of(long_key).front(), "column_mapping." + std::string(64, 'k'));
}

TEST(ColumnMappingTest, WrongTypesAreRejectedWithTheirPath) {
  expect_error("[]", "column_mapping");
  expect_error("\"date\"", "column_mapping");
  expect_error("7", "column_mapping");
  expect_error(R"({"columns": []})", "column_mapping.columns");
  expect_error(R"({"columns": "date"})", "column_mapping.columns");
  expect_error(R"({"columns": {"amount": 3}})", "column_mapping.columns.amount");
  expect_error(R"({"columns": {"date": ["Date"]}})", "column_mapping.columns.date");
  expect_error(R"({"columns": {"date": {"name": "Date"}}})", "column_mapping.columns.date");
  expect_error(R"({"date_format": "dd-mm-yyyy"})", "column_mapping.date_format");
  expect_error(R"({"date_format": "ISO"})", "column_mapping.date_format");
  expect_error(R"({"date_format": 1})", "column_mapping.date_format");
  expect_error(R"({"decimal_separator": ";"})", "column_mapping.decimal_separator");
  expect_error(R"({"decimal_separator": ""})", "column_mapping.decimal_separator");
  expect_error(R"({"all_or_nothing": "true"})", "column_mapping.all_or_nothing");
  expect_error(R"({"all_or_nothing": 1})", "column_mapping.all_or_nothing");
  expect_error(R"({"amount_optional": "yes"})", "column_mapping.amount_optional");
}

TEST(ColumnMappingTest, AmountOptionalIsReadAndWrittenBack) {
  auto mapping = parse_column_mapping(parse(R"({"amount_optional": true})"));
  ASSERT_TRUE(mapping.ok()) << mapping.error().message();
  EXPECT_EQ(mapping->amount_optional, true);
  EXPECT_EQ(serialize_column_mapping(*mapping), R"({"amount_optional":true})");
  auto again = column_mapping_from_text(serialize_column_mapping(*mapping));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *mapping);
  auto unset = parse_column_mapping(parse(R"({"amount_optional": null})"));
  ASSERT_TRUE(unset.ok());
  EXPECT_FALSE(unset->amount_optional.has_value());
}

TEST(ColumnMappingTest, HeaderNamesAreBounded) {
  expect_error(R"({"columns": {"date": ""}})", "column_mapping.columns.date");
  expect_error(R"({"columns": {"date": "   "}})", "column_mapping.columns.date");
  expect_error(R"({"columns": {"date": "a\u0001b"}})", "column_mapping.columns.date");
  expect_error(R"({"columns": {"date": "two\nlines"}})", "column_mapping.columns.date");
  auto too_long = parse_column_mapping(
      json::object{{"columns", json::object{{"reference", std::string(256, 'r')}}}});
  EXPECT_EQ(fields_of(too_long), std::vector<std::string>{"column_mapping.columns.reference"});
  // 255 characters of two bytes each are fine: the limit counts characters, not bytes.
  std::string wide;
  for (int i = 0; i < 255; ++i) wide += "\xC3\xA9";
  auto ok = parse_column_mapping(json::object{{"columns", json::object{{"reference", wide}}}});
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->columns.reference, wide);
  // Inner spaces and punctuation are kept as written.
  auto spaced = parse_column_mapping(parse(R"({"columns": {"date": " Value Date (UTC) "}})"));
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->columns.date, " Value Date (UTC) ");
}

TEST(ColumnMappingTest, CurrencyIsThreeUpperCaseLetters) {
  for (const char* good : {"EUR", "USD", "JPY", "KWD"}) {
    auto result = parse_column_mapping(json::object{{"default_currency", good}});
    ASSERT_TRUE(result.ok()) << good;
    EXPECT_EQ(result->default_currency, good);
  }
  for (const char* bad :
       {R"("eur")", R"("EU")", R"("EURO")", R"("E1R")", R"("")", R"(978)", R"("\u00c9UR")"}) {
    expect_error(std::string(R"({"default_currency": )") + bad + "}",
                 "column_mapping.default_currency");
  }
}

TEST(ColumnMappingTest, NullMeansNotSet) {
  auto result = parse_column_mapping(parse(
      R"({"columns": {"date": null, "amount": "A", "debit": null}, "date_format": null, "default_currency": null,
          "decimal_separator": null, "all_or_nothing": null})"));
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_FALSE(result->columns.date.has_value());
  EXPECT_EQ(result->columns.amount, "A");
  EXPECT_FALSE(result->date_format.has_value());
  auto columns_null = parse_column_mapping(parse(R"({"columns": null})"));
  ASSERT_TRUE(columns_null.ok());
  EXPECT_TRUE(columns_null->columns.empty());
}

TEST(ColumnMappingTest, EveryProblemIsReportedAtOnce) {
  auto result = parse_column_mapping(parse(
      R"({"columns": {"amount": "", "debit": "D", "credit": "C", "memo": "M"}, "date_format": "x",
                "default_currency": "eur", "all_or_nothing": "no", "extra": 1})"));
  ASSERT_FALSE(result.ok());
  const auto fields = fields_of(result);
  for (const char* f : {"column_mapping.columns.amount", "column_mapping.columns.memo",
                        "column_mapping.date_format", "column_mapping.default_currency",
                        "column_mapping.all_or_nothing", "column_mapping.extra"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
}

TEST(ColumnMappingTest, FieldPrefixIsTheCallers) {
  auto result = parse_column_mapping(parse(R"({"columns": {"amount": 1}})"), "mapping");
  EXPECT_EQ(fields_of(result), std::vector<std::string>{"mapping.columns.amount"});
}

TEST(ColumnMappingTest, CanonicalJsonRoundTrips) {
  const std::vector<std::string> inputs = {
      R"({})",
      R"({"all_or_nothing": false})",
      R"({"columns": {"debit": "Out", "credit": "In", "date": "D"}, "decimal_separator": "."})",
      R"({"columns": {"amount": "Amount", "external_id": "Id"}, "date_format": "yyyymmdd",
          "default_currency": "CHF", "all_or_nothing": true})",
  };
  for (const auto& input : inputs) {
    SCOPED_TRACE(input);
    auto first = parse_column_mapping(parse(input));
    ASSERT_TRUE(first.ok()) << first.error().message();
    // The canonical form holds exactly the keys that were given.
    EXPECT_EQ(json::value(to_json(*first)), parse(input));
    const std::string text = serialize_column_mapping(*first);
    auto again = column_mapping_from_text(text);
    ASSERT_TRUE(again.ok()) << again.error().message();
    EXPECT_EQ(*again, *first);
    EXPECT_EQ(serialize_column_mapping(*again), text);
  }
  // "columns": {} and a mapping of only nulls canonicalise to the empty mapping.
  auto empty_columns = parse_column_mapping(parse(R"({"columns": {}})"));
  ASSERT_TRUE(empty_columns.ok());
  EXPECT_EQ(serialize_column_mapping(*empty_columns), "{}");
}

TEST(ColumnMappingTest, CreditDebitIndicatorGoesWithAnAmountColumn) {
  auto result = parse_column_mapping(
      parse(R"({"columns": {"amount": "Amount", "credit_debit_indicator": "DR/CR"}})"));
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->columns.credit_debit_indicator, "DR/CR");
  EXPECT_FALSE(result->columns.empty());
  EXPECT_EQ(serialize_column_mapping(*result),
            R"({"columns":{"amount":"Amount","credit_debit_indicator":"DR/CR"}})");
  auto alone = parse_column_mapping(parse(R"({"columns": {"credit_debit_indicator": "D/C"}})"));
  ASSERT_TRUE(alone.ok()) << alone.error().message();
  expect_error(R"({"columns": {"debit": "D", "credit": "C", "credit_debit_indicator": "X"}})",
               "column_mapping.columns.credit_debit_indicator");
  expect_error(R"({"columns": {"credit_debit_indicator": 1}})",
               "column_mapping.columns.credit_debit_indicator");
}

TEST(ColumnMappingTest, DateFormatsFixADateOrder) {
  const std::vector<std::pair<std::string, std::optional<DateOrder>>> orders = {
      {"auto", std::nullopt},
      {"iso", DateOrder::kYearMonthDay},
      {"dd/mm/yyyy", DateOrder::kDayMonthYear},
      {"mm/dd/yyyy", DateOrder::kMonthDayYear},
      {"dd.mm.yyyy", DateOrder::kDayMonthYear},
      {"yyyymmdd", DateOrder::kYearMonthDay}};
  for (const auto& [format, order] : orders) {
    auto m = parse_column_mapping(json::object{{"date_format", format}});
    ASSERT_TRUE(m.ok()) << format;
    ASSERT_TRUE(m->date_format.has_value()) << format;
    EXPECT_EQ(date_order_of(*m->date_format), order) << format;
  }
}

TEST(ColumnMappingTest, StoredTextThatIsNotAMappingIsAnError) {
  EXPECT_FALSE(column_mapping_from_text("").ok());
  EXPECT_FALSE(column_mapping_from_text("{").ok());
  EXPECT_FALSE(column_mapping_from_text("[]").ok());
  EXPECT_FALSE(column_mapping_from_text(R"({"columns": {"nope": "x"}})").ok());
  auto spaced = column_mapping_from_text(R"({"columns": {"date": "D"}, "all_or_nothing": true})");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->columns.date, "D");
}

}  // namespace
}  // namespace oeuvre::ingest
