// The web app served by `oeuvre serve` at "/": its files from WEB_DIR (the stand-in under
// tests/data/web_dist), index.html for client-side paths, caching and security headers, and the
// API's answers left as they were.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

const std::string kFixture = std::string(OEUVRE_SOURCE_DIR) + "/tests/data/web_dist";

std::string fixture_file(const std::string& path) {
  std::ifstream in(kFixture + "/" + path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

constexpr const char* kPagePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

void expect_problem(const HttpResult& res, unsigned status) {
  EXPECT_EQ(res.status, status) << res.body.substr(0, 200);
  EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json"))
      << res.header("content-type");
  EXPECT_EQ(res.body.find("oeuvre-web-fixture"), std::string::npos);
}

class WebAppTest : public ::testing::Test {
 protected:
  WebAppTest() : server_([](Config& c) { c.web_dir = kFixture; }) {}
  TestServer server_;
};

TEST_F(WebAppTest, RootServesIndexWithThePagePolicy) {
  auto res = server_.get("/");
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(res.body, fixture_file("index.html"));
  EXPECT_EQ(res.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(res.header("cache-control"), "no-cache");
  EXPECT_EQ(res.header("content-security-policy"), kPagePolicy);
  EXPECT_EQ(res.header("x-frame-options"), "DENY");
  EXPECT_EQ(res.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(res.header("referrer-policy"), "no-referrer");
  EXPECT_FALSE(res.header("etag").empty());
  EXPECT_FALSE(res.header("x-request-id").empty());
}

TEST_F(WebAppTest, AssetsAreImmutableWithTheirType) {
  auto js = server_.get("/assets/app-abc123.js");
  ASSERT_EQ(js.status, 200u);
  EXPECT_EQ(js.body, fixture_file("assets/app-abc123.js"));
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.header("x-content-type-options"), "nosniff");
  auto css = server_.get("/assets/app-abc123.css");
  ASSERT_EQ(css.status, 200u);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");
  auto icon = server_.get("/favicon.svg");
  ASSERT_EQ(icon.status, 200u);
  EXPECT_EQ(icon.header("content-type"), "image/svg+xml");
  EXPECT_EQ(icon.header("cache-control"), "no-cache");
}

TEST_F(WebAppTest, ARepeatedRequestWithTheETagIs304WithoutABody) {
  HttpConnection conn(server_.port());
  ASSERT_TRUE(conn.connected());
  for (const char* target : {"/assets/app-abc123.js", "/"}) {
    SCOPED_TRACE(target);
    auto first = conn.send("GET", target);
    ASSERT_EQ(first.status, 200u);
    const std::string etag = first.header("etag");
    ASSERT_TRUE(etag.size() > 2 && etag.front() == '"' && etag.back() == '"') << etag;
    auto again = conn.send("GET", target, "", "", {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304u);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.header("etag"), etag);
    // The connection stays usable: the 304 carried no body.
    EXPECT_EQ(conn.send("GET", "/health/live").status, 200u);
    EXPECT_EQ(conn.send("GET", target, "", "", {{"If-None-Match", "\"stale\""}}).status, 200u);
  }
}

TEST_F(WebAppTest, HeadHasTheHeadersAndNoBody) {
  HttpConnection conn(server_.port());
  ASSERT_TRUE(conn.connected());
  auto get = conn.send("GET", "/assets/app-abc123.css");
  auto head = conn.send("HEAD", "/assets/app-abc123.css");
  EXPECT_EQ(head.status, 200u);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), get.header("content-length"));
  EXPECT_EQ(head.header("etag"), get.header("etag"));
  auto head_root = conn.send("HEAD", "/projects/abc");
  EXPECT_EQ(head_root.status, 200u);
  EXPECT_EQ(head_root.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(conn.send("GET", "/health/live").status, 200u);
}

TEST_F(WebAppTest, DeepLinksLoadTheApp) {
  for (const char* deep : {"/projects/3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d/jobs/def", "/login",
                           "/projects?tab=jobs", "/settings/"}) {
    SCOPED_TRACE(deep);
    auto res = server_.get(deep);
    EXPECT_EQ(res.status, 200u);
    EXPECT_EQ(res.body, fixture_file("index.html"));
    EXPECT_EQ(res.header("content-security-policy"), kPagePolicy);
  }
}

TEST_F(WebAppTest, TheApiKeepsItsAnswers) {
  expect_problem(server_.get("/api/v1/nope"), 404);
  expect_problem(server_.get("/api"), 404);
  expect_problem(server_.get("/health/nope"), 404);
  expect_problem(server_.get("/api/v1/projects"), 401);
  EXPECT_EQ(server_.get("/health/live").status, 200u);
  auto openapi = server_.get("/api/v1/openapi.json");
  EXPECT_EQ(openapi.status, 200u);
  EXPECT_TRUE(openapi.json().is_object());
  // Every answer, the API's too, says not to sniff types or be framed.
  for (const HttpResult& res : {server_.get("/health/live"), server_.get("/api/v1/nope")}) {
    EXPECT_EQ(res.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(res.header("content-security-policy"), "frame-ancestors 'none'");
    EXPECT_EQ(res.header("referrer-policy"), "no-referrer");
  }
  // Methods other than GET and HEAD are not the app's: 404, as on any path no route knows.
  expect_problem(server_.request("POST", "/", "{}"), 404);
  expect_problem(server_.request("DELETE", "/projects/abc"), 404);
  expect_problem(server_.request("PUT", "/assets/app-abc123.js", "{}"), 404);
}

TEST_F(WebAppTest, MissingFilesAre404) {
  expect_problem(server_.get("/assets/missing.js"), 404);
  expect_problem(server_.get("/assets/app-abc123"), 404);
  expect_problem(server_.get("/robots.txt"), 404);
  expect_problem(server_.get("/.env"), 404);
}

TEST_F(WebAppTest, TraversalAndHiddenBytesAreRefused) {
  for (const char* bad : {"/assets/../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd",
                          "/%2e%2e/%2e%2e/etc/passwd", "/assets/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
                          "/assets/..%5c..%5cetc%5cpasswd", "/assets/app-abc123.js%00.html",
                          "/index.html%00", "//etc/passwd", "/assets/./app-abc123.js"}) {
    SCOPED_TRACE(bad);
    auto res = server_.get(bad);
    expect_problem(res, 400);
    EXPECT_EQ(res.body.find("root:"), std::string::npos);
  }
  // Raw backslashes and a raw NUL are not a valid target at all.
  HttpConnection conn(server_.port());
  ASSERT_TRUE(conn.send_raw("GET /assets/..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto backslashes = conn.read_response();
  EXPECT_GE(backslashes.status, 400u);
  EXPECT_LT(backslashes.status, 500u);
  HttpConnection nul(server_.port());
  const char raw[] = "GET /index.html\0.js HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(nul.send_raw(std::string(raw, sizeof(raw) - 1)));
  auto with_nul = nul.read_response();
  EXPECT_GE(with_nul.status, 400u);
  EXPECT_LT(with_nul.status, 500u);
}

TEST_F(WebAppTest, TheAppsRequestsAreMeasuredUnderOneLabel) {
  ASSERT_EQ(server_.get("/projects/a/jobs/b").status, 200u);
  ASSERT_EQ(server_.get("/projects/c/jobs/d").status, 200u);
  ASSERT_EQ(server_.get("/assets/app-abc123.js").status, 200u);
  auto metrics = server_.scrape();
  ASSERT_EQ(metrics.status, 200u);
  bool app_line = false;
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("oeuvre_http_requests_total{")) continue;
    if (line.find("route=\"web_app\"") != std::string::npos) app_line = true;
    EXPECT_EQ(line.find("jobs"), std::string::npos) << line;
    EXPECT_EQ(line.find("app-abc123"), std::string::npos) << line;
  }
  EXPECT_TRUE(app_line) << metrics.body;
}

// Before the store is opened: the database named here is never created.
TEST(WebAppSettingTest, AWebDirWithoutIndexStopsTheStart) {
  const std::string empty = ::testing::TempDir() + "/oeuvre-empty-web-dir";
  std::filesystem::create_directories(empty);
  Config config;
  config.web_dir = empty;
  config.var_dir = ::testing::TempDir() + "/oeuvre-web-dir-var";
  config.database_url = "sqlite://" + config.var_dir + "/db.sqlite";
  config.port = 0;
  config.metrics_port = -1;
  config.password_hash_cost = "minimal";
  auto app = app::ServerApp::create(config);
  ASSERT_FALSE(app.ok());
  ASSERT_FALSE(app.error().field_errors().empty());
  EXPECT_EQ(app.error().field_errors().front().field, "WEB_DIR");
}

}  // namespace
}  // namespace oeuvre::testing
