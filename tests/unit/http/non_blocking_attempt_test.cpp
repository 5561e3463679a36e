// Reads tried on the I/O thread (core/blocking.h): whatever would wait throws WouldBlock inside a
// NonBlockingScope (the cache on a miss, the database pool, an invalidation), and the pipeline's
// attempt then leaves no trace, so the same exchange can be handled again on a worker.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "cache/cache.h"
#include "cache/l1_cache.h"
#include "core/blocking.h"
#include "http/pipeline.h"
#include "http/problem.h"
#include "observability/metrics.h"
#include "store/database.h"

namespace oeuvre {
namespace {

using namespace std::chrono_literals;
namespace beast_http = http::beast_http;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(NonBlockingScopeTest, RequireMayBlockThrowsOnlyInsideTheScope) {
  EXPECT_FALSE(blocking_forbidden());
  EXPECT_NO_THROW(require_may_block());
  {
    NonBlockingScope outer;
    {
      NonBlockingScope inner;
      EXPECT_THROW(require_may_block(), WouldBlock);
    }
    EXPECT_TRUE(blocking_forbidden()) << "scopes nest";
  }
  EXPECT_FALSE(blocking_forbidden());
}

TEST(NonBlockingScopeTest, TheDatabasePoolRefusesToLendAConnectionInsideTheScope) {
  const auto dir = std::filesystem::temp_directory_path() / ("oeuvre-nb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Result<std::unique_ptr<store::Database>> db = store::open_database({"sqlite://" + (dir / "db.sqlite").string()});
  ASSERT_TRUE(db.ok()) << db.error().message();
  {
    NonBlockingScope scope;
    EXPECT_THROW((void)(*db)->acquire(), WouldBlock);
  }
  EXPECT_TRUE((*db)->acquire().ok()) << "and lends it outside";
  db->reset();
  std::filesystem::remove_all(dir);
}

TEST(NonBlockingScopeTest, AnL1LookupThatDoesNotCountItsMissLeavesNoTrace) {
  cache::L1CacheOptions options;
  options.byte_budget = 1 << 20;
  cache::L1Cache l1(options);
  EXPECT_EQ(l1.get("a", /*count_miss=*/false), std::nullopt);
  EXPECT_EQ(l1.stats().misses, 0u);
  l1.put("a", "alpha", 1min);
  EXPECT_EQ(l1.get("a", /*count_miss=*/false), "alpha");
  EXPECT_EQ(l1.stats().hits, 1u);
  EXPECT_EQ(l1.get("b"), std::nullopt);
  EXPECT_EQ(l1.stats().misses, 1u);
}

TEST(NonBlockingScopeTest, TheCacheAnswersFromL1AndThrowsOnAMissWithoutLoading) {
  obs::Metrics metrics;
  Result<std::unique_ptr<cache::Cache>> made = cache::Cache::create({}, metrics);
  ASSERT_TRUE(made.ok());
  cache::Cache& cache = **made;
  int loads = 0;
  auto loader = [&]() -> Result<std::string> {
    ++loads;
    return std::string("loaded");
  };
  {
    NonBlockingScope scope;
    EXPECT_THROW((void)cache.get_or_load(cache::Kind::kProjects, "p", loader), WouldBlock);
    EXPECT_THROW((void)cache.get(cache::Kind::kJobs, "j"), WouldBlock);
    EXPECT_THROW(cache.put(cache::Kind::kJobs, "j", "x"), WouldBlock);
    EXPECT_THROW(cache.invalidate(cache::Kind::kProjects, {"p"}), WouldBlock);
  }
  EXPECT_EQ(loads, 0);
  Result<std::string> loaded = cache.get_or_load(cache::Kind::kProjects, "p", loader);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loads, 1);
  cache.put(cache::Kind::kJobs, "j", "ended");
  {
    NonBlockingScope scope;
    Result<std::string> hit = cache.get_or_load(cache::Kind::kProjects, "p", loader);
    ASSERT_TRUE(hit.ok());
    EXPECT_EQ(*hit, "loaded");
    EXPECT_EQ(cache.get(cache::Kind::kJobs, "j"), "ended");
  }
  EXPECT_EQ(loads, 1);
  // Misses counted: the one real miss (the attempts' misses are the worker's to count).
  const std::string text = metrics.serialize();
  EXPECT_TRUE(contains(text, "oeuvre_cache_requests_total{cache=\"projects\",level=\"l1\",result=\"hit\"} 1")) << text;
  EXPECT_TRUE(contains(text, "oeuvre_cache_requests_total{cache=\"projects\",level=\"l1\",result=\"miss\"} 1")) << text;
}

class PipelineAttemptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.add(
        beast_http::verb::get, "/waits", http::Access::kPublic,
        [this](http::Exchange&) -> Result<http::HttpResponse> {
          ++calls_;
          try {
            require_may_block();  // a handler's own catch of std::exception does not take it
          } catch (const std::exception&) {
            return Error::Internal("caught");
          }
          return http::json_response(beast_http::status::ok, boost::json::object{{"waited", true}});
        },
        http::RunsOn::kIoThreadFirst);
    router.add(
        beast_http::verb::get, "/cached", http::Access::kPublic,
        [](http::Exchange&) -> Result<http::HttpResponse> {
          return http::json_response(beast_http::status::ok, boost::json::object{{"cached", true}});
        },
        http::RunsOn::kIoThreadFirst);
    pipeline_ = std::make_unique<http::Pipeline>(std::move(router), metrics_);
    pipeline_->use(http::make_request_id_middleware());
    pipeline_->use(http::make_metrics_middleware(metrics_));
  }

  http::Exchange exchange(const std::string& target) {
    http::Exchange ex;
    ex.request.method(beast_http::verb::get);
    ex.request.target(target);
    ex.started = std::chrono::steady_clock::now();
    EXPECT_EQ(pipeline_->route(ex), http::RunsOn::kIoThreadFirst);
    return ex;
  }

  std::string metrics_text() { return metrics_.serialize(); }

  obs::Metrics metrics_;
  std::unique_ptr<http::Pipeline> pipeline_;
  int calls_ = 0;
};

TEST_F(PipelineAttemptTest, AnAttemptThatWouldWaitLeavesNoTraceAndTheWorkerAnswersOnce) {
  http::Exchange ex = exchange("/waits");
  EXPECT_EQ(pipeline_->handle_without_waiting(ex), std::nullopt);
  EXPECT_EQ(calls_, 1);
  const std::string request_id = ex.request_id;
  EXPECT_FALSE(request_id.empty());
  EXPECT_FALSE(contains(metrics_text(), "route=\"/waits\"")) << "the attempt is not counted";
  EXPECT_TRUE(contains(metrics_text(), "oeuvre_http_requests_in_flight 0"));

  http::HttpResponse res = pipeline_->handle(ex);
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res.body(), R"({"waited":true})");
  EXPECT_EQ(res["X-Request-ID"], request_id) << "the request keeps the id chosen in the attempt";
  EXPECT_TRUE(contains(metrics_text(), "oeuvre_http_requests_total{method=\"GET\",route=\"/waits\",status=\"200\"} 1"));
  EXPECT_TRUE(contains(metrics_text(), "oeuvre_http_requests_in_flight 0"));
}

TEST_F(PipelineAttemptTest, AnAttemptThatNeedNotWaitIsTheAnswer) {
  http::Exchange ex = exchange("/cached");
  std::optional<http::HttpResponse> res = pipeline_->handle_without_waiting(ex);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->result(), beast_http::status::ok);
  EXPECT_EQ(res->body(), R"({"cached":true})");
  EXPECT_FALSE(blocking_forbidden()) << "the scope ends with the attempt";
  EXPECT_TRUE(contains(metrics_text(), "oeuvre_http_requests_total{method=\"GET\",route=\"/cached\",status=\"200\"} 1"));
}

}  // namespace
}  // namespace oeuvre
