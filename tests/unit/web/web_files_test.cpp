#include "web/web_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "web/embedded_web_files.h"

namespace oeuvre::web {

// tests/data/web_dist compiled in by cmake/embed_web_dist.cmake (tests/CMakeLists.txt).
std::span<const EmbeddedWebFile> fixture_web_files();

namespace {

namespace fs = std::filesystem;

const std::string kFixture = std::string(OEUVRE_SOURCE_DIR) + "/tests/data/web_dist";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("oeuvre-web-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(WebFilesTest, TheEmbeddedCopyHoldsTheDistFilesWithTheirHashAsETag) {
  auto embedded = fixture_web_files();
  ASSERT_EQ(embedded.size(), 4u);
  std::vector<std::string> paths;
  for (const EmbeddedWebFile& file : embedded) {
    paths.emplace_back(file.path);
    EXPECT_EQ(file.bytes, read(kFixture + "/" + std::string(file.path))) << file.path;
    EXPECT_EQ(file.etag, etag_for(file.bytes)) << file.path;  // the build's hash is the loader's
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"assets/app-abc123.css", "assets/app-abc123.js",
                                             "favicon.svg", "index.html"}));
}

TEST(WebFilesTest, EmbeddedAndLoadedFromAFolderAreServedAlike) {
  auto embedded = WebFiles::from_embedded(fixture_web_files());
  auto loaded = WebFiles::load_directory(kFixture);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(embedded->size(), (*loaded)->size());
  EXPECT_EQ(embedded->total_bytes(), (*loaded)->total_bytes());
  for (const char* path :
       {"index.html", "assets/app-abc123.js", "assets/app-abc123.css", "favicon.svg"}) {
    SCOPED_TRACE(path);
    const WebFile* a = embedded->find(path);
    const WebFile* b = (*loaded)->find(path);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->body, b->body);
    EXPECT_EQ(a->etag, b->etag);
    EXPECT_EQ(a->content_type, b->content_type);
    EXPECT_EQ(a->cache_control, b->cache_control);
  }
  const WebFile* index = embedded->index();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(index->is_html);
  EXPECT_EQ(index->cache_control, "no-cache");
  EXPECT_EQ(embedded->find("assets/app-abc123.js")->cache_control,
            "public, max-age=31536000, immutable");
  EXPECT_EQ(embedded->find("favicon.svg")->cache_control, "no-cache");
  EXPECT_EQ(embedded->find("missing.js"), nullptr);
  EXPECT_EQ(embedded->find("/index.html"), nullptr);
}

TEST(WebFilesTest, ContentTypesByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/a-1.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/a-1.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("assets/font.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("assets/a-1.js.map"), "application/json");
  EXPECT_EQ(content_type_for("LICENSE"), "application/octet-stream");
  EXPECT_EQ(content_type_for("a.weird"), "application/octet-stream");
  EXPECT_EQ(content_type_for("dir.d/file"), "application/octet-stream");
}

TEST(WebFilesTest, NothingEmbeddedIsAnAppNotBuilt) {
  auto none = WebFiles::from_embedded({});
  EXPECT_EQ(none->size(), 0u);
  EXPECT_EQ(none->index(), nullptr);
}

TEST(WebFilesTest, AFolderWithoutIndexOrNotAFolderIsRefused) {
  TempDir dir;
  write(dir.path() / "assets/app.js", "x");
  auto no_index = WebFiles::load_directory(dir.path().string());
  ASSERT_FALSE(no_index.ok());
  EXPECT_EQ(no_index.error().field_errors().at(0).field, "WEB_DIR");
  EXPECT_NE(no_index.error().field_errors().at(0).message.find("index.html"), std::string::npos);
  EXPECT_FALSE(WebFiles::load_directory((dir.path() / "nowhere").string()).ok());
  EXPECT_FALSE(WebFiles::load_directory((dir.path() / "assets/app.js").string()).ok());
}

TEST(WebFilesTest, HiddenFilesAndLinksOutOfTheFolderAreLeftOut) {
  TempDir outside;
  write(outside.path() / "secret.txt", "secret");
  TempDir dir;
  const fs::path root = dir.path() / "dist";
  write(root / "index.html", "<!doctype html>");
  write(root / ".env", "SECRET=1");
  write(root / ".vite/manifest.json", "{}");
  write(root / "assets/app.js", "app");
  fs::create_symlink(outside.path() / "secret.txt", root / "leak.txt");
  fs::create_directory_symlink(outside.path(), root / "linked");
  fs::create_symlink(root / "assets/app.js", root / "alias.js");  // inside: kept
  auto files = WebFiles::load_directory(root.string());
  ASSERT_TRUE(files.ok()) << files.error().message();
  EXPECT_NE((*files)->find("index.html"), nullptr);
  EXPECT_NE((*files)->find("assets/app.js"), nullptr);
  EXPECT_EQ((*files)->find("alias.js")->body, "app");
  EXPECT_EQ((*files)->find(".env"), nullptr);
  EXPECT_EQ((*files)->find(".vite/manifest.json"), nullptr);
  EXPECT_EQ((*files)->find("leak.txt"), nullptr);
  EXPECT_EQ((*files)->find("linked/secret.txt"), nullptr);
  EXPECT_EQ((*files)->size(), 3u);
}

TEST(WebFilesTest, AFolderPastTheLimitsIsRefused) {
  TempDir dir;
  write(dir.path() / "index.html", "<!doctype html>");
  write(dir.path() / "assets/app.js", std::string(1000, 'x'));
  EXPECT_TRUE(WebFiles::load_directory(dir.path().string()).ok());
  EXPECT_FALSE(WebFiles::load_directory(dir.path().string(), {.max_files = 1}).ok());
  EXPECT_FALSE(WebFiles::load_directory(dir.path().string(), {.max_bytes = 500}).ok());
  write(dir.path() / "a/b/c/d.js", "deep");
  EXPECT_FALSE(WebFiles::load_directory(dir.path().string(), {.max_depth = 2}).ok());
}

}  // namespace
}  // namespace oeuvre::web
