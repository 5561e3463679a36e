// HTTP hardening found by an attack run (issue 21): request smuggling through transfer codings,
// metrics labels fed by clients, duplicate JSON keys and Authorization headers, and connection
// limits and timeouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

void expect_problem(const HttpResult& res, unsigned status) {
  EXPECT_EQ(res.status, status) << res.body;
  EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json"))
      << res.header("content-type");
  auto body = res.json();
  ASSERT_TRUE(body.is_object()) << res.body;
  EXPECT_EQ(body.at("status").to_number<int>(), static_cast<int>(status));
  EXPECT_FALSE(body.at("detail").as_string().empty());
}

// The lines of /metrics that start with `family`.
std::vector<std::string> metric_lines(TestServer& server, const std::string& family) {
  auto metrics = server.scrape();
  EXPECT_EQ(metrics.status, 200u);
  std::vector<std::string> out;
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(family + "{")) out.push_back(line);
  }
  return out;
}

bool has_line_with(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

// ---------------------------------------------------------------------------------------------------
// Transfer codings (RFC 9112 §6.1, §6.3)

// A request whose transfer coding the server would misread, followed by a second request hidden in
// its body: the server answers the first and closes, so the hidden one is never served.
HttpResult send_smuggling_attempt(HttpConnection& conn, const std::string& transfer_encoding) {
  const std::string hidden =
      "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: smuggled\r\n\r\n";
  EXPECT_TRUE(conn.send_raw(
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: " +
      transfer_encoding + "\r\n\r\n" + hidden));
  return conn.read_response();
}

TEST(HttpHardeningTest, SmugglingThroughATransferCodingOtherThanFinalChunkedIs400AndCloses) {
  TestServer server;
  for (const std::string coding :
       {"gzip", "identity", "deflate", "x", "chunked, gzip", "chunked, chunked", ""}) {
    SCOPED_TRACE("Transfer-Encoding: " + coding);
    HttpConnection conn(server.port());
    ASSERT_TRUE(conn.connected());
    auto res = send_smuggling_attempt(conn, coding);
    expect_problem(res, 400);
    EXPECT_EQ(res.header("connection"), "close");
    EXPECT_TRUE(conn.closed_by_peer()) << "the body was served as a second request";
  }
  EXPECT_EQ(server.get("/health/live").status, 200u);
}

TEST(HttpHardeningTest, SmugglingThroughAnUnimplementedTransferCodingIs501AndCloses) {
  TestServer server;
  for (const std::string coding : {"gzip, chunked", "x-custom, chunked"}) {
    SCOPED_TRACE("Transfer-Encoding: " + coding);
    HttpConnection conn(server.port());
    ASSERT_TRUE(conn.connected());
    auto res = send_smuggling_attempt(conn, coding);
    expect_problem(res, 501);
    EXPECT_TRUE(conn.closed_by_peer()) << "the connection stayed open";
  }
}

// `text` as one chunk of a chunked body (its size in hex).
std::string chunk(const std::string& text) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx", text.size());
  return std::string(size) + "\r\n" + text + "\r\n";
}

TEST(HttpHardeningTest, SmugglingGuardStillServesAChunkedBody) {
  TestServer server;
  Session s = server.register_user("chunked@example.com");
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.connected());
  const std::string body = R"({"name":"sent in chunks, the second one longer than nine bytes"})";
  ASSERT_TRUE(conn.send_raw(
      "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Authorization: Bearer " +
      s.access_token + "\r\nTransfer-Encoding: Chunked\r\n\r\n" + chunk(body.substr(0, 5)) +
      chunk(body.substr(5)) + "0\r\n\r\n"));
  auto res = conn.read_response();
  EXPECT_EQ(res.status, 201u) << res.body;
  // The connection stays usable.
  EXPECT_EQ(conn.send("GET", "/health/live").status, 200u);
}

// ---------------------------------------------------------------------------------------------------
// Metrics labels

TEST(HttpHardeningTest, MadeUpMethodsAreOneMetricsLabel) {
  TestServer server;
  for (const char* request :
       {"M000123 /x HTTP/1.1", "M000124 /health/live HTTP/1.1", "get /health/live HTTP/1.1"}) {
    SCOPED_TRACE(request);
    HttpConnection conn(server.port());
    ASSERT_TRUE(conn.send_raw(std::string(request) + "\r\nHost: x\r\n\r\n"));
    auto res = conn.read_response();
    EXPECT_GE(res.status, 400u);
    EXPECT_LT(res.status, 500u);
  }
  const auto lines = metric_lines(server, "oeuvre_http_requests_total");
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("M00012"), std::string::npos) << line;
    EXPECT_EQ(line.find("method=\"get\""), std::string::npos) << line;
  }
  EXPECT_TRUE(has_line_with(lines, "method=\"other\",route=\"unmatched\""))
      << ::testing::PrintToString(lines);
  for (const auto& line : metric_lines(server, "oeuvre_http_request_duration_seconds_count")) {
    EXPECT_EQ(line.find("M00012"), std::string::npos) << line;
  }
}

// ---------------------------------------------------------------------------------------------------
// Duplicates

TEST(HttpHardeningTest, DuplicateJsonKeysAre400) {
  TestServer server;
  Session s = server.register_user("dupes@example.com");
  for (const std::string body : {R"({"name":"a","name":"b"})", R"({"name":"a","n\u0061me":"b"})",
                                 R"({"name":"a","description":"x","description":"y"})"}) {
    SCOPED_TRACE(body);
    auto res = server.request("POST", "/api/v1/projects", body, s.access_token);
    expect_problem(res, 400);
    EXPECT_NE(res.json().at("detail").as_string().find("twice"), std::string::npos) << res.body;
  }
  // Nothing was created.
  EXPECT_EQ(
      server.get("/api/v1/projects", s.access_token).json().at("total").to_number<std::int64_t>(),
      0);
}

TEST(HttpHardeningTest, ARepeatedAuthorizationHeaderIs400) {
  TestServer server;
  Session s = server.register_user("two-tokens@example.com");
  for (const std::string& second : {s.access_token, std::string("not-a-token")}) {
    HttpConnection conn(server.port());
    ASSERT_TRUE(conn.send_raw("GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                              s.access_token + "\r\nAuthorization: Bearer " + second + "\r\n\r\n"));
    expect_problem(conn.read_response(), 400);
  }
  // One is fine.
  EXPECT_EQ(server.get("/api/v1/projects", s.access_token).status, 200u);
}

// ---------------------------------------------------------------------------------------------------
// Connection limits and the first request's timeout

// Opens `n` kept-alive connections, each proven accepted by one request.
std::vector<std::unique_ptr<HttpConnection>> open_connections(TestServer& server, int n) {
  std::vector<std::unique_ptr<HttpConnection>> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(std::make_unique<HttpConnection>(server.port()));
    EXPECT_EQ(out.back()->send("GET", "/health/live").status, 200u);
  }
  return out;
}

// With `limit` connections open, one more is answered 503 and closed; once they closed, `reason`
// has been counted and a new connection is served.
void expect_connection_limit(TestServer& server, int limit, const std::string& reason) {
  {
    auto open = open_connections(server, limit);
    HttpConnection extra(server.port());
    ASSERT_TRUE(extra.connected());
    expect_problem(extra.read_response(), 503);
    EXPECT_TRUE(extra.closed_by_peer());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server sees them close
  EXPECT_TRUE(has_line_with(metric_lines(server, "oeuvre_http_rejected_total"),
                            "reason=\"" + reason + "\""));
  EXPECT_EQ(server.get("/health/live").status, 200u);
}

TEST(HttpHardeningTest, ConnectionsPastThePerAddressLimitAreRefused) {
  TestServer server([](Config& c) {
    c.max_connections = 100;
    c.max_connections_per_ip = 3;
  });
  expect_connection_limit(server, 3, "connection_limit_per_ip");
}

TEST(HttpHardeningTest, ConnectionsPastTheGlobalLimitAreRefused) {
  TestServer server([](Config& c) {
    c.max_connections = 3;
    c.max_connections_per_ip = 100;
  });
  expect_connection_limit(server, 3, "connection_limit");
}

// HttpConnection's reads block until the server closes (its timeouts bind asynchronous reads only),
// so these tests time how long that took.
std::chrono::duration<double> seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::steady_clock::now() - start;
}

TEST(HttpHardeningTest, AConnectionThatSendsNothingIsClosedAfterTheReadTimeout) {
  TestServer server([](Config& c) { c.read_timeout_seconds = 1; });
  const auto start = std::chrono::steady_clock::now();
  HttpConnection silent(server.port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.closed_by_peer());
  EXPECT_LT(seconds_since(start).count(), 5.0)
      << "closed after the idle timeout, not the read timeout";
}

TEST(HttpHardeningTest, AFirstHeaderDribbledPastTheReadTimeoutIsClosed) {
  TestServer server([](Config& c) { c.read_timeout_seconds = 1; });
  const auto start = std::chrono::steady_clock::now();
  HttpConnection slow(server.port());
  ASSERT_TRUE(slow.connected());
  // One byte every 150 ms for 2.5 s: never a whole header, never 1 s without a byte.
  const std::string head = "GET /health/live HTTP/1.1\r\nHost: x\r\n";
  for (std::size_t i = 0; i < 17; ++i) {
    if (!slow.send_raw(head.substr(i, 1))) break;  // the server has closed (and reset) it
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  EXPECT_TRUE(slow.closed_by_peer());
  EXPECT_LT(seconds_since(start).count(), 6.0)
      << "the dribbled header was read past the read timeout";
}

}  // namespace
}  // namespace oeuvre::testing
