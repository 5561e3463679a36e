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

}  // namespace
}  // namespace oeuvre::http
