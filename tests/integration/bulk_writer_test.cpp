// Connection::bulk_writer and insert_rows on both backends: rows stream in within the caller's
// transaction, an abandoned load leaves nothing and a usable session, bad rows are refused.
#include <gtest/gtest.h>

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
