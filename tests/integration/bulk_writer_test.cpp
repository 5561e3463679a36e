// Connection::bulk_writer and insert_rows on both backends: rows stream in within the caller's
// transaction, an abandoned load leaves nothing and a usable session, bad rows are refused; dates
// round-trip as values through the writer and as parameters.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time.h"
#include "core/uuid.h"

#include "store/database.h"
#include "store/migrations.h"
#include "store/transaction.h"
#include "support/test_database.h"

namespace oeuvre {
namespace {

const std::string kColumns[] = {"id", "name", "n"};

struct Store {
  testing::TestDatabase test_db = testing::make_test_database();
  std::unique_ptr<store::Database> db;
  Store() {
    auto opened = store::open_database({test_db.url, 1, std::chrono::milliseconds(5000)});
    EXPECT_TRUE(opened.ok());
    db = std::move(*opened);
    auto made = store::with_connection(*db, [](store::Connection& conn) {
      return conn.execute_script("CREATE TABLE bulk_items (id integer PRIMARY KEY, name text NOT NULL, n bigint)");
    });
    EXPECT_TRUE(made.ok()) << made.error().message();
  }
  ~Store() { db->close(); }
  std::int64_t count() {
    auto rs = store::with_connection(*db, [](store::Connection& conn) {
      return conn.query("SELECT count(*) FROM bulk_items", {});
    });
    EXPECT_TRUE(rs.ok());
    return rs.ok() ? rs->rows.at(0).integer(0) : -1;
  }
};

TEST(BulkWriterTest, RowsStreamInWithTheTransaction) {
  Store s;
  auto done = store::in_transaction(*s.db, true, [](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("bulk_items", kColumns));
    for (std::int64_t i = 1; i <= 50000; ++i) {
      const store::Value row[] = {i, std::string("name\t\"" + std::to_string(i) + "\"\n\\"),
                                  i % 3 == 0 ? store::Value(std::monostate{}) : store::Value(i * 7)};
      RETURN_IF_ERROR(writer->add(row));
    }
    return writer->finish();
  });
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_EQ(s.count(), 50000);
  auto rs = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.query("SELECT name, n FROM bulk_items WHERE id = 3", {});
  });
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->rows.at(0).text(0), "name\t\"3\"\n\\");
  EXPECT_TRUE(rs->rows.at(0).is_null(1));
}

TEST(BulkWriterTest, OneRowBufferReusedForEveryAdd) {
  // The way ResultWriter and RecordWriter call it: the same values rewritten in place between
  // add() calls, texts growing and shrinking. Each stored row has its own values.
  Store s;
  auto done = store::in_transaction(*s.db, true, [](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("bulk_items", kColumns));
    std::vector<store::Value> row(3);
    for (std::int64_t i = 1; i <= 300; ++i) {
      row[0] = i;
      if (!std::holds_alternative<std::string>(row[1])) row[1] = std::string();
      std::get<std::string>(row[1]).assign(static_cast<std::size_t>(i % 70), static_cast<char>('a' + i % 26));
      row[2] = i % 2 == 0 ? store::Value(std::monostate{}) : store::Value(i);
      RETURN_IF_ERROR(writer->add(row));
    }
    return writer->finish();
  });
  ASSERT_TRUE(done.ok()) << done.error().message();
  auto rs = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.query("SELECT id, name, n FROM bulk_items ORDER BY id", {});
  });
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->rows.size(), 300u);
  for (const auto& r : rs->rows) {
    const std::int64_t i = r.integer(0);
    EXPECT_EQ(r.text(1), std::string(static_cast<std::size_t>(i % 70), static_cast<char>('a' + i % 26))) << i;
    EXPECT_EQ(r.is_null(2), i % 2 == 0) << i;
  }
}

TEST(BulkWriterTest, EveryRowCountAroundSQLitesBatchIsStoredWhole) {
  // SQLite stores rows 32 at a time and the rest at finish(): counts on each side of a batch.
  Store s;
  std::int64_t next_id = 1;
  std::int64_t expected = 0;
  for (const std::int64_t n : {0, 1, 31, 32, 33, 64, 65, 97}) {
    const std::int64_t first = next_id;
    auto done = store::in_transaction(*s.db, true, [&](store::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("bulk_items", kColumns));
      for (std::int64_t i = 0; i < n; ++i, ++next_id) {
        const store::Value row[] = {next_id, std::string("row " + std::to_string(next_id)), n};
        RETURN_IF_ERROR(writer->add(row));
      }
      return writer->finish();
    });
    ASSERT_TRUE(done.ok()) << n << ": " << done.error().message();
    expected += n;
    EXPECT_EQ(s.count(), expected) << n;
    auto rs = store::with_connection(*s.db, [&](store::Connection& conn) {
      const store::Value range[] = {first, next_id};
      return conn.query("SELECT id, name, n FROM bulk_items WHERE id >= $1 AND id < $2 ORDER BY id", range);
    });
    ASSERT_TRUE(rs.ok());
    ASSERT_EQ(static_cast<std::int64_t>(rs->rows.size()), n);
    for (const auto& r : rs->rows) {
      EXPECT_EQ(r.text(1), "row " + std::to_string(r.integer(0)));
      EXPECT_EQ(r.integer(2), n);
    }
  }
}

TEST(BulkWriterTest, ADuplicateInAFullBatchOrInTheLastRowsIsAConflictAndLeavesNothing) {
  Store s;
  for (const std::int64_t duplicate_at : {5, 31, 32, 40, 69}) {
    auto done = store::in_transaction(*s.db, true, [&](store::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("bulk_items", kColumns));
      for (std::int64_t i = 1; i <= 70; ++i) {
        const std::int64_t id = i == duplicate_at ? 1 : i;
        const store::Value row[] = {id, std::string("x"), i};
        RETURN_IF_ERROR(writer->add(row));
      }
      return writer->finish();
    });
    ASSERT_FALSE(done.ok()) << duplicate_at;
    EXPECT_EQ(done.error().code(), ErrorCode::kConflict) << duplicate_at << ": " << done.error().message();
    EXPECT_EQ(s.count(), 0) << duplicate_at;
  }
}

TEST(BulkWriterTest, EveryColumnTypeRoundTripsIncludingNulls) {
  // PostgreSQL loads these in COPY's binary format (uuid, date, timestamptz, float8, bool, json,
  // jsonb, smallint, integer, bigint, text), each value encoded here by the column's type.
  Store s;
  const std::string columns[] = {"id", "day", "at", "score", "flag", "doc", "tags", "small", "mid", "big", "note"};
  auto made = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.execute_script(
        "CREATE TABLE typed_items (id uuid PRIMARY KEY, day date, at timestamptz, score double precision, "
        "flag boolean, doc json, tags jsonb, small smallint, mid integer, big bigint, note text)");
  });
  ASSERT_TRUE(made.ok()) << made.error().message();
  const Uuid first = Uuid::generate_v7();
  const Uuid second = Uuid::generate_v7();
  const Timestamp at = *parse_timestamp("2026-11-29T12:34:56.123456Z");
  auto done = store::in_transaction(*s.db, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("typed_items", columns));
    const store::Value full[] = {first.to_string(), std::string("1999-12-31"), format_timestamp(at), 0.1, true,
                                 std::string("{\"a\":[1,\"x\"]}"), std::string("[\"t\"]"), std::int64_t{-32768},
                                 std::int64_t{2147483647}, std::int64_t{-9007199254740993},
                                 std::string("tab\there\nnew line \\ back \"quote\" é")};
    RETURN_IF_ERROR(writer->add(full));
    std::vector<store::Value> empty(std::size(columns));
    empty[0] = second.to_string();
    RETURN_IF_ERROR(writer->add(empty));
    return writer->finish();
  });
  ASSERT_TRUE(done.ok()) << done.error().message();
  auto rs = store::with_connection(*s.db, [&](store::Connection& conn) {
    return conn.query("SELECT id, day, at, score, flag, doc, tags, small, mid, big, note FROM typed_items "
                      "ORDER BY note IS NULL",
                      {});
  });
  ASSERT_TRUE(rs.ok()) << rs.error().message();
  ASSERT_EQ(rs->rows.size(), 2u);
  const store::Row& r = rs->rows[0];
  EXPECT_EQ(Uuid::parse(r.text(0)), first);
  EXPECT_EQ(r.text(1), "1999-12-31");
  EXPECT_EQ(parse_timestamp(r.text(2)), at);
  EXPECT_DOUBLE_EQ(r.real(3), 0.1);
  EXPECT_TRUE(r.boolean(4));
  EXPECT_EQ(boost::json::parse(r.text(5)), boost::json::parse("{\"a\":[1,\"x\"]}"));
  EXPECT_EQ(boost::json::parse(r.text(6)), boost::json::parse("[\"t\"]"));
  EXPECT_EQ(r.integer(7), -32768);
  EXPECT_EQ(r.integer(8), 2147483647);
  EXPECT_EQ(r.integer(9), -9007199254740993);
  EXPECT_EQ(r.text(10), "tab\there\nnew line \\ back \"quote\" é");
  const store::Row& nulls = rs->rows[1];
  EXPECT_EQ(Uuid::parse(nulls.text(0)), second);
  for (std::size_t c = 1; c < std::size(columns); ++c) EXPECT_TRUE(nulls.is_null(c)) << columns[c];
}

TEST(BulkWriterTest, AValueThatDoesNotFitItsColumnIsRefusedAndLeavesNothing) {
  Store s;
  const std::string columns[] = {"id", "small", "day"};
  auto made = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.execute_script("CREATE TABLE narrow_items (id uuid PRIMARY KEY, small smallint, day date)");
  });
  ASSERT_TRUE(made.ok()) << made.error().message();
  if (s.db->dialect() != store::Dialect::kPostgres) GTEST_SKIP() << "SQLite stores any value in any column";
  const std::vector<std::vector<store::Value>> bad_rows = {
      {std::string("not a uuid"), std::int64_t{1}, std::string("2025-01-01")},
      {Uuid::generate_v7().to_string(), std::int64_t{40000}, std::string("2025-01-01")},
      {Uuid::generate_v7().to_string(), std::int64_t{1}, std::string("2025-02-30")},
      {Uuid::generate_v7().to_string(), std::string("twelve"), std::string("2025-01-01")},
  };
  for (const auto& bad : bad_rows) {
    auto done = store::in_transaction(*s.db, true, [&](store::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("narrow_items", columns));
      const store::Value good[] = {Uuid::generate_v7().to_string(), std::int64_t{7}, std::string("2025-01-01")};
      RETURN_IF_ERROR(writer->add(good));
      RETURN_IF_ERROR(writer->add(bad));
      return writer->finish();
    });
    ASSERT_FALSE(done.ok());
    EXPECT_EQ(done.error().code(), ErrorCode::kBadRequest) << done.error().message();
  }
  auto rs = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.query("SELECT count(*) FROM narrow_items", {});
  });
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->rows.at(0).integer(0), 0);
  // A refused value leaves the writer's memory of the column's last value unchanged in effect: the
  // same day after a bad one is still sent whole.
  auto after_bad = store::in_transaction(*s.db, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("narrow_items", columns));
    const store::Value first[] = {Uuid::generate_v7().to_string(), std::int64_t{1}, std::string("2025-01-01")};
    RETURN_IF_ERROR(writer->add(first));
    const store::Value bad[] = {Uuid::generate_v7().to_string(), std::int64_t{1}, std::string("2025-13-01")};
    const Status refused = writer->add(bad);
    EXPECT_FALSE(refused.ok());
    if (!refused.ok()) {
      EXPECT_EQ(refused.error().code(), ErrorCode::kBadRequest);
    }
    const store::Value again[] = {Uuid::generate_v7().to_string(), std::int64_t{2}, std::string("2025-01-01")};
    RETURN_IF_ERROR(writer->add(again));
    return writer->finish();
  });
  ASSERT_TRUE(after_bad.ok()) << after_bad.error().message();
  auto days = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.query("SELECT count(*) FROM narrow_items WHERE day = '2025-01-01'", {});
  });
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->rows.at(0).integer(0), 2);
}

// Dates as store::Value: the Unix epoch, a leap day, the first and last dates a Value may hold, and
// NULL, with 'YYYY-MM-DD' text still accepted next to them.
const std::chrono::sys_days kDates[] = {std::chrono::sys_days{std::chrono::year{1970} / 1 / 1},
                                        std::chrono::sys_days{std::chrono::year{2024} / 2 / 29},
                                        store::kMinDate, store::kMaxDate};
const std::string kDateTexts[] = {"1970-01-01", "2024-02-29", "0001-01-01", "9999-12-31"};

// The rows of dated_items with ids in [first, first + 6): the four dates, NULL, then "2000-03-01".
void expect_dated_rows(Store& s, std::int64_t first) {
  auto rs = store::with_connection(*s.db, [&](store::Connection& conn) {
    const store::Value range[] = {first, first + 6};
    return conn.query("SELECT id, day FROM dated_items WHERE id >= $1 AND id < $2 ORDER BY id",
                      range);
  });
  ASSERT_TRUE(rs.ok()) << rs.error().message();
  ASSERT_EQ(rs->rows.size(), 6u) << first;
  for (std::size_t k = 0; k < std::size(kDateTexts); ++k) {
    EXPECT_EQ(rs->rows[k].optional_text(1), kDateTexts[k]) << first;
  }
  EXPECT_TRUE(rs->rows[4].is_null(1)) << first;
  EXPECT_EQ(rs->rows[5].optional_text(1), "2000-03-01") << first;
}

std::vector<store::Value> dated_values() {
  std::vector<store::Value> days(std::begin(kDates), std::end(kDates));
  days.emplace_back(std::monostate{});
  days.emplace_back(std::string("2000-03-01"));
  return days;
}

TEST(BulkWriterTest, DatesRoundTripThroughTheWriterAndAsParameters) {
  // On PostgreSQL {id, day} loads in COPY's binary format, {id, day, amount} in its text format
  // (numeric has no binary encoding here); the third set goes in as statement parameters.
  Store s;
  auto made = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.execute_script(
        "CREATE TABLE dated_items (id integer PRIMARY KEY, day date, amount numeric)");
  });
  ASSERT_TRUE(made.ok()) << made.error().message();
  const std::string binary_columns[] = {"id", "day"};
  const std::string text_columns[] = {"id", "day", "amount"};
  const std::vector<store::Value> days = dated_values();
  for (const std::int64_t first : {10, 20}) {
    const std::span<const std::string> columns = first == 10
                                                     ? std::span<const std::string>(binary_columns)
                                                     : std::span<const std::string>(text_columns);
    auto done = store::in_transaction(*s.db, true, [&](store::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("dated_items", columns));
      for (std::size_t k = 0; k < days.size(); ++k) {
        std::vector<store::Value> row = {first + static_cast<std::int64_t>(k), days[k],
                                         std::int64_t{1}};
        row.resize(columns.size());
        RETURN_IF_ERROR(writer->add(row));
      }
      return writer->finish();
    });
    ASSERT_TRUE(done.ok()) << first << ": " << done.error().message();
    expect_dated_rows(s, first);
  }
  for (std::size_t k = 0; k < days.size(); ++k) {
    auto inserted = store::with_connection(*s.db, [&](store::Connection& conn) {
      const store::Value params[] = {std::int64_t{30} + static_cast<std::int64_t>(k), days[k]};
      return conn.query("INSERT INTO dated_items (id, day) VALUES ($1, $2)", params);
    });
    ASSERT_TRUE(inserted.ok()) << k << ": " << inserted.error().message();
  }
  expect_dated_rows(s, 30);
  // A date parameter compares as a date: the leap day once per set, everything after 2000-01-01
  // (the leap day, the last date and 2000-03-01) three times per set.
  auto counted =
      store::with_connection(*s.db, [](store::Connection& conn) -> Result<store::ResultSet> {
        const store::Value params[] = {kDates[1],
                                       std::chrono::sys_days{std::chrono::year{2000} / 1 / 1}};
        return conn.query(
            "SELECT (SELECT count(*) FROM dated_items WHERE day = $1), "
            "(SELECT count(*) FROM dated_items WHERE day > $2)",
            params);
      });
  ASSERT_TRUE(counted.ok()) << counted.error().message();
  EXPECT_EQ(counted->rows.at(0).integer(0), 3);
  EXPECT_EQ(counted->rows.at(0).integer(1), 9);
}

TEST(BulkWriterTest, ADateOutsideFourDigitYearsIsRefusedBeforeAnythingIsSent) {
  Store s;
  auto made = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.execute_script("CREATE TABLE dated_items (id integer PRIMARY KEY, day date)");
  });
  ASSERT_TRUE(made.ok()) << made.error().message();
  const std::string columns[] = {"id", "day"};
  for (const std::chrono::sys_days day :
       {store::kMinDate - std::chrono::days{1}, store::kMaxDate + std::chrono::days{1}}) {
    auto loaded = store::in_transaction(*s.db, true, [&](store::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("dated_items", columns));
      const store::Value good[] = {std::int64_t{1}, kDates[0]};
      RETURN_IF_ERROR(writer->add(good));
      const store::Value bad[] = {std::int64_t{2}, day};
      RETURN_IF_ERROR(writer->add(bad));
      return writer->finish();
    });
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code(), ErrorCode::kBadRequest) << loaded.error().message();
    auto bound = store::with_connection(*s.db, [&](store::Connection& conn) {
      const store::Value params[] = {std::int64_t{3}, day};
      return conn.query("INSERT INTO dated_items (id, day) VALUES ($1, $2)", params);
    });
    ASSERT_FALSE(bound.ok());
    EXPECT_EQ(bound.error().code(), ErrorCode::kBadRequest) << bound.error().message();
  }
  auto rs = store::with_connection(*s.db, [](store::Connection& conn) {
    return conn.query("SELECT count(*) FROM dated_items", {});
  });
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->rows.at(0).integer(0), 0);
}

TEST(BulkWriterTest, AnAbandonedOrFailedLoadLeavesNothingAndTheSessionWorks) {
  Store s;
  auto abandoned = store::in_transaction(*s.db, true, [](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("bulk_items", kColumns));
    const store::Value row[] = {std::int64_t{1}, std::string("a"), std::int64_t{1}};
    RETURN_IF_ERROR(writer->add(row));
    return Error::Internal("the caller gave up");  // the writer is destroyed without finish()
  });
  EXPECT_FALSE(abandoned.ok());
  EXPECT_EQ(s.count(), 0);

  auto duplicate = store::in_transaction(*s.db, true, [](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("bulk_items", kColumns));
    for (int i = 0; i < 2; ++i) {
      const store::Value row[] = {std::int64_t{7}, std::string("same id"), std::int64_t{0}};
      RETURN_IF_ERROR(writer->add(row));
    }
    return writer->finish();
  });
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kConflict) << duplicate.error().message();
  EXPECT_EQ(s.count(), 0);

  auto bad = store::with_connection(*s.db, [](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(auto writer, conn.bulk_writer("bulk_items", kColumns));
    const store::Value short_row[] = {std::int64_t{1}};
    return writer->add(short_row);
  });
  EXPECT_EQ(bad.error().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(store::with_connection(*s.db, [](store::Connection& conn) {
              return conn.bulk_writer("bulk items; DROP TABLE x", kColumns);
            }).error().code(),
            ErrorCode::kBadRequest);
  // The one pooled session is still usable after all of that.
  auto ok = store::in_transaction(*s.db, true, [](store::Connection& conn) {
    const std::vector<std::vector<store::Value>> rows = {{std::int64_t{1}, std::string("x"), std::int64_t{2}}};
    return conn.insert_rows("bulk_items", kColumns, rows);
  });
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(s.count(), 1);
}

}  // namespace
}  // namespace oeuvre
