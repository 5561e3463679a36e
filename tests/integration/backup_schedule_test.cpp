// Backups inside `oeuvre serve` on both backends: with ENABLE_AUTOMATED_BACKUPS and a 2 s interval the
// server takes, proves and lists backups while serving; a failing run is counted and the next interval
// succeeds; two nodes on one database take one backup per interval between them; admins see the
// status, everyone else a 404; enabled without a key the server refuses to start with one line.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "backup/backup_restorer.h"
#include "support/child_process.h"
#include "support/json_path.h"
#include "support/test_helpers.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

std::function<void(Config&)> with_backups(const fs::path& dir) {
  ::setenv("BACKUP_ENCRYPTION_KEY", kBackupKey, 1);  // each test runs in its own process (gtest_discover_tests)
  return [dir](Config& c) {
    c.enable_automated_backups = true;
    c.backup_interval_seconds = 2;
    c.backup_dir = dir.string();
  };
}

std::size_t archives_in(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) n += entry.path().extension() == ".oeuvre-backup";
  return n;
}

TEST(BackupScheduleTest, TheServerBacksUpProvesAndListsWhileServing) {
  const fs::path dir = fresh_dir("scheduled-backups");
  TestServer server(with_backups(dir));
  ASSERT_TRUE(server.started());
  Session admin = server.create_admin("admin@example.com");
  Session alice = server.register_user("alice@example.com");
  ASSERT_EQ(server.post("/api/v1/projects", json::object{{"name", "Kept"}}, alice.access_token).status, 201u);
  ASSERT_TRUE(wait_until([&] { return metric(server, "oeuvre_backup_last_verified_timestamp_seconds") > 0; }))
      << server.scrape().body;
  EXPECT_GE(archives_in(dir), 1u);
  EXPECT_GT(metric(server, "oeuvre_backup_last_success_timestamp_seconds"), 1.7e9);
  EXPECT_GT(metric(server, "oeuvre_backup_size_bytes"), 0);
  EXPECT_GT(metric(server, "oeuvre_backup_duration_seconds"), 0);
  EXPECT_EQ(metric(server, "oeuvre_backup_failures_total"), 0);

  auto status = server.get("/api/v1/admin/backups", admin.access_token);
  ASSERT_EQ(status.status, 200u) << status.body;
  const json::value body = status.json();
  EXPECT_EQ(json_at(body, "items.0.verification.ok"), json::value(true)) << body;
  EXPECT_GT(json_int(body, "items.0.size_bytes"), 0) << body;
  EXPECT_FALSE(json_string(body, "last_success.backup_id").empty()) << body;
  EXPECT_TRUE(json_at(body, "last_failure").is_null()) << body;
  auto hidden = server.get("/api/v1/admin/backups", alice.access_token);
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_EQ(hidden.header("content-type"), "application/problem+json");
  EXPECT_EQ(server.get("/api/v1/admin/backups").status, 401u);
  server.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(BackupScheduleTest, AFailedRunIsCountedAndTheNextIntervalSucceeds) {
  const fs::path parent = fresh_dir("failing-backups");
  const fs::path dir = parent / "backups";
  std::ofstream(dir) << "a file where the backup folder should be";
  TestServer server(with_backups(dir));
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(wait_until([&] { return metric(server, "oeuvre_backup_failures_total") >= 1; }))
      << server.scrape().body;
  EXPECT_EQ(server.get("/health/live").status, 200u) << "the server keeps serving";
  Session admin = server.create_admin("admin@example.com");
  auto failed = server.get("/api/v1/admin/backups", admin.access_token);
  EXPECT_FALSE(json_string(failed.json(), "last_failure.error").empty()) << failed.body;
  fs::remove(dir);
  ASSERT_TRUE(wait_until([&] { return metric(server, "oeuvre_backup_last_verified_timestamp_seconds") > 0; }))
      << server.scrape().body;
  EXPECT_GE(archives_in(dir), 1u);
  server.stop();
  std::error_code ec;
  fs::remove_all(parent, ec);
}

TEST(BackupScheduleTest, TwoNodesOnOneDatabaseTakeOneBackupPerInterval) {
  const fs::path dir = fresh_dir("shared-backups");
  TestServer first(with_backups(dir));
  ASSERT_TRUE(first.started());
  auto second = TestServer::sharing(first, with_backups(dir));
  ASSERT_TRUE(second->started());
  // Runs are counted in the backups table (pruning keeps one archive a day).
  auto conn = backup::connect_to(first.config().database_url);
  ASSERT_TRUE(conn.ok()) << conn.error().message();
  ASSERT_TRUE(wait_until([&] {
    auto done = (*conn)->query("SELECT count(*) FROM backups WHERE status = 'completed'", {});
    return done.ok() && done->rows.at(0).integer(0) >= 3;
  }, 120s));
  // Both nodes tell the cluster's last backup (the one whose turn it was not reads the table), and
  // the interval, so the OeuvreBackupMissing alert holds for either.
  for (TestServer* node : {&first, second.get()}) {
    EXPECT_TRUE(wait_until([&] { return metric(*node, "oeuvre_backup_last_success_timestamp_seconds") > 1.7e9; }))
        << node->scrape().body;
    EXPECT_EQ(metric(*node, "oeuvre_backup_interval_seconds"), 2) << node->scrape().body;
  }
  // The default retention keeps the newest of today. Checked while the nodes run: a run cut short
  // by the stop may have written its archive and not yet pruned the one before.
  EXPECT_TRUE(wait_until([&] { return archives_in(dir) == 1u; }))
      << archives_in(dir) << " archives: the default retention keeps the newest of today";
  second->stop();
  first.stop();
  // Every run claimed its interval in the backups table: no two started within half an interval.
  auto runs = (*conn)->query("SELECT started_at FROM backups ORDER BY started_at", {});
  ASSERT_TRUE(runs.ok()) << runs.error().message();
  ASSERT_GE(runs->rows.size(), 3u);
  for (std::size_t i = 1; i < runs->rows.size(); ++i) {
    const auto earlier = parse_timestamp(runs->rows[i - 1].text(0));
    const auto later = parse_timestamp(runs->rows[i].text(0));
    ASSERT_TRUE(earlier && later);
    EXPECT_GE(*later - *earlier, std::chrono::microseconds(1'000'000)) << runs->rows[i].text(0);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(BackupScheduleTest, EnabledWithoutAKeyTheServerRefusesToStartWithOneLine) {
  TestDatabase db = make_test_database();
  const fs::path var = fresh_dir("no-key-var");
  ::unsetenv("BACKUP_ENCRYPTION_KEY");
  auto child = ChildProcess::spawn({OEUVRE_BINARY, "serve"},
                                   {{"DATABASE_URL", db.url}, {"VAR_DIR", var.string()}, {"PORT", "0"},
                                    {"METRICS_PORT", "0"},
                                    {"ENABLE_AUTOMATED_BACKUPS", "true"}, {"LOG_LEVEL", "error"}},
                                   (var / "serve.log").string());
  ASSERT_NE(child, nullptr);
  const auto status = child->wait_for_exit(60s);
  ASSERT_TRUE(status.has_value()) << child->output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << describe_wait_status(*status);
  EXPECT_EQ(child->output(),
            "oeuvre: config: BACKUP_ENCRYPTION_KEY: is required by ENABLE_AUTOMATED_BACKUPS (backups are never unencrypted) "
            "and was not found; looked in the file named by BACKUP_ENCRYPTION_KEY_FILE, the environment variable "
            "BACKUP_ENCRYPTION_KEY\n");
  std::error_code ec;
  fs::remove_all(var, ec);
}

TEST(BackupScheduleTest, WithoutTheSettingBackupsAreOffAndSaidOnce) {
  TestDatabase db = make_test_database();
  const fs::path var = fresh_dir("off-var");
  ::unsetenv("BACKUP_ENCRYPTION_KEY");
  auto child = ChildProcess::spawn({OEUVRE_BINARY, "serve"},
                                   {{"DATABASE_URL", db.url}, {"VAR_DIR", var.string()}, {"PORT", "0"},
                                    {"METRICS_PORT", "0"},
                                    {"LOG_LEVEL", "info"}},
                                   (var / "serve.log").string());
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(wait_until([&] { return child->output().find("listening on") != std::string::npos; })) << child->output();
  child->stop();
  const std::string output = child->output();
  const auto first = output.find("automated backups off");
  ASSERT_NE(first, std::string::npos) << output;
  EXPECT_EQ(output.find("automated backups off", first + 1), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(var / "backups"));
  std::error_code ec;
  fs::remove_all(var, ec);
}

}  // namespace
}  // namespace oeuvre::testing
