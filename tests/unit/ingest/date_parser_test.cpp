// Tests of src/ingest/date_parser (kept with the CSV tests: both are the ingestion front end).
#include "ingest/date_parser.h"

#include <gtest/gtest.h>

#include "core/date.h"

namespace oeuvre::ingest {
namespace {

std::string iso(std::string_view text, DateOrder order = DateOrder::kDayMonthYear) {
  auto days = parse_date(text, order);
  EXPECT_TRUE(days.ok()) << text << ": " << (days.ok() ? "" : days.error().message());
  return days.ok() ? format_iso_date(*days) : "";
}

TEST(ParseDate, Formats) {
  EXPECT_EQ(iso("2024-03-05"), "2024-03-05");
  EXPECT_EQ(iso("2024/3/5"), "2024-03-05");
  EXPECT_EQ(iso("2024-03-05T23:59:59Z"), "2024-03-05");
  EXPECT_EQ(iso("20240305"), "2024-03-05");
  EXPECT_EQ(iso("05/03/2024"), "2024-03-05");
  EXPECT_EQ(iso("05/03/2024", DateOrder::kMonthDayYear), "2024-05-03");
  EXPECT_EQ(iso("05.03.2024"), "2024-03-05");
  EXPECT_EQ(iso("5-3-24"), "2024-03-05");
  EXPECT_EQ(iso("05/03/2024 10:30"), "2024-03-05");
  EXPECT_EQ(iso("5 Mar 2024"), "2024-03-05");
  EXPECT_EQ(iso("Mar 5, 2024"), "2024-03-05");
  EXPECT_EQ(iso("05-March-2024"), "2024-03-05");
  EXPECT_EQ(iso("1970-01-01"), "1970-01-01");
  EXPECT_EQ(iso("29/02/2024"), "2024-02-29");
}

TEST(ParseDate, RejectsNonDatesAndImpossibleDays) {
  for (const char* bad : {"", "yesterday", "2024-13-01", "2024-02-30", "29/02/2023", "1/2", "12345",
                          "2024-01-01x", "32/01/2024", "Foo 5 2024"}) {
    EXPECT_FALSE(parse_date(bad, DateOrder::kDayMonthYear).ok()) << bad;
  }
}

TEST(ParseDate, ReasonsNameTheProblem) {
  auto reason = [](std::string_view text, DateOrder order) {
    auto parts = split_date_unquoted(text);
    if (!parts.ok()) return parts.error().message();
    auto days = to_days(*parts, order);
    return days.ok() ? std::string("ok") : days.error().message();
  };
  EXPECT_EQ(reason("31/04/2024", DateOrder::kDayMonthYear),
            "day 31 does not exist in April (read as day/month/year)");
  EXPECT_EQ(reason("2023-02-29", DateOrder::kDayMonthYear),
            "day 29 does not exist in February 2023");
  EXPECT_EQ(reason("13/13/2024", DateOrder::kMonthDayYear),
            "month 13 does not exist (read as month/day/year)");
  EXPECT_EQ(reason("1850-01-01", DateOrder::kDayMonthYear),
            "year 1850 is out of range (1900..2200)");
  EXPECT_EQ(reason("yesterday", DateOrder::kDayMonthYear), "is not a date");
  EXPECT_EQ(reason("2024\xE2\x80\x93"
                   "01-01",
                   DateOrder::kDayMonthYear),
            "has an unexpected character '\xE2\x80\x93'");
  // The quoting variant keeps the text in front.
  EXPECT_EQ(split_date("nope").error().message(), "date 'nope': is not a date");
  EXPECT_EQ(parse_date("31/04/2024", DateOrder::kDayMonthYear).error().message(),
            "date '31/04/2024': day 31 does not exist in April (read as day/month/year)");
}

TEST(DateOrderDetector, ReportsItsEvidence) {
  DateOrderDetector detector;
  EXPECT_FALSE(detector.has_evidence());
  EXPECT_EQ(detector.first_numeric_line(), 0u);
  detector.observe(*split_date("2024-01-02"), 2);
  EXPECT_EQ(detector.first_numeric_line(), 0u);
  detector.observe(*split_date("01/02/2024"), 3);
  EXPECT_EQ(detector.first_numeric_line(), 3u);
  EXPECT_FALSE(detector.has_evidence());
  detector.observe(*split_date("01/22/2024"), 4);
  EXPECT_TRUE(detector.has_evidence());
  EXPECT_EQ(detector.month_first_line(), 4u);
  EXPECT_EQ(detector.day_first_line(), 0u);
}

TEST(DateOrderDetector, DecidesFromTheData) {
  auto decide = [](std::initializer_list<const char*> values) {
    DateOrderDetector detector;
    std::uint64_t line = 1;
    for (const char* v : values) detector.observe(*split_date(v), ++line);
    return detector.decide();
  };
  EXPECT_EQ(*decide({"01/02/2024", "13/02/2024"}), DateOrder::kDayMonthYear);
  EXPECT_EQ(*decide({"01/02/2024", "02/13/2024"}), DateOrder::kMonthDayYear);
  EXPECT_EQ(*decide({"01/02/2024", "2024-12-31"}), DateOrder::kDayMonthYear);
  auto mixed = decide({"13/01/2024", "01/13/2024"});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message().find("line 2"), std::string::npos);
  EXPECT_NE(mixed.error().message().find("line 3"), std::string::npos);
}

}  // namespace
}  // namespace oeuvre::ingest
