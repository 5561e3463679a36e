// The audit log over real HTTP: every create/update/delete and auth event leaves one row with who,
// what, before/after, the client's request id, ip and user agent; failed requests leave none; the two
// audit endpoints are authorized (admins / project access).
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

constexpr const char* kAgent = "audit-test-agent/1.0";

// Sends a request with a chosen X-Request-ID and User-Agent.
HttpResult traced(TestServer& server, const std::string& method, const std::string& target, const json::value& body,
                  const std::string& token, const std::string& request_id,
                  std::map<std::string, std::string> headers = {}) {
  headers["X-Request-ID"] = request_id;
  headers["User-Agent"] = kAgent;
  const std::string text = body.is_null() ? "" : json::serialize(body);
  auto res = server.request(method, target, text, token, headers);
  EXPECT_EQ(res.header("x-request-id"), request_id);
  return res;
}

// Every audit row (newest first) matching the query, read through the admin endpoint.
std::vector<json::object> audit_rows(TestServer& server, const Session& admin, const std::string& query = "") {
  std::vector<json::object> out;
  for (int page = 1; page < 100; ++page) {
    auto res = server.get("/api/v1/audit?per_page=100&page=" + std::to_string(page) + (query.empty() ? "" : "&" + query),
                          admin.access_token);
    EXPECT_EQ(res.status, 200u) << res.body;
    if (res.status != 200u) break;
    const json::value page_body = res.json();
    const auto& items = page_body.at("items").as_array();
    for (const auto& item : items) out.push_back(item.as_object());
    if (items.size() < 100) break;
  }
  return out;
}

std::int64_t audit_total(TestServer& server, const Session& admin) {
  auto res = server.get("/api/v1/audit?per_page=1", admin.access_token);
  EXPECT_EQ(res.status, 200u) << res.body;
  if (!res.json().is_object()) return -1;
  return res.json().at("total").to_number<std::int64_t>();
}

// The single row written for request_id.
std::optional<json::object> row_for(TestServer& server, const Session& admin, const std::string& request_id) {
  std::optional<json::object> found;
  int count = 0;
  for (auto& row : audit_rows(server, admin)) {
    if (row.at("request_id").as_string() == request_id) {
      found = row;
      ++count;
    }
  }
  EXPECT_LE(count, 1) << "more than one audit row for request " << request_id;
  return found;
}

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : ""; }

void expect_context(const json::object& row, const std::string& request_id) {
  EXPECT_EQ(str(row.at("request_id")), request_id);
  EXPECT_EQ(str(row.at("ip")), "127.0.0.1");
  EXPECT_EQ(str(row.at("user_agent")), kAgent);
  EXPECT_FALSE(str(row.at("created_at")).empty());
}

// ---------------------------------------------------------------------------------------------------

TEST(AuditTest, ProjectCreateUpdateDeleteEachWriteOneRow) {
  TestServer server;
  Session admin = server.create_admin("auditor@example.com");
  Session user = server.register_user("writer@example.com");

  auto created = traced(server, "POST", "/api/v1/projects", json::object{{"name", "audited"}}, user.access_token,
                        "it-create-1");
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id(created.json().at("id").as_string());

  auto row = row_for(server, admin, "it-create-1");
  ASSERT_TRUE(row) << "no audit row for the create";
  EXPECT_EQ(str(row->at("action")), "project.create");
  EXPECT_EQ(str(row->at("resource_type")), "project");
  EXPECT_EQ(str(row->at("resource_id")), id);
  EXPECT_EQ(str(row->at("user_id")), user.user_id);
  EXPECT_EQ(str(row->at("project_id")), id);
  EXPECT_TRUE(row->at("before").is_null());
  ASSERT_TRUE(row->at("after").is_object()) << json::serialize(*row);
  EXPECT_EQ(str(row->at("after").at("name")), "audited");
  expect_context(*row, "it-create-1");

  auto updated = traced(server, "PATCH", "/api/v1/projects/" + id, json::object{{"name", "renamed"}},
                        user.access_token, "it-update-1");
  ASSERT_EQ(updated.status, 200u) << updated.body;
  row = row_for(server, admin, "it-update-1");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "project.update");
  EXPECT_EQ(str(row->at("resource_id")), id);
  EXPECT_EQ(str(row->at("user_id")), user.user_id);
  ASSERT_TRUE(row->at("before").is_object());
  ASSERT_TRUE(row->at("after").is_object());
  EXPECT_EQ(str(row->at("before").at("name")), "audited");
  EXPECT_EQ(str(row->at("after").at("name")), "renamed");
  expect_context(*row, "it-update-1");

  auto deleted = traced(server, "DELETE", "/api/v1/projects/" + id, nullptr, user.access_token, "it-delete-1");
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  row = row_for(server, admin, "it-delete-1");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "project.delete");
  EXPECT_EQ(str(row->at("resource_id")), id);
  ASSERT_TRUE(row->at("before").is_object());
  EXPECT_EQ(str(row->at("before").at("name")), "renamed");
  expect_context(*row, "it-delete-1");

  // The filters find the same three rows.
  auto by_resource = audit_rows(server, admin, "resource_type=project&resource_id=" + id);
  EXPECT_EQ(by_resource.size(), 3u);
  auto by_project = audit_rows(server, admin, "project_id=" + id);
  EXPECT_EQ(by_project.size(), 3u);
  auto by_action = audit_rows(server, admin, "action=project.update");
  ASSERT_EQ(by_action.size(), 1u);
  EXPECT_EQ(str(by_action[0].at("request_id")), "it-update-1");
  auto by_user = audit_rows(server, admin, "user_id=" + user.user_id);
  for (const auto& r : by_user) EXPECT_EQ(str(r.at("user_id")), user.user_id);
}

TEST(AuditTest, AuthEventsAreAudited) {
  TestServer server;
  Session admin = server.create_admin("auth-auditor@example.com");

  auto reg = traced(server, "POST", "/api/v1/auth/register",
                    json::object{{"email", "events@example.com"}, {"password", kTestPassword}}, "", "it-register");
  ASSERT_EQ(reg.status, 202u) << reg.body;
  const std::string user_id = server.login("events@example.com", kTestPassword).user_id;
  auto row = row_for(server, admin, "it-register");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "user.register");
  EXPECT_EQ(str(row->at("user_id")), user_id);
  EXPECT_EQ(str(row->at("resource_id")), user_id);
  ASSERT_TRUE(row->at("after").is_object());
  EXPECT_EQ(json::serialize(row->at("after")).find("argon2"), std::string::npos) << "the hash leaked into the log";
  EXPECT_EQ(json::serialize(row->at("after")).find("password"), std::string::npos);
  expect_context(*row, "it-register");

  auto failed = traced(server, "POST", "/api/v1/auth/login",
                       json::object{{"email", "events@example.com"}, {"password", "wrong password!"}}, "",
                       "it-login-failed");
  ASSERT_EQ(failed.status, 401u);
  row = row_for(server, admin, "it-login-failed");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "auth.login_failed");
  EXPECT_EQ(str(row->at("user_id")), user_id);
  EXPECT_EQ(json::serialize(*row).find("wrong password!"), std::string::npos) << "a password was logged";
  expect_context(*row, "it-login-failed");

  auto login = traced(server, "POST", "/api/v1/auth/login",
                      json::object{{"email", "events@example.com"}, {"password", kTestPassword}}, "", "it-login");
  ASSERT_EQ(login.status, 200u);
  const std::string access(login.json().at("access_token").as_string());
  const std::string refresh(login.json().at("refresh_token").as_string());
  row = row_for(server, admin, "it-login");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "auth.login");
  EXPECT_EQ(str(row->at("user_id")), user_id);
  EXPECT_EQ(json::serialize(*row).find(refresh), std::string::npos) << "a refresh token was logged";
  expect_context(*row, "it-login");

  auto refreshed = traced(server, "POST", "/api/v1/auth/refresh", json::object{{"refresh_token", refresh}}, "",
                          "it-refresh");
  ASSERT_EQ(refreshed.status, 200u);
  const std::string refresh2(refreshed.json().at("refresh_token").as_string());
  row = row_for(server, admin, "it-refresh");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "auth.refresh");
  EXPECT_EQ(str(row->at("user_id")), user_id);
  expect_context(*row, "it-refresh");

  auto reuse = traced(server, "POST", "/api/v1/auth/refresh", json::object{{"refresh_token", refresh}}, "",
                      "it-reuse");
  ASSERT_EQ(reuse.status, 401u);
  row = row_for(server, admin, "it-reuse");
  ASSERT_TRUE(row) << "refresh-token reuse was not audited";
  EXPECT_EQ(str(row->at("action")), "auth.refresh_reuse_detected");
  EXPECT_EQ(str(row->at("user_id")), user_id);

  Session again = server.login("events@example.com", kTestPassword);
  auto changed = traced(server, "POST", "/api/v1/auth/change-password",
                        json::object{{"current_password", kTestPassword}, {"new_password", "another passphrase"}},
                        again.access_token, "it-password");
  ASSERT_EQ(changed.status, 204u) << changed.body;
  row = row_for(server, admin, "it-password");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "auth.password_changed");
  EXPECT_EQ(str(row->at("user_id")), user_id);
  EXPECT_EQ(json::serialize(*row).find("another passphrase"), std::string::npos);

  Session third = server.login("events@example.com", "another passphrase");
  auto logout = traced(server, "POST", "/api/v1/auth/logout", json::object{{"refresh_token", third.refresh_token}},
                       third.access_token, "it-logout");
  ASSERT_EQ(logout.status, 204u) << logout.body;
  row = row_for(server, admin, "it-logout");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "auth.logout");
  EXPECT_EQ(str(row->at("user_id")), user_id);
  (void)refresh2;

  auto deactivate = traced(server, "PATCH", "/api/v1/users/" + user_id, json::object{{"is_active", false}},
                           admin.access_token, "it-user-update");
  ASSERT_EQ(deactivate.status, 200u) << deactivate.body;
  row = row_for(server, admin, "it-user-update");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "user.update");
  EXPECT_EQ(str(row->at("user_id")), admin.user_id);
  EXPECT_EQ(str(row->at("resource_type")), "user");
  EXPECT_EQ(str(row->at("resource_id")), user_id);
  EXPECT_TRUE(row->at("before").at("is_active").as_bool());
  EXPECT_FALSE(row->at("after").at("is_active").as_bool());
  expect_context(*row, "it-user-update");

  auto created = traced(server, "POST", "/api/v1/users",
                        json::object{{"email", "made@example.com"}, {"password", kTestPassword}}, admin.access_token,
                        "it-user-create");
  ASSERT_EQ(created.status, 201u) << created.body;
  row = row_for(server, admin, "it-user-create");
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "user.create");
  EXPECT_EQ(str(row->at("user_id")), admin.user_id);
  EXPECT_EQ(str(row->at("resource_id")), str(created.json().at("id")));
}

TEST(AuditTest, AnInsaneRequestIdIsReplacedAndTheReplacementIsAudited) {
  TestServer server;
  Session admin = server.create_admin("rid-admin@example.com");
  Session user = server.register_user("rid@example.com");
  auto res = server.request("POST", "/api/v1/projects", R"({"name":"rid"})", user.access_token,
                            {{"X-Request-ID", "has spaces in it"}});
  ASSERT_EQ(res.status, 201u) << res.body;
  const std::string generated = res.header("x-request-id");
  EXPECT_NE(generated, "has spaces in it");
  EXPECT_EQ(generated.size(), 36u) << generated;
  auto row = row_for(server, admin, generated);
  ASSERT_TRUE(row);
  EXPECT_EQ(str(row->at("action")), "project.create");
}

TEST(AuditTest, GlobalAuditIsForAdminsOnly) {
  TestServer server;
  Session admin = server.create_admin("only-admin@example.com");
  Session user = server.register_user("curious@example.com");
  auto denied = server.get("/api/v1/audit", user.access_token);
  EXPECT_EQ(denied.status, 403u) << denied.body;
  EXPECT_TRUE(denied.header("content-type").starts_with("application/problem+json"));
  EXPECT_EQ(denied.body.find("\"items\""), std::string::npos);
  EXPECT_EQ(server.get("/api/v1/audit").status, 401u);
  auto ok = server.get("/api/v1/audit", admin.access_token);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_GT(ok.json().at("total").to_number<std::int64_t>(), 0);
  // Filter validation.
  EXPECT_EQ(server.get("/api/v1/audit?user_id=nope", admin.access_token).status, 400u);
  EXPECT_EQ(server.get("/api/v1/audit?project_id=nope", admin.access_token).status, 400u);
  EXPECT_EQ(server.get("/api/v1/audit?resource_id=x", admin.access_token).status, 400u);
  EXPECT_EQ(server.get("/api/v1/audit?action=", admin.access_token).status, 400u);
  EXPECT_EQ(server.get("/api/v1/audit?per_page=101", admin.access_token).status, 400u);
}

TEST(AuditTest, ProjectAuditIsForThoseWhoMayAccessTheProject) {
  TestServer server;
  Session admin = server.create_admin("padmin@example.com");
  Session owner = server.register_user("powner@example.com");
  Session other = server.register_user("pother@example.com");
  auto created = server.post("/api/v1/projects", json::object{{"name", "p"}}, owner.access_token);
  ASSERT_EQ(created.status, 201u);
  const std::string id(created.json().at("id").as_string());
  ASSERT_EQ(server.patch("/api/v1/projects/" + id, json::object{{"name", "p2"}}, owner.access_token).status, 200u);
  // A different project of the owner must not show up in this one's trail.
  ASSERT_EQ(server.post("/api/v1/projects", json::object{{"name", "q"}}, owner.access_token).status, 201u);

  auto mine = server.get("/api/v1/projects/" + id + "/audit", owner.access_token);
  ASSERT_EQ(mine.status, 200u) << mine.body;
  EXPECT_EQ(mine.json().at("total").to_number<std::int64_t>(), 2);
  std::set<std::string> actions;
  const json::value mine_body = mine.json();
  for (const auto& item : mine_body.at("items").as_array()) {
    actions.insert(str(item.at("action")));
    EXPECT_EQ(str(item.at("project_id")), id);
  }
  EXPECT_EQ(actions, (std::set<std::string>{"project.create", "project.update"}));

  auto theirs = server.get("/api/v1/projects/" + id + "/audit", other.access_token);
  EXPECT_EQ(theirs.status, 404u) << theirs.body;
  EXPECT_EQ(theirs.body.find("project.create"), std::string::npos);
  EXPECT_EQ(server.get("/api/v1/projects/" + id + "/audit", admin.access_token).status, 200u);
  EXPECT_EQ(server.get("/api/v1/projects/" + id + "/audit").status, 401u);
  EXPECT_EQ(server.get("/api/v1/projects/not-a-uuid/audit", owner.access_token).status, 400u);
  auto paged = server.get("/api/v1/projects/" + id + "/audit?per_page=1", owner.access_token);
  ASSERT_EQ(paged.status, 200u);
  EXPECT_EQ(paged.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(paged.json().at("total").to_number<std::int64_t>(), 2);
}

TEST(AuditTest, FailedRequestsWriteNoRowAndChangeNothing) {
  TestServer server;
  Session admin = server.create_admin("nohalf@example.com");
  Session user = server.register_user("nohalf-user@example.com");
  auto created = server.post("/api/v1/projects", json::object{{"name", "intact"}}, user.access_token);
  ASSERT_EQ(created.status, 201u);
  const std::string id(created.json().at("id").as_string());
  const std::string before = server.get("/api/v1/projects/" + id, user.access_token).body;
  const std::int64_t rows_before = audit_total(server, admin);

  struct Attempt {
    std::string method, target, body;
    std::map<std::string, std::string> headers;
    unsigned expected;
  };
  const std::string project = "/api/v1/projects/" + id;
  const std::vector<Attempt> attempts = {
      {"POST", "/api/v1/projects", R"({"name":""})", {}, 422},
      {"POST", "/api/v1/projects", R"({"name":"ok","extra":true})", {}, 422},
      {"POST", "/api/v1/projects", R"({"name":)", {}, 400},
      {"POST", "/api/v1/projects", R"({"name":"ok"})", {{"Content-Type", "text/plain"}}, 415},
      {"PATCH", project, R"({"name":"   "})", {}, 422},
      {"PATCH", project, R"({"description":"changed","status":"gone"})", {}, 422},
      {"PATCH", project, R"({"name":"stale"})", {{"If-Match", "\"7\""}}, 409},
      {"PATCH", project, R"([])", {}, 400},
      {"DELETE", "/api/v1/projects/not-a-uuid", "", {}, 400},
      {"POST", "/api/v1/auth/change-password", R"({"current_password":"nope nope nope","new_password":"fine passphrase"})",
       {}, 422},
      {"POST", "/api/v1/auth/register", R"({"email":"nohalf-user@example.com","password":"correct horse battery"})", {},
       202},
      {"POST", "/api/v1/auth/register", R"({"email":"fresh@example.com","password":"short"})", {}, 422},
  };
  int n = 0;
  for (const auto& a : attempts) {
    const std::string rid = "it-failed-" + std::to_string(n++);
    auto headers = a.headers;
    headers["X-Request-ID"] = rid;
    auto res = server.request(a.method, a.target, a.body, user.access_token, headers);
    EXPECT_EQ(res.status, a.expected) << a.method << " " << a.target << " " << a.body << ": " << res.body;
    EXPECT_FALSE(row_for(server, admin, rid)) << "a failed request left an audit row: " << a.body;
  }
  EXPECT_EQ(audit_total(server, admin), rows_before);
  EXPECT_EQ(server.get("/api/v1/projects/" + id, user.access_token).body, before);
  EXPECT_EQ(server.get("/api/v1/projects", user.access_token).json().at("total").to_number<std::int64_t>(), 1);
  // The password did not change, and the rejected registration did not create a user.
  EXPECT_EQ(server.post("/api/v1/auth/login",
                        json::object{{"email", "nohalf-user@example.com"}, {"password", kTestPassword}})
                .status,
            200u);
  EXPECT_EQ(server.post("/api/v1/auth/register", json::object{{"email", "fresh@example.com"}, {"password", kTestPassword}})
                .status,
            202u);
  EXPECT_EQ(server.post("/api/v1/auth/login", json::object{{"email", "fresh@example.com"}, {"password", kTestPassword}})
                .status,
            200u);
}

// Header bytes are not text: whatever the client sends as User-Agent, the request succeeds, the row is
// written, and GET /audit still answers valid JSON (UTF-8). Each case on a fresh server, so a failure
// names its case.
TEST(AuditTest, HostileUserAgentsAreAuditedWithoutBreakingAnything) {
  struct Case {
    std::string label, user_agent;
  };
  const std::vector<Case> agents = {
      {"latin-1 byte", "Mozilla/5.0 (caf\xE9)"},
      {"multi-byte split at the 512-byte cut", std::string(511, 'a') + "\xC3\xA9tail"},
      {"very long", std::string(8000, 'u')},
      {"json breakers", "\"},{\"x\":\"\\"},
  };
  for (const auto& c : agents) {
    SCOPED_TRACE(c.label);
    TestServer server;
    Session admin = server.create_admin("hostile-admin@example.com");
    Session user = server.register_user("hostile@example.com");
    auto res = server.request("POST", "/api/v1/projects", R"({"name":"agent"})", user.access_token,
                              {{"User-Agent", c.user_agent}, {"X-Request-ID", "it-agent"}});
    EXPECT_EQ(res.status, 201u) << res.body;
    auto listing = server.get("/api/v1/audit?per_page=100", admin.access_token);
    ASSERT_EQ(listing.status, 200u) << listing.body.substr(0, 300);
    EXPECT_TRUE(listing.json().is_object()) << "GET /audit answered invalid JSON";
    if (res.status == 201u && listing.json().is_object()) {
      auto row = row_for(server, admin, "it-agent");
      ASSERT_TRUE(row);
      EXPECT_LE(str(row->at("user_agent")).size(), 512u);
    }
  }
}

// A failed login with a long address of multi-byte characters: the audit row keeps at most 254 bytes
// of it, and must not cut a character in half.
TEST(AuditTest, AFailedLoginWithALongMultiByteEmailIsAuditedAsValidText) {
  TestServer server;
  Session admin = server.create_admin("long-admin@example.com");
  std::string long_email = "x";  // one ASCII byte first, so byte 254 falls inside a character
  for (int i = 0; i < 240; ++i) long_email += "\xC3\xA9";
  long_email += "@example.com";
  auto failed = server.request("POST", "/api/v1/auth/login",
                               json::serialize(json::object{{"email", long_email}, {"password", "wrong password"}}), "",
                               {{"X-Request-ID", "it-long-email"}});
  EXPECT_EQ(failed.status, 401u) << failed.body;
  auto listing = server.get("/api/v1/audit?action=auth.login_failed", admin.access_token);
  ASSERT_EQ(listing.status, 200u);
  EXPECT_TRUE(listing.json().is_object()) << "GET /audit answered invalid JSON: " << listing.body.substr(0, 300);
}

}  // namespace
}  // namespace oeuvre::testing
