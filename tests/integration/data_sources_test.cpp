// /api/v1/projects/{id}/data-sources and /api/v1/data-sources/{id} over real HTTP: CRUD, the kind
// filter and pagination, strict column mapping validation with exact field paths, deactivation vs
// deletion, optimistic concurrency, the audit trail of the project, and isolation between users.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

std::string project_sources_url(const std::string& project_id) {
  return "/api/v1/projects/" + project_id + "/data-sources";
}
std::string source_url(const std::string& id) { return "/api/v1/data-sources/" + id; }

std::string create_project(TestServer& server, const Session& s,
                           const std::string& name = "project") {
  auto res = server.post("/api/v1/projects", json::object{{"name", name}}, s.access_token);
  EXPECT_EQ(res.status, 201u) << res.body;
  return res.json().is_object() ? std::string(res.json().at("id").as_string()) : "";
}

std::string create_source(TestServer& server, const Session& s, const std::string& project_id,
                          json::object body) {
  auto res = server.post(project_sources_url(project_id), body, s.access_token);
  EXPECT_EQ(res.status, 201u) << res.body;
  return res.json().is_object() ? std::string(res.json().at("id").as_string()) : "";
}

std::int64_t total_of(const HttpResult& res) {
  return res.json().is_object() ? res.json().at("total").to_number<std::int64_t>() : -1;
}

HttpResult patch_if_match(TestServer& server, const std::string& id, const json::object& body,
                          const std::string& token, const std::string& if_match) {
  return server.request("PATCH", source_url(id), json::serialize(body), token,
                        {{"If-Match", if_match}});
}

// The audit actions of a project, oldest first.
std::vector<std::string> audit_actions(TestServer& server, const Session& s,
                                       const std::string& project_id) {
  auto trail = server.get("/api/v1/projects/" + project_id + "/audit?per_page=100", s.access_token);
  EXPECT_EQ(trail.status, 200u) << trail.body;
  std::vector<std::string> actions;
  if (!trail.json().is_object()) return actions;
  const json::value body = trail.json();
  for (const auto& e : body.at("items").as_array())
    actions.emplace_back(e.at("action").as_string());
  std::reverse(actions.begin(), actions.end());
  return actions;
}

// ---------------------------------------------------------------------------------------------------

TEST(DataSourcesTest, CreateGetUpdateDelete) {
  TestServer server;
  Session owner = server.register_user("ds-owner@example.com");
  const std::string project = create_project(server, owner);

  const json::value mapping = json::parse(
      R"({"columns": {"date": "Booking Date", "amount": "Amount", "reference": "Ref"},
          "date_format": "dd/mm/yyyy", "decimal_separator": ",", "default_currency": "EUR"})");
  auto created = server.post(
      project_sources_url(project),
      json::object{{"name", "Main bank account"}, {"kind", "bank"}, {"column_mapping", mapping}},
      owner.access_token);
  ASSERT_EQ(created.status, 201u) << created.body;
  auto body = created.json();
  const std::string id(body.at("id").as_string());
  EXPECT_EQ(body.at("project_id").as_string(), project);
  EXPECT_EQ(body.at("name").as_string(), "Main bank account");
  EXPECT_EQ(body.at("kind").as_string(), "bank");
  EXPECT_EQ(body.at("column_mapping"), mapping)
      << "the mapping comes back as the object that was sent";
  EXPECT_TRUE(body.at("is_active").as_bool());
  EXPECT_EQ(body.at("version").to_number<std::int64_t>(), 1);
  EXPECT_EQ(created.header("location"), source_url(id));
  EXPECT_EQ(created.header("etag"), "\"1\"");

  auto got = server.get(source_url(id), owner.access_token);
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(got.json(), body);
  EXPECT_EQ(got.header("etag"), "\"1\"");

  auto updated = server.patch(
      source_url(id), json::object{{"name", "Bank (EUR)"}, {"kind", "ledger"}}, owner.access_token);
  ASSERT_EQ(updated.status, 200u) << updated.body;
  EXPECT_EQ(updated.json().at("name").as_string(), "Bank (EUR)");
  EXPECT_EQ(updated.json().at("kind").as_string(), "ledger");
  EXPECT_EQ(updated.json().at("column_mapping"), mapping);  // untouched
  EXPECT_EQ(updated.json().at("version").to_number<std::int64_t>(), 2);
  EXPECT_EQ(updated.header("etag"), "\"2\"");

  // The mapping is replaced whole.
  const json::value debit_credit =
      json::parse(R"({"columns": {"debit": "Out", "credit": "In"}, "all_or_nothing": true})");
  auto remapped = server.patch(source_url(id), json::object{{"column_mapping", debit_credit}},
                               owner.access_token);
  ASSERT_EQ(remapped.status, 200u) << remapped.body;
  EXPECT_EQ(remapped.json().at("column_mapping"), debit_credit);
  EXPECT_EQ(server.get(source_url(id), owner.access_token).json().at("column_mapping"),
            debit_credit);
  auto cleared = server.patch(source_url(id), json::object{{"column_mapping", json::object{}}},
                              owner.access_token);
  ASSERT_EQ(cleared.status, 200u) << cleared.body;
  EXPECT_EQ(cleared.json().at("column_mapping"), json::value(json::object{}));
  EXPECT_EQ(cleared.json().at("version").to_number<std::int64_t>(), 4);

  auto deleted = server.del(source_url(id), owner.access_token);
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());

  // Soft-deleted: gone for every API path, and from the list.
  EXPECT_EQ(server.get(source_url(id), owner.access_token).status, 404u);
  EXPECT_EQ(server.patch(source_url(id), json::object{{"name", "x"}}, owner.access_token).status,
            404u);
  EXPECT_EQ(
      server.patch(source_url(id), json::object{{"is_active", true}}, owner.access_token).status,
      404u);
  EXPECT_EQ(server.del(source_url(id), owner.access_token).status, 404u);
  EXPECT_EQ(total_of(server.get(project_sources_url(project), owner.access_token)), 0);

  // Every change is in the project's audit trail, with the data source's id.
  EXPECT_EQ(
      audit_actions(server, owner, project),
      (std::vector<std::string>{"project.create", "data_source.create", "data_source.update",
                                "data_source.update", "data_source.update", "data_source.delete"}));
  auto trail =
      server.get("/api/v1/projects/" + project + "/audit?per_page=100", owner.access_token);
  const json::value trail_body = trail.json();
  for (const auto& e : trail_body.at("items").as_array()) {
    if (e.at("resource_type").as_string() != "data_source") continue;
    EXPECT_EQ(e.at("resource_id").as_string(), id);
    EXPECT_EQ(e.at("project_id").as_string(), project);
    EXPECT_EQ(e.at("user_id").as_string(), owner.user_id);
  }
  // The first update's before/after snapshots show the change, the mapping as an object.
  const auto& first_update = trail_body.at("items").as_array()[3];
  ASSERT_EQ(first_update.at("action").as_string(), "data_source.update");
  EXPECT_EQ(first_update.at("before").at("name").as_string(), "Main bank account");
  EXPECT_EQ(first_update.at("after").at("name").as_string(), "Bank (EUR)");
  EXPECT_EQ(first_update.at("after").at("column_mapping"), mapping);
}

TEST(DataSourcesTest, DefaultsAndMinimalBody) {
  TestServer server;
  Session s = server.register_user("ds-defaults@example.com");
  const std::string project = create_project(server, s);
  auto res = server.post(project_sources_url(project), json::object{{"name", "x"}}, s.access_token);
  ASSERT_EQ(res.status, 201u) << res.body;
  EXPECT_EQ(res.json().at("kind").as_string(), "other");
  EXPECT_EQ(res.json().at("column_mapping"), json::value(json::object{}));
  auto nulls = server.post(
      project_sources_url(project),
      json::object{{"name", "y"}, {"kind", nullptr}, {"column_mapping", nullptr}}, s.access_token);
  ASSERT_EQ(nulls.status, 201u) << nulls.body;
  EXPECT_EQ(nulls.json().at("kind").as_string(), "other");
  for (const char* kind : {"bank", "ledger", "processor", "erp", "crm", "other"}) {
    auto k = server.post(project_sources_url(project), json::object{{"name", kind}, {"kind", kind}},
                         s.access_token);
    ASSERT_EQ(k.status, 201u) << k.body;
    EXPECT_EQ(k.json().at("kind").as_string(), kind);
  }
}

TEST(DataSourcesTest, ListIsNewestFirstPaginatedAndFilteredByKind) {
  TestServer server;
  Session s = server.register_user("ds-list@example.com");
  const std::string project = create_project(server, s);
  const std::string other_project = create_project(server, s, "other");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(create_source(server, s, project,
                                json::object{{"name", "source " + std::to_string(i)},
                                             {"kind", i % 2 ? "ledger" : "bank"}}));
  }
  create_source(server, s, other_project, json::object{{"name", "elsewhere"}});

  auto all = server.get(project_sources_url(project) + "?per_page=100", s.access_token);
  ASSERT_EQ(all.status, 200u) << all.body;
  EXPECT_EQ(total_of(all), 5);
  std::vector<std::string> listed;
  const json::value all_body = all.json();
  for (const auto& item : all_body.at("items").as_array()) {
    listed.emplace_back(item.at("id").as_string());
    EXPECT_EQ(item.at("project_id").as_string(), project);
  }
  EXPECT_EQ(listed, std::vector<std::string>(ids.rbegin(), ids.rend())) << "newest first";

  std::set<std::string> seen;
  for (int page = 1; page <= 3; ++page) {
    auto res =
        server.get(project_sources_url(project) + "?page=" + std::to_string(page) + "&per_page=2",
                   s.access_token);
    ASSERT_EQ(res.status, 200u) << res.body;
    EXPECT_EQ(total_of(res), 5);
    const json::value page_body = res.json();
    for (const auto& item : page_body.at("items").as_array())
      seen.insert(std::string(item.at("id").as_string()));
  }
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end())) << "pages overlap or skip items";

  auto banks = server.get(project_sources_url(project) + "?kind=bank", s.access_token);
  ASSERT_EQ(banks.status, 200u) << banks.body;
  EXPECT_EQ(total_of(banks), 3);
  const json::value banks_body = banks.json();
  for (const auto& item : banks_body.at("items").as_array())
    EXPECT_EQ(item.at("kind").as_string(), "bank");
  EXPECT_EQ(total_of(server.get(project_sources_url(project) + "?kind=crm", s.access_token)), 0);

  expect_field_error(server.get(project_sources_url(project) + "?kind=cash", s.access_token), 400,
                     "kind");
  expect_field_error(server.get(project_sources_url(project) + "?kind=", s.access_token), 400,
                     "kind");
  expect_field_error(server.get(project_sources_url(project) + "?per_page=101", s.access_token),
                     400, "per_page");
  expect_field_error(server.get(project_sources_url("nope"), s.access_token), 400, "id");
  EXPECT_EQ(server.get(project_sources_url("3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d"), s.access_token)
                .status,
            404u);
}

TEST(DataSourcesTest, DeactivatingHidesFromListsButKeepsItReachable) {
  TestServer server;
  Session s = server.register_user("ds-deactivate@example.com");
  const std::string project = create_project(server, s);
  const std::string kept = create_source(server, s, project, json::object{{"name", "kept"}});
  const std::string paused = create_source(server, s, project, json::object{{"name", "paused"}});

  auto off = server.patch(source_url(paused), json::object{{"is_active", false}}, s.access_token);
  ASSERT_EQ(off.status, 200u) << off.body;
  EXPECT_FALSE(off.json().at("is_active").as_bool());
  auto list = server.get(project_sources_url(project), s.access_token);
  ASSERT_EQ(total_of(list), 1);
  EXPECT_EQ(list.json().at("items").as_array()[0].at("id").as_string(), kept);

  auto still = server.get(source_url(paused), s.access_token);
  ASSERT_EQ(still.status, 200u) << still.body;
  EXPECT_FALSE(still.json().at("is_active").as_bool());

  auto on = server.patch(source_url(paused), json::object{{"is_active", true}}, s.access_token);
  ASSERT_EQ(on.status, 200u) << on.body;
  EXPECT_TRUE(on.json().at("is_active").as_bool());
  EXPECT_EQ(total_of(server.get(project_sources_url(project), s.access_token)), 2);
}

TEST(DataSourcesTest, NoOpPatchWritesNothing) {
  TestServer server;
  Session s = server.register_user("ds-noop@example.com");
  const std::string project = create_project(server, s);
  const json::value mapping =
      json::parse(R"({"columns": {"amount": "Amount"}, "all_or_nothing": false})");
  const std::string id =
      create_source(server, s, project,
                    json::object{{"name", "same"}, {"kind", "erp"}, {"column_mapping", mapping}});
  const std::string before = server.get(source_url(id), s.access_token).body;

  for (const json::object& body :
       {json::object{}, json::object{{"name", "same"}},
        json::object{{"kind", "erp"}, {"is_active", true}},
        json::object{{"column_mapping", mapping}},
        json::object{{"name", nullptr}, {"column_mapping", nullptr}},
        // The same mapping with keys in another order is the same mapping.
        json::object{
            {"column_mapping",
             json::parse(R"({"all_or_nothing": false, "columns": {"amount": "Amount"}})")}}}) {
    SCOPED_TRACE(json::serialize(body));
    auto res = server.patch(source_url(id), body, s.access_token);
    ASSERT_EQ(res.status, 200u) << res.body;
    EXPECT_EQ(res.json().at("version").to_number<std::int64_t>(), 1);
  }
  EXPECT_EQ(server.get(source_url(id), s.access_token).body, before);
  EXPECT_EQ(audit_actions(server, s, project),
            (std::vector<std::string>{"project.create", "data_source.create"}));
}

TEST(DataSourcesTest, FieldValidationChangesNothing) {
  TestServer server;
  Session s = server.register_user("ds-validation@example.com");
  const std::string project = create_project(server, s);
  const std::string url = project_sources_url(project);

  expect_field_error(server.post(url, json::object{}, s.access_token), 422, "name");
  expect_field_error(server.post(url, json::object{{"name", ""}}, s.access_token), 422, "name");
  expect_field_error(
      server.post(url, json::object{{"name", std::string(256, 'n')}}, s.access_token), 422, "name");
  expect_field_error(server.post(url, json::object{{"name", "  "}}, s.access_token), 422, "name");
  expect_field_error(server.post(url, json::object{{"name", 5}}, s.access_token), 422, "name");
  expect_field_error(
      server.post(url, json::object{{"name", "ok"}, {"kind", "cash"}}, s.access_token), 422,
      "kind");
  expect_field_error(server.post(url, json::object{{"name", "ok"}, {"kind", 1}}, s.access_token),
                     422, "kind");
  expect_field_error(
      server.post(url, json::object{{"name", "ok"}, {"is_active", false}}, s.access_token), 422,
      "is_active");
  expect_field_error(
      server.post(url, json::object{{"name", "ok"}, {"project_id", project}}, s.access_token), 422,
      "project_id");
  expect_field_error(
      server.post(url, json::object{{"name", "ok"}, {"column_mapping", "date"}}, s.access_token),
      422, "column_mapping");
  expect_field_error(
      server.post(url, json::object{{"name", "ok"}, {"column_mapping", json::array{}}},
                  s.access_token),
      422, "column_mapping");

  // Mapping errors name the exact path, and are reported with the other fields' errors at once.
  auto both = server.post(
      url,
      json::parse(R"({"name": "", "colour": "red", "column_mapping": {"columns": {"amount": "A",
                                          "debit": "D", "credit": "C", "amout": "x"}, "date_format": "dd-mm-yy",
                                          "decimal_separator": ";", "default_currency": "eur", "all_or_nothing": 0,
                                          "delimiter": ";"}})")
          .as_object(),
      s.access_token);
  for (const char* field : {"name", "colour", "column_mapping.columns.amount",
                            "column_mapping.columns.amout", "column_mapping.date_format",
                            "column_mapping.decimal_separator", "column_mapping.default_currency",
                            "column_mapping.all_or_nothing", "column_mapping.delimiter"}) {
    expect_field_error(both, 422, field);
  }
  expect_field_error(
      server.post(url,
                  json::parse(R"({"name": "ok", "column_mapping": {"columns": {"debit": "D"}}})")
                      .as_object(),
                  s.access_token),
      422, "column_mapping.columns.credit");
  expect_field_error(
      server.post(
          url,
          json::object{{"name", "ok"},
                       {"column_mapping",
                        json::object{{"columns", json::object{{"date", std::string(256, 'h')}}}}}},
          s.access_token),
      422, "column_mapping.columns.date");
  EXPECT_EQ(total_of(server.get(url, s.access_token)), 0) << "nothing was created by the above";

  const std::string id = create_source(server, s, project, json::object{{"name", "stable"}});
  const std::string before = server.get(source_url(id), s.access_token).body;
  expect_field_error(server.patch(source_url(id), json::object{{"name", ""}}, s.access_token), 422,
                     "name");
  expect_field_error(server.patch(source_url(id), json::object{{"kind", "cash"}}, s.access_token),
                     422, "kind");
  expect_field_error(
      server.patch(source_url(id), json::object{{"is_active", "no"}}, s.access_token), 422,
      "is_active");
  expect_field_error(server.patch(source_url(id), json::object{{"version", 3}}, s.access_token),
                     422, "version");
  // A valid field next to an invalid one is not applied either.
  expect_field_error(
      server.patch(source_url(id),
                   json::parse(R"({"name": "new", "column_mapping": {"columns": {"credit": "C"}}})")
                       .as_object(),
                   s.access_token),
      422, "column_mapping.columns.debit");
  EXPECT_EQ(server.get(source_url(id), s.access_token).body, before);
  EXPECT_EQ(server.request("POST", url, "{", s.access_token).status, 400u);
  EXPECT_EQ(server.request("POST", url, "name=x", s.access_token, {}, "text/plain").status, 415u);
  expect_field_error(server.get(source_url("not-a-uuid"), s.access_token), 400, "id");
  EXPECT_EQ(server.get(source_url("3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d"), s.access_token).status,
            404u);
}

TEST(DataSourcesTest, IfMatchGuardsAgainstLostUpdates) {
  TestServer server;
  Session s = server.register_user("ds-etag@example.com");
  const std::string project = create_project(server, s);
  const std::string id = create_source(server, s, project, json::object{{"name", "versioned"}});

  auto first = patch_if_match(server, id, json::object{{"name", "first"}}, s.access_token, "\"1\"");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.header("etag"), "\"2\"");
  auto stale = patch_if_match(server, id, json::object{{"name", "stale"}}, s.access_token, "\"1\"");
  EXPECT_EQ(stale.status, 409u) << stale.body;
  EXPECT_EQ(server.get(source_url(id), s.access_token).json().at("name").as_string(), "first");
  EXPECT_EQ(
      patch_if_match(server, id, json::object{{"name", "second"}}, s.access_token, "2").status,
      200u);
  EXPECT_EQ(
      patch_if_match(server, id, json::object{{"name", "third"}}, s.access_token, "W/\"3\"").status,
      200u);
  for (const char* bad : {"\"abc\"", "0", "-1", "\"\"", "*x"}) {
    auto res = patch_if_match(server, id, json::object{{"name", "bad"}}, s.access_token, bad);
    EXPECT_EQ(res.status, 400u) << bad << ": " << res.body;
  }
  EXPECT_EQ(server.get(source_url(id), s.access_token).json().at("name").as_string(), "third");

  // Concurrent writers holding the same version: exactly one wins.
  std::vector<std::future<HttpResult>> calls;
  for (int i = 0; i < 6; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      return patch_if_match(server, id, json::object{{"name", "writer " + std::to_string(i)}},
                            s.access_token, "\"4\"");
    }));
  }
  int ok = 0;
  for (auto& call : calls) {
    HttpResult res = call.get();
    EXPECT_TRUE(res.status == 200u || res.status == 409u) << res.status << " " << res.body;
    if (res.status == 200u) ++ok;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(
      server.get(source_url(id), s.access_token).json().at("version").to_number<std::int64_t>(), 5);
}

TEST(DataSourcesTest, OthersDataSourcesAnswer404AndStayUnchanged) {
  TestServer server;
  Session a = server.register_user("ds-a@example.com");
  Session b = server.register_user("ds-b@example.com");
  Session admin = server.create_admin("ds-admin@example.com");
  const std::string project = create_project(server, a);
  const std::string id = create_source(server, a, project, json::object{{"name", "a's bank"}});
  const std::string before = server.get(source_url(id), a.access_token).body;

  EXPECT_EQ(server.get(project_sources_url(project), b.access_token).status, 404u);
  EXPECT_EQ(
      server.post(project_sources_url(project), json::object{{"name", "planted"}}, b.access_token)
          .status,
      404u);
  EXPECT_EQ(server.get(source_url(id), b.access_token).status, 404u);
  EXPECT_EQ(server.patch(source_url(id), json::object{{"name", "hijacked"}}, b.access_token).status,
            404u);
  EXPECT_EQ(patch_if_match(server, id, json::object{{"name", "x"}}, b.access_token, "\"1\"").status,
            404u);
  EXPECT_EQ(patch_if_match(server, id, json::object{{"name", "x"}}, b.access_token, "\"9\"").status,
            404u);
  EXPECT_EQ(server.del(source_url(id), b.access_token).status, 404u);
  EXPECT_EQ(server.get(source_url(id), a.access_token).body, before);
  EXPECT_EQ(total_of(server.get(project_sources_url(project), a.access_token)), 1);

  // Admins reach it.
  EXPECT_EQ(server.get(source_url(id), admin.access_token).status, 200u);
  EXPECT_EQ(total_of(server.get(project_sources_url(project), admin.access_token)), 1);
}

TEST(DataSourcesTest, DataSourcesOfADeletedProjectAnswer404) {
  TestServer server;
  Session a = server.register_user("ds-gone@example.com");
  const std::string project = create_project(server, a);
  const std::string id = create_source(server, a, project, json::object{{"name", "orphan"}});
  ASSERT_EQ(server.del("/api/v1/projects/" + project, a.access_token).status, 204u);

  EXPECT_EQ(server.get(source_url(id), a.access_token).status, 404u);
  EXPECT_EQ(server.patch(source_url(id), json::object{{"name", "x"}}, a.access_token).status, 404u);
  EXPECT_EQ(server.del(source_url(id), a.access_token).status, 404u);
  EXPECT_EQ(server.get(project_sources_url(project), a.access_token).status, 404u);
  EXPECT_EQ(
      server.post(project_sources_url(project), json::object{{"name", "late"}}, a.access_token)
          .status,
      404u);
}

}  // namespace
}  // namespace oeuvre::testing
