// Backups in a directory: only a finished archive with its manifest is a good backup; a partial
// archive is never listed; ids and manifests round-trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "backup/backup_directory.h"

namespace oeuvre::backup {
namespace {

namespace fs = std::filesystem;

class BackupDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("oeuvre-backup-dir-" + std::to_string(random()));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Manifest manifest_at(Timestamp at) {
    Manifest m;
    m.id = *make_backup_id(at);
    m.created_at = at;
    m.source_kind = SourceKind::kPostgres;
    m.key_id = "00112233445566778899aabbccddeeff";
    m.archive_bytes = 4;
    m.archive_sha256 = std::string(64, 'a');
    m.row_counts = {{"projects", 2}, {"records", 10}};
    m.file_count = 1;
    return m;
  }
  fs::path path_;
};

TEST_F(BackupDirectoryTest, APartialArchiveIsNeverListedAndACommittedOneIs) {
  auto opened = BackupDirectory::open(path_.string());
  ASSERT_TRUE(opened->prepare().ok());
  BackupDirectory& directory = *opened;
  const Manifest m = manifest_at(now_utc());
  std::ofstream(directory.partial_path(m.id)) << "data";
  auto listed = directory.list();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  ASSERT_TRUE(directory.commit(m).ok());
  listed = directory.list();
  ASSERT_EQ(listed->size(), 1u);
  ASSERT_TRUE((*listed)[0].manifest.has_value());
  EXPECT_EQ((*listed)[0].manifest->row_counts.size(), 2u);
  EXPECT_EQ((*listed)[0].manifest->source_kind, SourceKind::kPostgres);
  EXPECT_FALSE(fs::exists(directory.partial_path(m.id)));
}

TEST_F(BackupDirectoryTest, AnArchiveWithoutAReadableManifestIsListedAsUnreadable) {
  auto opened = BackupDirectory::open(path_.string());
  ASSERT_TRUE(opened->prepare().ok());
  BackupDirectory& directory = *opened;
  const Manifest m = manifest_at(now_utc());
  std::ofstream(directory.archive_path(m.id)) << "data";
  auto listed = directory.list();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_FALSE((*listed)[0].manifest.has_value());
  EXPECT_NE((*listed)[0].problem.find("no manifest"), std::string::npos);
  std::ofstream(path_ / (m.id + ".manifest.json")) << "{\"id\": 5}";
  listed = directory.list();
  EXPECT_NE((*listed)[0].problem.find("malformed"), std::string::npos);
}

TEST_F(BackupDirectoryTest, ManifestsRoundTripWithTheirVerification) {
  Manifest m = manifest_at(now_utc());
  m.verification = Verification{now_utc(), false, "chunk 3 fails authentication", 1.5};
  auto back = parse_manifest(manifest_to_json(m));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->id, m.id);
  EXPECT_EQ(back->created_at, m.created_at);
  ASSERT_TRUE(back->verification.has_value());
  EXPECT_FALSE(back->verification->ok);
  EXPECT_EQ(back->verification->detail, "chunk 3 fails authentication");
  EXPECT_EQ(back->row_counts[1].rows, 10);
}

TEST_F(BackupDirectoryTest, IdsSortByTimeAndOnlyTheirShapeIsAccepted) {
  using namespace std::chrono;
  const auto id = make_backup_id(sys_days(2026y / March / 4) + hours(5) + minutes(6) + seconds(7));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->substr(0, 17), "20260304T050607Z-");
  EXPECT_TRUE(valid_backup_id(*id));
  for (const char* bad : {"", "../../etc/passwd", "20260304T050607Z", "20260304T050607Z-ABCDEF",
                          "20260304X050607Z-abcdef", "2026030T4050607Z-abcdef"}) {
    EXPECT_FALSE(valid_backup_id(bad)) << bad;
  }
}

}  // namespace
}  // namespace oeuvre::backup
