// What the server writes to disk is its owner's alone: VAR_DIR and the uploads under it 0700; the
// SQLite database and its -wal and -shm files (password hashes, every financial record) 0600, also
// when they were left readable by an older version.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "security/crypto.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    ADD_FAILURE() << path << " does not exist";
    return 0;
  }
  return info.st_mode & 07777;
}

// A fresh folder name under the temp directory (not created).
std::string fresh_folder() {
  return (fs::temp_directory_path() /
          ("oeuvre-modes-" + security::hex_encode(*security::random_bytes(6))))
      .string();
}

// Serves with the database at VAR_DIR/oeuvre.db (the default layout) on SQLite and registers
// `email` (a write).
void serve_once(const std::string& var_dir, const std::string& email) {
  const mode_t old_mask = ::umask(022);  // the usual umask, which made files 0644
  {
    TestServer server([&](Config& c) {
      c.var_dir = var_dir;
      if (!test_backend_is_postgres()) c.database_url = "sqlite://" + var_dir + "/oeuvre.db";
    });
    ASSERT_TRUE(server.started());
    Session s = server.register_user(email);
    ASSERT_FALSE(s.access_token.empty());
    EXPECT_EQ(mode_of(var_dir), 0700u) << "VAR_DIR";
    EXPECT_EQ(mode_of(var_dir + "/uploads"), 0700u);
    EXPECT_EQ(mode_of(var_dir + "/uploads/incoming"), 0700u);
    EXPECT_EQ(mode_of(var_dir + "/uploads/blobs"), 0700u);
    if (!test_backend_is_postgres()) {
      for (const char* file : {"/oeuvre.db", "/oeuvre.db-wal", "/oeuvre.db-shm"}) {
        EXPECT_EQ(mode_of(var_dir + file), 0600u) << file;
      }
    }
  }
  ::umask(old_mask);
}

TEST(FileModesTest, VarDirIsTheOwnersAloneAndTheDatabaseFilesAre0600) {
  const std::string var_dir = fresh_folder();
  serve_once(var_dir, "modes@example.com");
  std::error_code ec;
  fs::remove_all(var_dir, ec);
}

TEST(FileModesTest, ReadableFilesLeftByAnOlderVersionAreTightenedAtStart) {
  const std::string var_dir = fresh_folder();
  serve_once(var_dir, "first@example.com");
  fs::permissions(var_dir, fs::perms(0755));
  fs::permissions(var_dir + "/uploads", fs::perms(0755));
  if (!test_backend_is_postgres()) fs::permissions(var_dir + "/oeuvre.db", fs::perms(0644));
  serve_once(var_dir, "second@example.com");
  std::error_code ec;
  fs::remove_all(var_dir, ec);
}

}  // namespace
}  // namespace oeuvre::testing
