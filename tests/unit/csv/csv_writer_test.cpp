#include "csv/csv_writer.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "csv/csv_reader.h"

namespace oeuvre::csv {
namespace {

TEST(CsvWriter, QuotesOnlyWhenNeededAndRoundTrips) {
  std::string out;
  CsvWriter w(out);
  w.field("plain");
  w.field("a,b");
  w.field("say \"hi\"");
  w.field("two\nlines");
  w.field(std::int64_t{-42});
  w.number_field(0.12345, 3);
  w.end_row();
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",-42,0.123\n");
  auto reader = CsvReader::open(std::make_unique<MemoryByteSource>(out));
  ASSERT_TRUE(reader.ok());
  CsvRow row;
  ASSERT_TRUE(*(*reader)->next(row));
  ASSERT_EQ(row.size(), 6u);
  EXPECT_EQ(row[2], "say \"hi\"");
  EXPECT_EQ(row[3], "two\nlines");
}

// number_field writes exactly what std::to_chars(fixed, digits) writes, through its fast path or
// not: both signs, near ties, large and tiny magnitudes.
TEST(CsvWriter, NumbersAreWrittenAsToCharsWritesThem) {
  std::mt19937_64 random(11);
  std::vector<double> values = {0.0, -0.0, 0.5, -0.5, 1.00005, -1.00005, 2.5e-7, -2.5e-7,
                                0.125, -0.125, 2147483647.5, -2147483648.0, 1e15, -1e15};
  for (int i = 0; i < 20000; ++i) {
    const double magnitude = std::ldexp(std::uniform_real_distribution<>(0.5, 1.0)(random),
                                        std::uniform_int_distribution<>(-30, 40)(random));
    values.push_back(i % 2 == 0 ? magnitude : -magnitude);
    // Ties and near ties at some number of digits.
    const double tie = static_cast<double>(std::uniform_int_distribution<>(0, 999999)(random)) /
                       1000.0 + 0.0005;
    values.push_back(i % 2 == 0 ? tie : -tie);
  }
  for (const double value : values) {
    for (int digits = 0; digits <= 6; ++digits) {
      std::string out;
      CsvWriter w(out);
      w.number_field(value, digits);
      char expected[128];
      const auto end = std::to_chars(expected, expected + sizeof expected, value,
                                     std::chars_format::fixed, digits)
                           .ptr;
      ASSERT_EQ(out, std::string(expected, end)) << value << " at " << digits;
    }
  }
}

}  // namespace
}  // namespace oeuvre::csv
