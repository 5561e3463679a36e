#include "engine/date_similarity.h"

#include <gtest/gtest.h>

namespace oeuvre::engine {
namespace {

FieldRule date_rule(int window_days = 0, bool typos = false) {
  FieldRule rule;
  rule.name = rule.left_field = rule.right_field = "date_of_birth";
  rule.comparator = Comparator::kDate;
  rule.window_days = window_days;
  rule.typos = typos;
  return rule;
}

double similarity(const FieldRule& rule, std::string_view a, std::string_view b,
                  bool* present_out = nullptr) {
  bool present = false;
  const double s = date_similarity(rule, date_value_from_text(a), date_value_from_text(b), present);
  if (present_out != nullptr) *present_out = present;
  return s;
}

TEST(DateValue, ReadsYearFirstDatesKeepingTheDigitsOfImpossibleOnes) {
  const DateValue compact = date_value_from_text("19870305");
  EXPECT_EQ(compact.digits, 19870305u);
  EXPECT_EQ(compact.days, days_from_civil(1987, 3, 5));
  for (std::string_view text :
       {"1987-03-05", "1987/3/5", "1987.03.05", " 1987-03-05T10:00:00 ", "1987-03-05 10:00"}) {
    EXPECT_EQ(date_value_from_text(text).digits, 19870305u) << text;
    EXPECT_EQ(date_value_from_text(text).days, compact.days) << text;
  }
  // Day and month swapped: month 25 is no calendar date, but its digits are a typo's evidence.
  const DateValue swapped = date_value_from_text("19872503");
  EXPECT_EQ(swapped.digits, 19872503u);
  EXPECT_EQ(swapped.days, kNoDate);
  EXPECT_FALSE(swapped.empty());
  EXPECT_EQ(date_value_from_text("19870229").days, kNoDate);  // not a leap year
  EXPECT_EQ(date_value_from_text("20000229").days, days_from_civil(2000, 2, 29));
  // A mistyped day 00 too.
  EXPECT_EQ(date_value_from_text("19870300").digits, 19870300u);
  EXPECT_EQ(date_value_from_text("19870300").days, kNoDate);
  for (std::string_view text : {"", "  ", "00000000", "05/03/1987", "1987-03", "1987-003-05",
                                "1987030", "198703051", "abcd-03-05", "1987-03/05"}) {
    EXPECT_TRUE(date_value_from_text(text).empty()) << text;
  }
}

TEST(DateValue, FromDaysAndBackToDigits) {
  const DateValue v = date_value_from_days(days_from_civil(2024, 12, 1));
  EXPECT_EQ(v.digits, 20241201u);
  char buffer[8];
  EXPECT_EQ(date_digits(v, buffer), "20241201");
  EXPECT_EQ(date_digits(date_value_from_text("00010102"), buffer), "00010102");
  EXPECT_EQ(date_digits(DateValue{}, buffer), "");
  EXPECT_TRUE(date_value_from_days(kNoDate).empty());
}

TEST(DateSimilarity, TyposAreSwappedDayAndMonthOneDigitOrNeighboursSwapped) {
  EXPECT_TRUE(dates_a_typo_apart(19870305, 19870503));   // day and month swapped
  EXPECT_TRUE(dates_a_typo_apart(19870325, 19872503));   // ... into no calendar date
  EXPECT_TRUE(dates_a_typo_apart(19870305, 19870306));   // one digit
  EXPECT_TRUE(dates_a_typo_apart(19870305, 19780305));   // neighbours swapped
  EXPECT_FALSE(dates_a_typo_apart(19870305, 19870305));  // equal is no typo
  EXPECT_FALSE(dates_a_typo_apart(19870305, 19880306));  // two digits apart
  EXPECT_TRUE(dates_a_typo_apart(19870305, 19870350));   // the day's digits swapped
  EXPECT_FALSE(dates_a_typo_apart(19870305, 19850307));  // two digits far apart swapped
  EXPECT_FALSE(dates_a_typo_apart(0, 19870305));
}

TEST(DateSimilarity, WithTyposATypoScoresPartlyAndTheWindowStillApplies) {
  const FieldRule rule = date_rule(0, true);
  EXPECT_EQ(similarity(rule, "19870305", "1987-03-05"), 1.0);
  EXPECT_EQ(similarity(rule, "19870305", "19870503"), kDateTypoSimilarity);
  EXPECT_EQ(similarity(rule, "19870325", "19872503"), kDateTypoSimilarity);
  EXPECT_EQ(similarity(rule, "19872503", "19872503"), 1.0);  // the same impossible date
  EXPECT_EQ(similarity(rule, "19870305", "19870308"), kDateTypoSimilarity);
  EXPECT_EQ(similarity(rule, "19870305", "19780305"), kDateTypoSimilarity);
  EXPECT_EQ(similarity(rule, "19870305", "19880406"), 0.0);
  bool present = true;
  EXPECT_EQ(similarity(rule, "19870305", "", &present), 0.0);
  EXPECT_FALSE(present);
  EXPECT_EQ(similarity(rule, "19870305", "unknown", &present), 0.0);
  EXPECT_FALSE(present);

  // A window: the nearer of a typo and the window's score counts.
  const FieldRule window = date_rule(10, true);
  EXPECT_DOUBLE_EQ(similarity(window, "19870305", "19870307"), 0.9);  // 2 days: 1 - 0.5 * 2 / 10
  // 10 days (0.5), and one digit apart.
  EXPECT_DOUBLE_EQ(similarity(window, "19870305", "19870315"), kDateTypoSimilarity);
  EXPECT_DOUBLE_EQ(similarity(window, "19870301", "19870222"), 0.65);  // 7 days, no typo
}

TEST(DateSimilarity, WithoutTyposOnlyTheWindowCountsAndImpossibleDatesAreAbsent) {
  const FieldRule rule = date_rule(0, false);
  EXPECT_EQ(similarity(rule, "19870305", "1987-03-05"), 1.0);
  EXPECT_EQ(similarity(rule, "19870305", "19870503"), 0.0);
  EXPECT_EQ(similarity(rule, "19870305", "19870306"), 0.0);
  bool present = true;
  similarity(rule, "19870305", "19872503", &present);
  EXPECT_FALSE(present);
  const FieldRule window = date_rule(4, false);
  EXPECT_DOUBLE_EQ(similarity(window, "2025-03-07", "2025-03-09"), 0.75);
  EXPECT_EQ(similarity(window, "2025-03-07", "2025-03-12"), 0.0);
}

}  // namespace
}  // namespace oeuvre::engine
