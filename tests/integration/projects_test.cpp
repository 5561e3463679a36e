// /api/v1/projects over real HTTP: CRUD, pagination, optimistic concurrency (If-Match / ETag), soft
// delete, field validation and the status filter.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

constexpr const char* kProjects = "/api/v1/projects";

std::string project_url(const std::string& id) { return std::string(kProjects) + "/" + id; }

std::string create_project(TestServer& server, const Session& s, const std::string& name,
                           const std::string& description = "") {
  json::object body{{"name", name}};
  if (!description.empty()) body["description"] = description;
  auto res = server.post(kProjects, body, s.access_token);
  EXPECT_EQ(res.status, 201u) << res.body;
  if (!res.json().is_object()) return "";
  return std::string(res.json().at("id").as_string());
}

HttpResult patch_if_match(TestServer& server, const std::string& id, const json::object& body,
                          const std::string& token, const std::string& if_match) {
  std::map<std::string, std::string> headers;
  if (!if_match.empty()) headers["If-Match"] = if_match;
  return server.request("PATCH", project_url(id), json::serialize(body), token, headers);
}

std::string repeat(const std::string& unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += unit;
  return out;
}

// ---------------------------------------------------------------------------------------------------

TEST(ProjectsTest, CreateGetUpdateDelete) {
  TestServer server;
  Session owner = server.register_user("owner@example.com");

  auto created = server.post(kProjects, json::object{{"name", "Bank vs ledger"}, {"description", "March close"}},
                             owner.access_token);
  ASSERT_EQ(created.status, 201u) << created.body;
  auto body = created.json();
  const std::string id(body.at("id").as_string());
  EXPECT_EQ(body.at("name").as_string(), "Bank vs ledger");
  EXPECT_EQ(body.at("description").as_string(), "March close");
  EXPECT_EQ(body.at("owner_id").as_string(), owner.user_id);
  EXPECT_EQ(body.at("status").as_string(), "active");
  EXPECT_EQ(body.at("version").to_number<std::int64_t>(), 1);
  EXPECT_EQ(created.header("location"), project_url(id));
  EXPECT_EQ(created.header("etag"), "\"1\"");

  auto got = server.get(project_url(id), owner.access_token);
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(got.json().at("name").as_string(), "Bank vs ledger");
  EXPECT_EQ(got.json().at("owner_id").as_string(), owner.user_id);
  EXPECT_EQ(got.header("etag"), "\"1\"");

  auto updated = server.patch(project_url(id), json::object{{"name", "Bank vs GL"}}, owner.access_token);
  ASSERT_EQ(updated.status, 200u) << updated.body;
  EXPECT_EQ(updated.json().at("name").as_string(), "Bank vs GL");
  EXPECT_EQ(updated.json().at("description").as_string(), "March close");  // untouched
  EXPECT_EQ(updated.json().at("version").to_number<std::int64_t>(), 2);
  EXPECT_EQ(updated.header("etag"), "\"2\"");
  EXPECT_EQ(server.get(project_url(id), owner.access_token).json().at("name").as_string(), "Bank vs GL");

  auto deleted = server.del(project_url(id), owner.access_token);
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());

  // Soft-deleted: gone for every API path.
  EXPECT_EQ(server.get(project_url(id), owner.access_token).status, 404u);
  EXPECT_EQ(server.patch(project_url(id), json::object{{"name", "x"}}, owner.access_token).status, 404u);
  EXPECT_EQ(server.del(project_url(id), owner.access_token).status, 404u);
  EXPECT_EQ(server.get(project_url(id) + "/audit", owner.access_token).status, 404u);
  auto list = server.get(kProjects, owner.access_token);
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(list.json().at("total").to_number<std::int64_t>(), 0);
  EXPECT_TRUE(list.json().at("items").as_array().empty());
}

TEST(ProjectsTest, OwnerIsTheCreatorWhateverTheBodySays) {
  TestServer server;
  Session a = server.register_user("a@example.com");
  Session b = server.register_user("b@example.com");
  auto res = server.post(kProjects, json::object{{"name", "mine"}, {"owner_id", b.user_id}}, a.access_token);
  expect_field_error(res, 422, "owner_id");
  const std::string id = create_project(server, a, "mine");
  EXPECT_EQ(server.get(project_url(id), a.access_token).json().at("owner_id").as_string(), a.user_id);
  // Read-only fields are not writable either.
  auto patch = server.patch(project_url(id), json::object{{"owner_id", b.user_id}}, a.access_token);
  expect_field_error(patch, 422, "owner_id");
  auto version = server.patch(project_url(id), json::object{{"version", 9}}, a.access_token);
  expect_field_error(version, 422, "version");
}

TEST(ProjectsTest, UnknownAndMalformedIdsAnswer404And400) {
  TestServer server;
  Session a = server.register_user("ids@example.com");
  auto missing = server.get(project_url("3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d"), a.access_token);
  EXPECT_EQ(missing.status, 404u) << missing.body;
  EXPECT_TRUE(missing.header("content-type").starts_with("application/problem+json"));
  auto bad = server.get(project_url("not-a-uuid"), a.access_token);
  expect_field_error(bad, 400, "id");
}

TEST(ProjectsTest, Pagination) {
  TestServer server;
  Session s = server.register_user("pages@example.com");
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.insert(create_project(server, s, "project " + std::to_string(i)));

  auto page1 = server.get(std::string(kProjects) + "?page=1&per_page=2", s.access_token);
  ASSERT_EQ(page1.status, 200u) << page1.body;
  auto b1 = page1.json();
  EXPECT_EQ(b1.at("total").to_number<std::int64_t>(), 5);
  EXPECT_EQ(b1.at("page").to_number<std::int64_t>(), 1);
  EXPECT_EQ(b1.at("per_page").to_number<std::int64_t>(), 2);
  EXPECT_EQ(b1.at("items").as_array().size(), 2u);

  std::set<std::string> seen;
  for (int page = 1; page <= 3; ++page) {
    auto res = server.get(std::string(kProjects) + "?page=" + std::to_string(page) + "&per_page=2", s.access_token);
    ASSERT_EQ(res.status, 200u) << res.body;
    const json::value page_body = res.json();
    for (const auto& item : page_body.at("items").as_array()) seen.insert(std::string(item.at("id").as_string()));
  }
  EXPECT_EQ(seen, ids) << "pages overlap or skip items";

  auto last = server.get(std::string(kProjects) + "?page=3&per_page=2", s.access_token);
  EXPECT_EQ(last.json().at("items").as_array().size(), 1u);
  auto beyond = server.get(std::string(kProjects) + "?page=4&per_page=2", s.access_token);
  ASSERT_EQ(beyond.status, 200u);
  EXPECT_TRUE(beyond.json().at("items").as_array().empty());
  EXPECT_EQ(beyond.json().at("total").to_number<std::int64_t>(), 5);

  auto defaults = server.get(kProjects, s.access_token);
  EXPECT_EQ(defaults.json().at("page").to_number<std::int64_t>(), 1);
  EXPECT_EQ(defaults.json().at("per_page").to_number<std::int64_t>(), 20);
  EXPECT_EQ(defaults.json().at("items").as_array().size(), 5u);

  auto max = server.get(std::string(kProjects) + "?per_page=100", s.access_token);
  EXPECT_EQ(max.status, 200u);

  expect_field_error(server.get(std::string(kProjects) + "?per_page=101", s.access_token), 400, "per_page");
  expect_field_error(server.get(std::string(kProjects) + "?per_page=0", s.access_token), 400, "per_page");
  expect_field_error(server.get(std::string(kProjects) + "?page=0", s.access_token), 400, "page");
  expect_field_error(server.get(std::string(kProjects) + "?page=-1", s.access_token), 400, "page");
  expect_field_error(server.get(std::string(kProjects) + "?page=abc", s.access_token), 400, "page");
  expect_field_error(server.get(std::string(kProjects) + "?page=1.5", s.access_token), 400, "page");
  expect_field_error(server.get(std::string(kProjects) + "?page=99999999999999999999", s.access_token), 400,
                     "page");
  expect_field_error(server.get(std::string(kProjects) + "?page=", s.access_token), 400, "page");
}

TEST(ProjectsTest, IfMatchGuardsAgainstLostUpdates) {
  TestServer server;
  Session s = server.register_user("etag@example.com");
  const std::string id = create_project(server, s, "versioned");

  auto first = patch_if_match(server, id, json::object{{"name", "first"}}, s.access_token, "\"1\"");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.header("etag"), "\"2\"");

  // A writer still holding version 1 loses.
  auto stale = patch_if_match(server, id, json::object{{"name", "stale"}}, s.access_token, "\"1\"");
  EXPECT_EQ(stale.status, 409u) << stale.body;
  EXPECT_TRUE(stale.header("content-type").starts_with("application/problem+json"));
  auto now = server.get(project_url(id), s.access_token);
  EXPECT_EQ(now.json().at("name").as_string(), "first");
  EXPECT_EQ(now.json().at("version").to_number<std::int64_t>(), 2);

  // The current version (quoted, bare or weak) wins.
  auto bare = patch_if_match(server, id, json::object{{"name", "second"}}, s.access_token, "2");
  EXPECT_EQ(bare.status, 200u) << bare.body;
  auto weak = patch_if_match(server, id, json::object{{"name", "third"}}, s.access_token, "W/\"3\"");
  EXPECT_EQ(weak.status, 200u) << weak.body;

  // A malformed precondition is a client error, not a silent overwrite.
  for (const char* bad : {"\"abc\"", "0", "-1", "\"\"", "*x"}) {
    auto res = patch_if_match(server, id, json::object{{"name", "bad"}}, s.access_token, bad);
    EXPECT_GE(res.status, 400u) << bad << ": " << res.body;
    EXPECT_LT(res.status, 500u) << bad << ": " << res.body;
  }
  EXPECT_EQ(server.get(project_url(id), s.access_token).json().at("name").as_string(), "third");
}

TEST(ProjectsTest, NameValidation) {
  TestServer server;
  Session s = server.register_user("names@example.com");

  const std::vector<std::pair<std::string, json::value>> bad_names = {
      {"empty", json::string("")},
      {"256 ascii", json::string(std::string(256, 'n'))},
      {"256 multi-byte", json::string(repeat("\xC3\xA9", 256))},
      {"blank", json::string("   ")},
      {"tab", json::string("\t")},
      {"control character", json::string("a\x01z")},
      {"newline", json::string("two\nlines")},
      {"number", json::value(42)},
      {"boolean", json::value(true)},
      {"null", json::value(nullptr)},
      {"array", json::value(json::array{"x"})},
      {"object", json::value(json::object{{"x", 1}})},
  };
  for (const auto& [label, name] : bad_names) {
    auto res = server.post(kProjects, json::object{{"name", name}}, s.access_token);
    SCOPED_TRACE(label);
    expect_field_error(res, 422, "name");
  }
  expect_field_error(server.post(kProjects, json::object{}, s.access_token), 422, "name");
  expect_field_error(server.post(kProjects, json::object{{"name", "ok"}, {"colour", "red"}}, s.access_token), 422,
                     "colour");
  expect_field_error(server.post(kProjects, json::object{{"name", "ok"}, {"description", 7}}, s.access_token), 422,
                     "description");
  expect_field_error(
      server.post(kProjects, json::object{{"name", "ok"}, {"description", std::string(4001, 'd')}}, s.access_token),
      422, "description");
  // Every bad field is reported at once.
  auto both = server.post(kProjects, json::object{{"name", ""}, {"extra", 1}}, s.access_token);
  expect_field_error(both, 422, "name");
  expect_field_error(both, 422, "extra");

  // Nothing was created by any of the above.
  EXPECT_EQ(server.get(kProjects, s.access_token).json().at("total").to_number<std::int64_t>(), 0);

  // 255 characters, even of two and four bytes each, are accepted and come back intact.
  for (const std::string& name : {std::string(255, 'n'), repeat("\xC3\xA9", 255), repeat("\xF0\x9F\x93\x8A", 255),
                                  std::string("\xC5\x92uvre r\xC3\xA9" "conciliation")}) {
    auto res = server.post(kProjects, json::object{{"name", name}}, s.access_token);
    ASSERT_EQ(res.status, 201u) << res.body;
    const std::string id(res.json().at("id").as_string());
    EXPECT_EQ(server.get(project_url(id), s.access_token).json().at("name").as_string(), name);
  }
  // Inner spaces are fine; a single character is fine.
  EXPECT_EQ(server.post(kProjects, json::object{{"name", "a b"}}, s.access_token).status, 201u);
  EXPECT_EQ(server.post(kProjects, json::object{{"name", "x"}}, s.access_token).status, 201u);
}

TEST(ProjectsTest, PatchValidationChangesNothing) {
  TestServer server;
  Session s = server.register_user("patch@example.com");
  const std::string id = create_project(server, s, "stable", "desc");

  expect_field_error(server.patch(project_url(id), json::object{{"name", ""}}, s.access_token), 422, "name");
  expect_field_error(server.patch(project_url(id), json::object{{"name", std::string(256, 'x')}}, s.access_token),
                     422, "name");
  expect_field_error(server.patch(project_url(id), json::object{{"name", "  "}}, s.access_token), 422, "name");
  expect_field_error(server.patch(project_url(id), json::object{{"name", 1}}, s.access_token), 422, "name");
  expect_field_error(server.patch(project_url(id), json::object{{"status", "deleted"}}, s.access_token), 422,
                     "status");
  expect_field_error(server.patch(project_url(id), json::object{{"status", 1}}, s.access_token), 422, "status");
  expect_field_error(server.patch(project_url(id), json::object{{"colour", "red"}}, s.access_token), 422, "colour");
  // A valid field next to an invalid one is not applied either.
  expect_field_error(server.patch(project_url(id), json::object{{"description", "new"}, {"name", ""}}, s.access_token),
                     422, "name");

  auto now = server.get(project_url(id), s.access_token);
  EXPECT_EQ(now.json().at("name").as_string(), "stable");
  EXPECT_EQ(now.json().at("description").as_string(), "desc");
  EXPECT_EQ(now.json().at("version").to_number<std::int64_t>(), 1);
}

TEST(ProjectsTest, StatusFilter) {
  TestServer server;
  Session s = server.register_user("status@example.com");
  const std::string kept = create_project(server, s, "kept");
  const std::string archived = create_project(server, s, "archived");
  auto res = server.patch(project_url(archived), json::object{{"status", "archived"}}, s.access_token);
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(res.json().at("status").as_string(), "archived");

  auto only_archived = server.get(std::string(kProjects) + "?status=archived", s.access_token);
  ASSERT_EQ(only_archived.status, 200u) << only_archived.body;
  ASSERT_EQ(only_archived.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(only_archived.json().at("items").as_array()[0].at("id").as_string(), archived);
  EXPECT_EQ(only_archived.json().at("total").to_number<std::int64_t>(), 1);

  auto only_active = server.get(std::string(kProjects) + "?status=active", s.access_token);
  ASSERT_EQ(only_active.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(only_active.json().at("items").as_array()[0].at("id").as_string(), kept);

  EXPECT_EQ(server.get(kProjects, s.access_token).json().at("total").to_number<std::int64_t>(), 2);
  expect_field_error(server.get(std::string(kProjects) + "?status=deleted", s.access_token), 400, "status");
  expect_field_error(server.get(std::string(kProjects) + "?status=", s.access_token), 400, "status");
}

TEST(ProjectsTest, UsersListOnlyTheirOwnAdminsListAll) {
  TestServer server;
  Session admin = server.create_admin("admin@example.com");
  Session a = server.register_user("a-list@example.com");
  Session b = server.register_user("b-list@example.com");
  const std::string pa = create_project(server, a, "a's");
  const std::string pb = create_project(server, b, "b's");

  auto a_list = server.get(kProjects, a.access_token);
  ASSERT_EQ(a_list.json().at("total").to_number<std::int64_t>(), 1);
  EXPECT_EQ(a_list.json().at("items").as_array()[0].at("id").as_string(), pa);
  // Asking for someone else's projects does not widen a user's view.
  auto a_asks_b = server.get(std::string(kProjects) + "?owner_id=" + b.user_id, a.access_token);
  ASSERT_EQ(a_asks_b.status, 200u) << a_asks_b.body;
  EXPECT_EQ(a_asks_b.body.find(pb), std::string::npos) << a_asks_b.body;

  auto all = server.get(kProjects, admin.access_token);
  EXPECT_EQ(all.json().at("total").to_number<std::int64_t>(), 2);
  auto only_b = server.get(std::string(kProjects) + "?owner_id=" + b.user_id, admin.access_token);
  ASSERT_EQ(only_b.json().at("total").to_number<std::int64_t>(), 1);
  EXPECT_EQ(only_b.json().at("items").as_array()[0].at("id").as_string(), pb);
  expect_field_error(server.get(std::string(kProjects) + "?owner_id=nope", admin.access_token), 400, "owner_id");

  // Admins can read and change any project.
  EXPECT_EQ(server.get(project_url(pa), admin.access_token).status, 200u);
  EXPECT_EQ(server.patch(project_url(pa), json::object{{"description", "by admin"}}, admin.access_token).status,
            200u);
  EXPECT_EQ(server.get(project_url(pa), a.access_token).json().at("owner_id").as_string(), a.user_id);
}

TEST(ProjectsTest, ConcurrentUpdatesNeverLoseOne) {
  TestServer server;
  Session s = server.register_user("race-projects@example.com");
  const std::string id = create_project(server, s, "contended");

  // Everyone holds version 1: exactly one wins.
  std::vector<std::future<HttpResult>> calls;
  for (int i = 0; i < 6; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      return patch_if_match(server, id, json::object{{"name", "writer " + std::to_string(i)}}, s.access_token, "\"1\"");
    }));
  }
  int ok = 0;
  for (auto& call : calls) {
    HttpResult res = call.get();
    EXPECT_TRUE(res.status == 200u || res.status == 409u) << res.status << " " << res.body;
    if (res.status == 200u) ++ok;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(server.get(project_url(id), s.access_token).json().at("version").to_number<std::int64_t>(), 2);

  // Without If-Match: every write that answers 200 is counted in the version, none is lost silently.
  calls.clear();
  for (int i = 0; i < 6; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      return server.patch(project_url(id), json::object{{"description", "d" + std::to_string(i)}}, s.access_token);
    }));
  }
  ok = 0;
  for (auto& call : calls) {
    HttpResult res = call.get();
    EXPECT_TRUE(res.status == 200u || res.status == 409u) << res.status << " " << res.body;
    if (res.status == 200u) ++ok;
  }
  EXPECT_GE(ok, 1);
  EXPECT_EQ(server.get(project_url(id), s.access_token).json().at("version").to_number<std::int64_t>(), 2 + ok);
  // And the audit trail has one update row per successful write.
  auto trail = server.get(project_url(id) + "/audit?per_page=100", s.access_token);
  EXPECT_EQ(trail.json().at("total").to_number<std::int64_t>(), 1 + 1 + ok);
}

}  // namespace
}  // namespace oeuvre::testing
