#include "store/postgres/plain_dump_rows.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oeuvre::store {
namespace {

// The shape of pg_dump --format=plain output (PostgreSQL 15), trimmed: settings, DDL, one COPY block
// per table (an empty one included), then constraints. A value holding a newline or a backslash is
// escaped, so a row is one line; a value that reads "\." is written "\\.".
constexpr std::string_view kDump =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n"
    "CREATE TABLE public.records (\n    id uuid NOT NULL,\n    description text\n);\n\n"
    "COPY public.audit_logs (id, action) FROM stdin;\n"
    "\\.\n\n\n"
    "--\n-- Data for Name: records; Type: TABLE DATA; Schema: public; Owner: -\n--\n\n"
    "COPY public.records (id, description) FROM stdin;\n"
    "0190a8e2-0000-7000-8000-000000000001\tline one\\nline two\n"
    "0190a8e2-0000-7000-8000-000000000002\t\\\\.\n"
    "0190a8e2-0000-7000-8000-000000000003\t\\N\n"
    "\\.\n\n\n"
    "COPY public.\"schema_migrations\" (version) FROM stdin;\n"
    "1\n2\n"
    "\\.\n\n\n"
    "ALTER TABLE ONLY public.records\n    ADD CONSTRAINT records_pkey PRIMARY KEY (id);\n";

const std::vector<std::string> kTables = {"audit_logs", "records", "schema_migrations"};

std::vector<std::pair<std::string, std::int64_t>> pairs(const std::vector<TableRowCount>& counts) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& c : counts) out.emplace_back(c.table, c.rows);
  return out;
}

const std::vector<std::pair<std::string, std::int64_t>> kExpected = {
    {"audit_logs", 0}, {"records", 3}, {"schema_migrations", 2}};

TEST(PlainDumpRowCounterTest, CountsEachTablesRowsInTheSchemasOrder) {
  PlainDumpRowCounter counter;
  counter.feed(kDump);
  auto counts = counter.finish(kTables);
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(pairs(*counts), kExpected);
}

TEST(PlainDumpRowCounterTest, TheSameCountsWhereverThePiecesAreCut) {
  for (std::size_t cut = 0; cut <= kDump.size(); ++cut) {
    for (std::size_t second = cut; second <= kDump.size(); second += 7) {
      PlainDumpRowCounter counter;
      counter.feed(kDump.substr(0, cut));
      counter.feed(kDump.substr(cut, second - cut));
      counter.feed(kDump.substr(second));
      auto counts = counter.finish(kTables);
      ASSERT_TRUE(counts.ok()) << "cut at " << cut << ", " << second << ": " << counts.error().message();
      ASSERT_EQ(pairs(*counts), kExpected) << "cut at " << cut << ", " << second;
    }
  }
  PlainDumpRowCounter bytewise;
  for (char c : kDump) bytewise.feed(std::string_view(&c, 1));
  auto counts = bytewise.finish(kTables);
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(pairs(*counts), kExpected);
}

TEST(PlainDumpRowCounterTest, ADumpThatEndsInsideABlockIsRefused) {
  const std::string_view cut = kDump.substr(0, kDump.find("0190a8e2-0000-7000-8000-000000000003"));
  PlainDumpRowCounter counter;
  counter.feed(cut);
  auto counts = counter.finish(kTables);
  ASSERT_FALSE(counts.ok());
  EXPECT_NE(counts.error().message().find("ended inside the data of table records"), std::string::npos)
      << counts.error().message();
}

TEST(PlainDumpRowCounterTest, AMissingAnUnknownOrARepeatedTableIsRefused) {
  {
    PlainDumpRowCounter counter;
    counter.feed(kDump);
    auto counts = counter.finish({"audit_logs", "files", "records", "schema_migrations"});
    ASSERT_FALSE(counts.ok());
    EXPECT_NE(counts.error().message().find("no data for table files"), std::string::npos);
  }
  {
    PlainDumpRowCounter counter;
    counter.feed(kDump);
    auto counts = counter.finish({"audit_logs", "records"});
    ASSERT_FALSE(counts.ok());
    EXPECT_NE(counts.error().message().find("holds table schema_migrations"), std::string::npos);
  }
  {
    PlainDumpRowCounter counter;
    counter.feed(kDump);
    counter.feed("COPY public.records (id, description) FROM stdin;\n\\.\n");
    auto counts = counter.finish(kTables);
    ASSERT_FALSE(counts.ok());
    EXPECT_NE(counts.error().message().find("records twice"), std::string::npos);
  }
}

}  // namespace
}  // namespace oeuvre::store
