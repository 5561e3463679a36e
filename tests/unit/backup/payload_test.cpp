// The payload inside an archive: named entries of any length come back in order; names that could
// escape the blobs folder are refused.
#include <gtest/gtest.h>

#include <sstream>

#include "backup/payload.h"

namespace oeuvre::backup {
namespace {

BackupKey key() {
  BackupKey::Bytes bytes{};
  bytes.fill(3);
  return BackupKey(bytes);
}

TEST(PayloadTest, EntriesComeBackInOrderWithTheirContent) {
  const std::string big(700'000, 'x');  // several segments
  std::ostringstream out;
  {
    auto archive = ArchiveWriter::start(out, key(), {});
    ASSERT_TRUE(archive.ok());
    auto payload = PayloadWriter::start(**archive);
    ASSERT_TRUE(payload.ok());
    ASSERT_TRUE(payload->begin_entry("backup.json").ok());
    ASSERT_TRUE(payload->write("{}").ok());
    ASSERT_TRUE(payload->end_entry().ok());
    std::istringstream content(big);
    ASSERT_TRUE(payload->add_entry("files/projects/p/files/f", content).ok());
    ASSERT_TRUE(payload->begin_entry("database.sql").ok());
    ASSERT_TRUE(payload->end_entry().ok());
    ASSERT_TRUE(payload->finish().ok());
    ASSERT_TRUE((*archive)->finish().ok());
  }
  std::istringstream in(out.str());
  auto archive = ArchiveReader::open(in, key());
  ASSERT_TRUE(archive.ok());
  auto payload = PayloadReader::open(**archive);
  ASSERT_TRUE(payload.ok());
  std::vector<std::pair<std::string, std::string>> entries;
  while (true) {
    auto name = payload->next_entry();
    ASSERT_TRUE(name.ok()) << name.error().message();
    if (!*name) break;
    auto content = payload->read_small_entry(1 << 20);
    ASSERT_TRUE(content.ok());
    entries.emplace_back(**name, *content);
  }
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0], std::make_pair(std::string("backup.json"), std::string("{}")));
  EXPECT_EQ(entries[1].first, "files/projects/p/files/f");
  EXPECT_EQ(entries[1].second, big);
  EXPECT_EQ(entries[2], std::make_pair(std::string("database.sql"), std::string()));
}

TEST(PayloadTest, OnlyKnownNamesAndSafeStorageKeysAreEntryNames) {
  for (const char* good : {"backup.json", "database.sqlite3", "database.sql", "files/projects/a-1/files/b.2"}) {
    EXPECT_TRUE(valid_entry_name(good)) << good;
  }
  for (const char* bad : {"", "files/", "files//etc/passwd", "files/../x", "files/a/../../x", "other.txt",
                          "files/UPPER", "files/a b"}) {
    EXPECT_FALSE(valid_entry_name(bad)) << bad;
  }
}

}  // namespace
}  // namespace oeuvre::backup
