// The parsing queue on the files table, on both backends: one claim per file, claims fenced by their
// token, stale claims handed on, a handed-back file claimed again; and FileIngestService giving a
// file back untouched when it stops mid-way.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
    settings.jwt_secret = std::string(48, 'k');
    settings.password_cost = security::PasswordCost::minimal();
    services::AuthService auth(*db, settings, metrics);
    const services::RequestMeta meta{"queue-test", "127.0.0.1", "tests"};
    auto user = auth.register_user({"q@example.com", "correct horse battery", "Q"}, meta);
    EXPECT_TRUE(user.ok());
    actor = {user->id, Role::kUser};
    auto project = services::ProjectService(*db).create(actor, "queue", "", meta);
    EXPECT_TRUE(project.ok());
    auto source = services::DataSourceService(*db).create(actor, project->id, {"bank", "bank", {}}, meta);
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

  std::optional<store::StoredFile> claim(const std::string& token, Timestamp now, Timestamp stale_before) {
    auto claimed = store::in_transaction(*db, true, [&](store::Connection& conn) {
      return store::FileRepository::claim_next(conn, token, now, stale_before);
    });
    EXPECT_TRUE(claimed.ok()) << claimed.error().message();
    return claimed.ok() ? *claimed : std::nullopt;
  }

  store::StoredFile read(const Uuid& id) {
    auto file = store::with_connection(*db, [&](store::Connection& conn) { return store::FileRepository::find(conn, id); });
    EXPECT_TRUE(file.ok() && file->has_value());
    return **file;
  }
};

TEST(IngestQueueTest, EachFileIsClaimedOnceOldestFirstAndOnlyItsClaimantMayFinishIt) {
  Queue q;
  const Uuid first = q.upload("date,amount\n2026-01-01,1.00\n");
  const Uuid second = q.upload("date,amount\n2026-01-02,2.00\n");
  const Timestamp now = now_utc();
  const Timestamp long_ago = now - std::chrono::hours(1);
  auto a = q.claim("token-a", now, long_ago);
  auto b = q.claim("token-b", now, long_ago);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->id, first);
  EXPECT_EQ(b->id, second);
  EXPECT_EQ(a->status, FileStatus::kParsing);
  EXPECT_FALSE(q.claim("token-c", now, long_ago).has_value()) << "nothing left to claim";

  auto finish = [&](const Uuid& id, const std::string& token) {
    auto done = store::with_connection(*q.db, [&](store::Connection& conn) {
      return store::FileRepository::finish(conn, id, token, FileStatus::kParsed, 1, 0, std::nullopt, std::nullopt, now_utc());
    });
    EXPECT_TRUE(done.ok());
    return done.ok() && *done;
  };
  EXPECT_FALSE(finish(first, "token-b")) << "another worker's token must not finish the file";
  EXPECT_TRUE(finish(first, "token-a"));
  EXPECT_EQ(q.read(first).status, FileStatus::kParsed);
  EXPECT_FALSE(finish(first, "token-a")) << "a finished claim cannot finish twice";
}

TEST(IngestQueueTest, AStaleClaimIsHandedOnAndItsFirstHolderCanNoLongerWrite) {
  Queue q;
  const Uuid id = q.upload("date,amount\n2026-01-01,1.00\n");
  const Timestamp start = now_utc();
  auto first = q.claim("slow-worker", start, start - std::chrono::hours(1));
  ASSERT_TRUE(first);
  // Later, another worker finds the claim without a heartbeat for longer than the threshold.
  const Timestamp later = start + std::chrono::minutes(20);
  auto second = q.claim("fresh-worker", later, later - std::chrono::minutes(10));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, id);
  auto beat = store::with_connection(*q.db, [&](store::Connection& conn) {
    return store::FileRepository::heartbeat(conn, id, "slow-worker", 0.5, now_utc());
  });
  ASSERT_TRUE(beat.ok());
  EXPECT_FALSE(*beat) << "the first worker learns it lost the claim";
}

TEST(IngestQueueTest, TheServiceParsesTheQueueAndReportsWhenItIsEmpty) {
  Queue q;
  obs::Metrics metrics;
  services::IngestOptions options;
  options.workers = 0;
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
  options.workers = 0;
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

}  // namespace
}  // namespace oeuvre
