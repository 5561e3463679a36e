#include "web/web_app_route.h"

#include <gtest/gtest.h>

#include "http/pipeline.h"
#include "http/problem.h"

namespace oeuvre::web {

std::span<const EmbeddedWebFile> fixture_web_files();

namespace {

namespace beast_http = http::beast_http;

// The router as serve builds it, in miniature: one API route and one health route, then the app.
class WebAppRouteTest : public ::testing::Test {
 protected:
  void build(std::shared_ptr<const WebFiles> files) {
    http::Router router;
    router.add(beast_http::verb::get, "/api/v1/projects", http::Access::kAuthenticated,
               [](http::Exchange&) -> Result<http::HttpResponse> {
                 return http::json_response(beast_http::status::ok, boost::json::object{});
               });
    router.add(beast_http::verb::get, "/health/live", http::Access::kPublic,
               [](http::Exchange&) -> Result<http::HttpResponse> {
                 return http::json_response(beast_http::status::ok, boost::json::object{});
               });
    add_web_app(router, std::move(files));
    pipeline_ = std::make_unique<http::Pipeline>(std::move(router), metrics_);
    pipeline_->use(http::make_request_id_middleware());
  }

  http::HttpResponse get(const std::string& target, beast_http::verb method = beast_http::verb::get,
                         const std::string& if_none_match = "") {
    http::Exchange ex;
    ex.request.method(method);
    ex.request.target(target);
    if (!if_none_match.empty()) ex.request.set(beast_http::field::if_none_match, if_none_match);
    ex.started = std::chrono::steady_clock::now();
    route_ = pipeline_->route(ex);
    pattern_ = ex.route_pattern;
    return pipeline_->handle(ex);
  }

  static std::string header(const http::HttpResponse& res, std::string_view name) {
    auto it = res.find(name);
    return it == res.end() ? std::string() : std::string(it->value());
  }

  obs::Metrics metrics_;
  std::unique_ptr<http::Pipeline> pipeline_;
  http::RunsOn route_ = http::RunsOn::kWorker;
  std::string pattern_;
};

TEST_F(WebAppRouteTest, FilesAndClientSidePathsOnTheIoThreadUnderOneLabel) {
  auto files = WebFiles::from_embedded(fixture_web_files());
  build(files);
  auto root = get("/");
  EXPECT_EQ(root.result(), beast_http::status::ok);
  EXPECT_EQ(root.body(), files->index()->body);
  EXPECT_EQ(route_, http::RunsOn::kIoThread);
  EXPECT_EQ(pattern_, kWebAppRoute);
  EXPECT_EQ(header(root, "Content-Security-Policy"), kPageSecurityPolicy);
  EXPECT_EQ(header(root, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(root, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(root, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(root, "Cache-Control"), "no-cache");

  for (const char* deep : {"/projects/abc/jobs/def", "/login", "/projects/abc/", "/index.html"}) {
    SCOPED_TRACE(deep);
    auto page = get(deep);
    EXPECT_EQ(page.result(), beast_http::status::ok);
    EXPECT_EQ(page.body(), files->index()->body);
    EXPECT_EQ(pattern_, kWebAppRoute);
  }
  auto js = get("/assets/app-abc123.js");
  EXPECT_EQ(js.result(), beast_http::status::ok);
  EXPECT_EQ(header(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(js, "X-Frame-Options"), "");
  EXPECT_EQ(header(js, "Content-Security-Policy"), "frame-ancestors 'none'");
}

TEST_F(WebAppRouteTest, IfNoneMatchNamingTheETagIs304) {
  build(WebFiles::from_embedded(fixture_web_files()));
  const std::string etag = header(get("/assets/app-abc123.css"), "ETag");
  ASSERT_FALSE(etag.empty());
  for (const std::string& condition :
       {etag, "W/" + etag, "\"other\", " + etag, std::string("*"), "\"other\" ,\t" + etag}) {
    SCOPED_TRACE(condition);
    auto res = get("/assets/app-abc123.css", beast_http::verb::get, condition);
    EXPECT_EQ(res.result(), beast_http::status::not_modified);
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(header(res, "ETag"), etag);
    EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=31536000, immutable");
  }
  EXPECT_EQ(get("/assets/app-abc123.css", beast_http::verb::get, "\"other\"").result(),
            beast_http::status::ok);
  EXPECT_EQ(get("/assets/app-abc123.css", beast_http::verb::get, etag.substr(1)).result(),
            beast_http::status::ok);
}

TEST_F(WebAppRouteTest, MissingFilesAndTheApisPathsAre404Problems) {
  build(WebFiles::from_embedded(fixture_web_files()));
  for (const char* missing : {"/assets/missing.js", "/assets/nothing", "/robots.txt", "/.env",
                              "/api/v1/nope", "/api", "/health/nope", "/metrics/x"}) {
    SCOPED_TRACE(missing);
    auto res = get(missing);
    EXPECT_EQ(res.result(), beast_http::status::not_found);
    EXPECT_EQ(header(res, "Content-Type"), "application/problem+json");
  }
  get("/api/v1/nope");
  EXPECT_EQ(pattern_, "");  // "unmatched" in the metrics, as before
  EXPECT_EQ(get("/", beast_http::verb::post).result(), beast_http::status::not_found);
  EXPECT_EQ(get("/projects/x", beast_http::verb::delete_).result(), beast_http::status::not_found);
}

TEST_F(WebAppRouteTest, PathsThatStepOutOrHideBytesAreRefused) {
  build(WebFiles::from_embedded(fixture_web_files()));
  for (const char* bad :
       {"/assets/../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/./app-abc123.js",
        "/assets/..", "/assets/%2e%2e%2findex.html", "/assets%2f..%2f..%2fetc%2fpasswd",
        "/assets/%5c..%5cindex.html", "/index.html%00.js", "/a%00b", "//etc/passwd",
        "/assets//app-abc123.js", "/x%0d%0aSet-Cookie:%20a=b"}) {
    SCOPED_TRACE(bad);
    auto res = get(bad);
    EXPECT_EQ(res.result(), beast_http::status::bad_request);
    EXPECT_EQ(header(res, "Content-Type"), "application/problem+json");
  }
  // A raw backslash is not a valid path character at all.
  EXPECT_EQ(get("/assets/..\\..\\etc\\passwd").result(), beast_http::status::bad_request);
}

TEST_F(WebAppRouteTest, WithoutTheAppRootAnswersAPageSayingHowToBuildIt) {
  build(WebFiles::from_embedded({}));
  for (const char* target : {"/", "/projects/abc"}) {
    SCOPED_TRACE(target);
    auto res = get(target);
    EXPECT_EQ(res.result(), beast_http::status::not_found);
    EXPECT_EQ(header(res, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(res.body().find("npm ci &amp;&amp; npm run build"), std::string::npos) << res.body();
    EXPECT_EQ(header(res, "Content-Security-Policy"), kPageSecurityPolicy);
  }
  EXPECT_EQ(header(get("/assets/app.js"), "Content-Type"), "application/problem+json");
  EXPECT_EQ(get("/health/live").result(), beast_http::status::ok);
}

}  // namespace
}  // namespace oeuvre::web
