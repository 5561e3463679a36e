// A rotated database password is picked up without a restart (issue 14): DATABASE_URL comes from a
// file (the secret chain), the role's password changes and the file with it, the server's sessions
// end; the next new connection is refused authentication, DATABASE_URL is read again and the
// connection retried with it, and requests succeed. PostgreSQL only: the test server checks this one
// role's password (scripts/pg-test-server.sh), SQLite has none.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "backup/backup_restorer.h"
#include "support/test_database.h"
#include "support/test_server.h"
#include "observability/log.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kRole = "oeuvre_pw_rotation";
constexpr const char* kDatabase = "oeuvre_pw_rotation_db";

void run(const std::string& admin_url, const std::string& sql) {
  auto conn = backup::connect_to(admin_url);
  ASSERT_TRUE(conn.ok()) << conn.error().message();
  auto done = (*conn)->query(sql, {});
  ASSERT_TRUE(done.ok()) << sql << ": " << done.error().message();
}

// postgres://postgres@127.0.0.1:PORT/postgres -> postgres://ROLE:PASSWORD@127.0.0.1:PORT/DATABASE
std::string role_url(const std::string& admin_url, const std::string& password) {
  const std::string url = postgres_url_with_database(admin_url, kDatabase);
  const auto at = url.find('@');
  return "postgres://" + std::string(kRole) + ":" + password + url.substr(at);
}

TEST(DatabaseCredentialsTest, ARotatedPasswordIsPickedUpWhenANewConnectionIsRefused) {
  if (!test_backend_is_postgres()) GTEST_SKIP() << "SQLite has no password";
  TestDatabase probe = make_test_database();
  const std::string admin = probe.postgres_admin_url;
  ASSERT_FALSE(admin.empty());
  run(admin, std::string("DROP DATABASE IF EXISTS ") + kDatabase + " WITH (FORCE)");
  run(admin, std::string("DROP ROLE IF EXISTS ") + kRole);
  run(admin, std::string("CREATE ROLE ") + kRole + " LOGIN PASSWORD 'first-Pass-1'");
  run(admin, std::string("CREATE DATABASE ") + kDatabase + " OWNER " + kRole);

  const fs::path url_file = fs::temp_directory_path() / ("oeuvre-db-url-" + std::to_string(std::random_device{}()));
  std::ofstream(url_file) << role_url(admin, "first-Pass-1") << "\n";
  fs::permissions(url_file, fs::perms::owner_read | fs::perms::owner_write);
  ::setenv("DATABASE_URL_FILE", url_file.c_str(), 1);  // each test runs in its own process
  {
    TestServer server([&](Config& c) {
      c.database_url = role_url(admin, "first-Pass-1");
      c.db_pool_size = 2;
      c.log_level = "info";
      c.cache_enabled = false;  // every request must reach the database (and its new connections)
    });
    ASSERT_TRUE(server.started());
    Session alice = server.register_user("alice@example.com");
    ASSERT_EQ(server.get("/api/v1/projects", alice.access_token).status, 200u);

    run(admin, std::string("ALTER ROLE ") + kRole + " PASSWORD 'second-Pass-2'");
    std::ofstream(url_file, std::ios::trunc) << role_url(admin, "second-Pass-2") << "\n";
    run(admin, std::string("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '") + kRole + "'");
    ::testing::internal::CaptureStderr();

    // The sessions are gone: the next connections are new, refused with the old password, and made
    // again with the re-read one.
    unsigned last = 0;
    for (int attempt = 0; attempt < 20 && last != 200; ++attempt) {
      last = server.get("/api/v1/projects", alice.access_token).status;
      if (last != 200) std::this_thread::sleep_for(250ms);
    }
    EXPECT_EQ(last, 200u) << "requests work again after the rotation, without a restart";
    for (int i = 0; i < 5; ++i) EXPECT_EQ(server.get("/api/v1/projects", alice.access_token).status, 200u);
    oeuvre::obs::flush_logs();  // the info lines are written in batches
    const std::string log = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("database credentials rotated"), std::string::npos) << log;
    EXPECT_EQ(log.find("second-Pass-2"), std::string::npos) << "the password in the log";
    server.stop();
  }
  ::unsetenv("DATABASE_URL_FILE");
  run(admin, std::string("DROP DATABASE IF EXISTS ") + kDatabase + " WITH (FORCE)");
  run(admin, std::string("DROP ROLE IF EXISTS ") + kRole);
  fs::remove(url_file);
}

}  // namespace
}  // namespace oeuvre::testing
