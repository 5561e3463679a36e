// Records without amounts or dates over real HTTP on both backends (issue 17 item 5): two data
// sources of people (an ERP's customers and a CRM's contacts, the files of the engine case
// 15_person_records) whose column mapping says amount_optional parse into records without amounts;
// a job with rules over their names, birth dates and identifiers links them, and its results,
// summary and exports show no amounts. A job whose rules compare amounts fails saying why, and a
// data source without amount_optional refuses such a file as before.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support/json_path.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const fs::path kCase = fs::path(OEUVRE_SOURCE_DIR) / "tests" / "engine_cases" / "15_person_records";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class PersonRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = server_.register_user("alice@example.com");
    auto project = server_.post("/api/v1/projects", json::object{{"name", "Customers"}}, token());
    ASSERT_EQ(project.status, 201u) << project.body;
    project_ = json_string(project.json(), "id");
  }

  const std::string& token() const { return alice_.access_token; }

  // A data source named `name` of `kind` with `mapping` as its column mapping; its id.
  std::string source(const std::string& name, const std::string& kind,
                     const json::object& mapping) {
    auto res = server_.post(
        "/api/v1/projects/" + project_ + "/data-sources",
        json::object{{"name", name}, {"kind", kind}, {"column_mapping", mapping}}, token());
    EXPECT_EQ(res.status, 201u) << res.body;
    return json_string(res.json(), "id");
  }

  static json::object people_mapping() {
    return json::object{{"columns", json::object{{"external_id", "rec_id"}}},
                        {"amount_optional", true}};
  }

  // The ERP's and the CRM's data sources with the golden case's files uploaded and parsed: their
  // ids, in that order.
  std::pair<std::string, std::string> upload_case_files() {
    const std::string erp = source("ERP customers", "erp", people_mapping());
    const std::string crm = source("CRM contacts", "crm", people_mapping());
    for (const auto& [id, file] : {std::pair{erp, "left.csv"}, std::pair{crm, "right.csv"}}) {
      auto uploaded = server_.upload_and_wait(id, read_text(kCase / file), token(), file);
      EXPECT_EQ(json_string(uploaded.json(), "status"), "parsed") << uploaded.body;
    }
    return {erp, crm};
  }

  // Creates a job over the two sources with `rules` and waits for it to end.
  json::value run_job(const std::string& left, const std::string& right, const json::value& rules) {
    json::object body{
        {"name", "People"}, {"left_data_source_id", left}, {"right_data_source_id", right}};
    if (!rules.is_null()) body["rules"] = rules;
    auto created = server_.post("/api/v1/projects/" + project_ + "/jobs", body, token());
    EXPECT_EQ(created.status, 201u) << created.body;
    return server_.wait_for_job(json_string(created.json(), "id"), token()).json();
  }

  TestServer server_;
  Session alice_;
  std::string project_;
};

TEST_F(PersonRecordsTest, PeopleWithoutAmountsParseReconcileAndExport) {
  const auto [erp, crm] = upload_case_files();
  ASSERT_FALSE(HasFailure());

  // The records: no amount, no currency; the people's fields are extra fields.
  auto page = server_.get(
      "/api/v1/projects/" + project_ + "/records?per_page=100&data_source_id=" + erp, token());
  ASSERT_EQ(page.status, 200u) << page.body;
  const auto items = json_array(page.json(), "items");
  ASSERT_EQ(items.size(), 15u);
  for (const auto& r : items) {
    EXPECT_TRUE(json_at(r, "amount").is_null()) << json::serialize(r);
    EXPECT_TRUE(json_at(r, "amount_minor").is_null());
    EXPECT_TRUE(json_at(r, "currency").is_null());
    EXPECT_TRUE(json_at(r, "transaction_date").is_null());
  }
  const json::value& first = items.front();
  EXPECT_EQ(json_string(first, "external_id"), "E01");
  EXPECT_EQ(json_string(json_at(first, "extra"), "given_name"), "katherine");
  EXPECT_EQ(json_string(json_at(first, "extra"), "date_of_birth"), "19870305");
  // No amounts to total in the project's figures.
  auto stats = server_.get("/api/v1/projects/" + project_ + "/stats", token());
  ASSERT_EQ(stats.status, 200u) << stats.body;
  EXPECT_TRUE(json_array(stats.json(), "amounts").empty()) << stats.body;

  // The job: the engine case's rules, the engine case's answer.
  const json::value done = run_job(erp, crm, json::parse(read_text(kCase / "rules.json")));
  ASSERT_EQ(json_string(done, "status"), "completed") << json::serialize(done);
  const std::string job = json_string(done, "id");
  auto results = server_.get("/api/v1/jobs/" + job + "/results?per_page=100", token());
  ASSERT_EQ(results.status, 200u) << results.body;
  std::set<std::string> linked;
  std::map<std::string, json::value> by_left;
  for (const auto& r : json_array(results.json(), "items")) {
    if (json_string(r, "kind") != "one_to_one") continue;
    const std::string left = json_string(json_array(r, "left").front(), "external_id");
    const std::string right = json_string(json_array(r, "right").front(), "external_id");
    linked.insert(left + "|" + right);
    by_left[left] = r;
    EXPECT_EQ(json_string(r, "status"), "matched") << json::serialize(r);
    EXPECT_TRUE(json_at(r, "left_amount_minor").is_null());
    EXPECT_TRUE(json_at(r, "currency").is_null());
  }
  EXPECT_EQ(linked, (std::set<std::string>{"E01|C101", "E02|C102", "E03|C103", "E04|C104",
                                           "E05|C105", "E06|C106", "E07|C107", "E08|C108",
                                           "E09|C109", "E10|C110", "E11|C111", "E15|C113"}));
  // The explanation shows the people's values, the birth date's day and month swapped.
  bool born = false;
  for (const auto& line : json_array(by_left["E01"], "explanation")) {
    if (json_string(line, "rule") != "date_of_birth") continue;
    born = true;
    EXPECT_EQ(json_string(line, "left_value"), "19870305");
    EXPECT_EQ(json_string(line, "right_value"), "19870503");
    EXPECT_DOUBLE_EQ(json_at(line, "similarity").as_double(), 0.8);
    EXPECT_EQ(json_string(line, "comparison"), "date (equal, or a typo apart)");
  }
  EXPECT_TRUE(born);
  auto summary = server_.get("/api/v1/jobs/" + job + "/summary", token());
  ASSERT_EQ(summary.status, 200u) << summary.body;
  EXPECT_TRUE(json_array(summary.json(), "currencies").empty()) << summary.body;
  EXPECT_EQ(json_int(json_at(summary.json(), "groups"), "matched"), 12);
  EXPECT_EQ(json_int(json_at(summary.json(), "groups"), "unmatched_left"), 3);

  // The export: the amount and currency columns empty.
  auto exported = server_.get("/api/v1/jobs/" + job + "/export?format=csv", token());
  ASSERT_EQ(exported.status, 200u) << exported.body;
  std::istringstream lines(exported.body);
  std::string header, row;
  std::getline(lines, header);
  EXPECT_NE(header.find(",amount,currency,"), std::string::npos) << header;
  std::size_t rows = 0;
  while (std::getline(lines, row)) {
    if (row.empty()) continue;
    ++rows;
    EXPECT_EQ(row.find(",0.00,"), std::string::npos) << row;
  }
  EXPECT_EQ(rows, 12u * 2 + 3 + 3);

  // A person left unmatched (E12) matched by hand to one only on the right (C114): no amounts to
  // agree on. Two people of one side are no offset.
  std::map<std::string, std::string> record_ids;
  for (const std::string& side : {erp, crm}) {
    auto listed = server_.get(
        "/api/v1/projects/" + project_ + "/records?per_page=100&data_source_id=" + side, token());
    for (const auto& r : json_array(listed.json(), "items"))
      record_ids[json_string(r, "external_id")] = json_string(r, "id");
  }
  auto manual =
      server_.post("/api/v1/jobs/" + job + "/matches",
                   json::object{{"left_record_ids", json::array{json::value(record_ids["E12"])}},
                                {"right_record_ids", json::array{json::value(record_ids["C114"])}}},
                   token());
  ASSERT_EQ(manual.status, 201u) << manual.body;
  EXPECT_TRUE(json_at(manual.json(), "left_amount_minor").is_null()) << manual.body;
  auto offset = server_.post(
      "/api/v1/jobs/" + job + "/matches",
      json::object{{"left_record_ids",
                    json::array{json::value(record_ids["E13"]), json::value(record_ids["E14"])}},
                   {"right_record_ids", json::array{}}},
      token());
  EXPECT_EQ(offset.status, 422u) << offset.body;
  EXPECT_NE(offset.body.find("cannot offset"), std::string::npos) << offset.body;
}

TEST_F(PersonRecordsTest, RulesThatCompareAmountsFailTheJobAndAmountsStayRequiredByDefault) {
  const auto [erp, crm] = upload_case_files();
  ASSERT_FALSE(HasFailure());
  // The default rules compare amounts: the job fails and says so.
  const json::value failed = run_job(erp, crm, nullptr);
  EXPECT_EQ(json_string(failed, "status"), "failed") << json::serialize(failed);
  const std::string error = json_string(failed, "error");
  EXPECT_NE(error.find("compares amounts"), std::string::npos) << error;
  EXPECT_NE(error.find("left data source's records have none"), std::string::npos) << error;

  // A data source whose mapping does not say amount_optional refuses a file without amounts.
  const std::string bank = source("Bank", "bank", json::object{});
  auto refused = server_.upload_and_wait(bank, read_text(kCase / "left.csv"), token(), "left.csv");
  EXPECT_EQ(json_string(refused.json(), "status"), "failed") << refused.body;
  EXPECT_NE(json_string(refused.json(), "error").find("no amount column"), std::string::npos)
      << refused.body;
}

}  // namespace
}  // namespace oeuvre::testing
