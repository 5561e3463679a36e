#include "core/time.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <clocale>
#include <cstdlib>
#include <random>
#include <vector>

namespace oeuvre {
namespace {

using namespace std::chrono;

Timestamp make(int y, unsigned mo, unsigned d, int h, int mi, int s, std::int64_t us) {
  return Timestamp{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s} +
         microseconds{us};
}

TEST(TimeTest, FormatsWithSixFractionalDigits) {
  EXPECT_EQ(format_timestamp(make(2026, 11, 28, 23, 45, 50, 123456)),
            "2026-11-28T23:45:50.123456Z");
  EXPECT_EQ(format_timestamp(make(2026, 1, 2, 3, 4, 5, 0)), "2026-01-02T03:04:05.000000Z");
  EXPECT_EQ(format_timestamp(make(2026, 1, 2, 3, 4, 5, 7)), "2026-01-02T03:04:05.000007Z");
  EXPECT_EQ(format_timestamp(Timestamp{}), "1970-01-01T00:00:00.000000Z");
}

TEST(TimeTest, FormatsBeforeTheEpoch) {
  EXPECT_EQ(format_timestamp(Timestamp{microseconds{-1}}), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(make(1900, 2, 28, 12, 0, 0, 1)), "1900-02-28T12:00:00.000001Z");
  EXPECT_EQ(format_timestamp(make(1, 1, 1, 0, 0, 0, 0)), "0001-01-01T00:00:00.000000Z");
}

TEST(TimeTest, FormatsLeapDay) {
  EXPECT_EQ(format_timestamp(make(2024, 2, 29, 0, 0, 0, 0)), "2024-02-29T00:00:00.000000Z");
  EXPECT_EQ(format_timestamp(make(2000, 2, 29, 23, 59, 59, 999999)), "2000-02-29T23:59:59.999999Z");
}

TEST(TimeTest, FormatClampsOutsideFourDigitYears) {
  EXPECT_EQ(format_timestamp(make(10000, 1, 1, 0, 0, 0, 0)), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(make(-1, 12, 31, 0, 0, 0, 0)), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_timestamp(Timestamp::max()), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(Timestamp::min()), "0000-01-01T00:00:00.000000Z");
}

TEST(TimeTest, TextOrderIsTimeOrder) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::int64_t> dist(
      make(0, 1, 1, 0, 0, 0, 0).time_since_epoch().count(),
      make(9999, 12, 31, 23, 59, 59, 999999).time_since_epoch().count());
  std::vector<Timestamp> times;
  for (int i = 0; i < 2000; ++i) times.push_back(Timestamp{microseconds{dist(rng)}});
  times.push_back(Timestamp{});
  times.push_back(Timestamp{microseconds{1}});
  std::sort(times.begin(), times.end());
  for (std::size_t i = 1; i < times.size(); ++i) {
    const std::string a = format_timestamp(times[i - 1]);
    const std::string b = format_timestamp(times[i]);
    EXPECT_EQ(a.size(), 27u);
    EXPECT_LE(a, b);
    EXPECT_EQ(times[i - 1] < times[i], a < b);
  }
}

TEST(TimeTest, RoundTripsRandomInstants) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> dist(
      make(0, 1, 1, 0, 0, 0, 0).time_since_epoch().count(),
      make(9999, 12, 31, 23, 59, 59, 999999).time_since_epoch().count());
  for (int i = 0; i < 5000; ++i) {
    const Timestamp t{microseconds{dist(rng)}};
    const auto parsed = parse_timestamp(format_timestamp(t));
    ASSERT_TRUE(parsed.has_value()) << format_timestamp(t);
    EXPECT_EQ(*parsed, t);
  }
}

TEST(TimeTest, NowIsRecentAndRoundTrips) {
  const Timestamp before = floor<microseconds>(system_clock::now());
  const Timestamp now = now_utc();
  const Timestamp after = floor<microseconds>(system_clock::now());
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_EQ(parse_timestamp(format_timestamp(now)), now);
}

TEST(TimeTest, ParsesPostgresTextOutput) {
  const Timestamp expected = make(2026, 11, 28, 23, 45, 50, 123456);
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.123456+00"), expected);
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.123456+00:00"), expected);
  EXPECT_EQ(parse_timestamp("2026-11-28T23:45:50.123456+00:00"), expected);
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.123456Z"), expected);
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.123456-00"), expected);
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50+00"), make(2026, 11, 28, 23, 45, 50, 0));
  EXPECT_EQ(parse_timestamp("2026-11-28T23:45:50Z"), make(2026, 11, 28, 23, 45, 50, 0));
}

TEST(TimeTest, ScalesShortFractions) {
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.5+00"), make(2026, 11, 28, 23, 45, 50, 500000));
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.12+00"), make(2026, 11, 28, 23, 45, 50, 120000));
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.123+00"), make(2026, 11, 28, 23, 45, 50, 123000));
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.1234+00"), make(2026, 11, 28, 23, 45, 50, 123400));
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.12345+00"),
            make(2026, 11, 28, 23, 45, 50, 123450));
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.000001+00"), make(2026, 11, 28, 23, 45, 50, 1));
}

TEST(TimeTest, AppliesNonUtcOffsets) {
  EXPECT_EQ(parse_timestamp("2026-11-29 01:45:50+02"), make(2026, 11, 28, 23, 45, 50, 0));
  EXPECT_EQ(parse_timestamp("2026-11-29 05:15:50.25+05:30"),
            make(2026, 11, 28, 23, 45, 50, 250000));
  EXPECT_EQ(parse_timestamp("2026-11-28 18:45:50-05"), make(2026, 11, 28, 23, 45, 50, 0));
  EXPECT_EQ(parse_timestamp("2026-12-31 23:00:00-01:00"), make(2027, 1, 1, 0, 0, 0, 0));
}

TEST(TimeTest, RejectsMalformedText) {
  const char* invalid[] = {
      "",
      "2026-11-28",
      "2026-11-28T23:45:50",           // no zone
      "2026-11-28 23:45:50.123456",    // no zone
      "2026-11-28T23:45:50.Z",         // empty fraction
      "2026-11-28T23:45:50.1234567Z",  // 7 digits
      "2026-11-28t23:45:50Z",
      "2026-11-28T23:45:50z",
      " 2026-11-28T23:45:50Z",
      "2026-11-28T23:45:50Z ",
      "2026-11-28T23:45:50ZZ",
      "2026-11-28T23:45:50+0",
      "2026-11-28T23:45:50+000",
      "2026-11-28T23:45:50+00:0",
      "2026-11-28T23:45:50+0000",
      "2026-11-28T23:45:50+16",  // offset out of range
      "2026-11-28T23:45:50+01:60",
      "2026-11-28T23:45:50+00 BC",
      "26-11-28T23:45:50Z",
      "12026-11-28T23:45:50Z",
      "2026/11/28T23:45:50Z",
      "2026-1-28T23:45:50Z",
      "2026-11-28T3:45:50Z",
      "2026-11-28T23:45Z",
      "2026-11-28T23:45:5xZ",
      "+026-11-28T23:45:50Z",
      "2026-11-28T23:45:50,123Z",
      "2026-11-28T23:45:50.12a4Z",
      "2026-11-28T23:45:50.-1Z",
  };
  for (const char* text : invalid) EXPECT_FALSE(parse_timestamp(text).has_value()) << text;
}

TEST(TimeTest, RejectsImpossibleFields) {
  const char* invalid[] = {
      "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-01-00T00:00:00Z",
      "2026-01-32T00:00:00Z", "2026-02-29T00:00:00Z",  // not a leap year
      "1900-02-29T00:00:00Z",                          // century, not a leap year
      "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
      "2026-01-01T23:59:60Z",  // leap seconds are not representable
  };
  for (const char* text : invalid) EXPECT_FALSE(parse_timestamp(text).has_value()) << text;
  EXPECT_TRUE(parse_timestamp("2000-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(parse_timestamp("2024-02-29T00:00:00Z").has_value());
}

TEST(TimeTest, ExtremeYears) {
  EXPECT_EQ(parse_timestamp("0000-01-01T00:00:00.000000Z"), make(0, 1, 1, 0, 0, 0, 0));
  EXPECT_EQ(parse_timestamp("9999-12-31T23:59:59.999999Z"), make(9999, 12, 31, 23, 59, 59, 999999));
}

TEST(TimeTest, IndependentOfLocaleAndTimeZoneEnvironment) {
  const Timestamp t = make(2026, 11, 28, 23, 45, 50, 123456);
  const char* old_tz = std::getenv("TZ");
  const std::string saved_tz = old_tz ? old_tz : "";
  setenv("TZ", "America/New_York", 1);
  std::setlocale(LC_ALL, "de_DE.UTF-8");  // may not exist; the point is that nothing consults it
  EXPECT_EQ(format_timestamp(t), "2026-11-28T23:45:50.123456Z");
  EXPECT_EQ(parse_timestamp("2026-11-28 23:45:50.123456+00"), t);
  std::setlocale(LC_ALL, "C");
  if (old_tz) {
    setenv("TZ", saved_tz.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
}

TEST(TimeTest, ParsesDatesAsDaysSinceTheEpoch) {
  using std::chrono::sys_days;
  EXPECT_EQ(parse_date("1970-01-01"), sys_days{});
  EXPECT_EQ(parse_date("1999-12-31")->time_since_epoch().count(), 10956);
  EXPECT_EQ(parse_date("2024-02-29"), sys_days{std::chrono::year{2024} / 2 / 29});
  EXPECT_EQ(parse_date("0001-01-01"), sys_days{std::chrono::year{1} / 1 / 1});
  for (const char* bad : {"2026-02-29", "2025-13-01", "2025-00-10", "2025-01-32", "2025-1-01", "2025/01/01",
                          "2025-01-01T00:00:00Z", " 2025-01-01", "2025-01-0a", "", "20250101"}) {
    EXPECT_EQ(parse_date(bad), std::nullopt) << bad;
  }
}

TEST(TimeTest, FormatsDatesAsParseDateReadsThem) {
  using std::chrono::sys_days;
  for (const char* text :
       {"1970-01-01", "1999-12-31", "2024-02-29", "0001-01-01", "0000-01-01", "9999-12-31"}) {
    const auto day = parse_date(text);
    ASSERT_TRUE(day.has_value()) << text;
    EXPECT_EQ(format_date(*day), text);
  }
  EXPECT_EQ(format_date(sys_days{std::chrono::year{-1} / 12 / 31}), "0000-01-01");  // clamped
  EXPECT_EQ(format_date(sys_days{std::chrono::year{10000} / 1 / 1}), "9999-12-31");
}

}  // namespace
}  // namespace oeuvre
