// HTTP behaviour every route shares: request ids, body parsing and limits, routing errors, HEAD,
// keep-alive, health and metrics, and a sweep proving that no route answers 5xx to bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

void expect_problem(const HttpResult& res, unsigned status) {
  EXPECT_EQ(res.status, status) << res.body;
  EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json")) << res.header("content-type");
  auto body = res.json();
  ASSERT_TRUE(body.is_object()) << res.body;
  EXPECT_EQ(body.at("status").to_number<int>(), static_cast<int>(status));
  EXPECT_FALSE(body.at("title").as_string().empty());
  EXPECT_FALSE(body.at("detail").as_string().empty());
  ASSERT_FALSE(res.header("x-request-id").empty());
  EXPECT_EQ(std::string(body.at("request_id").as_string()), res.header("x-request-id"));
}

bool looks_like_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_object(int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += R"({"a":)";
  out += "1";
  out += std::string(depth, '}');
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Request ids

TEST(HttpBehaviourTest, ASaneRequestIdIsEchoed) {
  TestServer server;
  for (const std::string& id : std::vector<std::string>{"abc-123", "req_2024.01.01:7", std::string(128, 'x'),
                                                        "3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d"}) {
    auto res = server.request("GET", "/health/live", "", "", {{"X-Request-ID", id}});
    EXPECT_EQ(res.status, 200u);
    EXPECT_EQ(res.header("x-request-id"), id);
  }
}

TEST(HttpBehaviourTest, AnInsaneRequestIdIsReplacedByAUuid) {
  TestServer server;
  for (const std::string& id : {std::string(129, 'x'), std::string("has spaces"), std::string("semi;colon"),
                               std::string("quote\"d"), std::string("\xC3\xA9t\xC3\xA9"), std::string("a/b")}) {
    auto res = server.request("GET", "/health/live", "", "", {{"X-Request-ID", id}});
    EXPECT_EQ(res.status, 200u);
    EXPECT_NE(res.header("x-request-id"), id);
    EXPECT_TRUE(looks_like_uuid(res.header("x-request-id"))) << res.header("x-request-id");
  }
  // Without one, each request gets its own.
  auto one = server.get("/health/live");
  auto two = server.get("/health/live");
  EXPECT_TRUE(looks_like_uuid(one.header("x-request-id")));
  EXPECT_NE(one.header("x-request-id"), two.header("x-request-id"));
}

TEST(HttpBehaviourTest, EveryResponseCarriesTheRequestIdAndProblemsRepeatIt) {
  TestServer server([](Config& c) { c.max_body_bytes = 1024; });
  Session s = server.register_user("rid@example.com");
  struct Case {
    std::string method, target, body, token;
    unsigned status;
  };
  const std::vector<Case> cases = {
      {"GET", "/health/live", "", "", 200},
      {"GET", "/api/v1/projects", "", s.access_token, 200},
      {"GET", "/api/v1/nowhere", "", "", 404},
      {"DELETE", "/health/live", "", "", 405},
      {"GET", "/api/v1/projects", "", "", 401},
      {"GET", "/api/v1/projects/not-a-uuid", "", s.access_token, 400},
      {"POST", "/api/v1/projects", R"({"name":""})", s.access_token, 422},
      {"POST", "/api/v1/projects", std::string(4096, ' '), s.access_token, 413},
  };
  int n = 0;
  for (const auto& c : cases) {
    const std::string id = "rid-" + std::to_string(n++);
    SCOPED_TRACE(c.method + " " + c.target);
    auto res = server.request(c.method, c.target, c.body, c.token, {{"X-Request-ID", id}});
    EXPECT_EQ(res.status, c.status) << res.body;
    EXPECT_EQ(res.header("x-request-id"), id);
    if (res.status >= 400) {
      ASSERT_TRUE(res.json().is_object()) << res.body;
      EXPECT_EQ(std::string(res.json().at("request_id").as_string()), id);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Bodies

TEST(HttpBehaviourTest, BodyErrorsAreClear4xx) {
  TestServer server;
  Session s = server.register_user("bodies@example.com");
  const std::string target = "/api/v1/projects";
  auto post = [&](const std::string& body, const std::string& content_type = "application/json") {
    return server.request("POST", target, body, s.access_token, {}, content_type);
  };
  expect_problem(post(R"({"name":)"), 400);
  expect_problem(post(R"({"name":"x",})"), 400);
  expect_problem(post(R"({'name':'x'})"), 400);
  expect_problem(post(R"({"name":"x"} trailing)"), 400);
  expect_problem(post(R"([{"name":"x"}])"), 400);
  expect_problem(post("null"), 400);
  expect_problem(post("\"name\""), 400);
  expect_problem(post("42"), 400);
  // Wrong or missing content type.
  expect_problem(post(R"({"name":"x"})", "text/plain"), 415);
  expect_problem(post(R"({"name":"x"})", "application/x-www-form-urlencoded"), 415);
  expect_problem(server.request("POST", target, R"({"name":"x"})", s.access_token, {}, ""), 415);
  // Parameters on the media type are fine.
  EXPECT_EQ(post(R"({"name":"typed"})", "application/json; charset=utf-8").status, 201u);
  // Empty body with a JSON content type.
  expect_problem(server.request("POST", target, "", s.access_token, {{"Content-Type", "application/json"}}), 400);
  // Deep nesting.
  expect_problem(post(R"({"name":"x","deep":)" + nested(100) + "}"), 400);
  expect_problem(post(nested_object(100)), 400);
  expect_problem(post(nested(10000)), 400);
  // Invalid UTF-8 inside a JSON string, and an overlong encoding, and a lone surrogate escape.
  expect_problem(post("{\"name\":\"bad \xFF\xFE bytes\"}"), 400);
  expect_problem(post("{\"name\":\"\xC0\xAF\"}"), 400);
  expect_problem(post("{\"name\":\"\xED\xA0\x80\"}"), 400);
  // Nothing was created.
  auto list = server.get(target, s.access_token);
  EXPECT_EQ(list.json().at("total").to_number<std::int64_t>(), 1);
}

TEST(HttpBehaviourTest, ABodyLargerThanTheLimitIs413) {
  TestServer server([](Config& c) { c.max_body_bytes = 2048; });
  Session s = server.register_user("big@example.com");
  const std::string big = json::serialize(json::object{{"name", std::string(4096, 'n')}});
  auto res = server.request("POST", "/api/v1/projects", big, s.access_token, {{"X-Request-ID", "too-big-1"}});
  expect_problem(res, 413);
  EXPECT_EQ(res.header("x-request-id"), "too-big-1");
  // Just under the limit passes the size check (and fails validation on the name length).
  const std::string fits = json::serialize(json::object{{"name", std::string(1000, 'n')}});
  auto ok = server.request("POST", "/api/v1/projects", fits, s.access_token);
  EXPECT_EQ(ok.status, 422u) << ok.body;
  // The server is still serving.
  EXPECT_EQ(server.get("/health/live").status, 200u);
  EXPECT_EQ(server.get("/api/v1/projects", s.access_token).json().at("total").to_number<std::int64_t>(), 0);
}

TEST(HttpBehaviourTest, BadPathsAndMethods) {
  TestServer server;
  Session s = server.register_user("paths@example.com");
  for (const char* bad : {"not-a-uuid", "3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7", "3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7dd",
                          "{3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d}", "%20", "3f1c9a628d5e4b7a9c3d2e1f0a9b8c7d",
                          "..", "%2e%2e"}) {
    SCOPED_TRACE(bad);
    auto res = server.get(std::string("/api/v1/projects/") + bad, s.access_token);
    expect_problem(res, 400);
  }
  // An unknown route is a problem, not an HTML page, for every method.
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    expect_problem(server.request(method, "/api/v1/nowhere", "", s.access_token), 404);
  }
  // Paths under /api are the API's alone: the web app at "/" (web_app_test.cpp) never answers them.
  expect_problem(server.get("/api"), 404);
  expect_problem(server.get("/api/v2/projects"), 404);
  expect_problem(server.get("/api/v1/projects/3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d/nothing", s.access_token), 404);
  // Wrong method: 405 with Allow.
  auto wrong = server.request("PUT", "/api/v1/projects", R"({"name":"x"})", s.access_token);
  expect_problem(wrong, 405);
  EXPECT_NE(wrong.header("allow").find("GET"), std::string::npos) << wrong.header("allow");
  EXPECT_NE(wrong.header("allow").find("POST"), std::string::npos) << wrong.header("allow");
  auto wrong_item = server.request("POST", "/api/v1/projects/3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d", "{}", s.access_token);
  expect_problem(wrong_item, 405);
  const std::string allow = wrong_item.header("allow");
  for (const char* m : {"GET", "PATCH", "DELETE"}) EXPECT_NE(allow.find(m), std::string::npos) << allow;
  expect_problem(server.request("DELETE", "/health/live"), 405);
  // A trailing slash names the same resource.
  EXPECT_EQ(server.get("/api/v1/projects/", s.access_token).status, 200u);
  // A target that is not a valid path.
  auto bad_target = server.get("/api/v1/projects?page=%ZZ", s.access_token);
  EXPECT_GE(bad_target.status, 400u);
  EXPECT_LT(bad_target.status, 500u);
}

// ---------------------------------------------------------------------------------------------------
// HEAD, keep-alive

TEST(HttpBehaviourTest, HeadOnAGetRouteHasTheHeadersAndNoBody) {
  TestServer server;
  Session s = server.register_user("head@example.com");
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.connected());
  auto get = conn.send("GET", "/health/live");
  ASSERT_EQ(get.status, 200u);
  auto head = conn.send("HEAD", "/health/live");
  EXPECT_EQ(head.status, 200u);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-type"), get.header("content-type"));
  EXPECT_FALSE(head.header("x-request-id").empty());
  // HEAD of an authenticated route, then a GET on the same connection: had the server sent a body
  // after the HEAD, this GET would read it as its response.
  auto head_projects = conn.send("HEAD", "/api/v1/projects", "", s.access_token);
  EXPECT_EQ(head_projects.status, 200u);
  auto after = conn.send("GET", "/api/v1/projects", "", s.access_token);
  EXPECT_EQ(after.status, 200u);
  EXPECT_TRUE(after.json().is_object()) << after.body;
}

TEST(HttpBehaviourTest, HeadThatFailsSendsNoBodyEither) {
  TestServer server;
  Session s = server.register_user("head-fail@example.com");
  struct Case {
    std::string target, token;
    unsigned status;
  };
  const std::vector<Case> cases = {
      {"/api/v1/projects", "", 401},
      {"/api/v1/nowhere", "", 404},
      {"/api/v1/projects/not-a-uuid", s.access_token, 400},
      {"/api/v1/projects/3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d", s.access_token, 404},
      {"/api/v1/auth/login", "", 405},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("HEAD " + c.target);
    HttpConnection conn(server.port());
    ASSERT_TRUE(conn.connected());
    auto head = conn.send("HEAD", c.target, "", c.token);
    EXPECT_EQ(head.status, c.status);
    EXPECT_FALSE(head.header("x-request-id").empty());
    // Had the server sent a body after the HEAD response, this GET would read it as its response.
    auto next = conn.send("GET", "/health/live");
    EXPECT_EQ(next.status, 200u) << "the response to HEAD carried a body";
  }
}

TEST(HttpBehaviourTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestServer server;
  Session s = server.register_user("keep@example.com");
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.connected());
  auto one = conn.send("GET", "/health/live");
  EXPECT_EQ(one.status, 200u);
  EXPECT_NE(one.header("connection"), "close");
  auto two = conn.send("POST", "/api/v1/projects", R"({"name":"on one socket"})", s.access_token);
  EXPECT_EQ(two.status, 201u) << two.body;
  auto three = conn.send("GET", "/api/v1/projects", "", s.access_token);
  EXPECT_EQ(three.status, 200u);
  EXPECT_EQ(three.json().at("total").to_number<std::int64_t>(), 1);
  // Errors do not end the connection either.
  EXPECT_EQ(conn.send("GET", "/api/v1/projects/not-a-uuid", "", s.access_token).status, 400u);
  EXPECT_EQ(conn.send("POST", "/api/v1/projects", R"({"name":)", s.access_token).status, 400u);
  EXPECT_EQ(conn.send("GET", "/health/live").status, 200u);
  // Connection: close is honoured.
  auto closing = conn.send("GET", "/health/live", "", "", {{"Connection", "close"}});
  EXPECT_EQ(closing.status, 200u);
  EXPECT_TRUE(conn.closed_by_peer());
}

TEST(HttpBehaviourTest, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server;
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.connected());
  std::string raw;
  for (int i = 0; i < 3; ++i) {
    raw += "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: pipe-" + std::to_string(i) + "\r\n\r\n";
  }
  ASSERT_TRUE(conn.send_raw(raw));
  for (int i = 0; i < 3; ++i) {
    auto res = conn.read_response();
    EXPECT_EQ(res.status, 200u);
    EXPECT_EQ(res.header("x-request-id"), "pipe-" + std::to_string(i));
  }
}

TEST(HttpBehaviourTest, MalformedHttpIsA400NotACrash) {
  TestServer server;
  {
    HttpConnection conn(server.port());
    ASSERT_TRUE(conn.send_raw("THIS IS NOT HTTP\r\n\r\n"));
    auto res = conn.read_response();
    EXPECT_GE(res.status, 400u);
    EXPECT_LT(res.status, 500u);
  }
  {
    HttpConnection conn(server.port());
    // The server may answer 431 and close while the client is still writing (the send then fails with
    // a reset), or close without answering; it must not crash or hang.
    const bool sent = conn.send_raw("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                    std::string(64 * 1024, 'a') + "\r\n\r\n");
    auto res = sent ? conn.read_response() : HttpResult{};
    if (res.status != 0) {
      EXPECT_GE(res.status, 400u);
      EXPECT_LT(res.status, 500u);
    }
  }
  {
    HttpConnection conn(server.port());
    ASSERT_TRUE(conn.send_raw("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    auto res = conn.read_response();
    if (res.status != 0) {
      EXPECT_LT(res.status, 500u);
    }
  }
  EXPECT_EQ(server.get("/health/live").status, 200u);
}

// ---------------------------------------------------------------------------------------------------
// Health, metrics

TEST(HttpBehaviourTest, HealthEndpoints) {
  TestServer server;
  auto live = server.get("/health/live");
  EXPECT_EQ(live.status, 200u);
  EXPECT_EQ(live.json().at("status").as_string(), "ok");
  auto ready = server.get("/health/ready");
  EXPECT_EQ(ready.status, 200u) << ready.body;
  EXPECT_TRUE(ready.json().is_object());
}

TEST(HttpBehaviourTest, MetricsCountRequestsByRoute) {
  TestServer server;
  Session s = server.register_user("metrics@example.com");
  ASSERT_EQ(server.get("/api/v1/projects", s.access_token).status, 200u);
  ASSERT_EQ(server.get("/api/v1/projects/not-a-uuid", s.access_token).status, 400u);
  ASSERT_EQ(server.get("/api/v1/nowhere").status, 404u);
  auto metrics = server.scrape();
  ASSERT_EQ(metrics.status, 200u);
  EXPECT_TRUE(metrics.header("content-type").starts_with("text/plain")) << metrics.header("content-type");
  bool projects_line = false, pattern_line = false, unmatched_line = false;
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("oeuvre_http_requests_total{")) continue;
    if (line.find("route=\"/api/v1/projects\"") != std::string::npos) projects_line = true;
    // Labelled by pattern, never by the raw path (unbounded cardinality).
    if (line.find("route=\"/api/v1/projects/{id}\"") != std::string::npos) pattern_line = true;
    EXPECT_EQ(line.find("not-a-uuid"), std::string::npos) << line;
    EXPECT_EQ(line.find("nowhere"), std::string::npos) << line;
    if (line.find("route=\"unmatched\"") != std::string::npos) unmatched_line = true;
  }
  EXPECT_TRUE(projects_line) << metrics.body;
  EXPECT_TRUE(pattern_line) << metrics.body;
  EXPECT_TRUE(unmatched_line) << metrics.body;
  EXPECT_NE(metrics.body.find("# TYPE oeuvre_http_requests_total counter"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------------
// No route can produce a 5xx for bad input.

TEST(HttpBehaviourTest, NoRouteAnswers5xxToBadInput) {
  TestServer server;
  Session admin = server.create_admin("sweep-admin@example.com");
  Session user = server.register_user("sweep-user@example.com");
  auto created = server.post("/api/v1/projects", json::object{{"name", "swept"}}, user.access_token);
  ASSERT_EQ(created.status, 201u);
  const std::string project_id(created.json().at("id").as_string());

  const std::string huge(200 * 1024, 'h');
  const std::vector<std::string> bodies = {
      "",
      "[]",
      "null",
      "{}",
      R"({"x":1})",
      "{",
      "\"string\"",
      "1e999",
      R"({"name":null,"email":null,"password":null,"refresh_token":null,"current_password":null,"new_password":null})",
      R"({"name":1,"email":[],"password":{},"refresh_token":true,"current_password":1.5,"new_password":-1,"is_active":"yes","role":7,"status":[],"display_name":{},"description":false})",
      R"({"name":")" + huge + R"(","email":")" + huge + R"(@x.com","password":")" + huge + R"(","refresh_token":")" +
          huge + R"("})",
      R"({"email":"a@b.co","password":"correct horse battery","name":"\u0000","display_name":"\ud800"})",
      R"({"is_active":false,"role":"admin","status":"archived","name":"n","description":"d"})",
      nested(200),
      "{\"name\":\"\xFF\"}",
  };
  const std::vector<std::string> ids = {project_id,
                                        user.user_id,
                                        "3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d",
                                        "00000000-0000-0000-0000-000000000000",
                                        "not-a-uuid",
                                        "%00",
                                        "%ZZ",
                                        std::string(2000, 'f'),
                                        "'; DROP TABLE projects; --"};
  const std::vector<std::string> queries = {"",
                                            "?page=0",
                                            "?page=-1",
                                            "?page=abc",
                                            "?page=99999999999999999999",
                                            "?page=1000000&per_page=100",
                                            "?per_page=0",
                                            "?per_page=101",
                                            "?per_page=1e3",
                                            "?status=nope",
                                            "?owner_id=bad&user_id=bad&project_id=bad",
                                            "?resource_id=x",
                                            "?resource_type=" + std::string(300, 'r'),
                                            "?action=%00&resource_type=project&resource_id=%FF",
                                            "?page=1&page=2&page=x",
                                            "?%ZZ"};

  int requests = 0;
  auto check = [&](const std::string& method, const std::string& target, const std::string& body,
                   const std::string& token, const std::string& content_type = "application/json") {
    auto res = server.request(method, target, body, token, {}, content_type);
    ++requests;
    EXPECT_NE(res.status, 0u) << method << " " << target.substr(0, 200) << ": no answer";
    EXPECT_LT(res.status, 500u) << method << " " << target.substr(0, 200) << " body " << body.substr(0, 200) << ": "
                                << res.body;
  };

  ASSERT_TRUE(server.started());
  const auto routes = router_routes(server.app().database());
  ASSERT_FALSE(routes.empty());
  for (const auto& route : routes) {
    SCOPED_TRACE(route.method + " " + route.pattern);
    const bool has_param = route.pattern.find('{') != std::string::npos;
    std::vector<std::string> targets;
    if (has_param) {
      for (const auto& id : ids) {
        std::string t = route.pattern;
        const auto open = t.find('{');
        const auto close = t.find('}', open);
        t.replace(open, close - open + 1, id);
        targets.push_back(t);
      }
    } else {
      targets.push_back(route.pattern);
    }
    for (const std::string& token : {user.access_token, admin.access_token}) {
      for (const auto& target : targets) {
        for (const auto& query : queries) check(route.method, target + query, "", token);
        if (route.method != "GET") {
          for (const auto& body : bodies) check(route.method, target, body, token);
          check(route.method, target, R"({"name":"x"})", token, "text/plain");
          check(route.method, target, std::string("\x00\x01\x02", 3), token, "application/octet-stream");
        }
        // Every other method on the same path: 404/405, never 5xx.
        for (const char* other : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
          if (other != route.method) check(other, target, "{}", token);
        }
      }
    }
  }
  EXPECT_GT(requests, 500);
  // The server survived all of it.
  EXPECT_EQ(server.get("/health/ready").status, 200u);
}

}  // namespace
}  // namespace oeuvre::testing
