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

TEST(ParseAmount, DebitCreditIndicators) {
  EXPECT_EQ(dot("12.00 DR"), -1200);
  EXPECT_EQ(dot("12.00 CR"), 1200);
  EXPECT_EQ(dot("DR 12.00"), -1200);
  EXPECT_EQ(dot("cr12"), 1200);
  EXPECT_EQ(dot("1,000.00Dr"), -100000);
  EXPECT_EQ(dot("EUR 3.00 DR"), -300);
  EXPECT_EQ(dot("3.00 EUR DR"), -300);
  EXPECT_EQ(dot("3.00 XDR"), 300);  // the IMF's SDR code, not an indicator
  for (const char* bad : {"-12.00 DR", "(12.00) CR", "12.00- DR", "DR", "12.00 drx"}) {
    EXPECT_FALSE(parse_amount(bad, 2, DecimalSeparator::kDot).ok()) << bad;
  }
  EXPECT_FALSE(parse_amount("EUR 12.00 USD", 2, DecimalSeparator::kDot).ok());
}

TEST(SplitAmount, ReportsTheDecorationsAndReasonsAlone) {
  auto parts = split_amount(" (USD 1,234.50) ");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->number, "1,234.50");
  EXPECT_TRUE(parts->negative);
  EXPECT_TRUE(parts->signed_explicitly);
  EXPECT_EQ(parts->currency_code, "USD");
  EXPECT_EQ(parts->indicator, CreditDebit::kNone);
  auto dr = split_amount("5 DR");
  ASSERT_TRUE(dr.ok());
  EXPECT_EQ(dr->indicator, CreditDebit::kDebit);
  EXPECT_TRUE(dr->negative);
  EXPECT_FALSE(dr->signed_explicitly);
  auto minor = to_minor_units(*parts, 2, DecimalSeparator::kDot);
  ASSERT_TRUE(minor.ok());
  EXPECT_EQ(*minor, -123450);
  AmountText too_precise;
  too_precise.number = "1.005";
  auto bad = to_minor_units(too_precise, 2, DecimalSeparator::kDot);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "has more than 2 decimal places");
  EXPECT_EQ(split_amount("  ").error().message(), "is empty");
  AmountText accented;
  accented.number = "12\xC3\xA9";
  auto unexpected = to_minor_units(accented, 2, DecimalSeparator::kDot);
  ASSERT_FALSE(unexpected.ok());
  EXPECT_EQ(unexpected.error().message(), "has an unexpected character '\xC3\xA9'");
}

TEST(CreditDebitIndicator, ValuesAndSigns) {
  for (const char* debit : {"D", "dr", " Debit ", "DB", "S", "soll", "-"}) {
    EXPECT_EQ(parse_credit_debit(debit), CreditDebit::kDebit) << debit;
  }
  for (const char* credit : {"C", "Cr", "CREDIT", "H", "Haben", "+"}) {
    EXPECT_EQ(parse_credit_debit(credit), CreditDebit::kCredit) << credit;
  }
  EXPECT_EQ(parse_credit_debit(""), CreditDebit::kNone);
  EXPECT_EQ(parse_credit_debit("  "), CreditDebit::kNone);
  EXPECT_FALSE(parse_credit_debit("X").has_value());
  EXPECT_FALSE(parse_credit_debit("debitcard").has_value());
  EXPECT_EQ(*apply_credit_debit(500, CreditDebit::kDebit), -500);
  EXPECT_EQ(*apply_credit_debit(-500, CreditDebit::kDebit), -500);
  EXPECT_EQ(*apply_credit_debit(500, CreditDebit::kCredit), 500);
  EXPECT_EQ(*apply_credit_debit(-500, CreditDebit::kNone), -500);
  EXPECT_FALSE(apply_credit_debit(-500, CreditDebit::kCredit).ok());
}

TEST(DetectDecimalSeparator, VotesOneValueAtATime) {
  DecimalSeparatorVotes votes;
  EXPECT_EQ(votes.decide(), DecimalSeparator::kDot);
  votes.observe("1,234");  // ambiguous: no vote
  EXPECT_EQ(votes.decide(), DecimalSeparator::kDot);
  votes.observe("12,5");
  EXPECT_EQ(votes.decide(), DecimalSeparator::kComma);
  votes.observe("1.5");
  votes.observe("2.5");
  EXPECT_EQ(votes.decide(), DecimalSeparator::kDot);
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
