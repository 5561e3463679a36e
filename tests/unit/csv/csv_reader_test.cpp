#include "csv/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oeuvre::csv {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Result<Rows> read_all(const std::string& text, CsvOptions options = {}) {
  auto reader = CsvReader::open(std::make_unique<MemoryByteSource>(text), options);
  if (!reader.ok()) return reader.error();
  Rows rows;
  CsvRow row;
  for (;;) {
    auto more = (*reader)->next(row);
    if (!more.ok()) return more.error();
    if (!*more) break;
    rows.emplace_back(row.fields().begin(), row.fields().end());
  }
  return rows;
}

Rows must_read(const std::string& text, CsvOptions options = {}) {
  auto rows = read_all(text, options);
  EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message());
  return rows.ok() ? *rows : Rows{};
}

TEST(CsvReader, ReadsPlainRecords) {
  EXPECT_EQ(must_read("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
}

TEST(CsvReader, LastRecordWithoutLineBreak) {
  EXPECT_EQ(must_read("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvReader, EmptyFieldsAndTrailingDelimiter) {
  EXPECT_EQ(must_read("a,,c,\n"), (Rows{{"a", "", "c", ""}}));
  EXPECT_EQ(must_read("a,"), (Rows{{"a", ""}}));
}

TEST(CsvReader, QuotedFieldsWithDelimitersQuotesAndLineBreaks) {
  EXPECT_EQ(must_read("\"a,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nx,y,z\n"),
            (Rows{{"a,1", "say \"hi\"", "two\nlines"}, {"x", "y", "z"}}));
}

TEST(CsvReader, CrLfAndLoneCr) {
  EXPECT_EQ(must_read("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(must_read("a,b\r1,2\r"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(must_read("\"q\"\r\n2\r\n"), (Rows{{"q"}, {"2"}}));
}

TEST(CsvReader, SkipsBomAndBlankLines) {
  EXPECT_EQ(must_read("\xEF\xBB\xBFid,x\n\n1,2\n\n"), (Rows{{"id", "x"}, {"1", "2"}}));
}

TEST(CsvReader, EmptyInput) { EXPECT_TRUE(must_read("").empty()); }

TEST(CsvReader, SniffsDelimiters) {
  for (char d : {',', ';', '\t', '|'}) {
    std::string text =
        std::string("date") + d + "amount" + d + "memo\n01.02.2024" + d + "1,50" + d + "x\n";
    auto reader = CsvReader::open(std::make_unique<MemoryByteSource>(text));
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->delimiter(), d) << "delimiter " << int(d);
  }
  EXPECT_EQ(sniff_delimiter("a;b;c\n1,5;2,5;3\n4;5;6\n"), ';');
  EXPECT_EQ(sniff_delimiter("\"x;y\",b\n1,2\n"), ',');
  EXPECT_EQ(sniff_delimiter("single"), ',');
}

TEST(CsvReader, ExplicitDelimiter) {
  CsvOptions options;
  options.delimiter = '|';
  EXPECT_EQ(must_read("a,b|c\n", options), (Rows{{"a,b", "c"}}));
}

TEST(CsvReader, RecordsSpanningChunkBoundaries) {
  // Tiny chunks force every record, quote and CRLF to straddle reads.
  std::string text;
  Rows expected;
  for (int i = 0; i < 200; ++i) {
    text += std::to_string(i) + ",\"q" + std::to_string(i) + " \"\" ,\r\nz\",end\r\n";
    expected.push_back({std::to_string(i), "q" + std::to_string(i) + " \" ,\r\nz", "end"});
  }
  CsvOptions options;
  options.chunk_bytes = 7;
  options.delimiter = ',';
  EXPECT_EQ(must_read(text, options), expected);
}

TEST(CsvReader, LineNumbersCountEmbeddedLineBreaks) {
  auto reader = CsvReader::open(std::make_unique<MemoryByteSource>("h\n\"a\nb\"\nc\n"));
  ASSERT_TRUE(reader.ok());
  CsvRow row;
  std::vector<std::uint64_t> lines;
  while (*(*reader)->next(row)) lines.push_back(row.line());
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{1, 2, 4}));
}

TEST(CsvReader, UnterminatedQuoteIsAnError) {
  auto rows = read_all("a\n\"open,b\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message().find("line 2"), std::string::npos);
  EXPECT_NE(rows.error().message().find("not closed"), std::string::npos);
}

TEST(CsvReader, TextAfterClosingQuoteIsAnError) {
  auto rows = read_all("\"a\"b,c\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message().find("after a closing quote"), std::string::npos);
}

TEST(CsvReader, InvalidUtf8IsAnErrorWithTheLine) {
  auto rows = read_all("name\ncaf\xE9\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message().find("line 2"), std::string::npos);
  EXPECT_NE(rows.error().message().find("UTF-8"), std::string::npos);
}

TEST(CsvReader, AcceptsValidUtf8) {
  EXPECT_EQ(must_read("Zürich,€,日本,😀\n"), (Rows{{"Zürich", "€", "日本", "😀"}}));
}

TEST(CsvReader, RejectsUtf16) {
  auto rows =
      read_all(std::string("\xFF\xFE"
                           "a\0,\0",
                           6));
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message().find("UTF-16"), std::string::npos);
}

TEST(CsvReader, EnforcesLimits) {
  CsvOptions options;
  options.max_field_bytes = 4;
  EXPECT_FALSE(read_all("12345\n", options).ok());
  EXPECT_TRUE(read_all("1234\n", options).ok());
  CsvOptions fields;
  fields.max_fields_per_row = 3;
  EXPECT_FALSE(read_all("a,b,c,d\n", fields).ok());
  CsvOptions row_bytes;
  row_bytes.max_row_bytes = 100;
  row_bytes.chunk_bytes = 64;
  EXPECT_FALSE(read_all("\"" + std::string(1000, 'x') + "\"\n", row_bytes).ok());
}

TEST(CsvReader, ErrorsAreSticky) {
  auto reader = CsvReader::open(std::make_unique<MemoryByteSource>("\"a\"x\nb\n"));
  ASSERT_TRUE(reader.ok());
  CsvRow row;
  EXPECT_FALSE((*reader)->next(row).ok());
  EXPECT_FALSE((*reader)->next(row).ok());
}

}  // namespace
}  // namespace oeuvre::csv
