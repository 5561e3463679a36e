// Tests of src/ingest/date_parser (kept with the CSV tests: both are the ingestion front end).
#include "ingest/date_parser.h"

#include <gtest/gtest.h>

#include "engine/record_table.h"

namespace oeuvre::ingest {
namespace {

std::string iso(std::string_view text, DateOrder order = DateOrder::kDayMonthYear) {
  auto days = parse_date(text, order);
  EXPECT_TRUE(days.ok()) << text << ": " << (days.ok() ? "" : days.error().message());
  return days.ok() ? engine::format_iso_date(*days) : "";
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

TEST(Days, RoundTripCivilDates) {
  for (int days : {-1000, -1, 0, 1, 19000, 20089, 100000}) {
    int y, m, d;
    engine::civil_from_days(days, y, m, d);
    EXPECT_EQ(engine::days_from_civil(y, m, d), days);
  }
  EXPECT_EQ(engine::days_from_civil(2025, 1, 1), 20089);
}

}  // namespace
}  // namespace oeuvre::ingest
