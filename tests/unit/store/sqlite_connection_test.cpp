#include "store/sqlite_connection.h"

#include <gtest/gtest.h>

#include "store/connection_pool.h"
#include "store/migrations.h"
#include "store/transaction.h"

namespace oeuvre::store {
namespace {

TEST(SqlitePlaceholderTest, RewritesDollarNumbersOutsideQuotes) {
  EXPECT_EQ(rewrite_placeholders_for_sqlite("SELECT $1, '$2', \"$3\" WHERE a = $10"),
            "SELECT ?1, '$2', \"$3\" WHERE a = ?10");
}

std::unique_ptr<Connection> memory() {
  auto conn = connect_sqlite(":memory:", std::chrono::milliseconds(100));
  EXPECT_TRUE(conn.ok());
  return std::move(conn).value();
}

TEST(SqliteConnectionTest, RoundTripsEveryValueType) {
  auto conn = memory();
  const Value params[] = {std::int64_t{-42}, 2.5, std::string("héllo"), true, std::monostate{}};
  auto rs = conn->query("SELECT $1, $2, $3, $4, $5", params);
  ASSERT_TRUE(rs.ok()) << rs.error().message();
  const Row& row = rs->rows.at(0);
  EXPECT_EQ(row.integer(0), -42);
  EXPECT_DOUBLE_EQ(row.real(1), 2.5);
  EXPECT_EQ(row.text(2), "héllo");
  EXPECT_TRUE(row.boolean(3));
  EXPECT_TRUE(row.is_null(4));
}

TEST(SqliteConnectionTest, UniqueViolationIsConflictAndBadSqlIsInternal) {
  auto conn = memory();
  ASSERT_TRUE(conn->execute_script("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  const Value k[] = {std::string("a")};
  ASSERT_TRUE(conn->query("INSERT INTO t VALUES ($1)", k).ok());
  auto dup = conn->query("INSERT INTO t VALUES ($1)", k);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), ErrorCode::kConflict);
  auto bad = conn->query("SELEC nonsense", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInternal);
}

TEST(SqliteConnectionTest, PoolTimesOutInsteadOfHanging) {
  ConnectionPool pool(
      Dialect::kSqlite, [] { return connect_sqlite(":memory:", std::chrono::milliseconds(10)); }, 1,
      std::chrono::milliseconds(50));
  auto first = pool.acquire();
  ASSERT_TRUE(first.ok());
  auto second = pool.acquire();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kUnavailable);
}

TEST(SqliteConnectionTest, MigrationsApplyOnceAndRecordVersions) {
  ConnectionPool pool(
      Dialect::kSqlite, [] { return connect_sqlite(":memory:", std::chrono::milliseconds(10)); }, 1,
      std::chrono::milliseconds(500));
  auto first = apply_migrations(pool);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->size(), migrations_for(Dialect::kSqlite).size());
  auto second = apply_migrations(pool);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->empty());
  auto applied = applied_migrations(pool);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->size(), first->size());
}

TEST(SqliteConnectionTest, FailedTransactionLeavesNothing) {
  ConnectionPool pool(
      Dialect::kSqlite, [] { return connect_sqlite(":memory:", std::chrono::milliseconds(10)); }, 1,
      std::chrono::milliseconds(500));
  ASSERT_TRUE(with_connection(pool, [](Connection& c) { return c.execute_script("CREATE TABLE t (k TEXT)"); }).ok());
  auto failed = in_transaction(pool, true, [](Connection& c) -> Status {
    const Value k[] = {std::string("a")};
    RETURN_IF_ERROR(c.query("INSERT INTO t VALUES ($1)", k));
    return Error::Validation("k", "rejected after the write");
  });
  EXPECT_FALSE(failed.ok());
  auto count = with_connection(pool, [](Connection& c) { return c.query("SELECT count(*) FROM t", {}); });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows.at(0).integer(0), 0);
}

}  // namespace
}  // namespace oeuvre::store
