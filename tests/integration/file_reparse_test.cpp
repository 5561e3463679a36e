// POST /api/v1/files/{id}/reparse over real HTTP on both backends: a file read with a wrong mapping
// is parsed again once the data source's mapping is fixed (its records and row errors replaced, the
// re-parse audited); a file a worker holds, or one a confirmed match holds records of, is refused
// with 409 and left as it was; bodies other than none or {} are refused; a bank statement file
// parses again to the same records, from the spool of its upload or from its bytes.
// POST /api/v1/files/{id}/preview tries a mapping on the file's first rows without saving it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "store/file_repository.h"
#include "store/transaction.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

// Day-first dates: read month-first, the 25th and the 28th are no dates and the 3rd is in March.
constexpr std::string_view kDayFirstCsv =
    "date,amount,description\n03/02/2026,12.34,Coffee\n25/02/2026,-5.00,Refund\n28/02/"
    "2026,7.00,Tea\n";

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(OEUVRE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::int64_t integer(const json::value& v) { return v.to_number<std::int64_t>(); }

// The string `v` holds; "" for any other value.
std::string text(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : ""; }

std::string id_of(const HttpResult& res) {
  const json::value body = res.json();
  if (!body.is_object() || !body.as_object().contains("id")) return "";
  return std::string(body.at("id").as_string());
}

struct Fixture {
  TestServer server;
  Session alice;
  std::string project_id;

  explicit Fixture(const std::function<void(Config&)>& tweak = {}) : server(tweak) {
    alice = server.register_user("alice@example.com");
    auto project =
        server.post("/api/v1/projects", json::object{{"name", "Reparse"}}, alice.access_token);
    EXPECT_EQ(project.status, 201u) << project.body;
    project_id = id_of(project);
  }

  std::string create_source(const std::string& name, const json::object& mapping = {}) {
    json::object body{{"name", name}, {"kind", "bank"}};
    if (!mapping.empty()) body["column_mapping"] = mapping;
    auto res =
        server.post("/api/v1/projects/" + project_id + "/data-sources", body, alice.access_token);
    EXPECT_EQ(res.status, 201u) << res.body;
    return id_of(res);
  }

  HttpResult reparse(const std::string& file_id, const std::string& body = "") {
    return server.request("POST", "/api/v1/files/" + file_id + "/reparse", body,
                          alice.access_token);
  }

  // The file's records (up to 100), in the listing's order.
  json::array records(const std::string& file_id) {
    auto res =
        server.get("/api/v1/projects/" + project_id + "/records?per_page=100&file_id=" + file_id,
                   alice.access_token);
    EXPECT_EQ(res.status, 200u) << res.body;
    const json::value page = res.json();
    if (!page.is_object()) return {};
    return page.at("items").as_array();
  }

  std::set<std::string> record_ids(const std::string& file_id) {
    std::set<std::string> ids;
    for (const auto& r : records(file_id)) ids.insert(std::string(r.at("id").as_string()));
    return ids;
  }

  std::int64_t row_errors(const std::string& file_id) {
    auto res = server.get("/api/v1/files/" + file_id + "/errors", alice.access_token);
    EXPECT_EQ(res.status, 200u) << res.body;
    return res.json().is_object() ? integer(res.json().at("total")) : -1;
  }

  // The project's audit entries with `action`, newest first.
  std::vector<json::object> audit(const std::string& action) {
    auto res =
        server.get("/api/v1/projects/" + project_id + "/audit?per_page=100", alice.access_token);
    EXPECT_EQ(res.status, 200u) << res.body;
    std::vector<json::object> out;
    const json::value page = res.json();
    if (!page.is_object()) return out;
    for (const auto& e : page.at("items").as_array()) {
      if (text(e.at("action")) == action) out.push_back(e.as_object());
    }
    return out;
  }
};

TEST(FilesReparseTest, AFixedMappingReparsesTheFileAndReplacesItsRecordsAndErrors) {
  Fixture f;
  const std::string source =
      f.create_source("Bank", {{"date_format", "mm/dd/yyyy"}, {"default_currency", "EUR"}});
  auto first =
      f.server.upload_and_wait(source, std::string(kDayFirstCsv), f.alice.access_token, "feb.csv");
  ASSERT_EQ(first.json().at("status"), "parsed") << first.body;
  const std::string file_id = id_of(first);
  EXPECT_EQ(integer(first.json().at("rows_ok")), 1);
  EXPECT_EQ(integer(first.json().at("rows_failed")), 2);
  EXPECT_EQ(f.row_errors(file_id), 2);
  const std::set<std::string> old_ids = f.record_ids(file_id);
  ASSERT_EQ(old_ids.size(), 1u);

  // The preview shows the fix works, the mapping is saved, the file parsed again.
  auto patched =
      f.server.patch("/api/v1/data-sources/" + source,
                     json::object{{"column_mapping",
                                   {{"date_format", "dd/mm/yyyy"}, {"default_currency", "EUR"}}}},
                     f.alice.access_token);
  ASSERT_EQ(patched.status, 200u) << patched.body;
  auto preview = f.server.get("/api/v1/files/" + file_id + "/preview", f.alice.access_token);
  ASSERT_EQ(preview.status, 200u) << preview.body;
  const json::value previewed = preview.json();
  for (const auto& row : previewed.at("rows").as_array())
    EXPECT_TRUE(row.at("errors").as_array().empty());

  auto queued = f.reparse(file_id);
  ASSERT_EQ(queued.status, 202u) << queued.body;
  EXPECT_EQ(queued.header("location"), "/api/v1/files/" + file_id);
  const json::value requeued = queued.json();
  EXPECT_EQ(text(requeued.at("id")), file_id);
  EXPECT_EQ(requeued.at("status"), "uploaded");
  EXPECT_EQ(integer(requeued.at("rows_ok")), 0);
  EXPECT_EQ(integer(requeued.at("rows_failed")), 0);
  EXPECT_EQ(requeued.at("progress").to_number<double>(), 0.0);
  EXPECT_TRUE(requeued.at("error").is_null());
  EXPECT_TRUE(requeued.at("layout").is_null());
  EXPECT_EQ(requeued.at("sha256"), first.json().at("sha256"));

  auto again = f.server.wait_for_file(file_id, f.alice.access_token);
  ASSERT_EQ(again.json().at("status"), "parsed") << again.body;
  EXPECT_EQ(integer(again.json().at("rows_ok")), 3);
  EXPECT_EQ(integer(again.json().at("rows_failed")), 0);
  EXPECT_EQ(again.json().at("layout").at("date_order"), "dmy") << again.body;
  EXPECT_EQ(f.row_errors(file_id), 0);
  const json::array records = f.records(file_id);
  ASSERT_EQ(records.size(), 3u);
  std::set<std::string> dates;
  for (const auto& r : records) {
    EXPECT_FALSE(old_ids.contains(std::string(r.at("id").as_string()))) << "an old record survived";
    dates.insert(std::string(r.at("transaction_date").as_string()));
  }
  EXPECT_EQ(dates, (std::set<std::string>{"2026-02-03", "2026-02-25", "2026-02-28"}));

  // One audit entry: the file before, and what went.
  const std::vector<json::object> entries = f.audit("file.reparse");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(text(entries[0].at("resource_id")), file_id);
  EXPECT_EQ(text(entries[0].at("user_id")), f.alice.user_id);
  EXPECT_EQ(integer(entries[0].at("before").at("rows_ok")), 1);
  EXPECT_EQ(entries[0].at("after").at("status"), "uploaded");
  EXPECT_EQ(integer(entries[0].at("after").at("records_removed")), 1);
  EXPECT_EQ(integer(entries[0].at("after").at("row_errors_removed")), 2);
  EXPECT_EQ(text(entries[0].at("request_id")), queued.header("x-request-id"));
}

TEST(FilesReparseTest, AFailedFileIsReparsedWithItsAttemptsAndErrorReset) {
  Fixture f;
  const std::string source = f.create_source(
      "Bank",
      {{"all_or_nothing", true}, {"date_format", "mm/dd/yyyy"}, {"default_currency", "EUR"}});
  auto first =
      f.server.upload_and_wait(source, std::string(kDayFirstCsv), f.alice.access_token, "feb.csv");
  ASSERT_EQ(first.json().at("status"), "failed") << first.body;
  const std::string file_id = id_of(first);
  EXPECT_FALSE(first.json().at("error").is_null());
  EXPECT_EQ(f.row_errors(file_id), 2);
  ASSERT_EQ(f.server
                .patch("/api/v1/data-sources/" + source,
                       json::object{{"column_mapping",
                                     {{"all_or_nothing", true},
                                      {"date_format", "dd/mm/yyyy"},
                                      {"default_currency", "EUR"}}}},
                       f.alice.access_token)
                .status,
            200u);
  ASSERT_EQ(f.reparse(file_id, "{}").status, 202u);
  auto again = f.server.wait_for_file(file_id, f.alice.access_token);
  EXPECT_EQ(again.json().at("status"), "parsed") << again.body;
  EXPECT_TRUE(again.json().at("error").is_null()) << again.body;
  EXPECT_EQ(integer(again.json().at("rows_ok")), 3);
  EXPECT_EQ(f.row_errors(file_id), 0);
}

TEST(FilesReparseTest, BodiesOtherThanNoneOrAnEmptyObjectAndUnknownFilesAreRefused) {
  Fixture f;
  const std::string source = f.create_source("Bank");
  auto file = f.server.upload_and_wait(source, "date,amount,currency\n2026-01-02,1.00,EUR\n",
                                       f.alice.access_token);
  const std::string file_id = id_of(file);
  ASSERT_FALSE(file_id.empty());

  expect_field_error(f.reparse(file_id, R"({"note":"why"})"), 422u, "note");
  auto not_json = f.reparse(file_id, "{not json");
  EXPECT_EQ(not_json.status, 400u) << not_json.body;
  EXPECT_TRUE(not_json.header("content-type").starts_with("application/problem+json"));
  EXPECT_EQ(f.reparse(file_id, "[]").status, 400u);
  auto wrong_type = f.server.request("POST", "/api/v1/files/" + file_id + "/reparse", "{}",
                                     f.alice.access_token, {}, "text/plain");
  EXPECT_EQ(wrong_type.status, 415u) << wrong_type.body;
  EXPECT_TRUE(f.audit("file.reparse").empty()) << "a refused request changed nothing";

  auto unknown = f.reparse("7d444840-9dc0-11d1-b245-5ffdce74fad2");
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  EXPECT_TRUE(unknown.header("content-type").starts_with("application/problem+json"));
  EXPECT_EQ(f.reparse("not-a-uuid").status, 400u);
  auto anonymous = f.server.request("POST", "/api/v1/files/" + file_id + "/reparse", "", "");
  EXPECT_EQ(anonymous.status, 401u);

  // Another user's file is not found, and stays as it was.
  const std::string before = f.server.get("/api/v1/files/" + file_id, f.alice.access_token).body;
  const std::set<std::string> records_before = f.record_ids(file_id);
  Session bob = f.server.register_user("bob@example.com");
  auto foreign =
      f.server.request("POST", "/api/v1/files/" + file_id + "/reparse", "", bob.access_token);
  EXPECT_EQ(foreign.status, 404u) << foreign.body;
  EXPECT_EQ(foreign.body.find(file_id), std::string::npos);
  EXPECT_EQ(f.server.get("/api/v1/files/" + file_id, f.alice.access_token).body, before);
  EXPECT_EQ(f.record_ids(file_id), records_before);
}

// A claimed file belongs to its worker: the re-parse is refused and the worker's fenced end still
// lands. Once the file is no longer claimed, it may be re-parsed.
TEST(FilesReparseTest, AFileBeingParsedIs409AndStaysItsWorkers) {
  Fixture f([](Config& c) { c.ingest_workers = 0; });
  const std::string source = f.create_source("Bank");
  auto up = f.server.request("POST", "/api/v1/data-sources/" + source + "/files?filename=a.csv",
                             "date,amount,currency\n2026-01-02,1.00,EUR\n", f.alice.access_token,
                             {}, "text/csv");
  ASSERT_EQ(up.status, 201u) << up.body;
  const std::string file_id = id_of(up);
  const std::string token = "a-worker-token";
  auto claimed =
      store::in_transaction(f.server.app().database(), true, [&](store::Connection& conn) {
        store::FileQueue queue;
        return queue.claim_next(conn, token, now_utc());
      });
  ASSERT_TRUE(claimed.ok()) << claimed.error().message();
  ASSERT_TRUE(claimed->has_value());
  ASSERT_EQ((*claimed)->id.to_string(), file_id);

  auto refused = f.reparse(file_id);
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_TRUE(refused.header("content-type").starts_with("application/problem+json"));
  EXPECT_NE(refused.json().at("detail").as_string().find("being parsed"), std::string::npos)
      << refused.body;
  auto file = f.server.get("/api/v1/files/" + file_id, f.alice.access_token);
  EXPECT_EQ(file.json().at("status"), "parsing") << file.body;
  EXPECT_TRUE(f.audit("file.reparse").empty());

  // The worker's end, fenced by its token, still finds the file it claimed.
  const Uuid id = *Uuid::parse(file_id);
  auto finished =
      store::in_transaction(f.server.app().database(), true, [&](store::Connection& conn) {
        return store::FileRepository::finish(conn, id, token, FileStatus::kFailed, 0, 0,
                                             std::string("stopped by the test"), std::nullopt,
                                             now_utc());
      });
  ASSERT_TRUE(finished.ok()) << finished.error().message();
  EXPECT_TRUE(*finished);
  auto queued = f.reparse(file_id);
  ASSERT_EQ(queued.status, 202u) << queued.body;
  EXPECT_EQ(queued.json().at("status"), "uploaded");
  EXPECT_TRUE(queued.json().at("error").is_null());
}

// A deleted data source has no mapping to parse with: its files stay as they are.
TEST(FilesReparseTest, AFileOfADeletedDataSourceIs409) {
  Fixture f;
  const std::string source = f.create_source("Bank");
  auto file = f.server.upload_and_wait(source, "date,amount,currency\n2026-01-02,1.00,EUR\n",
                                       f.alice.access_token);
  const std::string file_id = id_of(file);
  ASSERT_FALSE(file_id.empty());
  ASSERT_EQ(f.server.del("/api/v1/data-sources/" + source, f.alice.access_token).status, 204u);
  auto before = f.server.get("/api/v1/files/" + file_id, f.alice.access_token);
  ASSERT_EQ(before.status, 200u) << "a deleted data source's files stay readable: " << before.body;
  auto refused = f.reparse(file_id);
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_NE(refused.body.find("data source was deleted"), std::string::npos) << refused.body;
  EXPECT_EQ(f.server.get("/api/v1/files/" + file_id, f.alice.access_token).body, before.body);
}

// Records a confirmed match holds are reviewed work: the re-parse is refused, naming the match,
// and nothing changes. Once the match is undone, the file is re-parsed, and the job's results drop
// the records that went.
TEST(FilesReparseTest, AConfirmedMatchOnItsRecordsIs409UntilTheMatchIsUndone) {
  Fixture f;
  const std::string bank = f.create_source("Bank");
  const std::string ledger = f.create_source("Ledger");
  const std::string rows =
      "date,amount,currency,reference\n2026-01-01,12.34,EUR,A-1\n2026-01-02,56.78,EUR,A-2\n";
  const std::string bank_file =
      id_of(f.server.upload_and_wait(bank, rows, f.alice.access_token, "bank.csv"));
  const std::string ledger_file =
      id_of(f.server.upload_and_wait(ledger, rows, f.alice.access_token, "ledger.csv"));
  ASSERT_FALSE(bank_file.empty() || ledger_file.empty());
  auto job = f.server.post(
      "/api/v1/projects/" + f.project_id + "/jobs",
      json::object{
          {"name", "January"}, {"left_data_source_id", bank}, {"right_data_source_id", ledger}},
      f.alice.access_token);
  ASSERT_EQ(job.status, 201u) << job.body;
  const std::string job_id = id_of(job);
  ASSERT_EQ(f.server.wait_for_job(job_id, f.alice.access_token).json().at("status"), "completed");
  auto results =
      f.server.get("/api/v1/jobs/" + job_id + "/results?per_page=100", f.alice.access_token);
  std::string to_confirm;
  const json::value listed = results.json();
  for (const auto& r : listed.at("items").as_array()) {
    if (r.at("status") == "matched" || r.at("status") == "suggested")
      to_confirm = std::string(r.at("id").as_string());
  }
  ASSERT_FALSE(to_confirm.empty()) << results.body;
  auto confirmed = f.server.post("/api/v1/results/" + to_confirm + "/confirm", json::object{},
                                 f.alice.access_token);
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
  const std::string match_id(confirmed.json().at("match_id").as_string());

  const std::string file_before =
      f.server.get("/api/v1/files/" + bank_file, f.alice.access_token).body;
  const std::set<std::string> records_before = f.record_ids(bank_file);
  auto refused = f.reparse(bank_file);
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_TRUE(refused.header("content-type").starts_with("application/problem+json"));
  EXPECT_EQ(text(refused.json().at("match_id")), match_id) << refused.body;
  const std::string detail(refused.json().at("detail").as_string());
  EXPECT_NE(detail.find(match_id), std::string::npos) << detail;
  EXPECT_NE(detail.find("confirmed match"), std::string::npos) << detail;
  EXPECT_NE(detail.find("Undo"), std::string::npos) << detail;
  EXPECT_EQ(f.server.get("/api/v1/files/" + bank_file, f.alice.access_token).body, file_before);
  EXPECT_EQ(f.record_ids(bank_file), records_before);
  auto matched = f.server.get("/api/v1/projects/" + f.project_id + "/records?status=matched",
                              f.alice.access_token);
  EXPECT_EQ(integer(matched.json().at("total")), 2) << matched.body;
  EXPECT_TRUE(f.audit("file.reparse").empty());

  ASSERT_EQ(f.server.del("/api/v1/matches/" + match_id, f.alice.access_token).status, 204u);
  ASSERT_EQ(f.reparse(bank_file).status, 202u);
  auto again = f.server.wait_for_file(bank_file, f.alice.access_token);
  EXPECT_EQ(again.json().at("status"), "parsed") << again.body;
  const std::set<std::string> records_after = f.record_ids(bank_file);
  EXPECT_EQ(records_after.size(), 2u);
  auto after =
      f.server.get("/api/v1/jobs/" + job_id + "/results?per_page=100", f.alice.access_token);
  ASSERT_EQ(after.status, 200u) << after.body;
  const json::value after_page = after.json();
  for (const auto& r : after_page.at("items").as_array()) {
    for (const auto& left : r.at("left").as_array()) {
      EXPECT_FALSE(records_before.contains(std::string(left.at("id").as_string())))
          << "a record that went is still listed: " << after.body;
    }
  }
}

// The records of a bank statement file, without what differs between two parses (ids, times).
std::vector<std::string> record_contents(const json::array& records) {
  std::vector<std::string> out;
  for (const auto& r : records) {
    json::object o = r.as_object();
    o.erase("id");
    o.erase("created_at");
    out.push_back(json::serialize(o));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Re-parsed while it still waits (its upload's spool is played back), then again once parsed (no
// spool: its bytes are read): the same records each time, and its statements untouched.
TEST(FilesReparseTest, ABankStatementFileReparsesToTheSameRecordsAndKeepsItsStatements) {
  Fixture f([](Config& c) { c.ingest_workers = 0; });
  const std::string source = f.create_source("Bank");
  auto up = f.server.request("POST", "/api/v1/data-sources/" + source + "/files?filename=march.xml",
                             read_source_file("samples/bank.camt053.xml"), f.alice.access_token, {},
                             "application/octet-stream");
  ASSERT_EQ(up.status, 201u) << up.body;
  const std::string file_id = id_of(up);
  const std::string spool = f.server.config().var_dir + "/uploads/spool/" + file_id + ".txspool";
  ASSERT_TRUE(std::filesystem::exists(spool));
  const std::string statements =
      f.server.get("/api/v1/files/" + file_id + "/statements", f.alice.access_token).body;

  ASSERT_EQ(f.reparse(file_id).status, 202u) << "a file still waiting may be re-parsed too";
  EXPECT_TRUE(std::filesystem::exists(spool)) << "the upload's spool is kept for the parse";
  auto worker = TestServer::sharing(f.server, [](Config& c) { c.ingest_workers = 1; });
  ASSERT_TRUE(worker->started());
  auto first = worker->wait_for_file(file_id, f.alice.access_token);
  ASSERT_EQ(first.json().at("status"), "parsed") << first.body;
  EXPECT_EQ(integer(first.json().at("rows_ok")), 10);
  EXPECT_FALSE(std::filesystem::exists(spool));
  const json::array first_records = f.records(file_id);
  ASSERT_EQ(first_records.size(), 10u);

  auto queued = f.reparse(file_id);
  ASSERT_EQ(queued.status, 202u) << queued.body;
  auto second = worker->wait_for_file(file_id, f.alice.access_token);
  ASSERT_EQ(second.json().at("status"), "parsed") << second.body;
  EXPECT_EQ(integer(second.json().at("rows_ok")), 10);
  EXPECT_EQ(second.json().at("layout"), first.json().at("layout"));
  const json::array second_records = f.records(file_id);
  EXPECT_EQ(record_contents(second_records), record_contents(first_records));
  std::set<std::string> first_ids;
  for (const auto& r : first_records) first_ids.insert(std::string(r.at("id").as_string()));
  for (const auto& r : second_records)
    EXPECT_FALSE(first_ids.contains(std::string(r.at("id").as_string())));
  EXPECT_EQ(f.server.get("/api/v1/files/" + file_id + "/statements", f.alice.access_token).body,
            statements);
}

TEST(FilesPreviewTest, AMappingIsTriedOnTheFileWithoutBeingSaved) {
  Fixture f;
  const std::string source =
      f.create_source("Bank", {{"date_format", "mm/dd/yyyy"}, {"default_currency", "EUR"}});
  auto up =
      f.server.upload_and_wait(source, std::string(kDayFirstCsv), f.alice.access_token, "feb.csv");
  const std::string file_id = id_of(up);
  ASSERT_FALSE(file_id.empty());
  const std::string source_before =
      f.server.get("/api/v1/data-sources/" + source, f.alice.access_token).body;
  const std::string url = "/api/v1/files/" + file_id + "/preview";

  auto tried = f.server.post(
      url,
      json::object{{"column_mapping", {{"date_format", "dd/mm/yyyy"}, {"default_currency", "EUR"}}},
                   {"rows", 2}},
      f.alice.access_token);
  ASSERT_EQ(tried.status, 200u) << tried.body;
  const json::value preview = tried.json();
  EXPECT_EQ(preview.at("layout").at("date_order"), "dmy");
  const json::array& rows = preview.at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("record").at("transaction_date"), "2026-02-03");
  for (const auto& row : rows) EXPECT_TRUE(row.at("errors").as_array().empty()) << tried.body;

  // Nothing was saved: the data source and the file's own preview are as they were.
  EXPECT_EQ(f.server.get("/api/v1/data-sources/" + source, f.alice.access_token).body,
            source_before);
  auto saved = f.server.get(url, f.alice.access_token);
  ASSERT_EQ(saved.status, 200u) << saved.body;
  EXPECT_EQ(saved.json().at("layout").at("date_order"), "mdy");
  EXPECT_TRUE(f.audit("data_source.update").empty());

  // Validated as a data source's mapping, every bad field at once.
  auto bad = f.server.post(
      url,
      json::object{{"column_mapping", {{"date_format", "yyyy/dd"}, {"columns", {{"amount", 5}}}}},
                   {"rows", 0}},
      f.alice.access_token);
  expect_field_error(bad, 422u, "column_mapping.date_format");
  const std::vector<std::string> fields = error_fields(bad);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "column_mapping.columns.amount"), fields.end())
      << bad.body;
  EXPECT_NE(std::find(fields.begin(), fields.end(), "rows"), fields.end()) << bad.body;
  expect_field_error(f.server.post(url, json::object{{"rows", 5}}, f.alice.access_token), 422u,
                     "column_mapping");
  expect_field_error(
      f.server.post(url, json::object{{"column_mapping", nullptr}}, f.alice.access_token), 422u,
      "column_mapping");
  expect_field_error(
      f.server.post(url, json::object{{"column_mapping", json::object{}}, {"rows", 2.5}},
                    f.alice.access_token),
      422u, "rows");
  expect_field_error(
      f.server.post(url, json::object{{"column_mapping", json::object{}}, {"mapping", "x"}},
                    f.alice.access_token),
      422u, "mapping");
  auto missing_column =
      f.server.post(url, json::object{{"column_mapping", {{"columns", {{"amount", "Betrag"}}}}}},
                    f.alice.access_token);
  EXPECT_EQ(missing_column.status, 422u) << missing_column.body;
  EXPECT_NE(missing_column.body.find("Betrag"), std::string::npos) << missing_column.body;
  auto blank = f.server.request("POST", url, " ", f.alice.access_token);
  EXPECT_EQ(blank.status, 400u) << blank.body;

  // Another user's file, or none, is not found.
  Session bob = f.server.register_user("bob@example.com");
  auto foreign =
      f.server.post(url, json::object{{"column_mapping", json::object{}}}, bob.access_token);
  EXPECT_EQ(foreign.status, 404u) << foreign.body;
  EXPECT_EQ(foreign.body.find(file_id), std::string::npos);
  EXPECT_EQ(f.server
                .post("/api/v1/files/7d444840-9dc0-11d1-b245-5ffdce74fad2/preview",
                      json::object{{"column_mapping", json::object{}}}, f.alice.access_token)
                .status,
            404u);
}

}  // namespace
}  // namespace oeuvre::testing
