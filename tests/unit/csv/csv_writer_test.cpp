#include "csv/csv_writer.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace oeuvre::csv
