// Folders 0700 and files 0600 whatever the umask, and what was left readable tightened.
#include "core/private_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/uuid.h"

namespace oeuvre {
namespace {

namespace fs = std::filesystem;

fs::perms mode_of(const fs::path& path) { return fs::status(path).permissions(); }

TEST(PrivateFilesTest, FoldersAndFilesAreTheOwnersAloneAndReadableOnesAreTightened) {
  const fs::path root =
      fs::temp_directory_path() / ("oeuvre-private-" + Uuid::generate_v4().to_string());
  const mode_t old_mask = ::umask(022);
  ASSERT_TRUE(make_private_directory((root / "a" / "b").string()).ok());
  ASSERT_TRUE(make_private_file((root / "a" / "b" / "secret").string()).ok());
  ::umask(old_mask);
  EXPECT_EQ(mode_of(root), fs::perms::owner_all) << "a created parent";
  EXPECT_EQ(mode_of(root / "a" / "b"), fs::perms::owner_all);
  EXPECT_EQ(mode_of(root / "a" / "b" / "secret"), fs::perms::owner_read | fs::perms::owner_write);

  fs::permissions(root / "a" / "b", fs::perms(0755));
  fs::permissions(root / "a" / "b" / "secret", fs::perms(0644));
  EXPECT_TRUE(make_private_directory((root / "a" / "b").string()).ok());
  EXPECT_TRUE(make_private_file((root / "a" / "b" / "secret").string()).ok());
  EXPECT_TRUE(restrict_existing_file((root / "missing").string()).ok()) << "nothing to do";
  EXPECT_EQ(mode_of(root / "a" / "b"), fs::perms::owner_all);
  EXPECT_EQ(mode_of(root / "a" / "b" / "secret"), fs::perms::owner_read | fs::perms::owner_write);
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace oeuvre
