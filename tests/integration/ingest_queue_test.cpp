// FileIngestService over the parsing queue, on both backends: the queue parsed to its end, and a file
// given back untouched when the service stops mid-way. The claim protocol itself (claims, fencing,
// stale claims, attempts) is tested for both queues in claim_protocol_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "observability/metrics.h"
#include "security/crypto.h"
#include "services/auth_service.h"
#include "services/data_source_service.h"
#include "services/file_ingest_service.h"
#include "services/file_service.h"
#include "services/project_service.h"
#include "store/file_repository.h"
#include "store/migrations.h"
#include "store/transaction.h"
#include "support/test_database.h"
#include "observability/log.h"

namespace oeuvre {
namespace {

struct Queue {
  testing::TestDatabase test_db = testing::make_test_database();
  std::unique_ptr<store::Database> db;
  std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("oeuvre-queue-" + Uuid::generate_v4().to_string());
  std::unique_ptr<store::BlobStore> blobs = store::make_directory_blob_store((folder / "blobs").string());
  std::optional<Uuid> source_id;
  security::Actor actor;

  Queue() {
    auto opened = store::open_database({test_db.url, 4, std::chrono::milliseconds(5000)});
    EXPECT_TRUE(opened.ok());
    db = std::move(*opened);
    EXPECT_TRUE(store::apply_migrations(*db).ok());
    obs::Metrics metrics;
    services::AuthSettings settings;
    settings.jwt_secret = "tK8vW2qZ7nB4xR9mL1cF6hJ3pD0sG5yA";  // random: low-entropy secrets verify nothing
    settings.password_cost = security::PasswordCost::minimal();
    services::CachedReads reads(*db, nullptr);  // no cache: these tests are about the queue
    services::AuthService auth(*db, settings, metrics, reads);
    const services::RequestMeta meta{"queue-test", "127.0.0.1", "tests"};
    auto user = auth.create_user({"q@example.com", "correct horse battery", "Q"}, std::nullopt, meta);
    EXPECT_TRUE(user.ok());
    actor = {user->id, Role::kUser};
    auto project = services::ProjectService(*db, reads).create(actor, "queue", "", meta);
    EXPECT_TRUE(project.ok());
    auto source = services::DataSourceService(*db, reads).create(actor, project->id, {"bank", "bank", {}}, meta);
    EXPECT_TRUE(source.ok());
    source_id = source->id;
    std::filesystem::create_directories(folder / "incoming");
  }
  ~Queue() {
    db->close();
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
  }

  Uuid upload(const std::string& content) {
    const std::string path = (folder / "incoming" / Uuid::generate_v4().to_string()).string();
    std::ofstream(path, std::ios::binary) << content;
    security::Sha256Stream sha;
    sha.update(content);
    services::FileService files(*db, *blobs);
    auto stored = files.upload(actor, *source_id,
                               {path, static_cast<std::int64_t>(content.size()), sha.finish_hex(), "f.csv", "text/csv"},
                               {"queue-test", "127.0.0.1", "tests"});
    EXPECT_TRUE(stored.ok()) << stored.error().message();
    return stored->id;
  }

  store::StoredFile read(const Uuid& id) {
    auto file = store::with_connection(*db, [&](store::Connection& conn) { return store::FileRepository::find(conn, id); });
    EXPECT_TRUE(file.ok() && file->has_value());
    return **file;
  }
};

TEST(IngestQueueTest, TheServiceParsesTheQueueAndReportsWhenItIsEmpty) {
  Queue q;
  obs::Metrics metrics;
  services::IngestOptions options;
  options.claims.workers = 0;
  services::FileIngestService ingest(*q.db, *q.blobs, metrics, options);
  const Uuid id = q.upload("date,amount,currency\n2026-01-01,1.00,EUR\n2026-01-02,oops,EUR\n");
  auto did = ingest.process_next();
  ASSERT_TRUE(did.ok()) << did.error().message();
  EXPECT_TRUE(*did);
  const store::StoredFile file = q.read(id);
  EXPECT_EQ(file.status, FileStatus::kParsed) << file.error.value_or("");
  EXPECT_EQ(file.rows_ok, 1);
  EXPECT_EQ(file.rows_failed, 1);
  auto again = ingest.process_next();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_NE(metrics.serialize().find("oeuvre_ingest_files_total{outcome=\"parsed\"} 1"), std::string::npos);
}

TEST(IngestQueueTest, AStoppedServiceLeavesTheFileForTheNextStart) {
  Queue q;
  obs::Metrics metrics;
  services::IngestOptions options;
  options.claims.workers = 0;
  const Uuid id = q.upload("date,amount,currency\n2026-01-01,1.00,EUR\n");
  {
    services::FileIngestService ingest(*q.db, *q.blobs, metrics, options);
    ingest.stop();  // stopping before any work: process_next hands a claimed file straight back
    auto did = ingest.process_next();
    ASSERT_TRUE(did.ok());
  }
  EXPECT_EQ(q.read(id).status, FileStatus::kUploaded);
  services::FileIngestService restarted(*q.db, *q.blobs, metrics, options);
  ASSERT_TRUE(restarted.process_next().ok());
  EXPECT_EQ(q.read(id).status, FileStatus::kParsed);
}

// A store that cannot take the file's records (SQLite's "database or disk is full", made here with
// PRAGMA max_page_count on every pooled session) fails the file after INGEST_MAX_ATTEMPTS attempts
// with the real reason, logs it and counts it, instead of handing the file back without end.
TEST(IngestQueueTest, AFullStoreFailsTheFileAfterMaxAttemptsWithTheReasonLoggedAndCounted) {
  if (testing::test_backend_is_postgres())
    GTEST_SKIP() << "disk full is simulated with SQLite's max_page_count";
  Queue q;
  std::string csv = "date,amount,currency,description\n";
  for (int i = 0; i < 20000; ++i)
    csv +=
        "2026-01-01,1.00,EUR,a description long enough to need pages " + std::to_string(i) + "\n";
  const Uuid id = q.upload(csv);
  {
    std::vector<store::PooledConnection> all;  // every session of the pool, so each one is capped
    for (int i = 0; i < 4; ++i) {
      auto conn = q.db->acquire();
      ASSERT_TRUE(conn.ok()) << conn.error().message();
      auto pages = (*conn)->query("PRAGMA page_count", {});
      ASSERT_TRUE(pages.ok()) << pages.error().message();
      const std::string cap = "PRAGMA max_page_count = " + pages->rows[0].text(0);
      ASSERT_TRUE((*conn)->execute_script(cap).ok());
      all.push_back(std::move(*conn));
    }
  }
  obs::Metrics metrics;
  services::IngestOptions options;
  options.claims.workers = 0;
  options.claims.max_attempts = 3;
  options.claims.retry_backoff = std::chrono::milliseconds(1);
  services::FileIngestService ingest(*q.db, *q.blobs, metrics, options);
  ::testing::internal::CaptureStderr();
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto did = ingest.process_next();
    ASSERT_TRUE(did.ok()) << did.error().message();
    EXPECT_TRUE(*did);
  }
  auto idle = ingest.process_next();
  oeuvre::obs::flush_logs();  // the info lines are written in batches
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(idle.ok()) << idle.error().message();
  EXPECT_FALSE(*idle) << "the file is not retried without end";
  const store::StoredFile file = q.read(id);
  EXPECT_EQ(file.status, FileStatus::kFailed);
  EXPECT_EQ(file.attempts, 3);
  ASSERT_TRUE(file.error.has_value());
  EXPECT_NE(file.error->find("out of space"), std::string::npos) << *file.error;
  EXPECT_NE(file.error->find("gave up after 3 attempts"), std::string::npos) << *file.error;
  EXPECT_NE(logged.find("database or disk is full"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("\"error\":\"\""), std::string::npos)
      << "an empty error was logged: " << logged;
  const std::string exposed = metrics.serialize();
  EXPECT_NE(
      exposed.find("oeuvre_store_errors_total{kind=\"out_of_space\",work=\"file_parsing\"} 3"),
      std::string::npos)
      << exposed;
  EXPECT_NE(exposed.find("oeuvre_ingest_files_total{outcome=\"failed\"} 1"), std::string::npos)
      << exposed;
}

// INGEST_STALE_AFTER_SECONDS: a file whose parser died (its claim silent) waits for the setting,
// not a fixed ten minutes, then is claimed again and parsed.
TEST(IngestQueueTest, AFileWhoseParserDiedIsClaimedAgainAfterTheStaleSetting) {
  Queue q;
  const Uuid id = q.upload("date,amount,currency\n2026-01-01,1.00,EUR\n");
  auto died = store::in_transaction(*q.db, true, [&](store::Connection& conn) {
    return store::FileQueue().claim_next(conn, "a-parser-that-died", now_utc());
  });
  ASSERT_TRUE(died.ok() && died->has_value());
  obs::Metrics metrics;
  services::IngestOptions options;
  options.claims.workers = 0;
  options.claims.stale_after = std::chrono::seconds(2);
  services::FileIngestService ingest(*q.db, *q.blobs, metrics, options);
  auto early = ingest.process_next();
  ASSERT_TRUE(early.ok()) << early.error().message();
  EXPECT_FALSE(*early) << "a claim with a recent heartbeat is left alone";
  EXPECT_EQ(q.read(id).status, FileStatus::kParsing);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto late = ingest.process_next();
  ASSERT_TRUE(late.ok()) << late.error().message();
  EXPECT_TRUE(*late);
  const store::StoredFile file = q.read(id);
  EXPECT_EQ(file.status, FileStatus::kParsed) << file.error.value_or("");
  EXPECT_EQ(file.attempts, 2);
}

}  // namespace
}  // namespace oeuvre
