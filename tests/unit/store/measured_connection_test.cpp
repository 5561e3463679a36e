#include "store/measured_connection.h"

#include <gtest/gtest.h>

#include "observability/metrics.h"
#include "store/sqlite/sqlite_connection.h"

namespace oeuvre::store {
namespace {

TEST(MeasuredConnectionTest, StatementKindsByFirstKeyword) {
  EXPECT_EQ(statement_kind("SELECT 1"), "select");
  EXPECT_EQ(statement_kind("  \n(select * from t)"), "select");
  EXPECT_EQ(statement_kind("insert into t values ($1)"), "insert");
  EXPECT_EQ(statement_kind("UPDATE files SET status = 'parsing'"), "update");
  EXPECT_EQ(statement_kind("Delete FROM t"), "delete");
  EXPECT_EQ(statement_kind("BEGIN IMMEDIATE"), "transaction");
  EXPECT_EQ(statement_kind("COMMIT"), "transaction");
  EXPECT_EQ(statement_kind("WITH x AS (SELECT 1) SELECT * FROM x"), "other");
  EXPECT_EQ(statement_kind(""), "other");
  EXPECT_EQ(statement_kind("selectivity"), "other");
}

TEST(MeasuredConnectionTest, EveryStatementIsTimedByKind) {
  obs::Metrics metrics;
  auto inner = connect_sqlite(":memory:", std::chrono::milliseconds(1000));
  ASSERT_TRUE(inner.ok()) << inner.error().message();
  auto conn = measure_connection(std::move(inner).value(), metrics);
  ASSERT_TRUE(conn->execute_script("CREATE TABLE t (x INTEGER)").ok());
  ASSERT_TRUE(conn->begin(true).ok());
  const Value one[] = {std::int64_t{1}};
  ASSERT_TRUE(conn->query("INSERT INTO t (x) VALUES ($1)", one).ok());
  ASSERT_TRUE(conn->commit().ok());
  auto read = conn->query("SELECT x FROM t", {});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->rows.size(), 1u);
  EXPECT_FALSE(conn->query("SELEC nonsense", {}).ok());
  const std::string text = metrics.serialize();
  for (const char* line : {R"(oeuvre_db_query_duration_seconds_count{kind="script"} 1)",
                           R"(oeuvre_db_query_duration_seconds_count{kind="transaction"} 2)",
                           R"(oeuvre_db_query_duration_seconds_count{kind="insert"} 1)",
                           R"(oeuvre_db_query_duration_seconds_count{kind="select"} 1)",
                           R"(oeuvre_db_query_duration_seconds_count{kind="other"} 1)"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

}  // namespace
}  // namespace oeuvre::store
