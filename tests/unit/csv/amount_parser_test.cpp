// Tests of src/ingest/amount_parser (kept with the CSV tests: both are the ingestion front end).
#include "ingest/amount_parser.h"

#include <gtest/gtest.h>

namespace oeuvre::ingest {
namespace {

std::int64_t dot(std::string_view s, int scale = 2) {
  auto v = parse_amount(s, scale, DecimalSeparator::kDot);
  EXPECT_TRUE(v.ok()) << s << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? *v : 0;
}

std::int64_t comma(std::string_view s) {
  auto v = parse_amount(s, 2, DecimalSeparator::kComma);
  EXPECT_TRUE(v.ok()) << s << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? *v : 0;
}

TEST(ParseAmount, ExactMinorUnits) {
  EXPECT_EQ(dot("0"), 0);
  EXPECT_EQ(dot("12"), 1200);
  EXPECT_EQ(dot("12.3"), 1230);
  EXPECT_EQ(dot("12.34"), 1234);
  EXPECT_EQ(dot("12.340"), 1234);
  EXPECT_EQ(dot(".5"), 50);
  EXPECT_EQ(dot("0.10"), 10);
  EXPECT_EQ(dot("1,234,567.89"), 123456789);
  EXPECT_EQ(dot("1 234.50"), 123450);
  EXPECT_EQ(dot("1'234.50"), 123450);
  EXPECT_EQ(dot("1234", 0), 1234);
  EXPECT_EQ(dot("1.234", 3), 1234);
}

TEST(ParseAmount, SignsParenthesesAndCurrencies) {
  EXPECT_EQ(dot("-5.00"), -500);
  EXPECT_EQ(dot("+5"), 500);
  EXPECT_EQ(dot("(12.30)"), -1230);
  EXPECT_EQ(dot("12.50-"), -1250);
  EXPECT_EQ(dot("$ 5"), 500);
  EXPECT_EQ(dot("-$5.25"), -525);
  EXPECT_EQ(dot("\xE2\x82\xAC"
                "3.10"),
            310);
  EXPECT_EQ(dot("EUR 1,000.00"), 100000);
  EXPECT_EQ(dot("1000.00 USD"), 100000);
  EXPECT_EQ(dot("\xE2\x88\x92"
                "7"),
            -700);
  EXPECT_EQ(dot("  42.00  "), 4200);
}

TEST(ParseAmount, CommaDecimal) {
  EXPECT_EQ(comma("1.234,56"), 123456);
  EXPECT_EQ(comma("-0,5"), -50);
  EXPECT_EQ(comma("1\xC2\xA0"
                  "234,00 \xE2\x82\xAC"),
            123400);
}

TEST(ParseAmount, RejectsWhatIsNotExact) {
  for (const char* bad : {"", "   ", "abc", "1.2.3", "1,23.45", "12.345", "1e5", "1.5E+03", "12,5",
                          "--", "$", "1,2345.00", "12 34", "99999999999999999999"}) {
    auto v = parse_amount(bad, 2, DecimalSeparator::kDot);
    EXPECT_FALSE(v.ok()) << bad;
    if (!v.ok()) {
      EXPECT_NE(v.error().message().find("amount"), std::string::npos);
    }
  }
  EXPECT_FALSE(parse_amount("1.005", 2, DecimalSeparator::kDot).ok());
  EXPECT_TRUE(parse_amount("10000000000000.00", 2, DecimalSeparator::kDot).ok());
  EXPECT_FALSE(parse_amount("10000000000000.01", 2, DecimalSeparator::kDot).ok());
}

TEST(DetectDecimalSeparator, FromSamples) {
  std::vector<std::string_view> dots{"1,234.56", "12.5", "7"};
  std::vector<std::string_view> commas{"1.234,56", "12,5", "7"};
  std::vector<std::string_view> ambiguous{"1,234", "7"};
  std::vector<std::string_view> grouped{"1.234.567", "12"};
  EXPECT_EQ(detect_decimal_separator(dots), DecimalSeparator::kDot);
  EXPECT_EQ(detect_decimal_separator(commas), DecimalSeparator::kComma);
  EXPECT_EQ(detect_decimal_separator(ambiguous), DecimalSeparator::kDot);
  EXPECT_EQ(detect_decimal_separator(grouped), DecimalSeparator::kComma);
  EXPECT_EQ(detect_decimal_separator({}), DecimalSeparator::kDot);
}

}  // namespace
}  // namespace oeuvre::ingest
