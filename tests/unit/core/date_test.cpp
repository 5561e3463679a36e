// Tests of src/core/date: civil dates as day numbers, their text form, business days.
#include "core/date.h"

#include <gtest/gtest.h>

namespace oeuvre {
namespace {

TEST(CivilDays, RoundTrip) {
  for (int days : {-1000, -1, 0, 1, 19000, 20089, 100000}) {
    int y, m, d;
    civil_from_days(days, y, m, d);
    EXPECT_EQ(days_from_civil(y, m, d), days);
  }
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2025, 1, 1), 20089);
  EXPECT_EQ(days_from_civil(2024, 2, 29) + 1, days_from_civil(2024, 3, 1));
}

TEST(FormatIsoDate, FixedWidthAndMissing) {
  EXPECT_EQ(format_iso_date(0), "1970-01-01");
  EXPECT_EQ(format_iso_date(days_from_civil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(format_iso_date(days_from_civil(5, 3, 7)), "0005-03-07");
  EXPECT_EQ(format_iso_date(days_from_civil(9999, 12, 31)), "9999-12-31");
  EXPECT_EQ(format_iso_date(days_from_civil(10000, 1, 1)), "10000-01-01");
  EXPECT_EQ(format_iso_date(kNoDate), "");
}

TEST(BusinessDays, SkipWeekends) {
  const std::int32_t friday = days_from_civil(2025, 3, 7), monday = days_from_civil(2025, 3, 10);
  EXPECT_EQ(business_days_between(friday, monday), 1);
  EXPECT_EQ(business_days_between(monday, friday), 1);
  EXPECT_EQ(business_days_between(friday, friday + 7), 5);
  EXPECT_EQ(business_days_between(friday, friday), 0);
  const std::int32_t saturday = friday + 1, sunday = friday + 2;
  EXPECT_EQ(business_days_between(saturday, sunday), 0);
  // Before the epoch too (1969-12-26 was a Friday).
  EXPECT_EQ(business_days_between(days_from_civil(1969, 12, 26), days_from_civil(1969, 12, 29)), 1);
}

}  // namespace
}  // namespace oeuvre
