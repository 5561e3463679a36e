// The PostgreSQL backend of the storage seam against a real server: values round-trip exactly,
// errors map to the codes the API turns into 409/503/500, COPY escapes everything, and neither a
// pool wait, an unreachable server, a runaway statement nor a server that dies mid-session can hang
// or crash a worker. Tests specific to PostgreSQL skip unless OEUVRE_TEST_BACKEND=postgres.
#include "store/postgres/postgres_connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "store/connection_pool.h"
#include "store/database.h"
#include "support/test_database.h"

namespace oeuvre::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

#define SKIP_UNLESS_POSTGRES()                                                    \
  do {                                                                            \
    if (!::oeuvre::testing::test_backend_is_postgres()) {                         \
      GTEST_SKIP() << "PostgreSQL-specific; OEUVRE_TEST_BACKEND is not postgres"; \
    }                                                                             \
  } while (0)

std::vector<Value> values(std::initializer_list<Value> list) { return std::vector<Value>(list); }

class PostgresConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_UNLESS_POSTGRES();
    db_ = testing::make_test_database();
    ASSERT_FALSE(db_.url.empty());
    auto opened = PostgresConnection::connect(db_.url, milliseconds(5000));
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    conn_ = std::move(opened).value();
  }
  void TearDown() override { conn_.reset(); }  // before the database is dropped

  ResultSet run(std::string_view sql, std::vector<Value> params = {}) {
    auto result = conn_->query(sql, params);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.error().message();
    return result.ok() ? std::move(result).value() : ResultSet{};
  }
  std::int64_t count(std::string_view table) {
    auto rs = run("SELECT count(*) FROM " + std::string(table));
    return rs.rows.empty() ? -1 : rs.rows[0].integer(0);
  }

  testing::TestDatabase db_;
  std::unique_ptr<PostgresConnection> conn_;
};

TEST_F(PostgresConnectionTest, SessionIsUtf8UtcIsoWithAStatementTimeout) {
  auto rs =
      run("SELECT current_setting('client_encoding'), current_setting('TimeZone'), "
          "current_setting('DateStyle'), current_setting('statement_timeout')");
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.rows[0].text(0), "UTF8");
  EXPECT_EQ(rs.rows[0].text(1), "UTC");
  EXPECT_EQ(rs.rows[0].text(2).substr(0, 3), "ISO");
  EXPECT_EQ(rs.rows[0].text(3), "30s");
  EXPECT_EQ(conn_->dialect(), Dialect::kPostgres);
  EXPECT_TRUE(conn_->healthy());
}

TEST_F(PostgresConnectionTest, EveryValueTypeRoundTripsThroughATable) {
  run("CREATE TABLE t (id bigint PRIMARY KEY, d double precision, s text, b boolean, n text)");
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  auto inserted =
      run("INSERT INTO t (id, d, s, b, n) VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)",
          values({big, 0.1, std::string("plain"), true, std::monostate{},  //
                  small, -1.5e300, std::string(""), false, std::string("x")}));
  EXPECT_EQ(inserted.affected_rows, 2);

  auto rs = run("SELECT id, d, s, b, n FROM t ORDER BY id DESC");
  ASSERT_EQ(rs.rows.size(), 2u);
  EXPECT_EQ(rs.columns, (std::vector<std::string>{"id", "d", "s", "b", "n"}));
  const Row& first = rs.rows[0];
  EXPECT_EQ(first.integer(0), big);
  EXPECT_EQ(first.real(1), 0.1);  // shortest exact text both ways
  EXPECT_EQ(first.text(2), "plain");
  EXPECT_TRUE(first.boolean(3));
  EXPECT_TRUE(first.is_null(4));
  const Row& second = rs.rows[1];
  EXPECT_EQ(second.integer(0), small);
  EXPECT_EQ(second.real(1), -1.5e300);
  EXPECT_FALSE(second.is_null(2));  // '' is not NULL
  EXPECT_EQ(second.text(2), "");
  EXPECT_FALSE(second.boolean(3));
  EXPECT_EQ(second.optional_text(4), std::optional<std::string>("x"));

  // Lookups by each type, with the server inferring the parameter types from the columns.
  EXPECT_EQ(run("SELECT id FROM t WHERE b = $1", values({true})).rows.size(), 1u);
  EXPECT_EQ(run("SELECT id FROM t WHERE d = $1", values({0.1})).rows.size(), 1u);
  EXPECT_EQ(run("SELECT id FROM t WHERE id = $1", values({small})).rows.size(), 1u);
  EXPECT_EQ(run("SELECT id FROM t WHERE n IS NOT DISTINCT FROM $1", values({std::monostate{}}))
                .rows.size(),
            1u);
  auto updated = run("UPDATE t SET s = $1", values({std::string("u")}));
  EXPECT_EQ(updated.affected_rows, 2);
}

TEST_F(PostgresConnectionTest, SpecialDoublesAndUntypedParametersRoundTrip) {
  auto rs =
      run("SELECT $1::float8, $2::float8, $3::float8, $4::float8, $5, $6::bigint + 1",
          values({std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                  -std::numeric_limits<double>::infinity(), 5e-324, std::string("as text"),
                  std::int64_t{41}}));
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.rows[0].text(0), "NaN");
  EXPECT_EQ(rs.rows[0].text(1), "Infinity");
  EXPECT_EQ(rs.rows[0].text(2), "-Infinity");
  EXPECT_EQ(rs.rows[0].real(3), 5e-324);
  EXPECT_EQ(rs.rows[0].text(4), "as text");
  EXPECT_EQ(rs.rows[0].integer(5), 42);
}

TEST_F(PostgresConnectionTest, UnicodeAndNullsRoundTrip) {
  run("CREATE TABLE u (id serial PRIMARY KEY, s text)");
  const std::vector<std::string> texts = {
      "Zürich — Œuvre", "東京", "🚀 emoji", "tab\there", "quote ' and \" and \\ backslash",
      "line\nbreak"};
  for (const auto& text : texts) run("INSERT INTO u (s) VALUES ($1)", values({text}));
  run("INSERT INTO u (s) VALUES ($1)", values({std::monostate{}}));
  auto rs = run("SELECT s, length(s) FROM u ORDER BY id");
  ASSERT_EQ(rs.rows.size(), texts.size() + 1);
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(rs.rows[i].text(0), texts[i]);
  EXPECT_EQ(rs.rows[1].integer(1), 2);  // characters, not bytes: the session is UTF-8
  EXPECT_TRUE(rs.rows.back().is_null(0));
  EXPECT_TRUE(rs.rows.back().is_null(1));
}

TEST_F(PostgresConnectionTest, NulByteInTextIsABadRequestNotATruncation) {
  auto result = conn_->query("SELECT $1::text", values({std::string("a\0b", 3)}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kBadRequest);
}

TEST_F(PostgresConnectionTest, UniqueViolationIsAConflictNamingTheConstraintNotTheValue) {
  run("CREATE TABLE users (id serial PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE)");
  run("INSERT INTO users (email) VALUES ($1)", values({std::string("secret.person@example.com")}));
  auto again = conn_->query("INSERT INTO users (email) VALUES ($1)",
                            values({std::string("secret.person@example.com")}));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_NE(again.error().message().find("users_email_key"), std::string::npos)
      << again.error().message();
  EXPECT_EQ(again.error().message().find("secret.person"), std::string::npos)
      << again.error().message();
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(count("users"), 1);
}

TEST_F(PostgresConnectionTest, ForeignKeyViolationIsAConflict) {
  run("CREATE TABLE parent (id bigint PRIMARY KEY)");
  run("CREATE TABLE child (id bigint PRIMARY KEY, "
      "parent_id bigint CONSTRAINT child_parent_fk REFERENCES parent(id))");
  auto orphan = conn_->query("INSERT INTO child (id, parent_id) VALUES ($1, $2)",
                             values({std::int64_t{1}, std::int64_t{777}}));
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().code(), ErrorCode::kConflict);
  EXPECT_NE(orphan.error().message().find("child_parent_fk"), std::string::npos);
  EXPECT_EQ(orphan.error().message().find("777"), std::string::npos) << orphan.error().message();
}

TEST_F(PostgresConnectionTest, BadSqlIsInternalAndTheSessionStaysUsable) {
  auto bad = conn_->query("SELEC 1", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInternal);
  EXPECT_NE(bad.error().message().find("syntax error"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("42601"), std::string::npos);
  auto missing = conn_->query("SELECT * FROM no_such_table", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kInternal);
  // Stacked statements cannot ride in on a parameterised query.
  auto stacked = conn_->query("SELECT 1; SELECT 2", {});
  ASSERT_FALSE(stacked.ok());
  EXPECT_EQ(stacked.error().code(), ErrorCode::kInternal);
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(run("SELECT 1").rows.size(), 1u);
}

TEST_F(PostgresConnectionTest, DataErrorsDoNotEchoTheParameterValue) {
  auto bad = conn_->query("SELECT $1::integer", values({std::string("hunter2-not-a-number")}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(bad.error().message().find("hunter2"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("22P02"), std::string::npos) << bad.error().message();
  auto range = conn_->query("SELECT $1::integer", values({std::string("98765432109")}));
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.error().message().find("98765432109"), std::string::npos)
      << range.error().message();
  // Invalid UTF-8 is refused (the SQLite backend would store it: services must clean text first).
  auto latin1 = conn_->query("SELECT $1::text", values({std::string("caf\xE9)")}));
  ASSERT_FALSE(latin1.ok());
  EXPECT_EQ(latin1.error().code(), ErrorCode::kInternal);
  EXPECT_NE(latin1.error().message().find("UTF-8"), std::string::npos) << latin1.error().message();
  EXPECT_EQ(latin1.error().message().find("0xe9"), std::string::npos) << latin1.error().message();
}

TEST_F(PostgresConnectionTest, RollbackLeavesNothingAndCommitKeepsEverything) {
  run("CREATE TABLE tx (id bigint PRIMARY KEY)");
  ASSERT_TRUE(conn_->begin(true).ok());
  run("INSERT INTO tx VALUES ($1)", values({std::int64_t{1}}));
  EXPECT_FALSE(conn_->healthy());  // a session mid-transaction must not go back to the pool
  ASSERT_TRUE(conn_->rollback().ok());
  EXPECT_EQ(count("tx"), 0);
  EXPECT_TRUE(conn_->healthy());
  EXPECT_TRUE(conn_->rollback().ok());  // nothing open: a no-op

  ASSERT_TRUE(conn_->begin(false).ok());
  run("INSERT INTO tx VALUES ($1)", values({std::int64_t{2}}));
  ASSERT_TRUE(conn_->commit().ok());
  EXPECT_EQ(count("tx"), 1);
}

TEST_F(PostgresConnectionTest, CommitAfterAFailedStatementReportsTheRollback) {
  run("CREATE TABLE tx (id bigint PRIMARY KEY)");
  ASSERT_TRUE(conn_->begin(true).ok());
  run("INSERT INTO tx VALUES ($1)", values({std::int64_t{1}}));
  auto duplicate = conn_->query("INSERT INTO tx VALUES ($1)", values({std::int64_t{1}}));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kConflict);
  EXPECT_FALSE(conn_->healthy());  // failed transaction
  auto committed = conn_->commit();
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code(), ErrorCode::kInternal);
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(count("tx"), 0);
}

TEST_F(PostgresConnectionTest, ExecuteScriptRunsSeveralStatementsAndStopsAtTheFirstError) {
  ASSERT_TRUE(conn_
                  ->execute_script("CREATE TABLE a (id int); CREATE TABLE b (id int);\n"
                                   "INSERT INTO a VALUES (1), (2);")
                  .ok());
  EXPECT_EQ(count("a"), 2);
  EXPECT_EQ(count("b"), 0);
  // CREATE ... IF NOT EXISTS raises a NOTICE: it must not break anything.
  ASSERT_TRUE(conn_->execute_script("CREATE TABLE IF NOT EXISTS a (id int)").ok());
  auto failed = conn_->execute_script("INSERT INTO b VALUES (1); INSERT INTO nope VALUES (1);");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(count("b"), 0);  // one implicit transaction: the first insert is undone too
  EXPECT_TRUE(conn_->healthy());
}

TEST_F(PostgresConnectionTest, ExplainReturnsOnePlanLinePerString) {
  run("CREATE TABLE e (id bigint PRIMARY KEY, name text)");
  auto plan = conn_->explain("SELECT name FROM e WHERE id = $1", values({std::int64_t{5}}));
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  ASSERT_FALSE(plan->empty());
  EXPECT_NE(plan->front().find("Scan"), std::string::npos) << plan->front();
  for (const auto& line : *plan) EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST_F(PostgresConnectionTest, CopyRoundTripsAwkwardTextAndNulls) {
  run("CREATE TABLE records (id bigint PRIMARY KEY, description text, amount_minor bigint, "
      "rate double precision, cleared boolean, \"order\" text)");
  const std::vector<std::string> columns = {"id",   "description", "amount_minor",
                                            "rate", "cleared",     "order"};
  const std::vector<std::string> awkward = {
      "tab\tinside", "new\nline", "carriage\rreturn", "back\\slash", "\\N",  // literal, not NULL
      "\\.",         "",          "Zürich 東京 🚀",    "trailing\\",  "\t\n\r\\ all"};
  std::vector<std::vector<Value>> rows;
  for (std::size_t i = 0; i < awkward.size(); ++i) {
    rows.push_back({std::int64_t(i), awkward[i], std::int64_t(-12345 * static_cast<int>(i)),
                    0.1 * static_cast<double>(i), i % 2 == 0, std::monostate{}});
  }
  rows.push_back({std::int64_t{1000}, std::monostate{}, std::monostate{}, std::monostate{},
                  std::monostate{}, std::string("has order")});
  auto copied = conn_->copy_rows("records", columns, rows);
  ASSERT_TRUE(copied.ok()) << copied.error().message();

  auto rs = run(
      "SELECT id, description, amount_minor, rate, cleared, \"order\" FROM records ORDER BY id");
  ASSERT_EQ(rs.rows.size(), rows.size());
  for (std::size_t i = 0; i < awkward.size(); ++i) {
    const Row& row = rs.rows[i];
    EXPECT_EQ(row.integer(0), static_cast<std::int64_t>(i));
    EXPECT_EQ(row.optional_text(1), std::optional<std::string>(awkward[i])) << "row " << i;
    EXPECT_EQ(row.integer(2), -12345 * static_cast<std::int64_t>(i));
    EXPECT_EQ(row.real(3), 0.1 * static_cast<double>(i));
    EXPECT_EQ(row.boolean(4), i % 2 == 0);
    EXPECT_TRUE(row.is_null(5));
  }
  const Row& last = rs.rows.back();
  for (std::size_t c = 1; c <= 4; ++c) EXPECT_TRUE(last.is_null(c)) << "column " << c;
  EXPECT_EQ(last.text(5), "has order");
  EXPECT_TRUE(conn_->healthy());
}

TEST_F(PostgresConnectionTest, CopyOfManyRowsSpansSeveralChunks) {
  run("CREATE TABLE bulk (id bigint PRIMARY KEY, payload text)");
  const std::vector<std::string> columns = {"id", "payload"};
  std::vector<std::vector<Value>> rows;
  for (std::int64_t i = 0; i < 20000; ++i) {
    rows.push_back({i, std::string(40, static_cast<char>('a' + i % 26)) + "\t\\"});
  }
  ASSERT_TRUE(conn_->copy_rows("bulk", columns, rows).ok());
  EXPECT_EQ(count("bulk"), 20000);
  auto rs = run("SELECT payload FROM bulk WHERE id = $1", values({std::int64_t{19999}}));
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.rows[0].text(0), std::string(40, static_cast<char>('a' + 19999 % 26)) + "\t\\");
}

TEST_F(PostgresConnectionTest, CopyRejectsUnsafeNamesAndRaggedRowsBeforeSendingAnything) {
  run("CREATE TABLE c (id bigint PRIMARY KEY, s text)");
  const std::vector<std::string> good = {"id", "s"};
  const std::vector<std::vector<Value>> one = {{std::int64_t{1}, std::string("x")}};
  for (const char* bad_table : {"c; DROP TABLE c", "C", "", "1c", "c\"", "public.c"}) {
    auto r = conn_->copy_rows(bad_table, good, one);
    ASSERT_FALSE(r.ok()) << bad_table;
    EXPECT_EQ(r.error().code(), ErrorCode::kBadRequest);
  }
  const std::vector<std::string> bad_columns = {"id", "s) FROM STDIN; --"};
  EXPECT_EQ(conn_->copy_rows("c", bad_columns, one).error().code(), ErrorCode::kBadRequest);
  const std::vector<std::vector<Value>> ragged = {{std::int64_t{1}, std::string("x")},
                                                  {std::int64_t{2}}};
  EXPECT_EQ(conn_->copy_rows("c", good, ragged).error().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(count("c"), 0);
  EXPECT_EQ(run("SELECT to_regclass('c') IS NOT NULL").rows[0].text(0), "t");
  EXPECT_TRUE(conn_->copy_rows("c", good, {}).ok());  // nothing to do
}

TEST_F(PostgresConnectionTest, CopyThatViolatesAConstraintInsertsNothing) {
  run("CREATE TABLE c (id bigint CONSTRAINT c_pkey PRIMARY KEY, s text)");
  const std::vector<std::string> columns = {"id", "s"};
  const std::vector<std::vector<Value>> rows = {{std::int64_t{1}, std::string("a")},
                                                {std::int64_t{1}, std::string("b")}};
  auto r = conn_->copy_rows("c", columns, rows);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kConflict);
  EXPECT_NE(r.error().message().find("c_pkey"), std::string::npos);
  EXPECT_EQ(count("c"), 0);
  EXPECT_TRUE(conn_->healthy());
  // A value that does not fit its column's type is refused (binary COPY encodes it by the column's
  // type, before anything reaches the server), and the session recovers.
  const std::vector<std::vector<Value>> bad_type = {
      {std::string("not a number"), std::string("a")}};
  auto typed = conn_->copy_rows("c", columns, bad_type);
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().code(), ErrorCode::kBadRequest);
  EXPECT_NE(typed.error().message().find("column id"), std::string::npos) << typed.error().message();
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(count("c"), 0);
}

TEST_F(PostgresConnectionTest, StatementTimeoutIsUnavailableAndTheSessionSurvives) {
  auto opened = PostgresConnection::connect(db_.url, milliseconds(5000), milliseconds(200));
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  auto& conn = **opened;
  const auto start = steady_clock::now();
  auto slow = conn.query("SELECT pg_sleep(30)", {});
  const auto took = steady_clock::now() - start;
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(slow.error().message().find("57014"), std::string::npos) << slow.error().message();
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_TRUE(conn.healthy());
  EXPECT_TRUE(conn.query("SELECT 1", {}).ok());
}

TEST_F(PostgresConnectionTest, APoolOfOneTimesOutInsteadOfHanging) {
  const std::string url = db_.url;
  ConnectionPool pool(
      Dialect::kPostgres, [url] { return connect_postgres(url, milliseconds(5000)); }, 1,
      milliseconds(300));
  {
    auto first = pool.acquire();
    ASSERT_TRUE(first.ok()) << first.error().message();
    const auto start = steady_clock::now();
    auto second = pool.acquire();
    const auto waited = steady_clock::now() - start;
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code(), ErrorCode::kUnavailable);
    EXPECT_GE(waited, milliseconds(250));
    EXPECT_LT(waited, std::chrono::seconds(3));
    EXPECT_TRUE((*first)->query("SELECT 1", {}).ok());
  }
  // Given back, the session is handed out again (a second acquire must now succeed).
  auto again = pool.acquire();
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_TRUE((*again)->query("SELECT 1", {}).ok());
}

TEST_F(PostgresConnectionTest, APoolHandsOutASessionOnlyOnceAtATime) {
  const std::string url = db_.url;
  ConnectionPool pool(
      Dialect::kPostgres, [url] { return connect_postgres(url, milliseconds(5000)); }, 2,
      milliseconds(5000));
  run("CREATE TABLE hits (n int)");
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto conn = pool.acquire();
        if (!conn.ok() || !(*conn)->query("INSERT INTO hits VALUES (1)", {}).ok()) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count("hits"), 120);
}

// A loopback TCP port with nothing listening on it.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(PostgresUnreachableTest, AClosedPortIsUnavailableQuicklyAndHidesThePassword) {
  SKIP_UNLESS_POSTGRES();
  const std::string url =
      "postgres://postgres:sup3rsecret@127.0.0.1:" + std::to_string(closed_port()) + "/postgres";
  const auto start = steady_clock::now();
  auto conn = connect_postgres(url, milliseconds(2000));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(conn.error().message().find("sup3rsecret"), std::string::npos)
      << conn.error().message();

  // Through a pool, too: the factory's error comes back, and no slot leaks.
  ConnectionPool pool(
      Dialect::kPostgres, [url] { return connect_postgres(url, milliseconds(1000)); }, 1,
      milliseconds(200));
  for (int i = 0; i < 3; ++i) {
    auto acquired = pool.acquire();
    ASSERT_FALSE(acquired.ok());
    EXPECT_EQ(acquired.error().code(), ErrorCode::kUnavailable);
  }
}

// Runs scripts/pg-test-server.sh; true when it exits 0.
bool pg_test_server(const std::string& action, const std::string& dir) {
  const std::string command = std::string("'") + OEUVRE_SOURCE_DIR +
                              "/scripts/pg-test-server.sh' " + action + " '" + dir + "' >/dev/null";
  return std::system(command.c_str()) == 0;
}

// A private PostgreSQL server in its own temp folder (stopping the shared one would break every
// other test). Stopped and removed on destruction, however the test ends.
class PrivateServer {
 public:
  PrivateServer() {
    std::string base =
        (std::filesystem::temp_directory_path() / "oeuvre-pg-private-XXXXXX").string();
    if (::mkdtemp(base.data()) == nullptr) return;
    base_ = base;
    if (!pg_test_server("start", dir())) return;
    std::ifstream url_file(dir() + "/url");
    std::getline(url_file, url_);
  }
  ~PrivateServer() {
    if (base_.empty()) return;
    (void)pg_test_server("stop", dir());
    std::error_code ec;
    std::filesystem::remove_all(base_, ec);
  }
  PrivateServer(const PrivateServer&) = delete;
  PrivateServer& operator=(const PrivateServer&) = delete;

  // Empty when the server did not start.
  const std::string& url() const { return url_; }
  bool stop() { return pg_test_server("stop", dir()); }

 private:
  std::string dir() const { return base_ + "/server"; }
  std::string base_;
  std::string url_;
};

TEST(PostgresServerLossTest, AServerStoppedMidSessionIsUnavailableNotACrash) {
  SKIP_UNLESS_POSTGRES();
  PrivateServer server;
  ASSERT_FALSE(server.url().empty()) << "could not start a private server";
  const std::string url = server.url();

  auto opened = PostgresConnection::connect(url, milliseconds(5000));
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  std::unique_ptr<PostgresConnection> idle = std::move(opened).value();
  auto opened_tx = PostgresConnection::connect(url, milliseconds(5000));
  ASSERT_TRUE(opened_tx.ok()) << opened_tx.error().message();
  std::unique_ptr<PostgresConnection> in_tx = std::move(opened_tx).value();
  ASSERT_TRUE(idle->query("SELECT 1", {}).ok());
  ASSERT_TRUE(in_tx->begin(true).ok());
  ASSERT_TRUE(in_tx->query("CREATE TABLE lost (id int)", {}).ok());

  const std::string pool_url = url;
  ConnectionPool pool(
      Dialect::kPostgres, [pool_url] { return connect_postgres(pool_url, milliseconds(2000)); }, 2,
      milliseconds(500));
  { ASSERT_TRUE(pool.acquire().ok()); }  // leaves one idle session in the pool

  ASSERT_TRUE(server.stop());

  auto after = idle->query("SELECT 1", {});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code(), ErrorCode::kUnavailable) << after.error().message();
  EXPECT_FALSE(idle->healthy());
  auto again = idle->query("SELECT 1", {});  // still no crash on a dead session
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUnavailable) << again.error().message();
  EXPECT_FALSE(
      idle->copy_rows("lost", std::vector<std::string>{"id"}, {{Value{std::int64_t{1}}}}).ok());

  auto in_tx_query = in_tx->query("INSERT INTO lost VALUES (1)", {});
  ASSERT_FALSE(in_tx_query.ok());
  EXPECT_EQ(in_tx_query.error().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(in_tx->commit().ok());
  EXPECT_FALSE(in_tx->rollback().ok());
  EXPECT_FALSE(in_tx->healthy());

  // The pool finds its idle session dead, and cannot open a new one: kUnavailable, promptly.
  const auto start = steady_clock::now();
  auto acquired = pool.acquire();
  ASSERT_FALSE(acquired.ok());
  EXPECT_EQ(acquired.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(PostgresServerLossTest, HealthyNoticesAServerThatWentAwayWhileIdle) {
  SKIP_UNLESS_POSTGRES();
  PrivateServer server;
  ASSERT_FALSE(server.url().empty()) << "could not start a private server";
  const std::string url = server.url();
  auto opened = PostgresConnection::connect(url, milliseconds(5000));
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  auto& conn = **opened;
  ASSERT_TRUE(conn.healthy());
  ASSERT_TRUE(server.stop());
  // pg_ctl stop -w returns once every backend has said goodbye (FATAL 57P01) and closed its socket.
  const bool healthy = conn.healthy();
  EXPECT_FALSE(healthy) << "a session whose server has gone reports healthy";
  EXPECT_FALSE(conn.healthy());
}

// Runs on both backends: make_test_database hands out a fresh, writable, empty database.
TEST(TestDatabaseTest, EachTestGetsAFreshWritableDatabase) {
  testing::TestDatabase first = testing::make_test_database();
  testing::TestDatabase second = testing::make_test_database();
  ASSERT_FALSE(first.url.empty());
  ASSERT_FALSE(second.url.empty());
  EXPECT_NE(first.url, second.url);
  for (auto* db : {&first, &second}) {
    auto opened = open_database({db->url, 2, milliseconds(5000)});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    auto conn = (*opened)->acquire();
    ASSERT_TRUE(conn.ok()) << conn.error().message();
    ASSERT_TRUE(
        (*conn)->execute_script("CREATE TABLE probe (id integer PRIMARY KEY, s text)").ok());
    auto inserted = (*conn)->query("INSERT INTO probe (id, s) VALUES ($1, $2)",
                                   values({std::int64_t{1}, std::string("Œuvre")}));
    ASSERT_TRUE(inserted.ok()) << inserted.error().message();
    auto rs = (*conn)->query("SELECT s FROM probe WHERE id = $1", values({std::int64_t{1}}));
    ASSERT_TRUE(rs.ok()) << rs.error().message();
    ASSERT_EQ(rs->rows.size(), 1u);
    EXPECT_EQ(rs->rows[0].text(0), "Œuvre");
  }
  if (testing::test_backend_is_postgres()) {
    const std::string name = first.postgres_name;
    const std::string admin = first.postgres_admin_url;
    first = testing::TestDatabase();  // drops it
    auto conn = connect_postgres(admin, milliseconds(5000));
    ASSERT_TRUE(conn.ok());
    auto rs = (*conn)->query("SELECT count(*) FROM pg_database WHERE datname = $1", values({name}));
    ASSERT_TRUE(rs.ok());
    EXPECT_EQ(rs->rows[0].integer(0), 0);
  } else {
    const std::string folder = first.sqlite_dir;
    first = testing::TestDatabase();
    EXPECT_FALSE(std::filesystem::exists(folder));
  }
}

}  // namespace
}  // namespace oeuvre::store
