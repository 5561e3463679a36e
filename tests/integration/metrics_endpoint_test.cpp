// /metrics is not public on the API port: it is served on a listener of its own (METRICS_PORT,
// loopback), and on the API port only for the bearer of METRICS_TOKEN. What the alert rules in
// monitoring/alerts.yaml read is there: the pool, statement times, readiness, queues, the process.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "support/test_helpers.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

// The value of the first sample whose line starts with `series` followed by ' ' (exact series,
// labels included); -1 when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(MetricsEndpointTest, ServedOnItsOwnListenerAndNotOnTheApiPort) {
  TestServer server;
  ASSERT_TRUE(server.started());
  ASSERT_NE(server.metrics_port(), 0);
  EXPECT_NE(server.metrics_port(), server.port());
  auto api = server.get("/metrics");
  EXPECT_EQ(api.status, 404u) << api.body;
  EXPECT_EQ(api.body.find("oeuvre_"), std::string::npos);

  Session s = server.register_user("scraped@example.com");
  ASSERT_EQ(server.get("/api/v1/projects", s.access_token).status, 200u);
  // Readiness, the queues and the workers' heartbeats are set by background threads from the start:
  // on a loaded machine their first samples can come after a first scrape.
  HttpResult scraped;
  ASSERT_TRUE(wait_until(
      [&] {
        scraped = server.scrape();
        return scraped.status == 200u && sample(scraped.body, "oeuvre_ready") >= 0 &&
               sample(scraped.body, R"(oeuvre_queue_oldest_age_seconds{queue="jobs"})") >= 0 &&
               sample(scraped.body, R"(oeuvre_worker_heartbeat_timestamp_seconds{work="reconciliation"})") > 0;
      },
      std::chrono::seconds(30)))
      << scraped.status << " " << scraped.body;
  EXPECT_TRUE(scraped.header("content-type").starts_with("text/plain; version=0.0.4"));
  const std::string& text = scraped.body;
  // The pool: TestServer's DB_POOL_SIZE is 4.
  EXPECT_EQ(sample(text, "oeuvre_db_pool_max_connections"), 4) << text;
  EXPECT_GE(sample(text, R"(oeuvre_db_pool_connections{state="in_use"})"), 0) << text;
  EXPECT_GE(sample(text, R"(oeuvre_db_pool_connections{state="idle"})"), 0) << text;
  EXPECT_GT(sample(text, "oeuvre_db_pool_wait_seconds_count"), 0) << text;
  // Statements by kind, a fixed set of labels.
  EXPECT_GT(sample(text, R"(oeuvre_db_query_duration_seconds_count{kind="select"})"), 0) << text;
  EXPECT_GT(sample(text, R"(oeuvre_db_query_duration_seconds_count{kind="insert"})"), 0) << text;
  // The latency histogram has a bucket exactly at the p95 alert's 0.5 s.
  EXPECT_NE(text.find(R"(oeuvre_http_request_duration_seconds_bucket{method="GET",route="/api/v1/projects",le="0.5"})"),
            std::string::npos)
      << text;
  // Scrapes of the listener are not API traffic (the API port's 404 above is).
  EXPECT_EQ(text.find(R"(route="/metrics",status="200")"), std::string::npos) << text;
  // Readiness and the queues (sampled when the server starts, then every few seconds).
  EXPECT_EQ(sample(text, "oeuvre_ready"), 1) << text;
  EXPECT_EQ(sample(text, R"(oeuvre_queue_depth{queue="files"})"), 0) << text;
  EXPECT_EQ(sample(text, R"(oeuvre_queue_oldest_age_seconds{queue="jobs"})"), 0) << text;
  EXPECT_GT(sample(text, R"(oeuvre_worker_heartbeat_timestamp_seconds{work="reconciliation"})"), 1.7e9) << text;
  // The process.
  EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1e6) << text;
  EXPECT_GT(sample(text, "process_open_fds"), 3) << text;
  EXPECT_GE(sample(text, "process_cpu_seconds_total"), 0) << text;
  EXPECT_GT(sample(text, "process_start_time_seconds"), 1.7e9) << text;
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter"), std::string::npos) << text;
}

TEST(MetricsEndpointTest, ABorrowedConnectionShowsInUse) {
  TestServer server;
  ASSERT_TRUE(server.started());
  auto held = server.app().database().acquire();
  ASSERT_TRUE(held.ok()) << held.error().message();
  auto second = server.app().database().acquire();
  ASSERT_TRUE(second.ok()) << second.error().message();
  const std::string text = server.scrape().body;
  EXPECT_GE(sample(text, R"(oeuvre_db_pool_connections{state="in_use"})"), 2) << text;
}

TEST(MetricsEndpointTest, TheTokenOpensTheApiPortAndGuardsTheListener) {
  ScopedEnv token("METRICS_TOKEN", "a-metrics-token-of-some-length-0123456789");
  TestServer server;
  ASSERT_TRUE(server.started());
  EXPECT_EQ(server.get("/metrics").status, 401u);
  EXPECT_EQ(server.get("/metrics", "a-metrics-token-of-some-length-012345678").status, 401u);
  EXPECT_EQ(server.get("/metrics", "a-metrics-token-of-some-length-01234567890").status, 401u);
  auto api = server.get("/metrics", "a-metrics-token-of-some-length-0123456789");
  EXPECT_EQ(api.status, 200u) << api.body;
  EXPECT_NE(api.body.find("oeuvre_build_info"), std::string::npos);
  EXPECT_EQ(server.scrape().status, 401u);
  EXPECT_EQ(server.scrape("a-metrics-token-of-some-length-0123456789").status, 200u);
}

TEST(MetricsEndpointTest, NoListenerWhenThePortIsMinusOne) {
  TestServer server([](Config& c) { c.metrics_port = -1; });
  ASSERT_TRUE(server.started());
  EXPECT_EQ(server.metrics_port(), 0);
  EXPECT_EQ(server.get("/metrics").status, 404u);
}

}  // namespace
}  // namespace oeuvre::testing
