#include "observability/metrics.h"
#include "observability/process_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oeuvre::obs {
namespace {

TEST(MetricsTest, MethodLabelsAreBounded) {
  for (const char* method :
       {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}) {
    EXPECT_EQ(method_label(method), method);
  }
  const std::vector<std::string> made_up = {"M000123", "get",  "PROPFIND",
                                            "",        "GET ", std::string(100, 'G')};
  for (const std::string& method : made_up) EXPECT_EQ(method_label(method), "other") << method;
}

TEST(MetricsTest, AMadeUpMethodIsCountedAsOther) {
  Metrics metrics;
  for (int i = 0; i < 50; ++i) {
    metrics.observe_request("M" + std::to_string(i), "unmatched", 404, 0.001);
  }
  const std::string text = metrics.serialize();
  EXPECT_EQ(text.find("method=\"M"), std::string::npos);
  EXPECT_NE(
      text.find(R"(oeuvre_http_requests_total{method="other",route="unmatched",status="404"} 50)"),
      std::string::npos)
      << text;
}

// The p95 > 500 ms alert compares against a bucket boundary, not an interpolation between two.
TEST(MetricsTest, TheLatencyHistogramHasABucketAtHalfASecond) {
  Metrics metrics;
  metrics.observe_request("GET", "/health/live", 200, 0.7);
  metrics.observe_request("GET", "/health/live", 200, 0.3);
  const std::string text = metrics.serialize();
  EXPECT_NE(text.find(R"(oeuvre_http_request_duration_seconds_bucket{method="GET",route="/health/live",le="0.5"} 1)"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, StatementKindsAreAFixedSet) {
  Metrics metrics;
  metrics.observe_query("select", 0.001);
  metrics.observe_query("DROP TABLE users; --", 0.001);
  const std::string text = metrics.serialize();
  EXPECT_NE(text.find(R"(oeuvre_db_query_duration_seconds_count{kind="select"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(oeuvre_db_query_duration_seconds_count{kind="other"} 1)"), std::string::npos) << text;
  EXPECT_EQ(text.find("DROP"), std::string::npos);
}

TEST(MetricsTest, PoolQueueReadinessAndSamplersBeforeEachScrape) {
  Metrics metrics;
  int sampled = 0;
  metrics.on_scrape([&] {
    ++sampled;
    metrics.set_pool(2, 1, 2 + sampled);
  });
  metrics.observe_pool_wait(3.0, /*timed_out=*/true);
  metrics.set_ready(false);
  metrics.set_queue("jobs", 3, 42.5);
  (void)metrics.serialize();
  const std::string text = metrics.serialize();
  EXPECT_EQ(sampled, 2);
  for (const char* line : {R"(oeuvre_db_pool_connections{state="in_use"} 2)", R"(oeuvre_db_pool_connections{state="idle"} 1)",
                           "oeuvre_db_pool_max_connections 4", "oeuvre_db_pool_timeouts_total 1",
                           R"(oeuvre_db_pool_wait_seconds_bucket{le="5"} 1)", "oeuvre_ready 0",
                           R"(oeuvre_queue_depth{queue="jobs"} 3)", R"(oeuvre_queue_oldest_age_seconds{queue="jobs"} 42.5)"}) {
    EXPECT_NE(text.find(std::string("\n") + line + "\n"), std::string::npos) << line << "\n" << text;
  }
}

TEST(MetricsTest, TheBackupIntervalIsExportedOnlyWhenBackupsAreOn) {
  Metrics metrics;
  EXPECT_EQ(metrics.serialize().find("oeuvre_backup_interval_seconds"), std::string::npos);
  metrics.set_backup_interval(3600);
  metrics.observe_backup_seen(2000);
  metrics.observe_backup_seen(1000);  // older: ignored
  const std::string text = metrics.serialize();
  EXPECT_NE(text.find("\noeuvre_backup_interval_seconds 3600\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\noeuvre_backup_last_success_timestamp_seconds 2000\n"), std::string::npos) << text;
}

TEST(ProcessMetricsTest, ParsesProcStatWithAnAwkwardCommandName) {
  // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24; the name holds ") (" and spaces.
  const std::string stat =
      "4242 (oeuvre ) (x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 9 0 "
      "5000 123456789 300 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
  ProcessStats stats = parse_proc_stat(stat, 4096, 100, 1'700'000'000);
  ASSERT_TRUE(stats.cpu_seconds);
  EXPECT_DOUBLE_EQ(*stats.cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(*stats.start_time_seconds, 1'700'000'050.0);
  EXPECT_DOUBLE_EQ(*stats.virtual_memory_bytes, 123456789.0);
  EXPECT_DOUBLE_EQ(*stats.resident_memory_bytes, 300.0 * 4096);
  EXPECT_FALSE(parse_proc_stat("garbage", 4096, 100, 0).cpu_seconds);
}

TEST(ProcessMetricsTest, ThisProcessIsReadFromProc) {
  ProcessStats stats = read_process_stats();
  ASSERT_TRUE(stats.resident_memory_bytes && stats.open_fds && stats.start_time_seconds && stats.cpu_seconds);
  EXPECT_GT(*stats.resident_memory_bytes, 0);
  EXPECT_GE(*stats.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(*stats.start_time_seconds, 1.6e9);
}

}  // namespace
}  // namespace oeuvre::obs
