// With the store unavailable the server answers 503 problem+json quickly, keeps serving what does not
// need the store, does not crash or hang, and recovers when the store comes back.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "security/crypto.h"
#include "store/database.h"
#include "support/test_server.h"
#include "observability/log.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr auto kQuickly = std::chrono::seconds(5);

void expect_unavailable(const HttpResult& res) {
  EXPECT_EQ(res.status, 503u) << res.body;
  EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json")) << res.header("content-type");
  auto body = res.json();
  ASSERT_TRUE(body.is_object()) << res.body;
  EXPECT_EQ(body.at("status").to_number<int>(), 503);
  EXPECT_EQ(std::string(body.at("request_id").as_string()), res.header("x-request-id"));
}

// Runs `request` and checks that it answered within `limit`.
template <class F>
HttpResult timed(F&& request, std::chrono::milliseconds limit = kQuickly) {
  const auto start = Clock::now();
  HttpResult res = request();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_LT(took, limit) << "the answer took " << took.count() << " ms";
  return res;
}

double counter_value(const std::string& metrics, const std::string& name) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ") || line.starts_with(name + "{")) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return -1;
}

TEST(StoreDownTest, AnExhaustedPoolAnswers503QuicklyAndRecovers) {
  TestServer server([](Config& c) {
    c.db_pool_size = 1;
    c.db_wait_timeout_ms = 300;
    c.cache_enabled = false;  // the subject is the store: cached reads would not reach it
  });
  Session s = server.register_user("pool@example.com");
  auto created = server.post("/api/v1/projects", json::object{{"name", "before"}}, s.access_token);
  ASSERT_EQ(created.status, 201u);
  const std::string id(created.json().at("id").as_string());

  ASSERT_TRUE(server.started());
  {
    auto held = server.app().database().acquire();  // the only connection
    ASSERT_TRUE(held.ok()) << held.error().message();

    expect_unavailable(timed([&] { return server.get("/api/v1/projects/" + id, s.access_token); }));
    expect_unavailable(timed([&] { return server.get("/api/v1/projects", s.access_token); }));
    expect_unavailable(timed([&] {
      return server.post("/api/v1/projects", json::object{{"name", "during"}}, s.access_token);
    }));
    expect_unavailable(timed([&] { return server.get("/health/ready"); }));
    // A login that cannot check the password is unavailable, not "wrong password".
    expect_unavailable(timed([&] {
      return server.post("/api/v1/auth/login", json::object{{"email", s.email}, {"password", kTestPassword}});
    }));
    expect_unavailable(timed([&] {
      return server.post("/api/v1/auth/register",
                         json::object{{"email", "late@example.com"}, {"password", kTestPassword}});
    }));
    // Requests that need no store still work; bad input is still a 4xx.
    EXPECT_EQ(server.get("/health/live").status, 200u);
    EXPECT_EQ(server.scrape().status, 200u);
    EXPECT_EQ(server.get("/api/v1/projects").status, 401u);

    // Many at once: each gets its 503, none hangs.
    std::vector<std::future<HttpResult>> burst;
    const auto start = Clock::now();
    for (int i = 0; i < 8; ++i) {
      burst.push_back(std::async(std::launch::async, [&] { return server.get("/api/v1/projects", s.access_token); }));
    }
    for (auto& f : burst) {
      ASSERT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready) << "a request hangs";
      EXPECT_EQ(f.get().status, 503u);
    }
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(15));
  }  // gives the connection back

  auto metrics = server.scrape();
  EXPECT_GT(counter_value(metrics.body, "oeuvre_store_unavailable_total"), 0) << metrics.body;

  // Recovered: the store answers again and nothing was half-written while it was away.
  EXPECT_EQ(server.get("/health/ready").status, 200u);
  auto list = server.get("/api/v1/projects", s.access_token);
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_EQ(list.json().at("total").to_number<std::int64_t>(), 1);
  EXPECT_EQ(server.post("/api/v1/auth/login", json::object{{"email", "late@example.com"}, {"password", kTestPassword}})
                .status,
            401u);
  EXPECT_EQ(server.post("/api/v1/auth/login", json::object{{"email", s.email}, {"password", kTestPassword}}).status,
            200u);
}

// A store busy with another writer (SQLite: the write lock; PostgreSQL: a table lock, the waiting
// statement cancelled as a statement timeout would) answers 503 "store busy, retry" with Retry-After; the engine's text ("BEGIN
// IMMEDIATE: database is locked", SQLSTATE 57014) goes to the log, never into the problem.
TEST(StoreDownTest, ABusyStoreSaysStoreBusyRetryAndKeepsEngineTextInTheLog) {
  TestServer server([](Config& c) {
    c.db_wait_timeout_ms = 300;
    c.cache_enabled = false;  // the subject is the store: cached reads would not reach it
  });
  ASSERT_TRUE(server.started());
  Session s = server.register_user("busy@example.com");
  auto other =
      store::open_database({server.config().database_url, 2, std::chrono::milliseconds(5000)});
  ASSERT_TRUE(other.ok()) << other.error().message();
  {
    auto writer = (*other)->acquire();
    ASSERT_TRUE(writer.ok()) << writer.error().message();
    ASSERT_TRUE((*writer)->begin(true).ok());
    if ((*writer)->dialect() == store::Dialect::kPostgres) {
      ASSERT_TRUE((*writer)->execute_script("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE").ok());
    }
    // PostgreSQL's statement timeout is 30 s: the waiting statement is cancelled (SQLSTATE 57014,
    // as for a timeout) once it waits for the lock.
    auto canceller = std::async(std::launch::async, [&] {
      if ((*writer)->dialect() != store::Dialect::kPostgres) return;
      auto admin = (*other)->acquire();
      ASSERT_TRUE(admin.ok()) << admin.error().message();
      for (int i = 0; i < 100; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto cancelled = (*admin)->query(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()",
            {});
        if (cancelled.ok() && !cancelled->rows.empty()) return;
      }
    });
    ::testing::internal::CaptureStderr();
    auto res = timed([&] {
      return server.post("/api/v1/projects", json::object{{"name", "busy"}}, s.access_token);
    });
    oeuvre::obs::flush_logs();  // the info lines are written in batches
    const std::string logged = ::testing::internal::GetCapturedStderr();
    canceller.get();
    (void)(*writer)->rollback();
    expect_unavailable(res);
    auto body = res.json();
    ASSERT_TRUE(body.is_object()) << res.body;
    EXPECT_EQ(std::string(body.at("detail").as_string()), "store busy, retry") << res.body;
    EXPECT_FALSE(res.header("retry-after").empty()) << "no Retry-After";
    for (const char* engine_text :
         {"BEGIN", "locked", "SQL", "statement", "PostgreSQL", "timeout"}) {
      EXPECT_EQ(res.body.find(engine_text), std::string::npos) << engine_text << " in " << res.body;
    }
    EXPECT_TRUE(logged.find("database is locked") != std::string::npos ||
                logged.find("57014") != std::string::npos)
        << "the engine's text is not in the log: " << logged;
  }
  (*other)->close();
  EXPECT_EQ(server.post("/api/v1/projects", json::object{{"name", "after"}}, s.access_token).status,
            201u);
}

// ---------------------------------------------------------------------------------------------------
// A real PostgreSQL that goes away.

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// A private PostgreSQL started by scripts/pg-test-server.sh; stopped (and its folder removed) by stop()
// or at the latest by the destructor.
class PrivatePostgres {
 public:
  PrivatePostgres()
      : dir_((std::filesystem::temp_directory_path() /
              ("oeuvre-pg-down-" + security::hex_encode(*security::random_bytes(6))))
                 .string()) {
    started_ = run("start") == 0;
    if (started_) url_ = read_file(dir_ + "/url");
  }
  ~PrivatePostgres() { stop(); }

  bool started() const { return started_ && !url_.empty(); }
  const std::string& url() const { return url_; }
  int stop() {
    if (!started_) return 0;
    started_ = false;
    return run("stop");
  }

 private:
  int run(const std::string& action) {
    const std::string command = std::string(OEUVRE_SOURCE_DIR) + "/scripts/pg-test-server.sh " + action + " '" +
                                dir_ + "' >'" + dir_ + ".log' 2>&1";
    const int rc = std::system(command.c_str());
    if (rc != 0) ADD_FAILURE() << "pg-test-server.sh " << action << " failed:\n" << read_file(dir_ + ".log");
    std::error_code ec;
    if (rc == 0) std::filesystem::remove(dir_ + ".log", ec);
    return rc;
  }

  std::string dir_;
  std::string url_;
  bool started_ = false;
};

bool postgres_backend() {
  const char* backend = std::getenv("OEUVRE_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgres";
}

TEST(StoreDownTest, PostgresGoingAwayAnswers503AndShutsDownCleanly) {
  if (!postgres_backend()) GTEST_SKIP() << "runs with OEUVRE_TEST_BACKEND=postgres";
  PrivatePostgres pg;
  ASSERT_TRUE(pg.started());
  {
    TestServer server([&](Config& c) {
      c.database_url = pg.url();
      c.db_pool_size = 2;
      c.db_wait_timeout_ms = 1000;
      c.cache_enabled = false;  // the subject is the store: cached reads would not reach it
    });
    Session s = server.register_user("pgdown@example.com");
    ASSERT_FALSE(s.access_token.empty());
    auto created = server.post("/api/v1/projects", json::object{{"name", "on postgres"}}, s.access_token);
    ASSERT_EQ(created.status, 201u) << created.body;
    ASSERT_EQ(server.get("/health/ready").status, 200u);

    ASSERT_EQ(pg.stop(), 0);

    expect_unavailable(timed([&] { return server.get("/health/ready"); }));
    // The user is loaded per request, so even the token check needs the store: 503, not 401.
    expect_unavailable(timed([&] { return server.get("/api/v1/projects", s.access_token); }));
    expect_unavailable(timed([&] {
      return server.post("/api/v1/projects", json::object{{"name", "lost"}}, s.access_token);
    }));
    expect_unavailable(timed([&] {
      return server.post("/api/v1/auth/login", json::object{{"email", s.email}, {"password", kTestPassword}});
    }));
    // Twice more, so that broken pooled connections are not reused forever.
    expect_unavailable(timed([&] { return server.get("/health/ready"); }));
    expect_unavailable(timed([&] { return server.get("/api/v1/projects", s.access_token); }));
    EXPECT_EQ(server.get("/health/live").status, 200u);
    EXPECT_EQ(server.scrape().status, 200u);

    const auto start = Clock::now();
    server.stop();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(10)) << "shutdown hangs without the store";
  }
}

}  // namespace
}  // namespace oeuvre::testing
