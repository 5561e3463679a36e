// Problem answers keep the store's and the engine's own text (SQL, SQLSTATE, file names) for the
// logs: a busy store says "store busy, retry", any other store failure a generic text, both with
// Retry-After; a conflict the store found names no constraint; an internal error only the request
// id.
#include "http/problem.h"

#include <gtest/gtest.h>

namespace oeuvre::http {
namespace {

boost::json::object body_of(const HttpResponse& res) {
  return boost::json::parse(res.body()).as_object();
}

TEST(ProblemTest, AStoreFailureIsWordedGenericallyWithRetryAfter) {
  const HttpResponse busy = problem_response(
      Error::StoreFailure(StoreFault::kBusy, "BEGIN IMMEDIATE: database is locked"), "req-1");
  EXPECT_EQ(busy.result_int(), 503u);
  EXPECT_EQ(body_of(busy).at("detail").as_string(), "store busy, retry");
  EXPECT_EQ(busy[beast_http::field::retry_after], "1");
  EXPECT_EQ(busy.body().find("BEGIN"), std::string::npos) << busy.body();

  const HttpResponse full =
      problem_response(Error::StoreFailure(StoreFault::kOutOfSpace,
                                           "PostgreSQL: could not extend file (SQLSTATE 53100)"),
                       "req-2");
  EXPECT_EQ(full.result_int(), 503u);
  EXPECT_EQ(body_of(full).at("detail").as_string(), "store unavailable, retry later");
  EXPECT_FALSE(full[beast_http::field::retry_after].empty());
  EXPECT_EQ(full.body().find("SQLSTATE"), std::string::npos) << full.body();

  const HttpResponse conflict = problem_response(
      Error::FromStore(ErrorCode::kConflict, "step: UNIQUE constraint failed: projects.name"), "r");
  EXPECT_EQ(conflict.result_int(), 409u);
  EXPECT_EQ(conflict.body().find("UNIQUE"), std::string::npos) << conflict.body();
  EXPECT_EQ(conflict.body().find("projects.name"), std::string::npos) << conflict.body();

  const HttpResponse internal =
      problem_response(Error::Internal("PostgreSQL: syntax error (SQLSTATE 42601)"), "r");
  EXPECT_EQ(internal.result_int(), 500u);
  EXPECT_EQ(internal.body().find("SQLSTATE"), std::string::npos) << internal.body();
}

TEST(ProblemTest, OtherUnavailableAnswersKeepTheirOwnWords) {
  const HttpResponse queue_full =
      problem_response(Error::Unavailable("the server is busy; retry shortly"), "r");
  EXPECT_EQ(queue_full.result_int(), 503u);
  EXPECT_EQ(body_of(queue_full).at("detail").as_string(), "the server is busy; retry shortly");
}

}  // namespace
}  // namespace oeuvre::http
