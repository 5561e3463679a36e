#include "http/router.h"

#include <gtest/gtest.h>

namespace oeuvre::http {
namespace {

Handler ok_handler() {
  return [](Exchange&) -> Result<HttpResponse> { return HttpResponse{beast_http::status::ok, 11}; };
}

Exchange exchange_for(beast_http::verb method, std::string target) {
  Exchange ex;
  ex.request.method(method);
  ex.request.target(target);
  return ex;
}

TEST(RouterTest, MatchesLiteralAndParameterSegments) {
  Router router;
  router.add(beast_http::verb::get, "/api/v1/projects", Access::kAuthenticated, ok_handler());
  router.add(beast_http::verb::get, "/api/v1/projects/{id}", Access::kAuthenticated, ok_handler());
  auto ex = exchange_for(beast_http::verb::get, "/api/v1/projects/abc?page=2&per_page=5");
  auto match = router.match(ex);
  ASSERT_EQ(match.outcome, Router::Outcome::kFound);
  EXPECT_EQ(ex.route_pattern, "/api/v1/projects/{id}");
  EXPECT_EQ(ex.path_param("id"), "abc");
  EXPECT_EQ(ex.query("page"), "2");
  EXPECT_EQ(ex.query("per_page"), "5");
  EXPECT_FALSE(ex.query("missing").has_value());
}

TEST(RouterTest, TrailingSlashIsTheSameResource) {
  Router router;
  router.add(beast_http::verb::get, "/api/v1/projects", Access::kAuthenticated, ok_handler());
  auto ex = exchange_for(beast_http::verb::get, "/api/v1/projects/");
  EXPECT_EQ(router.match(ex).outcome, Router::Outcome::kFound);
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  Router router;
  router.add(beast_http::verb::get, "/api/v1/projects/{id}", Access::kAuthenticated, ok_handler());
  router.add(beast_http::verb::patch, "/api/v1/projects/{id}", Access::kAuthenticated, ok_handler());
  auto ex = exchange_for(beast_http::verb::put, "/api/v1/projects/x");
  auto match = router.match(ex);
  EXPECT_EQ(match.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, PATCH");
}

TEST(RouterTest, UnknownPathIsNotFoundAndEmptyParameterDoesNotMatch) {
  Router router;
  router.add(beast_http::verb::get, "/api/v1/projects/{id}", Access::kAuthenticated, ok_handler());
  auto ex = exchange_for(beast_http::verb::get, "/api/v1/nothing");
  EXPECT_EQ(router.match(ex).outcome, Router::Outcome::kNotFound);
  auto ex2 = exchange_for(beast_http::verb::get, "/api/v1/projects//");
  EXPECT_NE(router.match(ex2).outcome, Router::Outcome::kFound);
}

TEST(RouterTest, PercentEncodedSegmentsAreDecoded) {
  Router router;
  router.add(beast_http::verb::get, "/items/{name}", Access::kPublic, ok_handler());
  auto ex = exchange_for(beast_http::verb::get, "/items/a%20b");
  ASSERT_EQ(router.match(ex).outcome, Router::Outcome::kFound);
  EXPECT_EQ(ex.path_param("name"), "a b");
}

TEST(RouterTest, MalformedTargetIsBadTarget) {
  Router router;
  router.add(beast_http::verb::get, "/items", Access::kPublic, ok_handler());
  auto ex = exchange_for(beast_http::verb::get, "items%zz");
  EXPECT_EQ(router.match(ex).outcome, Router::Outcome::kBadTarget);
}

TEST(RouterTest, HeadMatchesGetRoutes) {
  Router router;
  router.add(beast_http::verb::get, "/health/live", Access::kPublic, ok_handler());
  auto ex = exchange_for(beast_http::verb::head, "/health/live");
  EXPECT_EQ(router.match(ex).outcome, Router::Outcome::kFound);
}

// A fallback taking every path but those under /api.
void set_app_fallback(Router& router) {
  router.set_fallback(
      "app", Access::kPublic,
      [](const std::vector<std::string>& segments) { return segments.front() != "api"; },
      ok_handler(), RunsOn::kIoThread);
}

TEST(RouterTest, TheFallbackTakesGetAndHeadOfPathsNoRouteMatchesAndItClaims) {
  Router router;
  router.add(beast_http::verb::get, "/health/live", Access::kPublic, ok_handler());
  set_app_fallback(router);
  for (auto method : {beast_http::verb::get, beast_http::verb::head}) {
    for (const char* target : {"/", "/projects/abc/jobs/def", "/assets/app.js?v=1"}) {
      SCOPED_TRACE(target);
      auto ex = exchange_for(method, target);
      auto match = router.match(ex);
      ASSERT_EQ(match.outcome, Router::Outcome::kFound);
      EXPECT_EQ(match.route->runs_on, RunsOn::kIoThread);
      EXPECT_EQ(ex.route_pattern, "app");  // one label for every path it takes
      EXPECT_EQ(ex.access, Access::kPublic);
    }
  }
  auto query = exchange_for(beast_http::verb::get, "/x?tab=2");
  ASSERT_EQ(router.match(query).outcome, Router::Outcome::kFound);
  EXPECT_EQ(query.query("tab"), "2");
  // A route added wins over it.
  auto live = exchange_for(beast_http::verb::get, "/health/live");
  ASSERT_EQ(router.match(live).outcome, Router::Outcome::kFound);
  EXPECT_EQ(live.route_pattern, "/health/live");
}

TEST(RouterTest, TheFallbackLeavesOtherMethodsUnclaimedPathsAndKnownPathsAlone) {
  Router router;
  router.add(beast_http::verb::post, "/api/v1/auth/login", Access::kPublic, ok_handler());
  router.add(beast_http::verb::get, "/health/live", Access::kPublic, ok_handler());
  set_app_fallback(router);
  auto post = exchange_for(beast_http::verb::post, "/");
  EXPECT_EQ(router.match(post).outcome, Router::Outcome::kNotFound);
  auto api = exchange_for(beast_http::verb::get, "/api/v1/nope");
  EXPECT_EQ(router.match(api).outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(api.route_pattern, "");
  // A path a route knows, with a method it does not take, is still 405.
  auto login = exchange_for(beast_http::verb::get, "/api/v1/auth/login");
  EXPECT_EQ(router.match(login).outcome, Router::Outcome::kMethodNotAllowed);
  auto live = exchange_for(beast_http::verb::delete_, "/health/live");
  auto match = router.match(live);
  EXPECT_EQ(match.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET");
}

TEST(RouterTest, PathSegmentsAreDecodedAndATrailingSlashDropped) {
  EXPECT_EQ(*path_segments("/"), std::vector<std::string>{""});
  EXPECT_EQ(*path_segments("/a/b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*path_segments("/a/%2e%2e/b%2Fc?q=1"), (std::vector<std::string>{"a", "..", "b/c"}));
  EXPECT_FALSE(path_segments("/a%zz").ok());
}

}  // namespace
}  // namespace oeuvre::http
