#include "store/sqlite/sqlite_connection.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/uuid.h"
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

TEST(SqliteConnectionTest, ANewDatabaseFileHas16KiBPagesWalAndAMapping) {
  const auto dir = std::filesystem::temp_directory_path() / ("oeuvre-sqlite-test-" + Uuid::generate_v4().to_string());
  {
    auto conn = connect_sqlite((dir / "new.db").string(), std::chrono::milliseconds(100));
    ASSERT_TRUE(conn.ok()) << conn.error().message();
    ASSERT_TRUE((*conn)->execute_script("CREATE TABLE t (x integer)").ok());
    auto rs = (*conn)->query("SELECT * FROM pragma_page_size, pragma_journal_mode", {});
    ASSERT_TRUE(rs.ok()) << rs.error().message();
    EXPECT_EQ(rs->rows.at(0).integer(0), 16384);
    EXPECT_EQ(rs->rows.at(0).text(1), "wal");
    auto mmap = (*conn)->query("PRAGMA mmap_size", {});
    ASSERT_TRUE(mmap.ok()) << mmap.error().message();
    EXPECT_GT(mmap->rows.at(0).integer(0), 0);
  }
  std::filesystem::remove_all(dir);
}

TEST(SqliteConnectionTest, ALargeCommitIsCheckpointedByTheCheckpointerNotTheWriter) {
  const auto dir = std::filesystem::temp_directory_path() / ("oeuvre-sqlite-test-" + Uuid::generate_v4().to_string());
  const std::string path = (dir / "wal.db").string();
  {
    auto plain = connect_sqlite(path, std::chrono::milliseconds(1000));  // creates the file in WAL mode
    ASSERT_TRUE(plain.ok()) << plain.error().message();
    auto checkpointer = WalCheckpointer::start(path);
    ASSERT_TRUE(checkpointer.ok()) << checkpointer.error().message();
    auto conn = connect_sqlite(path, std::chrono::milliseconds(1000), *checkpointer);
    ASSERT_TRUE(conn.ok()) << conn.error().message();
    // A small commit stays in the log; SQLite's own automatic checkpoint is off.
    ASSERT_TRUE((*conn)->execute_script("CREATE TABLE t (b BLOB)").ok());
    EXPECT_EQ((*checkpointer)->checkpoints(), 0);
    // ~1,300 pages of 16 KiB in one commit: over the threshold, checkpointed on the other thread.
    ASSERT_TRUE((*conn)
                    ->execute_script("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1300) "
                                     "INSERT INTO t SELECT randomblob(16000) FROM n")
                    .ok());
    for (int waited = 0; (*checkpointer)->checkpoints() == 0 && waited < 1000; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ((*checkpointer)->checkpoints(), 1);
    // The pages are in the database file now, not only in the log.
    EXPECT_GT(std::filesystem::file_size(path), 1300u * 16000u);
    auto rs = (*plain)->query("SELECT count(*) FROM t", {});
    ASSERT_TRUE(rs.ok()) << rs.error().message();
    EXPECT_EQ(rs->rows.at(0).integer(0), 1300);
  }
  std::filesystem::remove_all(dir);
}

TEST(SqliteConnectionTest, TakeTextMovesACellOutAndLeavesItNull) {
  auto conn = memory();
  auto rs = conn->query("SELECT 'a text longer than the small string buffer', NULL, 'x'", {});
  ASSERT_TRUE(rs.ok()) << rs.error().message();
  Row& row = rs->rows.at(0);
  EXPECT_EQ(row.take_text(0), "a text longer than the small string buffer");
  EXPECT_TRUE(row.is_null(0));
  EXPECT_EQ(row.take_text(1), "");
  EXPECT_EQ(row.take_optional_text(2), std::optional<std::string>("x"));
  EXPECT_TRUE(row.is_null(2));
  EXPECT_EQ(row.take_optional_text(1), std::nullopt);
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

// The store failures SQLite reports, each with its fault: what the claim protocol retries and gives
// up on, what a problem answer words generically, what the metrics count.
TEST(SqliteConnectionTest, DiskFullBusyCorruptAndReadOnlyAreStoreFailuresOfTheirKind) {
  auto conn = memory();
  ASSERT_TRUE(conn->execute_script("CREATE TABLE t (v TEXT); PRAGMA max_page_count = 2").ok());
  const Value big[] = {std::string(64 * 1024, 'x')};
  auto full = conn->query("INSERT INTO t VALUES ($1)", big);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(full.error().store_fault(), StoreFault::kOutOfSpace) << full.error().message();
  EXPECT_NE(full.error().message().find("full"), std::string::npos) << full.error().message();

  const auto dir =
      std::filesystem::temp_directory_path() / ("oeuvre-faults-" + Uuid::generate_v4().to_string());
  const std::string path = (dir / "db.sqlite").string();
  auto holder = connect_sqlite(path, std::chrono::milliseconds(10));
  auto waiter = connect_sqlite(path, std::chrono::milliseconds(10));
  ASSERT_TRUE(holder.ok() && waiter.ok());
  ASSERT_TRUE((*holder)->begin(true).ok());
  auto busy = (*waiter)->begin(true);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().store_fault(), StoreFault::kBusy) << busy.error().message();
  ASSERT_TRUE((*holder)->rollback().ok());

  const std::string garbage = (dir / "garbage.sqlite").string();
  {
    std::FILE* f = std::fopen(garbage.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string junk(4096, 'j');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto corrupt = connect_sqlite(garbage, std::chrono::milliseconds(10));
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().store_fault(), StoreFault::kCorrupt) << corrupt.error().message();

  holder = Error::Internal("closed");
  waiter = Error::Internal("closed");
  auto read_only = connect_sqlite(path, std::chrono::milliseconds(10));
  ASSERT_TRUE(read_only.ok());
  ASSERT_TRUE((*read_only)->execute_script("CREATE TABLE t (v TEXT); PRAGMA query_only = 1").ok());
  auto refused = (*read_only)->execute_script("INSERT INTO t VALUES ('x')");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().store_fault(), StoreFault::kReadOnly) << refused.error().message();

  auto bad = (*read_only)->query("SELEC nonsense", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().store_fault(), StoreFault::kNone)
      << "an SQL error is not the store's fault";
  read_only = Error::Internal("closed");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// A new database file and its -wal and -shm are the owner's alone, whatever the umask.
TEST(SqliteConnectionTest, TheDatabaseFileAndItsWalAndShmAre0600) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("oeuvre-mode-" + Uuid::generate_v4().to_string());
  const std::string path = (dir / "sub" / "db.sqlite").string();
  const mode_t old_mask = ::umask(022);
  auto conn = connect_sqlite(path, std::chrono::milliseconds(10));
  ::umask(old_mask);
  ASSERT_TRUE(conn.ok()) << conn.error().message();
  ASSERT_TRUE((*conn)->execute_script("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('x')").ok());
  using std::filesystem::perms;
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    EXPECT_EQ(std::filesystem::status(file).permissions(), perms::owner_read | perms::owner_write)
        << file;
  }
  EXPECT_EQ(std::filesystem::status(dir / "sub").permissions(), perms::owner_all)
      << "a folder it created";
  conn = Error::Internal("closed");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
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

TEST(SqliteConnectionTest, TheResultsTableRebuildKeepsRowsLinksAndForeignKeys) {
  // A database at migration 12 with a result and the match that links to it; migration 13 rebuilds
  // the results table (to allow kind 'offset') with foreign keys off.
  ConnectionPool pool(
      Dialect::kSqlite, [] { return connect_sqlite(":memory:", std::chrono::milliseconds(10)); }, 1,
      std::chrono::milliseconds(500));
  auto setup = with_connection(pool, [](Connection& c) -> Status {
    RETURN_IF_ERROR(c.execute_script(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"));
    for (const Migration& m : migrations_for(Dialect::kSqlite)) {
      if (m.version > 12) break;
      RETURN_IF_ERROR(c.execute_script(m.sql));
      const Value row[] = {static_cast<std::int64_t>(m.version), m.name, std::string("t")};
      RETURN_IF_ERROR(c.query("INSERT INTO schema_migrations VALUES ($1, $2, $3)", row));
    }
    return c.execute_script(
        "INSERT INTO users (id, email, password_hash, role, created_at, updated_at) "
        "VALUES ('u1', 'a@example.com', 'h', 'user', 't', 't');"
        "INSERT INTO projects (id, owner_id, name, created_at, updated_at) "
        "VALUES ('p1', 'u1', 'P', 't', 't');"
        "INSERT INTO data_sources (id, project_id, name, created_at, updated_at) "
        "VALUES ('d1', 'p1', 'L', 't', 't'), ('d2', 'p1', 'R', 't', 't');"
        "INSERT INTO reconciliation_jobs (id, project_id, name, left_data_source_id, "
        "right_data_source_id, confidence_threshold, status, created_at, updated_at) "
        "VALUES ('j1', 'p1', 'J', 'd1', 'd2', 0.8, 'completed', 't', 't');"
        "INSERT INTO reconciliation_results (id, job_id, project_id, match_group, kind, "
        "confidence_score, status, created_at, updated_at, held, match_id) VALUES "
        "('r1', 'j1', 'p1', 1, 'one_to_one', 0.9, 'confirmed', 't', 't', 'ambiguous', 'm1');"
        "INSERT INTO reconciliation_matches (id, project_id, job_id, result_id, kind, "
        "left_record_ids, right_record_ids, confidence_score, created_at) "
        "VALUES ('m1', 'p1', 'j1', 'r1', 'one_to_one', '[]', '[]', 0.9, 't');");
  });
  ASSERT_TRUE(setup.ok()) << setup.error().message();
  auto applied = apply_migrations(pool);
  ASSERT_TRUE(applied.ok()) << applied.error().message();
  ASSERT_FALSE(applied->empty());
  EXPECT_EQ(applied->front(), 13);
  auto text = [&](const char* sql) {
    auto rs = with_connection(pool, [&](Connection& c) { return c.query(sql, {}); });
    EXPECT_TRUE(rs.ok()) << sql;
    return rs.ok() && !rs->rows.empty() && !rs->rows[0].is_null(0) ? rs->rows[0].text(0)
                                                                    : std::string("<null>");
  };
  EXPECT_EQ(text("SELECT result_id FROM reconciliation_matches"), "r1");
  EXPECT_EQ(text("SELECT held FROM reconciliation_results WHERE id = 'r1'"), "ambiguous");
  EXPECT_EQ(text("SELECT CAST(count(*) AS TEXT) FROM pragma_foreign_key_check"), "0");
  EXPECT_EQ(text("SELECT CAST(foreign_keys AS TEXT) FROM pragma_foreign_keys"), "1");
  auto offset = with_connection(pool, [](Connection& c) {
    return c.execute_script(
        "INSERT INTO reconciliation_results (id, job_id, project_id, match_group, kind, "
        "confidence_score, status, created_at, updated_at) "
        "VALUES ('r2', 'j1', 'p1', 2, 'offset', 0.9, 'matched', 't', 't')");
  });
  EXPECT_TRUE(offset.ok()) << offset.error().message();
  // The match's foreign key names the new table: deleting the result still unlinks it.
  ASSERT_TRUE(with_connection(pool, [](Connection& c) {
                return c.execute_script("DELETE FROM reconciliation_results WHERE id = 'r1'");
              }).ok());
  EXPECT_EQ(text("SELECT result_id FROM reconciliation_matches"), "<null>");
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

TEST(SqliteConnectionTest, QueryEachStreamsRowsAndStopsOnAVisitError) {
  auto conn = memory();
  ASSERT_TRUE(conn->execute_script("CREATE TABLE t (n INTEGER, s TEXT); INSERT INTO t VALUES (1, 'a'), (2, NULL), "
                                   "(3, 'ccc');")
                  .ok());
  std::vector<std::string> seen;
  const Value none[] = {std::int64_t{0}};
  ASSERT_TRUE(conn->query_each("SELECT n, s FROM t WHERE n > $1 ORDER BY n", none, [&](const Row& row) -> Status {
                    seen.push_back(row.text(0) + ":" + (row.is_null(1) ? "null" : row.text(1)));
                    return OkStatus();
                  }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"1:a", "2:null", "3:ccc"}));
  int visits = 0;
  auto stopped = conn->query_each("SELECT n FROM t", none, [&](const Row&) -> Status {
    ++visits;
    return Error::Conflict("enough");
  });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(visits, 1);
  EXPECT_TRUE(conn->query("SELECT count(*) FROM t", {}).ok());  // the connection is still usable
}

}  // namespace
}  // namespace oeuvre::store
