// THE authorization matrix. kRoutes has a row for every route the router registers (a test fails when a
// route has no row), each with a concrete request. User B walks every row against user A's objects:
// nothing of A's is read or changed, another user's object answers 404 (never 403, which would reveal
// that it exists), admin-only routes answer 403; every non-public route answers 401 without a token and
// with a garbage one.
//
// Adding a route: add a row below. Placeholders in target and body: {project} (A's project id), {user}
// (A's user id), {a_email}, {a_refresh} (one of A's refresh tokens), {data_source} and {data_source_2}
// (A's two data sources in A's project), {file} (a file A uploaded to the first), {spare_file} (another
// file A uploaded to the first after the job ran, none of whose records is in a match), {job} (A's completed
// reconciliation job over the two), {queued_job} (another of A's jobs, still queued: the server runs no
// jobs), {result} (a matched result of {job}), {match} (the match A made by confirming another of its
// results), {left_record} and {right_record} (a pair of A's records {job} left unmatched, of equal
// amounts: a valid manual match). `b_status` is what B gets.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

enum class Scope {
  kPublic,        // no token needed
  kSelf,          // authenticated; acts on the caller's own data only
  kAdmin,         // admins only: 403 for a plain user
  kOtherProject,  // names A's project (or something under it): 404 for B
  kOtherUser,     // names A's user record: 404 for B
  kAdminHidden,   // admins only, and hidden from everyone else: 404 for B (the backups' status)
};

struct RouteCase {
  const char* method;
  const char* pattern;  // exactly as registered in the router
  Scope scope;
  const char* target;
  const char* body;  // JSON text, "" for none
  unsigned b_status;
};

const RouteCase kRoutes[] = {
    // system
    {"GET", "/health/live", Scope::kPublic, "/health/live", "", 200},
    {"GET", "/health/ready", Scope::kPublic, "/health/ready", "", 200},
    // On the API port only with METRICS_TOKEN (unset here): 404 (metrics_endpoint_test.cpp).
    {"GET", "/metrics", Scope::kPublic, "/metrics", "", 404},
    {"GET", "/api/v1/openapi.json", Scope::kPublic, "/api/v1/openapi.json", "", 200},
    // auth
    {"POST", "/api/v1/auth/register", Scope::kPublic, "/api/v1/auth/register",
     R"({"email":"{a_email}","password":"correct horse battery"})", 202},
    {"POST", "/api/v1/auth/login", Scope::kPublic, "/api/v1/auth/login",
     R"({"email":"{a_email}","password":"not a's password"})", 401},
    {"POST", "/api/v1/auth/refresh", Scope::kPublic, "/api/v1/auth/refresh", R"({"refresh_token":"not-a-token"})", 401},
    {"POST", "/api/v1/auth/logout", Scope::kSelf, "/api/v1/auth/logout", R"({"refresh_token":"{a_refresh}"})", 422},
    {"GET", "/api/v1/auth/me", Scope::kSelf, "/api/v1/auth/me", "", 200},
    {"POST", "/api/v1/auth/change-password", Scope::kSelf, "/api/v1/auth/change-password",
     R"({"current_password":"not b's password","new_password":"a takeover passphrase"})", 422},
    // users
    {"GET", "/api/v1/users", Scope::kAdmin, "/api/v1/users", "", 403},
    {"POST", "/api/v1/users", Scope::kAdmin, "/api/v1/users",
     R"({"email":"minted@example.com","password":"correct horse battery","role":"admin"})", 403},
    {"GET", "/api/v1/users/{id}", Scope::kOtherUser, "/api/v1/users/{user}", "", 404},
    {"PATCH", "/api/v1/users/{id}", Scope::kAdmin, "/api/v1/users/{user}", R"({"is_active":false})", 403},
    {"POST", "/api/v1/users/{id}/unlock", Scope::kAdmin, "/api/v1/users/{user}/unlock", "", 403},
    // reconciliation jobs, results and matches (before files, data sources and projects: the admin pass
    // runs DELETE rows in this order, and deleting those first would take the job's records along; every
    // row must succeed for the admin, so confirm comes before reopen, reopen before reject, reject before
    // review (a confirm), and cancel names the queued job)
    {"POST", "/api/v1/projects/{id}/jobs", Scope::kOtherProject, "/api/v1/projects/{project}/jobs",
     R"({"name":"planted","left_data_source_id":"{data_source}","right_data_source_id":"{data_source_2}"})", 404},
    {"GET", "/api/v1/projects/{id}/jobs", Scope::kOtherProject, "/api/v1/projects/{project}/jobs", "", 404},
    {"GET", "/api/v1/projects/{id}/jobs", Scope::kOtherProject,
     "/api/v1/projects/{project}/jobs?status=completed&per_page=100", "", 404},
    {"GET", "/api/v1/jobs/{id}", Scope::kOtherProject, "/api/v1/jobs/{job}", "", 404},
    {"POST", "/api/v1/jobs/{id}/cancel", Scope::kOtherProject, "/api/v1/jobs/{queued_job}/cancel", "", 404},
    {"POST", "/api/v1/jobs/{id}/rerun", Scope::kOtherProject, "/api/v1/jobs/{job}/rerun", "", 404},
    {"GET", "/api/v1/jobs/{id}/events", Scope::kOtherProject, "/api/v1/jobs/{job}/events", "", 404},
    {"GET", "/api/v1/jobs/{id}/results", Scope::kOtherProject, "/api/v1/jobs/{job}/results", "", 404},
    {"GET", "/api/v1/jobs/{id}/results", Scope::kOtherProject,
     "/api/v1/jobs/{job}/results?status=matched&min_confidence=0.5&per_page=1", "", 404},
    {"GET", "/api/v1/jobs/{id}/summary", Scope::kOtherProject, "/api/v1/jobs/{job}/summary", "", 404},
    {"GET", "/api/v1/results/{id}", Scope::kOtherProject, "/api/v1/results/{result}", "", 404},
    {"POST", "/api/v1/results/{id}/confirm", Scope::kOtherProject, "/api/v1/results/{result}/confirm",
     R"({"note":"b was here"})", 404},
    {"POST", "/api/v1/results/{id}/reopen", Scope::kOtherProject, "/api/v1/results/{result}/reopen",
     R"({"note":"b was here"})", 404},
    {"POST", "/api/v1/results/{id}/reject", Scope::kOtherProject, "/api/v1/results/{result}/reject", "", 404},
    {"POST", "/api/v1/jobs/{id}/matches", Scope::kOtherProject, "/api/v1/jobs/{job}/matches",
     R"({"left_record_ids":["{left_record}"],"right_record_ids":["{right_record}"]})", 404},
    {"POST", "/api/v1/jobs/{id}/review", Scope::kOtherProject, "/api/v1/jobs/{job}/review",
     R"({"actions":[{"action":"confirm","result_id":"{result}"}]})", 404},
    {"GET", "/api/v1/jobs/{id}/export", Scope::kOtherProject, "/api/v1/jobs/{job}/export?format=csv", "", 404},
    {"GET", "/api/v1/jobs/{id}/export", Scope::kOtherProject, "/api/v1/jobs/{job}/export?format=json&status=matched",
     "", 404},
    {"DELETE", "/api/v1/matches/{id}", Scope::kOtherProject, "/api/v1/matches/{match}", "", 404},
    {"DELETE", "/api/v1/jobs/{id}", Scope::kOtherProject, "/api/v1/jobs/{job}", "", 404},
    // files (before data sources and projects, for the same reason)
    {"POST", "/api/v1/data-sources/{id}/files", Scope::kOtherProject,
     "/api/v1/data-sources/{data_source}/files?filename=planted.csv", "date,amount\n2026-01-02,1.00\n", 404},
    {"GET", "/api/v1/files/{id}", Scope::kOtherProject, "/api/v1/files/{file}", "", 404},
    {"GET", "/api/v1/projects/{id}/files", Scope::kOtherProject, "/api/v1/projects/{project}/files", "", 404},
    {"GET", "/api/v1/projects/{id}/files", Scope::kOtherProject, "/api/v1/projects/{project}/files?status=uploaded",
     "", 404},
    {"GET", "/api/v1/files/{id}/errors", Scope::kOtherProject, "/api/v1/files/{file}/errors", "", 404},
    {"GET", "/api/v1/files/{id}/statements", Scope::kOtherProject, "/api/v1/files/{file}/statements", "", 404},
    {"GET", "/api/v1/files/{id}/preview", Scope::kOtherProject, "/api/v1/files/{file}/preview?rows=5", "", 404},
    {"POST", "/api/v1/files/{id}/preview", Scope::kOtherProject, "/api/v1/files/{file}/preview",
     R"({"column_mapping":{"date_format":"iso"},"rows":5})", 404},
    // {spare_file}: a confirmed match holds records of {file}, so its re-parse would be a 409 even
    // for the admin.
    {"POST", "/api/v1/files/{id}/reparse", Scope::kOtherProject, "/api/v1/files/{spare_file}/reparse", "", 404},
    {"DELETE", "/api/v1/files/{id}", Scope::kOtherProject, "/api/v1/files/{file}", "", 404},
    // records
    {"GET", "/api/v1/projects/{id}/records", Scope::kOtherProject, "/api/v1/projects/{project}/records", "", 404},
    {"GET", "/api/v1/projects/{id}/records", Scope::kOtherProject,
     "/api/v1/projects/{project}/records?data_source_id={data_source}&date_from=2026-01-01&status=open", "", 404},
    // data sources (before projects: the admin pass runs DELETE rows in this order, and deleting the
    // project first would hide its data source)
    {"GET", "/api/v1/projects/{id}/data-sources", Scope::kOtherProject, "/api/v1/projects/{project}/data-sources", "",
     404},
    {"GET", "/api/v1/projects/{id}/data-sources", Scope::kOtherProject,
     "/api/v1/projects/{project}/data-sources?kind=bank&per_page=100", "", 404},
    {"POST", "/api/v1/projects/{id}/data-sources", Scope::kOtherProject, "/api/v1/projects/{project}/data-sources",
     R"({"name":"planted","kind":"bank","column_mapping":{"columns":{"amount":"Amount"}}})", 404},
    {"GET", "/api/v1/data-sources/{id}", Scope::kOtherProject, "/api/v1/data-sources/{data_source}", "", 404},
    {"PATCH", "/api/v1/data-sources/{id}", Scope::kOtherProject, "/api/v1/data-sources/{data_source}",
     R"({"name":"hijacked","kind":"crm","column_mapping":{}})", 404},
    {"DELETE", "/api/v1/data-sources/{id}", Scope::kOtherProject, "/api/v1/data-sources/{data_source}", "", 404},
    // projects
    {"GET", "/api/v1/projects", Scope::kSelf, "/api/v1/projects", "", 200},
    {"GET", "/api/v1/projects", Scope::kSelf, "/api/v1/projects?owner_id={user}&per_page=100", "", 200},
    {"POST", "/api/v1/projects", Scope::kSelf, "/api/v1/projects", R"({"name":"b's own project"})", 201},
    {"GET", "/api/v1/projects/{id}", Scope::kOtherProject, "/api/v1/projects/{project}", "", 404},
    {"GET", "/api/v1/projects/{id}/stats", Scope::kOtherProject, "/api/v1/projects/{project}/stats", "", 404},
    {"PATCH", "/api/v1/projects/{id}", Scope::kOtherProject, "/api/v1/projects/{project}",
     R"({"name":"hijacked","status":"archived"})", 404},
    {"DELETE", "/api/v1/projects/{id}", Scope::kOtherProject, "/api/v1/projects/{project}", "", 404},
    // audit
    {"GET", "/api/v1/audit", Scope::kAdmin, "/api/v1/audit", "", 403},
    {"GET", "/api/v1/audit", Scope::kAdmin, "/api/v1/audit?project_id={project}", "", 403},
    {"GET", "/api/v1/projects/{id}/audit", Scope::kOtherProject, "/api/v1/projects/{project}/audit", "", 404},
    // backups
    {"GET", "/api/v1/admin/backups", Scope::kAdminHidden, "/api/v1/admin/backups", "", 404},
};

const char* scope_access(Scope scope) {
  switch (scope) {
    case Scope::kPublic: return "public";
    case Scope::kAdmin: return "admin";
    default: return "authenticated";
  }
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// A with a project (two data sources with a parsed file each, a completed job over them, a confirmed
// match and a queued job), B, and an admin, on one server that runs no jobs itself.
struct World {
  TestServer server{[](Config& c) { c.job_workers = 0; }};
  Session a, b, admin;
  std::string project_id;
  std::string project_name = "a-private-project-7f3e";
  std::string project_before;  // A's view of the project before B acts
  std::string data_source_id;
  std::string data_source_2_id;
  std::string data_source_before;  // A's view of the data source before B acts
  std::string file_id;
  std::string file_2_id;
  std::string spare_file_id;  // in the first data source, uploaded after the job ran
  std::string spare_file_before;
  std::string file_before;  // A's view of the file before B acts
  std::string job_id;       // completed
  std::string job_before;   // A's view of the job before B acts
  std::string queued_job_id;
  std::string result_id;  // matched
  std::string result_before;
  std::string match_id;
  std::string left_record_id;
  std::string right_record_id;
  std::int64_t audit_total_before = -1;  // A's project's audit entries before B acts

  World() {
    a = server.register_user("alice@example.com");
    b = server.register_user("bob@example.com");
    admin = server.create_admin("root@example.com");
    auto created = server.post("/api/v1/projects",
                               json::object{{"name", project_name}, {"description", "a's secret plans"}},
                               a.access_token);
    EXPECT_EQ(created.status, 201u) << created.body;
    project_id = std::string(created.json().at("id").as_string());
    project_before = server.get("/api/v1/projects/" + project_id, a.access_token).body;
    data_source_id = create_source("a-private-source", "bank");
    data_source_2_id = create_source("a-private-ledger", "ledger");
    data_source_before = server.get("/api/v1/data-sources/" + data_source_id, a.access_token).body;
    // Two pairs the default rules match, and a pair of equal amounts half a year apart they leave.
    file_id = upload(data_source_id, "a-private.csv",
                     "date,amount,currency,reference\n2026-01-01,12.34,EUR,A-1\n2026-01-02,56.78,EUR,A-2\n"
                     "2026-01-03,90.00,EUR,A-3\n");
    file_2_id = upload(data_source_2_id, "a-private-ledger.csv",
                       "date,amount,currency,reference\n2026-01-01,12.34,EUR,A-1\n2026-01-02,56.78,EUR,A-2\n"
                       "2026-06-30,90.00,EUR,Z-9\n");
    file_before = server.get("/api/v1/files/" + file_id, a.access_token).body;

    // A's job, run by a node that is stopped afterwards.
    job_id = create_job("a-private-job");
    {
      auto worker = TestServer::sharing(server, [](Config& c) {
        c.job_workers = 1;
        c.ingest_workers = 0;
      });
      EXPECT_EQ(worker->wait_for_job(job_id, a.access_token).json().at("status"), "completed");
    }
    auto results = server.get("/api/v1/jobs/" + job_id + "/results?per_page=100", a.access_token);
    EXPECT_EQ(results.status, 200u) << results.body;
    std::vector<std::string> matched;
    const json::value page = results.json();
    if (page.is_object()) {
      for (const auto& r : page.at("items").as_array()) {
        const std::string status(r.at("status").as_string());
        const std::string kind(r.at("kind").as_string());
        if (status == "matched") matched.emplace_back(r.at("id").as_string());
        if (kind == "unmatched_left") left_record_id = std::string(r.at("left").at(0).at("id").as_string());
        if (kind == "unmatched_right") right_record_id = std::string(r.at("right").at(0).at("id").as_string());
      }
    }
    EXPECT_EQ(matched.size(), 2u) << results.body;
    EXPECT_FALSE(left_record_id.empty() || right_record_id.empty()) << results.body;
    if (matched.size() == 2) {
      result_id = matched[0];
      auto confirmed = server.post("/api/v1/results/" + matched[1] + "/confirm", json::object{}, a.access_token);
      EXPECT_EQ(confirmed.status, 200u) << confirmed.body;
      if (confirmed.json().is_object() && confirmed.json().at("match_id").is_string()) {
        match_id = std::string(confirmed.json().at("match_id").as_string());
      }
    }
    spare_file_id = upload(data_source_id, "a-private-spare.csv",
                           "date,amount,currency,reference\n2026-02-01,3.21,EUR,S-1\n");
    spare_file_before = server.get("/api/v1/files/" + spare_file_id, a.access_token).body;
    queued_job_id = create_job("a-private-queued-job");
    job_before = server.get("/api/v1/jobs/" + job_id, a.access_token).body;
    result_before = server.get("/api/v1/results/" + result_id, a.access_token).body;
    auto trail = server.get("/api/v1/projects/" + project_id + "/audit?per_page=1", a.access_token);
    if (trail.json().is_object()) audit_total_before = trail.json().at("total").to_number<std::int64_t>();
  }

  std::string create_source(const std::string& name, const std::string& kind) {
    auto source = server.post("/api/v1/projects/" + project_id + "/data-sources",
                              json::object{{"name", name}, {"kind", kind}}, a.access_token);
    EXPECT_EQ(source.status, 201u) << source.body;
    if (!source.json().is_object() || !source.json().as_object().contains("id")) return "";
    return std::string(source.json().at("id").as_string());
  }

  std::string upload(const std::string& source, const std::string& filename, const std::string& content) {
    auto file = server.upload_and_wait(source, content, a.access_token, filename);
    EXPECT_EQ(file.json().at("status"), "parsed") << file.body;
    if (!file.json().is_object() || !file.json().as_object().contains("id")) return "";
    return std::string(file.json().at("id").as_string());
  }

  std::string create_job(const std::string& name) {
    auto job = server.post("/api/v1/projects/" + project_id + "/jobs",
                           json::object{{"name", name},
                                        {"left_data_source_id", data_source_id},
                                        {"right_data_source_id", data_source_2_id}},
                           a.access_token);
    EXPECT_EQ(job.status, 201u) << job.body;
    if (!job.json().is_object() || !job.json().as_object().contains("id")) return "";
    return std::string(job.json().at("id").as_string());
  }

  std::string fill(const std::string& text) const {
    std::string out = replace_all(text, "{project}", project_id);
    out = replace_all(out, "{user}", a.user_id);
    out = replace_all(out, "{a_email}", a.email);
    out = replace_all(out, "{a_refresh}", a.refresh_token);
    out = replace_all(out, "{data_source_2}", data_source_2_id);
    out = replace_all(out, "{data_source}", data_source_id);
    out = replace_all(out, "{spare_file}", spare_file_id);
    out = replace_all(out, "{file}", file_id);
    out = replace_all(out, "{queued_job}", queued_job_id);
    out = replace_all(out, "{job}", job_id);
    out = replace_all(out, "{result}", result_id);
    out = replace_all(out, "{match}", match_id);
    out = replace_all(out, "{left_record}", left_record_id);
    out = replace_all(out, "{right_record}", right_record_id);
    return out;
  }

  HttpResult call(const RouteCase& row, const std::string& token) {
    const std::string body = fill(row.body);
    return server.request(row.method, fill(row.target), body, token);
  }
};

std::string describe(const RouteCase& row) { return std::string(row.method) + " " + row.target; }

// ---------------------------------------------------------------------------------------------------

TEST(CrossUserTest, EveryRouteOfTheRouterHasARow) {
  TestServer server;
  ASSERT_TRUE(server.started());
  std::set<std::pair<std::string, std::string>> in_router;
  for (const auto& route : router_routes(server.app().database())) {
    in_router.insert({route.method, route.pattern});
    bool covered = false;
    for (const auto& row : kRoutes) {
      if (route.method == row.method && route.pattern == row.pattern) {
        covered = true;
        EXPECT_EQ(route.access, scope_access(row.scope))
            << route.method << " " << route.pattern << ": the row's scope disagrees with the router's access";
      }
    }
    EXPECT_TRUE(covered) << route.method << " " << route.pattern
                         << " has no row in kRoutes (tests/integration/cross_user_test.cpp): add one";
  }
  for (const auto& row : kRoutes) {
    EXPECT_TRUE(in_router.contains({row.method, row.pattern}))
        << describe(row) << ": the router has no route " << row.method << " " << row.pattern;
  }
}

TEST(CrossUserTest, UserBCannotReadOrChangeAnythingOfUserA) {
  World w;
  ASSERT_FALSE(w.project_id.empty());
  ASSERT_FALSE(w.data_source_id.empty());
  ASSERT_FALSE(w.file_id.empty());
  ASSERT_FALSE(w.job_id.empty());
  ASSERT_FALSE(w.queued_job_id.empty());
  ASSERT_FALSE(w.result_id.empty());
  ASSERT_FALSE(w.match_id.empty());
  ASSERT_FALSE(w.left_record_id.empty());
  ASSERT_FALSE(w.right_record_id.empty());
  ASSERT_FALSE(w.data_source_2_id.empty());
  ASSERT_FALSE(w.file_2_id.empty());
  ASSERT_FALSE(w.spare_file_id.empty());
  for (const auto& row : kRoutes) {
    SCOPED_TRACE(describe(row));
    auto res = w.call(row, w.b.access_token);
    EXPECT_EQ(res.status, row.b_status) << res.body;
    EXPECT_LT(res.status, 500u) << res.body;
    if (row.scope == Scope::kOtherProject || row.scope == Scope::kOtherUser || row.scope == Scope::kAdminHidden) {
      EXPECT_NE(res.status, 403u) << "403 reveals that the object exists";
      EXPECT_TRUE(res.status < 200 || res.status >= 300) << res.body;
    }
    if (row.scope != Scope::kPublic || std::string(row.pattern) != "/api/v1/openapi.json") {
      // Nothing of A's in the answer (the OpenAPI document is static and public).
      EXPECT_EQ(res.body.find(w.project_id), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find(w.project_name), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find(w.data_source_id), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find("a-private-source"), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find(w.file_id), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find("a-private.csv"), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find(w.a.email), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find("a's secret plans"), std::string::npos) << res.body;
      for (const std::string& id : {w.data_source_2_id, w.file_2_id, w.spare_file_id, w.job_id, w.queued_job_id,
                                    w.result_id, w.match_id, w.left_record_id, w.right_record_id}) {
        EXPECT_EQ(res.body.find(id), std::string::npos) << res.body;
      }
      EXPECT_EQ(res.body.find("a-private-job"), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find("a-private-ledger"), std::string::npos) << res.body;
    }
  }

  // Writes that name A's project with A's current version still answer 404, not 409 or 412.
  auto versioned = w.server.request("PATCH", "/api/v1/projects/" + w.project_id, R"({"name":"x"})",
                                    w.b.access_token, {{"If-Match", "\"1\""}});
  EXPECT_EQ(versioned.status, 404u) << versioned.body;
  auto stale = w.server.request("PATCH", "/api/v1/projects/" + w.project_id, R"({"name":"x"})", w.b.access_token,
                                {{"If-Match", "\"99\""}});
  EXPECT_EQ(stale.status, 404u) << stale.body;
  // Invalid bodies against A's project: validation may answer first (400/422) but never 2xx.
  auto invalid = w.server.request("PATCH", "/api/v1/projects/" + w.project_id, R"({"name":""})", w.b.access_token);
  EXPECT_TRUE(invalid.status == 404u || invalid.status == 422u) << invalid.body;

  // A's project, A's sessions and A's account are exactly as they were.
  auto after = w.server.get("/api/v1/projects/" + w.project_id, w.a.access_token);
  ASSERT_EQ(after.status, 200u) << after.body;
  EXPECT_EQ(after.body, w.project_before);
  auto trail = w.server.get("/api/v1/projects/" + w.project_id + "/audit", w.a.access_token);
  ASSERT_EQ(trail.status, 200u) << trail.body;
  // Nothing B tried left an entry in A's trail.
  EXPECT_EQ(trail.json().at("total").to_number<std::int64_t>(), w.audit_total_before) << trail.body;
  auto file_after = w.server.get("/api/v1/files/" + w.file_id, w.a.access_token);
  ASSERT_EQ(file_after.status, 200u) << file_after.body;
  EXPECT_EQ(file_after.body, w.file_before);
  auto a_files = w.server.get("/api/v1/projects/" + w.project_id + "/files", w.a.access_token);
  EXPECT_EQ(a_files.json().at("total").to_number<std::int64_t>(), 3) << a_files.body;
  EXPECT_EQ(w.server.get("/api/v1/files/" + w.spare_file_id, w.a.access_token).body, w.spare_file_before)
      << "B re-parsed A's file";
  auto source_after = w.server.get("/api/v1/data-sources/" + w.data_source_id, w.a.access_token);
  ASSERT_EQ(source_after.status, 200u) << source_after.body;
  EXPECT_EQ(source_after.body, w.data_source_before);
  auto a_sources = w.server.get("/api/v1/projects/" + w.project_id + "/data-sources", w.a.access_token);
  EXPECT_EQ(a_sources.json().at("total").to_number<std::int64_t>(), 2) << a_sources.body;
  // A's jobs, results and matches are as they were: no job planted, cancelled, rerun or deleted, no
  // review applied, no match made or undone.
  auto job_after = w.server.get("/api/v1/jobs/" + w.job_id, w.a.access_token);
  ASSERT_EQ(job_after.status, 200u) << job_after.body;
  EXPECT_EQ(job_after.body, w.job_before);
  EXPECT_EQ(w.server.get("/api/v1/jobs/" + w.queued_job_id, w.a.access_token).json().at("status"), "queued");
  auto a_jobs = w.server.get("/api/v1/projects/" + w.project_id + "/jobs", w.a.access_token);
  EXPECT_EQ(a_jobs.json().at("total").to_number<std::int64_t>(), 2) << a_jobs.body;
  auto result_after = w.server.get("/api/v1/results/" + w.result_id, w.a.access_token);
  ASSERT_EQ(result_after.status, 200u) << result_after.body;
  EXPECT_EQ(result_after.body, w.result_before);
  auto a_matched = w.server.get("/api/v1/projects/" + w.project_id + "/records?status=matched", w.a.access_token);
  EXPECT_EQ(a_matched.json().at("total").to_number<std::int64_t>(), 2)
      << "only the pair A confirmed: " << a_matched.body;
  auto a_list = w.server.get("/api/v1/projects", w.a.access_token);
  EXPECT_EQ(a_list.json().at("total").to_number<std::int64_t>(), 1);
  auto me = w.server.get("/api/v1/auth/me", w.a.access_token);
  ASSERT_EQ(me.status, 200u);
  EXPECT_TRUE(me.json().at("is_active").as_bool());
  EXPECT_EQ(me.json().at("role").as_string(), "user");
  EXPECT_EQ(w.server.post("/api/v1/auth/refresh", json::object{{"refresh_token", w.a.refresh_token}}).status, 200u)
      << "A's session was revoked by B";
  EXPECT_EQ(w.server.post("/api/v1/auth/login", json::object{{"email", "minted@example.com"},
                                                              {"password", kTestPassword}})
                .status,
            401u)
      << "B created a user through an admin route";
  // B's own password is unchanged.
  EXPECT_EQ(w.server.post("/api/v1/auth/login", json::object{{"email", w.b.email}, {"password", kTestPassword}}).status,
            200u);
}

TEST(CrossUserTest, ADeletedProjectIsGoneForItsOwnerAndForOthers) {
  World w;
  ASSERT_EQ(w.server.del("/api/v1/projects/" + w.project_id, w.a.access_token).status, 204u);
  for (const auto& row : kRoutes) {
    if (row.scope != Scope::kOtherProject) continue;
    SCOPED_TRACE(describe(row));
    EXPECT_EQ(w.call(row, w.a.access_token).status, 404u);
    EXPECT_EQ(w.call(row, w.b.access_token).status, 404u);
  }
}

TEST(CrossUserTest, EveryNonPublicRouteNeedsAValidToken) {
  World w;
  const std::vector<std::pair<std::string, std::string>> bad_tokens = {
      {"no token", ""},
      {"garbage", "garbage"},
      {"three garbage segments", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"},
      {"A's refresh token", w.a.refresh_token},
  };
  for (const auto& row : kRoutes) {
    if (row.scope == Scope::kPublic) continue;
    for (const auto& [label, token] : bad_tokens) {
      SCOPED_TRACE(describe(row) + " with " + label);
      auto res = w.call(row, token);
      EXPECT_EQ(res.status, 401u) << res.body;
      EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json"));
      EXPECT_FALSE(res.header("x-request-id").empty());
      EXPECT_EQ(res.body.find(w.project_name), std::string::npos);
    }
    // A malformed Authorization header of another scheme.
    auto basic = w.server.request(row.method, w.fill(row.target), w.fill(row.body), "",
                                  {{"Authorization", "Basic YWxpY2U6cGFzc3dvcmQ="}});
    EXPECT_EQ(basic.status, 401u) << describe(row) << ": " << basic.body;
  }
  // Nothing changed.
  auto after = w.server.get("/api/v1/projects/" + w.project_id, w.a.access_token);
  EXPECT_EQ(after.body, w.project_before);
}

// The request line and headers of a 1 GiB upload whose body is never sent.
std::string upload_head(const std::string& target, const std::string& token, bool expect_continue,
                        std::uint64_t length = std::uint64_t{1} << 30) {
  std::string head = "POST " + target +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n" +
                     "Content-Length: " + std::to_string(length) + "\r\n";
  if (!token.empty()) head += "Authorization: Bearer " + token + "\r\n";
  if (expect_continue) head += "Expect: 100-continue\r\n";
  return head + "\r\n";
}

// An upload is judged at its headers: without a valid token, or to another user's data source, the
// answer comes before any byte of the body was sent, and `Expect: 100-continue` gets that refusal
// instead of 100 Continue. The owner gets 100 Continue, then 201 once the body came.
TEST(CrossUserTest, UploadsAreRefusedAtTheirHeadersBeforeAnyByteOfTheBody) {
  World w;
  const std::string target = "/api/v1/data-sources/" + w.data_source_id + "/files?filename=big.csv";
  auto refusal = [&](const std::string& to, const std::string& token, bool expect_continue) {
    HttpConnection conn(w.server.port());
    EXPECT_TRUE(conn.send_raw(upload_head(to, token, expect_continue)));
    HttpResult res = conn.read_response();
    EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json"))
        << res.status << res.body;
    EXPECT_TRUE(conn.closed_by_peer()) << "the unread body leaves the connection unusable";
    return res;
  };
  for (bool expect_continue : {false, true}) {
    SCOPED_TRACE(expect_continue ? "with Expect: 100-continue" : "without Expect");
    EXPECT_EQ(refusal(target, "", expect_continue).status, 401u);
    EXPECT_EQ(refusal(target, "garbage", expect_continue).status, 401u);
    EXPECT_EQ(refusal(target, w.a.refresh_token, expect_continue).status, 401u);
    const HttpResult foreign = refusal(target, w.b.access_token, expect_continue);
    EXPECT_EQ(foreign.status, 404u) << foreign.body;
    EXPECT_EQ(foreign.body.find(w.project_name), std::string::npos);
    EXPECT_EQ(refusal("/api/v1/data-sources/00000000-0000-4000-8000-000000000000/files",
                      w.a.access_token, expect_continue)
                  .status,
              404u);
    EXPECT_EQ(
        refusal("/api/v1/data-sources/not-a-uuid/files", w.a.access_token, expect_continue).status,
        400u);
  }
  auto files = w.server.get("/api/v1/projects/" + w.project_id + "/files", w.a.access_token);
  EXPECT_EQ(files.json().at("total"), 3) << "nothing was stored: " << files.body;

  // The owner.
  const std::string body = "date,amount,currency\n2026-02-01,3.00,EUR\n";
  HttpConnection conn(w.server.port());
  ASSERT_TRUE(conn.send_raw(upload_head(target, w.a.access_token, true, body.size())));
  const HttpResult go_on = conn.read_response();
  EXPECT_EQ(go_on.status, 100u) << go_on.body;
  ASSERT_TRUE(conn.send_raw(body));
  const HttpResult created = conn.read_response();
  EXPECT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(created.json().at("filename"), "big.csv") << created.body;
  EXPECT_EQ(w.server.get("/api/v1/projects/" + w.project_id + "/files", w.a.access_token)
                .json()
                .at("total"),
            4);
}

TEST(CrossUserTest, AdminsReachEveryRoute) {
  World w;
  std::vector<const RouteCase*> rows;
  for (const auto& row : kRoutes) rows.push_back(&row);
  // Deletes last, so the other rows still find the project.
  std::stable_partition(rows.begin(), rows.end(), [](const RouteCase* r) { return std::string(r->method) != "DELETE"; });
  for (const RouteCase* row : rows) {
    SCOPED_TRACE(describe(*row));
    auto res = w.call(*row, w.admin.access_token);
    EXPECT_LT(res.status, 500u) << res.body;
    EXPECT_NE(res.status, 403u) << res.body;
    if (row->scope == Scope::kAdmin || row->scope == Scope::kOtherProject || row->scope == Scope::kOtherUser ||
        row->scope == Scope::kAdminHidden) {
      EXPECT_GE(res.status, 200u) << res.body;
      EXPECT_LT(res.status, 300u) << res.body;
    }
  }
}

}  // namespace
}  // namespace oeuvre::testing
