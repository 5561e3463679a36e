// Backups in an S3-compatible store, against a real one (s3rver on loopback) with Debian's awscli as
// the independent client: the S3 client's multipart upload, listing and downloads; an upload cut off
// midway leaves no object; `oeuvre backup` to S3, seen and fetched by `aws s3`, verified and restored;
// the schedule inside `oeuvre serve` writing archives with manifests every 2 s; S3 down during a
// scheduled backup: the server keeps serving, the failure is counted, the next interval succeeds.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "aws/s3_client.h"
#include "security/crypto.h"
#include "support/json_path.h"
#include "support/s3_test_server.h"
#include "support/test_database.h"
#include "support/test_helpers.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// `size` pseudo-random bytes (incompressible, like an archive).
void write_random_file(const fs::path& path, std::size_t size) {
  std::mt19937_64 random(42);
  std::ofstream out(path, std::ios::binary);
  std::vector<std::uint64_t> block(1 << 14);
  for (std::size_t written = 0; written < size;) {
    for (auto& word : block) word = random();
    const std::size_t n = std::min(size - written, block.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    written += n;
  }
}

aws::S3Client client_for(const S3TestServer& s3, std::uint64_t part_size = 5u << 20, int attempts = 5) {
  aws::S3Options options;
  options.bucket = s3.bucket();
  options.endpoint_url = s3.endpoint();
  options.credentials = {S3TestServer::kAccessKey, S3TestServer::kSecretKey, ""};
  options.part_size = part_size;
  options.max_attempts = attempts;
  options.first_backoff = 50ms;
  auto client = aws::S3Client::create(options);
  EXPECT_TRUE(client.ok());
  return std::move(client).value();
}

TEST(S3StoreTest, MultipartUploadsListingAndDownloadsRoundTrip) {
  S3TestServer s3;
  ASSERT_TRUE(s3.started());
  const aws::S3Client client = client_for(s3);
  const fs::path dir = fresh_dir("s3-objects");
  write_random_file(dir / "big", (12u << 20) + 12345);  // three parts of 5 MiB at most

  ASSERT_TRUE(client.upload_file("backups/big.bin", (dir / "big").string()).ok());
  const std::string odd_key = "backups/a key é+(1)~.json";
  ASSERT_TRUE(client.put_object(odd_key, "{\"small\": true}", "application/json").ok());

  auto listed = client.list("backups/");
  ASSERT_TRUE(listed.ok()) << listed.error().message();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, odd_key);
  EXPECT_EQ((*listed)[1].key, "backups/big.bin");
  EXPECT_EQ((*listed)[1].size, (12u << 20) + 12345);

  ASSERT_TRUE(client.download_to_file("backups/big.bin", (dir / "back").string()).ok());
  EXPECT_EQ(security::sha256_hex(read_file(dir / "back")), security::sha256_hex(read_file(dir / "big")));
  auto small = client.get_object(odd_key);
  ASSERT_TRUE(small.ok()) << small.error().message();
  EXPECT_EQ(*small, "{\"small\": true}");

  // The independent client sees the same objects and bytes.
  CommandRun ls = s3.aws({"s3", "ls", "s3://" + s3.bucket() + "/backups/"});
  ASSERT_EQ(ls.exit_code, 0) << ls.output;
  EXPECT_NE(ls.output.find("big.bin"), std::string::npos) << ls.output;
  EXPECT_NE(ls.output.find("a key é+(1)~.json"), std::string::npos) << ls.output;
  CommandRun cp = s3.aws({"s3", "cp", "s3://" + s3.bucket() + "/backups/big.bin", (dir / "by-aws").string()});
  ASSERT_EQ(cp.exit_code, 0) << cp.output;
  EXPECT_EQ(security::sha256_hex(read_file(dir / "by-aws")), security::sha256_hex(read_file(dir / "big")));

  auto missing = client.get_object("backups/none");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(client.remove(odd_key).ok());
  ASSERT_TRUE(client.remove(odd_key).ok()) << "deleting a missing object succeeds";
  EXPECT_EQ(client.list("backups/")->size(), 1u);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(S3StoreTest, AnUploadCutOffMidwayLeavesNoObjectAndTheStoreDownIsUnavailable) {
  S3TestServer s3;
  ASSERT_TRUE(s3.started());
  const aws::S3Client client = client_for(s3, 5u << 20, 2);
  const fs::path dir = fresh_dir("s3-cut");
  write_random_file(dir / "big", 150u << 20);

  // Once the first part is stored, the store dies.
  std::atomic<bool> killed = false;
  std::thread killer([&] {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      std::error_code ec;
      for (const auto& entry : fs::recursive_directory_iterator(s3.data_dir(), ec)) {
        if (entry.path().filename() == "1.md5") {
          s3.stop();
          killed = true;
          return;
        }
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  const Status uploaded = client.upload_file("backups/cut.bin", (dir / "big").string());
  killer.join();
  ASSERT_TRUE(killed) << "the upload ended before a part was stored";
  ASSERT_FALSE(uploaded.ok());
  EXPECT_EQ(uploaded.error().code(), ErrorCode::kUnavailable) << uploaded.error().message();
  auto down = client.list("backups/");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code(), ErrorCode::kUnavailable);

  ASSERT_TRUE(s3.start());
  auto listed = client.list("backups/");
  ASSERT_TRUE(listed.ok()) << listed.error().message();
  EXPECT_TRUE(listed->empty()) << "no half object: " << (listed->empty() ? "" : (*listed)[0].key);
  CommandRun ls = s3.aws({"s3", "ls", "s3://" + s3.bucket() + "/backups/"});
  EXPECT_EQ(ls.output.find("cut.bin"), std::string::npos) << ls.output;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// A server with a project and an uploaded, parsed file.
struct S3BackupFixture {
  S3TestServer s3;
  TestServer server;
  fs::path work = fresh_dir("s3-backup-work");
  fs::path logs = fresh_dir("s3-backup-logs");
  int runs = 0;

  S3BackupFixture() {
    Session alice = server.register_user("alice@example.com");
    auto project = server.post("/api/v1/projects", json::object{{"name", "March close"}}, alice.access_token);
    auto source = server.post("/api/v1/projects/" + json_string(project.json(), "id") + "/data-sources",
                              json::object{{"name", "Bank"}, {"kind", "bank"}}, alice.access_token);
    auto file = server.upload_and_wait(json_string(source.json(), "id"),
                                       "id,date,amount,reference\nB1,2026-03-02,1250.00,INV-1\n", alice.access_token);
    EXPECT_EQ(json_string(file.json(), "status"), "parsed") << file.body;
  }
  ~S3BackupFixture() {
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::remove_all(logs, ec);
  }
  std::map<std::string, std::string> env() const {
    auto e = s3.env();
    e.insert({{"DATABASE_URL", server.config().database_url},
              {"VAR_DIR", server.config().var_dir},
              {"BACKUP_DIR", work.string()},
              {"BACKUP_ENCRYPTION_KEY", kBackupKey},
              {"LOG_LEVEL", "warn"}});
    return e;
  }
  CommandRun backup(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) {
    std::vector<std::string> argv{OEUVRE_BINARY, "backup"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto e = env();
    for (auto& [k, v] : extra) e[k] = v;
    return run_command(argv, e, logs / ("run-" + std::to_string(++runs) + ".log"));
  }
};

TEST(BackupS3Test, TheCliBacksUpToS3WhereAwsSeesItAndVerifiesAndRestoresFromThere) {
  S3BackupFixture f;
  ASSERT_TRUE(f.s3.started() && f.server.started());
  CommandRun created = f.backup({"create"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const auto at = created.output.find("created backup ");
  ASSERT_NE(at, std::string::npos) << created.output;
  const std::string id = created.output.substr(at + 15, 23);
  EXPECT_NE(created.output.find("s3://oeuvre-backups at " + f.s3.endpoint() + "/backups/" + id + ".oeuvre-backup"),
            std::string::npos)
      << created.output;

  CommandRun ls = f.s3.aws({"s3", "ls", "s3://oeuvre-backups/backups/"});
  ASSERT_EQ(ls.exit_code, 0) << ls.output;
  EXPECT_NE(ls.output.find(id + ".oeuvre-backup"), std::string::npos) << ls.output;
  EXPECT_NE(ls.output.find(id + ".manifest.json"), std::string::npos) << ls.output;
  CommandRun archive = f.s3.aws({"s3", "cp", "s3://oeuvre-backups/backups/" + id + ".oeuvre-backup",
                                 (f.work / "fetched").string()});
  ASSERT_EQ(archive.exit_code, 0) << archive.output;
  CommandRun manifest = f.s3.aws({"s3", "cp", "s3://oeuvre-backups/backups/" + id + ".manifest.json",
                                  (f.work / "fetched.json").string()});
  ASSERT_EQ(manifest.exit_code, 0) << manifest.output;
  const json::value m = json::parse(read_file(f.work / "fetched.json"));
  EXPECT_EQ(json_string(m, "archive_sha256"), security::sha256_hex(read_file(f.work / "fetched")));
  fs::remove(f.work / "fetched");
  fs::remove(f.work / "fetched.json");

  CommandRun listed = f.backup({"list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(id), std::string::npos) << listed.output;
  CommandRun verified = f.backup({"verify", id});
  ASSERT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("verified " + id), std::string::npos) << verified.output;
  CommandRun listed_again = f.backup({"list"});
  EXPECT_NE(listed_again.output.find("verified 20"), std::string::npos) << "the result is stored in S3: " << listed_again.output;

  TestDatabase target = make_test_database();
  const fs::path target_var = fresh_dir("s3-restore-var");
  CommandRun restored = f.backup({"restore", id, "--to", target.url}, {{"VAR_DIR", target_var.string()}});
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("row counts match the manifest"), std::string::npos) << restored.output;
  EXPECT_NE(restored.output.find(", 1 files into"), std::string::npos) << restored.output;

  // Nothing is left in the work directory: the partial archive and the downloads are gone.
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(f.work)) left.push_back(entry.path().filename().string());
  EXPECT_TRUE(left.empty()) << left.front();

  // A bucket that does not exist: one clear line, exit 69 is for an unavailable store, 2 for this.
  CommandRun wrong = f.backup({"list"}, {{"BACKUP_S3_BUCKET", "no-such-bucket"}});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("NoSuchBucket"), std::string::npos) << wrong.output;
  CommandRun no_credentials = f.backup({"list"}, {{"AWS_SECRET_ACCESS_KEY", ""}});
  EXPECT_EQ(no_credentials.exit_code, 2) << no_credentials.output;
  EXPECT_NE(no_credentials.output.find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << no_credentials.output;
  std::error_code ec;
  fs::remove_all(target_var, ec);
}

std::size_t count_in(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(BackupS3Test, TheScheduleWritesToS3AndSurvivesTheStoreGoingDown) {
  S3TestServer s3;
  ASSERT_TRUE(s3.started());
  for (const auto& [name, value] : s3.env()) ::setenv(name.c_str(), value.c_str(), 1);  // own process per test
  ::setenv("BACKUP_ENCRYPTION_KEY", kBackupKey, 1);
  const fs::path work = fresh_dir("s3-schedule-work");
  TestServer server([&](Config& c) {
    c.enable_automated_backups = true;
    c.backup_interval_seconds = 2;
    c.backup_dir = work.string();
    c.backup_s3_bucket = s3.bucket();
    c.aws_endpoint_url = s3.endpoint();
  });
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(wait_until([&] { return metric(server, "oeuvre_backup_last_verified_timestamp_seconds") > 0; }, 90s))
      << server.scrape().body;
  // Every archive has its manifest. The schedule keeps running (every 2 s) and writes the manifest
  // after the archive, so a listing may catch one archive without it yet: list again until they pair.
  CommandRun ls;
  EXPECT_TRUE(wait_until([&] {
    ls = s3.aws({"s3", "ls", "s3://" + s3.bucket() + "/backups/"});
    return ls.exit_code == 0 && count_in(ls.output, ".oeuvre-backup") >= 1 &&
           count_in(ls.output, ".oeuvre-backup") == count_in(ls.output, ".manifest.json");
  }, 30s)) << ls.output;

  s3.stop();
  const double failures = metric(server, "oeuvre_backup_failures_total");
  ASSERT_TRUE(wait_until([&] { return metric(server, "oeuvre_backup_failures_total") > failures; }, 90s))
      << server.scrape().body;
  EXPECT_EQ(server.get("/health/live").status, 200u) << "the server keeps serving";
  Session admin = server.create_admin("admin@example.com");
  auto status = server.get("/api/v1/admin/backups", admin.access_token);
  EXPECT_EQ(status.status, 503u) << "listing an unreachable store: " << status.body;

  ASSERT_TRUE(s3.start());
  const double verified = metric(server, "oeuvre_backup_last_verified_timestamp_seconds");
  ASSERT_TRUE(wait_until([&] { return metric(server, "oeuvre_backup_last_verified_timestamp_seconds") > verified; }, 90s))
      << server.scrape().body;
  status = server.get("/api/v1/admin/backups", admin.access_token);
  ASSERT_EQ(status.status, 200u) << status.body;
  EXPECT_EQ(json_at(status.json(), "items.0.verification.ok"), json::value(true)) << status.body;
  EXPECT_NE(json_string(status.json(), "storage").find("s3://oeuvre-backups"), std::string::npos) << status.body;
  EXPECT_FALSE(json_string(status.json(), "last_failure.error").empty()) << status.body;
  server.stop();
  std::error_code ec;
  fs::remove_all(work, ec);
}

}  // namespace
}  // namespace oeuvre::testing
