// Reconciliation jobs over real HTTP on both backends (docs/jobs.md): a bank statement and a ledger
// are uploaded and parsed, a job reconciles them in the background (its progress streamed as
// server-sent events), and its results are listed, filtered, paged by cursor, summarised, reviewed
// (confirm, reject, manual matches, unmatch, bulk review all-or-nothing, optimistic concurrency),
// exported, cancelled, rerun over the records still open, and deleted; bad requests answer field by
// field, and another user's jobs answer 404.
//
// The data (kBankCsv, kLedgerCsv) and what the default rules make of it:
//   B01..B06 = L01..L06   exact 1:1 matches (same amount, reference; dates at most a day apart)
//   B07      = L07+L08+L09  a 1:N split payment (600.00 = 100 + 200 + 300)
//   B08     ~ L10         a near match (1980.00 vs 1995.00, four days apart): suggested (~0.65)
//   B09, B10, B11         unmatched left; L11, L12, L13 unmatched right
//   B11 and L13 have the same amount (77.00) but are months apart: a manual match for a reviewer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <future>
#include <latch>
#include <set>
#include <thread>

#include "csv/csv_reader.h"
#include "support/json_path.h"
#include "support/server_process.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

constexpr const char* kBankCsv =
    "id,date,amount,currency,reference,description,counterparty\n"
    "B01,2026-03-02,1250.00,EUR,INV-1001,SEPA CREDIT ACME CORP INVOICE 1001,ACME CORP\n"
    "B02,2026-03-03,310.00,EUR,INV-1002,GIRO CREDIT GLOBEX INVOICE 1002,GLOBEX\n"
    "B03,2026-03-04,-89.90,EUR,PO-552,CARD PAYMENT OFFICE DEPOT,OFFICE DEPOT\n"
    "B04,2026-03-05,2400.00,EUR,INV-1003,SEPA CREDIT INITECH INVOICE 1003,INITECH\n"
    "B05,2026-03-06,-450.00,EUR,RENT-03,STANDING ORDER RENT MARCH,LANDLORD LTD\n"
    "B06,2026-03-09,75.25,EUR,INV-1004,SEPA CREDIT UMBRELLA INVOICE 1004,UMBRELLA\n"
    "B07,2026-03-10,600.00,EUR,,GIRO CREDIT NORTHWIND TRADING 3 INVOICES,NORTHWIND TRADING\n"
    "B08,2026-03-12,1980.00,EUR,,TRANSFER HOOLI CONSULTING,HOOLI\n"
    "B09,2026-03-13,-15.00,EUR,,ACCOUNT MAINTENANCE FEE,BANK\n"
    "B10,2026-03-16,42.00,EUR,,INTEREST CREDIT,BANK\n"
    "B11,2026-01-05,77.00,EUR,,CHEQUE DEPOSIT 000123,WAYNE ENTERPRISES\n";

constexpr const char* kLedgerCsv =
    "id,date,amount,currency,reference,description,counterparty\n"
    "L01,2026-03-02,1250.00,EUR,INV-1001,Invoice 1001 Acme Corp,Acme Corp\n"
    "L02,2026-03-02,310.00,EUR,INV-1002,Invoice 1002 Globex,Globex Inc\n"
    "L03,2026-03-04,-89.90,EUR,PO-552,Office supplies,Office Depot\n"
    "L04,2026-03-04,2400.00,EUR,INV-1003,Invoice 1003 Initech,Initech\n"
    "L05,2026-03-06,-450.00,EUR,RENT-03,Rent March,Landlord Ltd\n"
    "L06,2026-03-09,75.25,EUR,INV-1004,Invoice 1004 Umbrella,Umbrella Corp\n"
    "L07,2026-03-07,100.00,EUR,INV-1101,Invoice 1101 Northwind Trading,Northwind Trading Ltd\n"
    "L08,2026-03-08,200.00,EUR,INV-1102,Invoice 1102 Northwind Trading,Northwind Trading Ltd\n"
    "L09,2026-03-09,300.00,EUR,INV-1103,Invoice 1103 Northwind Trading,Northwind Trading Ltd\n"
    "L10,2026-03-08,1995.00,EUR,INV-1200,Retainer February,Hooli Inc\n"
    "L11,2026-03-20,-230.00,EUR,,Accrued insurance,Insurer AG\n"
    "L12,2026-03-15,120.00,EUR,,Petty cash,Cash\n"
    "L13,2026-03-25,77.00,EUR,,Cheque Wayne,Wayne Enterprises\n";

constexpr std::int64_t kLeftRecords = 11;
constexpr std::int64_t kRightRecords = 13;

// What the default rules make of the data: group key (left ids | right ids) -> (status, kind).
const std::map<std::string, std::pair<std::string, std::string>> kExpectedGroups = {
    {"B01|L01", {"matched", "one_to_one"}},          {"B02|L02", {"matched", "one_to_one"}},
    {"B03|L03", {"matched", "one_to_one"}},          {"B04|L04", {"matched", "one_to_one"}},
    {"B05|L05", {"matched", "one_to_one"}},          {"B06|L06", {"matched", "one_to_one"}},
    {"B07|L07;L08;L09", {"matched", "one_to_many"}}, {"B08|L10", {"suggested", "one_to_one"}},
    {"B09|", {"unmatched", "unmatched_left"}},       {"B10|", {"unmatched", "unmatched_left"}},
    {"B11|", {"unmatched", "unmatched_left"}},       {"|L11", {"unmatched", "unmatched_right"}},
    {"|L12", {"unmatched", "unmatched_right"}},      {"|L13", {"unmatched", "unmatched_right"}},
};

constexpr const char* kUnknownId = "3f1c9a62-8d5e-4b7a-9c3d-2e1f0a9b8c7d";

std::string id_of(const HttpResult& res) { return json_string(res.json(), "id"); }

json::object object_of(const HttpResult& res) {
  const json::value body = res.json();
  return body.is_object() ? body.as_object() : json::object();
}

// The external ids of a result's records on one side, sorted and joined by ';'.
std::string side_key(const json::value& result, std::string_view side) {
  std::vector<std::string> ids;
  for (const auto& record : json_array(result, side))
    ids.push_back(json_string(record, "external_id"));
  std::sort(ids.begin(), ids.end());
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ";") + id;
  return out;
}

// "B07|L07;L08;L09": which records a result holds.
std::string group_key(const json::value& result) {
  return side_key(result, "left") + "|" + side_key(result, "right");
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// One server-sent event.
struct ServerEvent {
  std::string name;  // "message" when the event has no `event:` line
  std::string data;  // `data:` lines joined by '\n'
};

// The events of a text/event-stream body (comments, such as keep-alives, are skipped).
std::vector<ServerEvent> parse_event_stream(std::string body) {
  body.erase(std::remove(body.begin(), body.end(), '\r'), body.end());
  std::vector<ServerEvent> events;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t end = body.find("\n\n", at);
    if (end == std::string::npos) end = body.size();
    const std::string block = body.substr(at, end - at);
    at = end + 2;
    ServerEvent event{"message", ""};
    bool any = false;
    std::size_t line_at = 0;
    while (line_at <= block.size()) {
      std::size_t line_end = block.find('\n', line_at);
      if (line_end == std::string::npos) line_end = block.size();
      const std::string line = block.substr(line_at, line_end - line_at);
      line_at = line_end + 1;
      if (line.empty() || line.front() == ':') continue;
      const auto colon = line.find(':');
      const std::string name = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "event") {
        event.name = value;
        any = true;
      } else if (name == "data") {
        event.data += (event.data.empty() ? "" : "\n") + value;
        any = true;
      }
    }
    if (any) events.push_back(std::move(event));
  }
  return events;
}

// A user with a project, a bank and a ledger data source, and both files parsed.
struct JobFixture {
  TestServer server;
  Session alice;
  std::string project_id;
  std::string bank_id;
  std::string ledger_id;
  std::map<std::string, std::string> record_ids;  // external id (B01, L13, ...) -> record id

  explicit JobFixture(const std::function<void(Config&)>& tweak = {}) : server(tweak) {
    alice = server.register_user("alice@example.com");
    project_id = create_project(alice, "March close");
    bank_id = create_source(alice, project_id, "Bank", "bank");
    ledger_id = create_source(alice, project_id, "Ledger", "ledger");
    for (const auto& [source, content, rows] : {std::tuple{bank_id, kBankCsv, kLeftRecords},
                                                std::tuple{ledger_id, kLedgerCsv, kRightRecords}}) {
      const json::value file = server.upload_and_wait(source, content, alice.access_token).json();
      EXPECT_EQ(json_string(file, "status"), "parsed") << file;
      EXPECT_EQ(json_int(file, "rows_ok"), rows) << file;
    }
    const json::value all = records("?per_page=100");
    for (const auto& r : json_array(all, "items"))
      record_ids[json_string(r, "external_id")] = json_string(r, "id");
    EXPECT_EQ(record_ids.size(), static_cast<std::size_t>(kLeftRecords + kRightRecords));
  }

  std::string create_project(const Session& who, const std::string& name) {
    auto res = server.post("/api/v1/projects", json::object{{"name", name}}, who.access_token);
    EXPECT_EQ(res.status, 201u) << res.body;
    return id_of(res);
  }
  std::string create_source(const Session& who, const std::string& project, const std::string& name,
                            const std::string& kind) {
    auto res = server.post("/api/v1/projects/" + project + "/data-sources",
                           json::object{{"name", name}, {"kind", kind}}, who.access_token);
    EXPECT_EQ(res.status, 201u) << res.body;
    return id_of(res);
  }

  // Uploads `rows` (CSV lines under the fixture files' header) to `source` and waits for the
  // parse; the file's status.
  std::string upload_rows(const std::string& source, const std::string& rows) {
    return json_string(
        server
            .upload_and_wait(source,
                             "id,date,amount,currency,reference,description,counterparty\n" + rows,
                             alice.access_token)
            .json(),
        "status");
  }

  std::string jobs_url() const { return "/api/v1/projects/" + project_id + "/jobs"; }

  // POST /projects/{id}/jobs; name and data sources default to "March close", bank and ledger.
  HttpResult post_job(json::object body = {}) {
    if (!body.contains("name")) body["name"] = "March close";
    if (!body.contains("left_data_source_id")) body["left_data_source_id"] = bank_id;
    if (!body.contains("right_data_source_id")) body["right_data_source_id"] = ledger_id;
    return server.post(jobs_url(), body, alice.access_token);
  }

  // Creates a job and waits for it to end; the job as last read (expected completed).
  json::object run_job(json::object body = {}) {
    auto created = post_job(std::move(body));
    EXPECT_EQ(created.status, 201u) << created.body;
    if (created.status != 201u) return {};
    auto done = server.wait_for_job(id_of(created), alice.access_token);
    EXPECT_EQ(json_string(done.json(), "status"), "completed") << done.body;
    return object_of(done);
  }

  HttpResult get(const std::string& path) {
    return server.get("/api/v1" + path, alice.access_token);
  }
  HttpResult post(const std::string& path, const json::value& body = json::object{},
                  const std::map<std::string, std::string>& headers = {}) {
    return server.request("POST", "/api/v1" + path, json::serialize(body), alice.access_token,
                          headers);
  }
  HttpResult del(const std::string& path) {
    return server.del("/api/v1" + path, alice.access_token);
  }

  json::value records(const std::string& query = "") {
    auto res =
        server.get("/api/v1/projects/" + project_id + "/records" + query, alice.access_token);
    EXPECT_EQ(res.status, 200u) << res.body;
    return res.json();
  }
  // The external ids of the project's records with `status` (open, matched).
  std::set<std::string> records_with_status(const std::string& status) {
    std::set<std::string> out;
    for (const auto& r : json_array(records("?per_page=100&status=" + status), "items")) {
      out.insert(json_string(r, "external_id"));
    }
    return out;
  }

  // Every result of a job matching `query` ("status=matched&per_page=2"), following next_cursor;
  // each page is checked to hold at most per_page items.
  std::vector<json::object> results(const std::string& job_id,
                                    const std::string& query = "per_page=100") {
    std::vector<json::object> out;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      auto res = get("/jobs/" + job_id + "/results?" + query +
                     (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
      EXPECT_EQ(res.status, 200u) << query << ": " << res.body;
      const json::value page = res.json();
      if (res.status != 200u || !page.is_object()) break;
      const auto items = json_array(page, "items");
      EXPECT_LE(static_cast<std::int64_t>(items.size()), json_int(page, "per_page")) << res.body;
      for (const auto& item : items) out.push_back(item.as_object());
      const json::value next = json_at(page, "next_cursor");
      if (!next.is_string()) {
        EXPECT_TRUE(next.is_null()) << "next_cursor must be a string or null: " << res.body;
        return out;
      }
      EXPECT_FALSE(items.empty()) << "a page with a next_cursor must not be empty: " << res.body;
      cursor = std::string(next.as_string());
    }
    ADD_FAILURE() << "more than 100 pages of results for " << query;
    return out;
  }

  // The job's results by group key; every result must hold a distinct group.
  std::map<std::string, json::object> results_by_group(const std::string& job_id,
                                                       const std::string& query = "per_page=100") {
    std::map<std::string, json::object> out;
    for (auto& r : results(job_id, query)) {
      const std::string key = group_key(r);
      EXPECT_FALSE(out.contains(key)) << "two results hold " << key;
      out[key] = std::move(r);
    }
    return out;
  }

  std::set<std::string> group_keys(const std::string& job_id, const std::string& query) {
    std::set<std::string> out;
    for (const auto& r : results(job_id, query)) out.insert(group_key(r));
    return out;
  }

  // The project's audit actions, oldest first.
  std::vector<std::string> audit_actions() {
    auto res =
        server.get("/api/v1/projects/" + project_id + "/audit?per_page=100", alice.access_token);
    EXPECT_EQ(res.status, 200u) << res.body;
    std::vector<std::string> out;
    for (const auto& e : json_array(res.json(), "items")) out.push_back(json_string(e, "action"));
    return out;
  }
};

std::set<std::string> keys_with(const std::string& status) {
  std::set<std::string> out;
  for (const auto& [key, expected] : kExpectedGroups) {
    if (expected.first == status) out.insert(key);
  }
  return out;
}

std::set<std::string> keys_of_kind(const std::string& kind) {
  std::set<std::string> out;
  for (const auto& [key, expected] : kExpectedGroups) {
    if (expected.second == kind) out.insert(key);
  }
  return out;
}

bool contains_action(const std::vector<std::string>& actions, const std::string& action) {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

// -----------------------------------------------------------------------------------------------

// Whether JSON text writes a number in exponent form (8E-1, 1E0, 1E2) where people write 0.8, 1,
// 100.
bool has_exponent_number(std::string_view text) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if ((c == 'e' || c == 'E') && i > 0 &&
               std::isdigit(static_cast<unsigned char>(text[i - 1]))) {
      return true;
    }
  }
  return false;
}

TEST(JobsTest, AJobReconcilesBothSourcesAndStreamsItsProgressToTheEnd) {
  JobFixture f;
  ASSERT_TRUE(f.server.started());
  auto created = f.post_job(
      {{"name", "March close"}, {"confidence_threshold", 0.85}, {"review_threshold", 0.5}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = id_of(created);
  const json::value job = created.json();
  // Read the progress as it happens, from the start.
  auto events = std::async(std::launch::async, [&] { return f.get("/jobs/" + id + "/events"); });

  EXPECT_EQ(created.header("location"), "/api/v1/jobs/" + id);
  EXPECT_EQ(json_string(job, "project_id"), f.project_id);
  EXPECT_EQ(json_string(job, "name"), "March close");
  EXPECT_EQ(json_string(job, "left_data_source_id"), f.bank_id);
  EXPECT_EQ(json_string(job, "right_data_source_id"), f.ledger_id);
  EXPECT_DOUBLE_EQ(json_number(job, "confidence_threshold"), 0.85);
  EXPECT_DOUBLE_EQ(json_number(job, "review_threshold"), 0.5);
  // Numbers as people write them, never 8.5E-1.
  EXPECT_NE(created.body.find(R"("confidence_threshold":0.85,)"), std::string::npos)
      << created.body;
  EXPECT_NE(created.body.find(R"("review_threshold":0.5,)"), std::string::npos) << created.body;
  EXPECT_FALSE(has_exponent_number(created.body)) << created.body;
  EXPECT_EQ(json_at(job, "auto_confirm"), json::value(false));
  EXPECT_TRUE(json_at(job, "rules").is_object()) << job;
  EXPECT_FALSE(json_array(job, "rules.fields").empty()) << "the default rules: " << job;
  EXPECT_EQ(json_string(job, "status"), "queued") << job;
  EXPECT_EQ(json_at(job, "cancel_requested"), json::value(false));
  EXPECT_TRUE(json_at(job, "rerun_of").is_null());
  EXPECT_EQ(json_string(job, "created_by"), f.alice.user_id);

  const json::value done = f.server.wait_for_job(id, f.alice.access_token).json();
  EXPECT_EQ(json_string(done, "status"), "completed") << done;
  EXPECT_EQ(json_string(done, "phase"), "done");
  EXPECT_DOUBLE_EQ(json_number(done, "progress"), 1.0);
  EXPECT_EQ(json_int(done, "percent"), 100);
  EXPECT_TRUE(json_at(done, "eta_seconds").is_null()) << done;
  EXPECT_EQ(json_int(done, "records_total"), kLeftRecords + kRightRecords);
  EXPECT_EQ(json_int(done, "records_processed"), kLeftRecords + kRightRecords);
  EXPECT_EQ(json_int(done, "counters.left_records"), kLeftRecords) << done;
  EXPECT_EQ(json_int(done, "counters.right_records"), kRightRecords);
  EXPECT_EQ(json_int(done, "counters.matched"), 7);
  EXPECT_EQ(json_int(done, "counters.suggested"), 1);
  EXPECT_EQ(json_int(done, "counters.unmatched_left"), 3);
  EXPECT_EQ(json_int(done, "counters.unmatched_right"), 3);
  EXPECT_EQ(json_int(done, "counters.one_to_one"), 7);  // six matched and the suggested pair
  EXPECT_EQ(json_int(done, "counters.one_to_many"), 1);
  EXPECT_EQ(json_int(done, "counters.many_to_one"), 0);
  EXPECT_TRUE(json_at(done, "error").is_null());
  EXPECT_EQ(json_int(done, "attempts"), 1);
  EXPECT_EQ(json_string(done, "worker"), node_name(::getpid()))
      << "host:pid of the node that ran it";
  EXPECT_TRUE(json_at(done, "started_at").is_string());
  EXPECT_TRUE(json_at(done, "finished_at").is_string());
  EXPECT_TRUE(json_at(done, "created_at").is_string());
  EXPECT_TRUE(json_at(done, "updated_at").is_string());

  // The stream: progress events with the job, then `end` with the ended job, then the stream
  // closes.
  const HttpResult stream = events.get();
  ASSERT_EQ(stream.status, 200u) << stream.body;
  EXPECT_TRUE(stream.header("content-type").starts_with("text/event-stream"))
      << stream.header("content-type");
  std::vector<ServerEvent> seen = parse_event_stream(stream.body);
  ASSERT_FALSE(seen.empty()) << stream.body;
  EXPECT_EQ(seen.back().name, "end") << stream.body;
  for (std::size_t i = 0; i + 1 < seen.size(); ++i) {
    EXPECT_EQ(seen[i].name, "progress") << "event " << i << " of " << stream.body;
  }
  for (const auto& event : seen) {
    boost::system::error_code ec;
    const json::value data = json::parse(event.data, ec);
    ASSERT_FALSE(ec) << "the data of each event is the job as JSON: " << event.data;
    EXPECT_EQ(json_string(data, "id"), id);
    EXPECT_FALSE(has_exponent_number(event.data)) << event.data;
  }
  EXPECT_EQ(json_string(json::parse(seen.back().data), "status"), "completed");
  EXPECT_NE(seen.back().data.find(R"("progress":1,)"), std::string::npos) << seen.back().data;
  EXPECT_NE(seen.back().data.find(R"("confidence_threshold":0.85,)"), std::string::npos)
      << seen.back().data;

  // Asked after the end, the stream ends at once.
  const HttpResult again = f.get("/jobs/" + id + "/events");
  ASSERT_EQ(again.status, 200u) << again.body;
  seen = parse_event_stream(again.body);
  ASSERT_FALSE(seen.empty()) << again.body;
  EXPECT_EQ(seen.back().name, "end");
}

TEST(JobsTest, JobsAreListedNewestFirstAndFilteredByStatus) {
  JobFixture f;
  const std::string first = json_string(f.run_job({{"name", "first"}}), "id");
  const std::string second = json_string(f.run_job({{"name", "second"}}), "id");
  auto list = f.server.get(f.jobs_url(), f.alice.access_token);
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_EQ(json_int(list.json(), "total"), 2);
  EXPECT_EQ(json_int(list.json(), "page"), 1);
  EXPECT_EQ(json_string(list.json(), "items.0.id"), second);
  EXPECT_EQ(json_string(list.json(), "items.1.id"), first);
  auto paged = f.server.get(f.jobs_url() + "?per_page=1&page=2", f.alice.access_token);
  EXPECT_EQ(json_array(paged.json(), "items").size(), 1u) << paged.body;
  EXPECT_EQ(json_string(paged.json(), "items.0.id"), first);
  EXPECT_EQ(json_int(f.server.get(f.jobs_url() + "?status=completed", f.alice.access_token).json(),
                     "total"),
            2);
  EXPECT_EQ(
      json_int(f.server.get(f.jobs_url() + "?status=queued", f.alice.access_token).json(), "total"),
      0);
  expect_field_error(f.server.get(f.jobs_url() + "?status=lost", f.alice.access_token), 400,
                     "status");
  expect_field_error(f.server.get(f.jobs_url() + "?per_page=0", f.alice.access_token), 400,
                     "per_page");
  EXPECT_EQ(
      f.server.get("/api/v1/projects/" + std::string(kUnknownId) + "/jobs", f.alice.access_token)
          .status,
      404u);
  expect_field_error(f.server.get("/api/v1/jobs/not-a-uuid", f.alice.access_token), 400, "id");
  EXPECT_EQ(f.get("/jobs/" + std::string(kUnknownId)).status, 404u);
}

TEST(JobsTest, ResultsHoldTheGroupsWithTheirRecordsAndExplanations) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  auto page = f.get("/jobs/" + job + "/results?per_page=100");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_FALSE(has_exponent_number(page.body)) << page.body;
  EXPECT_EQ(json_int(page.json(), "per_page"), 100);
  EXPECT_TRUE(json_at(page.json(), "next_cursor").is_null()) << page.body;
  const auto groups = f.results_by_group(job);
  std::set<std::string> keys;
  for (const auto& [key, r] : groups) keys.insert(key);
  std::set<std::string> expected_keys;
  for (const auto& [key, e] : kExpectedGroups) expected_keys.insert(key);
  ASSERT_EQ(keys, expected_keys);

  for (const auto& [key, r] : groups) {
    SCOPED_TRACE(key);
    EXPECT_EQ(json_string(r, "job_id"), job);
    EXPECT_EQ(json_string(r, "status"), kExpectedGroups.at(key).first) << json::value(r);
    EXPECT_EQ(json_string(r, "kind"), kExpectedGroups.at(key).second);
    EXPECT_EQ(json_int(r, "version"), 1);
    EXPECT_EQ(json_string(r, "currency"), "EUR");
    EXPECT_TRUE(json_at(r, "match_id").is_null());
    EXPECT_TRUE(json_at(r, "reviewed_by").is_null());
    EXPECT_GE(json_int(r, "match_group"), 1);
    std::int64_t left_sum = 0, right_sum = 0;
    for (const auto& rec : json_array(r, "left")) {
      left_sum += json_int(rec, "amount_minor");
      EXPECT_EQ(json_string(rec, "data_source_id"), f.bank_id);
      EXPECT_EQ(json_string(rec, "status"), "open");
    }
    for (const auto& rec : json_array(r, "right")) {
      right_sum += json_int(rec, "amount_minor");
      EXPECT_EQ(json_string(rec, "data_source_id"), f.ledger_id);
    }
    EXPECT_EQ(json_int(r, "left_amount_minor"), left_sum);
    EXPECT_EQ(json_int(r, "right_amount_minor"), right_sum);
    const double confidence = json_number(r, "confidence");
    if (json_string(r, "status") == "unmatched") {
      EXPECT_DOUBLE_EQ(confidence, 0.0);
      continue;
    }
    // Each rule's contribution adds up to the confidence.
    const auto explanation = json_array(r, "explanation");
    ASSERT_FALSE(explanation.empty()) << json::value(r);
    double sum = 0;
    for (const auto& e : explanation) {
      EXPECT_FALSE(json_string(e, "rule").empty());
      EXPECT_TRUE(json_at(e, "present").is_bool()) << e;
      EXPECT_FALSE(std::isnan(json_number(e, "similarity"))) << e;
      EXPECT_FALSE(std::isnan(json_number(e, "weight"))) << e;
      sum += json_number(e, "contribution");
    }
    EXPECT_NEAR(sum, confidence, 1e-3) << json::value(r);
  }
  EXPECT_GE(json_number(groups.at("B01|L01"), "confidence"), 0.8);
  const double near = json_number(groups.at("B08|L10"), "confidence");
  EXPECT_GE(near, 0.55);
  EXPECT_LT(near, 0.8);
  const json::object& split = groups.at("B07|L07;L08;L09");
  EXPECT_EQ(json_int(split, "left_amount_minor"), 60000);
  EXPECT_EQ(json_int(split, "right_amount_minor"), 60000);
  bool amount_explained = false;
  for (const auto& e : json_array(split, "explanation")) {
    if (json_string(e, "rule") != "amount") continue;
    amount_explained = true;
    EXPECT_EQ(json_string(e, "left_value"), "600.00") << e;
    EXPECT_EQ(json_string(e, "right_value"), "600.00") << e;
    EXPECT_DOUBLE_EQ(json_number(e, "similarity"), 1.0);
  }
  EXPECT_TRUE(amount_explained) << json::value(split);
  const json::object& lone = groups.at("B09|");
  EXPECT_EQ(json_int(lone, "left_amount_minor"), -1500);
  EXPECT_EQ(json_int(lone, "right_amount_minor"), 0);
  EXPECT_TRUE(json_array(lone, "right").empty());

  // One result, with its version as ETag.
  const std::string one = json_string(split, "id");
  auto read = f.get("/results/" + one);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(read.header("etag"), "\"1\"");
  EXPECT_EQ(group_key(read.json()), "B07|L07;L08;L09");
  EXPECT_EQ(read.json(), json::value(split));
  EXPECT_EQ(f.get("/results/" + std::string(kUnknownId)).status, 404u);
  expect_field_error(f.get("/results/not-a-uuid"), 400, "id");
}

TEST(JobsTest, ResultsAreFilteredByStatusAndConfidence) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  EXPECT_EQ(f.group_keys(job, "status=matched"), keys_with("matched"));
  EXPECT_EQ(f.group_keys(job, "status=suggested"), keys_with("suggested"));
  EXPECT_EQ(f.group_keys(job, "status=unmatched"), keys_with("unmatched"));
  EXPECT_EQ(f.group_keys(job, "status=unmatched_left"), keys_of_kind("unmatched_left"));
  EXPECT_EQ(f.group_keys(job, "status=unmatched_right"), keys_of_kind("unmatched_right"));
  EXPECT_TRUE(f.group_keys(job, "status=confirmed").empty());
  EXPECT_TRUE(f.group_keys(job, "status=rejected").empty());

  // Confidence ranges are inclusive and combine with the status.
  const auto all = f.results(job);
  auto keys_in = [&](double low, double high, const std::string& status) {
    std::set<std::string> out;
    for (const auto& r : all) {
      const double c = json_number(r, "confidence");
      if (c >= low && c <= high && (status.empty() || json_string(r, "status") == status))
        out.insert(group_key(r));
    }
    return out;
  };
  EXPECT_EQ(f.group_keys(job, "min_confidence=0.95"), keys_in(0.95, 1, ""));
  EXPECT_EQ(f.group_keys(job, "min_confidence=0.5&max_confidence=0.95"), keys_in(0.5, 0.95, ""));
  EXPECT_EQ(f.group_keys(job, "max_confidence=0"), keys_with("unmatched"));
  EXPECT_EQ(f.group_keys(job, "status=matched&min_confidence=0.95"), keys_in(0.95, 1, "matched"));
  EXPECT_TRUE(f.group_keys(job, "status=suggested&min_confidence=0.9").empty());
  for (const auto& r : f.results(job, "min_confidence=0.5&max_confidence=0.95")) {
    EXPECT_GE(json_number(r, "confidence"), 0.5);
    EXPECT_LE(json_number(r, "confidence"), 0.95);
  }

  const std::string url = "/jobs/" + job + "/results";
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"?status=lost", "status"},
           {"?min_confidence=1.5", "min_confidence"},
           {"?min_confidence=high", "min_confidence"},
           {"?max_confidence=-0.1", "max_confidence"},
           {"?per_page=0", "per_page"},
           {"?per_page=101", "per_page"},
           {"?cursor=not-a-cursor", "cursor"},
           {"?cursor=" + url_encode("{\"confidence\":1}"), "cursor"}}) {
    SCOPED_TRACE(query);
    expect_field_error(f.get(url + query), 400, field);
  }
  EXPECT_EQ(f.get("/jobs/" + std::string(kUnknownId) + "/results").status, 404u);
}

TEST(JobsTest, CursorPagesYieldEveryResultOnceByConfidenceEvenWhileReviewersChangeThem) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  const auto one_page = f.results(job, "per_page=100");
  ASSERT_EQ(one_page.size(), kExpectedGroups.size());

  // Pages of two: each result exactly once, in the order of the single page, ordered by confidence
  // (highest first), then id.
  std::vector<std::string> paged_ids;
  std::string cursor;
  int pages = 0;
  for (; pages < 20; ++pages) {
    auto res = f.get("/jobs/" + job + "/results?per_page=2" +
                     (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    ASSERT_EQ(res.status, 200u) << res.body;
    const json::value page = res.json();
    EXPECT_EQ(json_int(page, "per_page"), 2);
    const auto items = json_array(page, "items");
    EXPECT_LE(items.size(), 2u);
    for (const auto& item : items) paged_ids.push_back(json_string(item, "id"));
    if (json_at(page, "next_cursor").is_null()) break;
    cursor = json_string(page, "next_cursor");
  }
  EXPECT_EQ(pages + 1, 7)
      << "14 results in pages of 2 are 7 pages; the last one has no next_cursor";
  std::vector<std::string> single_ids;
  for (const auto& r : one_page) single_ids.push_back(json_string(r, "id"));
  EXPECT_EQ(paged_ids, single_ids);
  EXPECT_EQ(std::set<std::string>(paged_ids.begin(), paged_ids.end()).size(), one_page.size());
  for (std::size_t i = 1; i < one_page.size(); ++i) {
    const double before = json_number(one_page[i - 1], "confidence");
    const double after = json_number(one_page[i], "confidence");
    EXPECT_GE(before, after) << "results " << i - 1 << " and " << i << " are out of order";
    if (before == after) {
      EXPECT_LT(json_string(one_page[i - 1], "id"), json_string(one_page[i], "id"))
          << "equal confidence: by id";
    }
  }

  // The cursor is a position: confirming what was just read (it leaves the `matched` filter) does
  // not make the next page skip anything.
  std::set<std::string> walked;
  cursor.clear();
  for (int i = 0; i < 20; ++i) {
    auto res = f.get("/jobs/" + job + "/results?status=matched&per_page=2" +
                     (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    ASSERT_EQ(res.status, 200u) << res.body;
    const json::value page = res.json();
    for (const auto& item : json_array(page, "items")) {
      walked.insert(group_key(item));
      auto confirmed = f.post("/results/" + json_string(item, "id") + "/confirm");
      EXPECT_EQ(confirmed.status, 200u) << confirmed.body;
    }
    if (json_at(page, "next_cursor").is_null()) break;
    cursor = json_string(page, "next_cursor");
  }
  EXPECT_EQ(walked, keys_with("matched"));
  EXPECT_TRUE(f.group_keys(job, "status=matched").empty());
  EXPECT_EQ(f.group_keys(job, "status=confirmed"), keys_with("matched"));
}

TEST(JobsTest, TheSummaryCountsGroupsRecordsAndTheNetUnexplainedDifference) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  auto res = f.get("/jobs/" + job + "/summary");
  ASSERT_EQ(res.status, 200u) << res.body;
  json::value s = res.json();
  EXPECT_EQ(json_string(s, "job_id"), job);
  EXPECT_EQ(json_string(s, "status"), "completed");
  EXPECT_EQ(json_int(s, "groups.matched"), 7) << s;
  EXPECT_EQ(json_int(s, "groups.suggested"), 1);
  EXPECT_EQ(json_int(s, "groups.unmatched_left"), 3);
  EXPECT_EQ(json_int(s, "groups.unmatched_right"), 3);
  EXPECT_EQ(json_int(s, "groups.confirmed"), 0);
  EXPECT_EQ(json_int(s, "groups.rejected"), 0);
  EXPECT_EQ(json_int(s, "records.left"), kLeftRecords);
  EXPECT_EQ(json_int(s, "records.right"), kRightRecords);
  EXPECT_EQ(json_int(s, "records.left_reconciled"), 7);   // B01..B07
  EXPECT_EQ(json_int(s, "records.right_reconciled"), 9);  // L01..L09
  EXPECT_NEAR(json_number(s, "match_rate"), 16.0 / 24.0, 1e-6);
  ASSERT_EQ(json_array(s, "currencies").size(), 1u) << s;
  EXPECT_EQ(json_string(s, "currencies.0.currency"), "EUR");
  EXPECT_EQ(json_int(s, "currencies.0.by_status.matched.groups"), 7);
  EXPECT_EQ(json_int(s, "currencies.0.by_status.matched.left_amount_minor"), 409535);
  EXPECT_EQ(json_int(s, "currencies.0.by_status.matched.right_amount_minor"), 409535);
  EXPECT_EQ(json_string(s, "currencies.0.by_status.matched.left_amount"), "4095.35");
  EXPECT_EQ(json_int(s, "currencies.0.by_status.suggested.groups"), 1);
  EXPECT_EQ(json_int(s, "currencies.0.by_status.suggested.left_amount_minor"), 198000);
  EXPECT_EQ(json_int(s, "currencies.0.by_status.suggested.right_amount_minor"), 199500);
  // Not in a matched or confirmed group: left 1980 - 15 + 42 + 77, right 1995 - 230 + 120 + 77.
  EXPECT_EQ(json_int(s, "currencies.0.net_unexplained_minor"), 12200);
  EXPECT_EQ(json_string(s, "currencies.0.net_unexplained"), "122.00");
  // The confidence histogram: the 8 groups (not the unmatched records) by tenth of their confidence.
  std::array<std::int64_t, 10> bands{};
  for (const auto& [key, r] : f.results_by_group(job)) {
    const std::string kind = r.at("kind").as_string().c_str();
    if (kind == "unmatched_left" || kind == "unmatched_right") continue;
    bands[std::min<std::size_t>(9, static_cast<std::size_t>(r.at("confidence").to_number<double>() * 10.0))]++;
  }
  const json::array& histogram = json_array(s, "confidence_histogram");
  ASSERT_EQ(histogram.size(), 10u) << s;
  std::int64_t counted = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_NEAR(histogram[i].at("from").to_number<double>(), static_cast<double>(i) / 10.0, 1e-9);
    EXPECT_EQ(histogram[i].at("groups").to_number<std::int64_t>(), bands[i]) << "band " << i << ": " << s;
    counted += histogram[i].at("groups").to_number<std::int64_t>();
  }
  EXPECT_EQ(counted, 8);

  // Confirming the suggested pair explains it.
  const auto groups = f.results_by_group(job);
  ASSERT_TRUE(groups.contains("B08|L10"));
  ASSERT_EQ(f.post("/results/" + json_string(groups.at("B08|L10"), "id") + "/confirm").status,
            200u);
  s = f.get("/jobs/" + job + "/summary").json();
  EXPECT_EQ(json_int(s, "groups.confirmed"), 1) << s;
  EXPECT_EQ(json_int(s, "groups.suggested"), 0);
  EXPECT_EQ(json_int(s, "groups.matched"), 7);
  EXPECT_EQ(json_int(s, "records.left_reconciled"), 8);
  EXPECT_EQ(json_int(s, "records.right_reconciled"), 10);
  EXPECT_NEAR(json_number(s, "match_rate"), 18.0 / 24.0, 1e-6);
  EXPECT_EQ(json_int(s, "currencies.0.net_unexplained_minor"), 13700);
  EXPECT_EQ(json_string(s, "currencies.0.net_unexplained"), "137.00");
  EXPECT_EQ(f.get("/jobs/" + std::string(kUnknownId) + "/summary").status, 404u);
}

TEST(JobsTest, ConfirmMatchesTheRecordsAndRejectReopensThem) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  // A second job over the same (still open) records: its B02|L02 competes with the first job's.
  const std::string rival_job = json_string(f.run_job({{"name", "rival"}}), "id");
  auto groups = f.results_by_group(job);
  const std::string acme = json_string(groups.at("B01|L01"), "id");

  // A stale If-Match changes nothing.
  auto stale = f.post("/results/" + acme + "/confirm", json::object{}, {{"If-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 409u) << stale.body;
  EXPECT_TRUE(stale.header("content-type").starts_with("application/problem+json"));
  EXPECT_EQ(json_string(f.get("/results/" + acme).json(), "status"), "matched");
  EXPECT_EQ(
      f.post("/results/" + acme + "/confirm", json::object{}, {{"If-Match", "\"one\""}}).status,
      400u);
  expect_field_error(
      f.post("/results/" + acme + "/confirm", json::object{{"note", std::string(1001, 'n')}}), 422,
      "note");
  expect_field_error(f.post("/results/" + acme + "/confirm", json::object{{"colour", "red"}}), 422,
                     "colour");

  auto confirmed =
      f.post("/results/" + acme + "/confirm",
             json::object{{"note", "checked against the remittance"}}, {{"If-Match", "\"1\""}});
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
  json::value r = confirmed.json();
  EXPECT_EQ(json_string(r, "status"), "confirmed");
  EXPECT_EQ(json_int(r, "version"), 2);
  EXPECT_TRUE(json_at(r, "match_id").is_string()) << r;
  EXPECT_EQ(json_string(r, "reviewed_by"), f.alice.user_id);
  EXPECT_TRUE(json_at(r, "reviewed_at").is_string());
  EXPECT_EQ(json_string(r, "left.0.status"), "matched") << r;
  EXPECT_EQ(json_string(r, "right.0.status"), "matched");
  EXPECT_EQ(f.get("/results/" + acme).header("etag"), "\"2\"");
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "L01"}));
  EXPECT_EQ(f.post("/results/" + acme + "/confirm").status, 409u) << "already confirmed";

  // Reject with the version read before the confirm: 409; with none: the match goes, records
  // reopen.
  EXPECT_EQ(f.post("/results/" + acme + "/reject", json::object{}, {{"If-Match", "\"1\""}}).status,
            409u);
  auto rejected = f.post("/results/" + acme + "/reject", json::object{{"note", "wrong customer"}});
  ASSERT_EQ(rejected.status, 200u) << rejected.body;
  r = rejected.json();
  EXPECT_EQ(json_string(r, "status"), "rejected");
  EXPECT_EQ(json_int(r, "version"), 3);
  EXPECT_TRUE(json_at(r, "match_id").is_null()) << r;
  EXPECT_EQ(json_string(r, "left.0.status"), "open");
  EXPECT_TRUE(f.records_with_status("matched").empty());
  EXPECT_EQ(f.post("/results/" + acme + "/reject").status, 409u) << "already rejected";
  // A rejected result may still be confirmed.
  auto reconsidered = f.post("/results/" + acme + "/confirm", json::object{}, {{"If-Match", "3"}});
  ASSERT_EQ(reconsidered.status, 200u) << reconsidered.body;
  EXPECT_EQ(json_string(reconsidered.json(), "status"), "confirmed");
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "L01"}));

  // Suggested and matched results may be rejected; unmatched ones neither confirmed nor rejected.
  const std::string hooli = json_string(groups.at("B08|L10"), "id");
  auto no = f.post("/results/" + hooli + "/reject");
  ASSERT_EQ(no.status, 200u) << no.body;
  EXPECT_EQ(json_string(no.json(), "status"), "rejected");
  const std::string lone = json_string(groups.at("B09|"), "id");
  EXPECT_EQ(f.post("/results/" + lone + "/confirm").status, 409u);
  EXPECT_EQ(f.post("/results/" + lone + "/reject").status, 409u);
  EXPECT_EQ(json_string(f.get("/results/" + lone).json(), "status"), "unmatched");

  // A result whose records another result has meanwhile matched cannot be confirmed.
  const auto rival = f.results_by_group(rival_job);
  ASSERT_TRUE(rival.contains("B02|L02"));
  ASSERT_EQ(f.post("/results/" + json_string(groups.at("B02|L02"), "id") + "/confirm").status,
            200u);
  auto taken = f.post("/results/" + json_string(rival.at("B02|L02"), "id") + "/confirm");
  EXPECT_EQ(taken.status, 409u) << taken.body;
  EXPECT_EQ(
      json_string(f.get("/results/" + json_string(rival.at("B02|L02"), "id")).json(), "status"),
      "matched");
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "B02", "L01", "L02"}));

  EXPECT_EQ(f.post("/results/" + std::string(kUnknownId) + "/confirm").status, 404u);
  const auto actions = f.audit_actions();
  EXPECT_TRUE(contains_action(actions, "result.confirm"));
  EXPECT_TRUE(contains_action(actions, "result.reject"));
}

// Reopening (the web app's undo) takes a confirmed or rejected result back to the status the
// engine gave it: matched at or above the job's confidence threshold when not held, else
// suggested. A confirmed one's match goes and its records reopen; the job's summary and the
// project's statistics follow.
TEST(JobsTest, ReopenTakesAReviewedResultBackToTheEngineStatus) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  const auto groups = f.results_by_group(job);
  const std::string acme = json_string(groups.at("B01|L01"), "id");
  const std::string hooli = json_string(groups.at("B08|L10"), "id");
  const std::string lone = json_string(groups.at("B09|"), "id");
  auto reopen = [&](const std::string& id, const json::value& body = json::object{},
                    const std::map<std::string, std::string>& headers = {}) {
    return f.post("/results/" + id + "/reopen", body, headers);
  };
  auto open_records = [&] {
    auto res = f.get("/projects/" + f.project_id + "/stats");
    EXPECT_EQ(res.status, 200u) << res.body;
    return json_int(res.json(), "records.open");
  };

  // Nothing to reopen before a review: 409, nothing changes.
  for (const std::string& id : {acme, hooli, lone}) {
    auto res = reopen(id);
    EXPECT_EQ(res.status, 409u) << res.body;
    EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json"));
    EXPECT_NE(json_string(res.json(), "detail").find("only a confirmed or rejected result"),
              std::string::npos)
        << res.body;
    EXPECT_EQ(json_int(f.get("/results/" + id).json(), "version"), 1);
  }
  EXPECT_EQ(reopen(kUnknownId).status, 404u);
  expect_field_error(f.post("/results/not-a-uuid/reopen"), 400, "id");
  expect_field_error(reopen(acme, json::object{{"colour", "red"}}), 422, "colour");
  EXPECT_EQ(f.post("/results/" + acme + "/reopen", json::object{}, {{"If-Match", "\"x\""}}).status,
            400u);

  // Confirmed, then reopened: matched again, its match gone, its records open, the summary and
  // the project's statistics (both cached) follow.
  const std::int64_t all_open = open_records();
  EXPECT_EQ(json_int(f.get("/jobs/" + job + "/summary").json(), "groups.matched"), 7);
  auto confirmed = f.post("/results/" + acme + "/confirm");
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
  const std::string match_id = json_string(confirmed.json(), "match_id");
  EXPECT_EQ(json_int(f.get("/jobs/" + job + "/summary").json(), "groups.confirmed"), 1);
  EXPECT_EQ(open_records(), all_open - 2);
  EXPECT_EQ(reopen(acme, json::object{}, {{"If-Match", "\"1\""}}).status, 409u) << "stale";
  auto reopened =
      reopen(acme, json::object{{"note", "clicked by mistake"}}, {{"If-Match", "\"2\""}});
  ASSERT_EQ(reopened.status, 200u) << reopened.body;
  json::value r = reopened.json();
  EXPECT_EQ(json_string(r, "status"), "matched") << r;
  EXPECT_EQ(json_int(r, "version"), 3);
  EXPECT_EQ(reopened.header("etag"), "\"3\"");
  EXPECT_TRUE(json_at(r, "match_id").is_null()) << r;
  EXPECT_TRUE(json_at(r, "reviewed_by").is_null()) << r;
  EXPECT_TRUE(json_at(r, "reviewed_at").is_null()) << r;
  EXPECT_EQ(json_string(r, "left.0.status"), "open");
  EXPECT_EQ(json_string(r, "right.0.status"), "open");
  EXPECT_TRUE(f.records_with_status("matched").empty());
  EXPECT_EQ(open_records(), all_open);
  const json::value summary = f.get("/jobs/" + job + "/summary").json();
  EXPECT_EQ(json_int(summary, "groups.confirmed"), 0) << summary;
  EXPECT_EQ(json_int(summary, "groups.matched"), 7) << summary;
  EXPECT_EQ(f.del("/matches/" + match_id).status, 404u) << "the match is gone";
  EXPECT_EQ(reopen(acme).status, 409u) << "already back to matched";
  // It can be confirmed again, and its records matched.
  ASSERT_EQ(f.post("/results/" + acme + "/confirm").status, 200u);
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "L01"}));

  // Rejected, then reopened: to matched or suggested as the engine scored it.
  ASSERT_EQ(f.post("/results/" + hooli + "/reject").status, 200u);
  auto back = reopen(hooli);
  ASSERT_EQ(back.status, 200u) << back.body;
  EXPECT_EQ(json_string(back.json(), "status"), "suggested");
  EXPECT_EQ(json_int(back.json(), "version"), 3);
  const std::string office = json_string(groups.at("B03|L03"), "id");
  ASSERT_EQ(f.post("/results/" + office + "/reject").status, 200u);
  EXPECT_EQ(json_string(reopen(office).json(), "status"), "matched");

  // In a bulk review, with a version.
  ASSERT_EQ(f.post("/results/" + office + "/confirm").status, 200u);  // version 4
  const std::string url = "/jobs/" + job + "/review";
  auto stale = f.post(
      url,
      json::object{{"actions", json::array{json::object{
                                   {"action", "reopen"}, {"result_id", office}, {"version", 3}}}}});
  EXPECT_EQ(stale.status, 409u) << stale.body;
  expect_field_error(
      f.post(url, json::object{{"actions", json::array{json::object{{"action", "reopen"},
                                                                    {"result_id", office},
                                                                    {"version", 0}}}}}),
      422, "actions[0].version");
  auto bulk = f.post(url, json::object{{"actions", json::array{json::object{{"action", "reopen"},
                                                                            {"result_id", office},
                                                                            {"version", 4},
                                                                            {"note", "undo"}}}}});
  ASSERT_EQ(bulk.status, 200u) << bulk.body;
  EXPECT_EQ(json_string(bulk.json(), "items.0.action"), "reopen");
  EXPECT_EQ(json_string(bulk.json(), "items.0.result_id"), office);
  EXPECT_TRUE(json_at(bulk.json(), "items.0.match_id").is_null());
  EXPECT_EQ(json_string(bulk.json(), "items.0.status"), "matched");
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "L01"}));

  // A manual match is undone with DELETE /matches/{id}, not reopened.
  auto manual =
      f.post("/jobs/" + job + "/matches",
             json::object{{"left_record_ids", json::array{json::value(f.record_ids.at("B11"))}},
                          {"right_record_ids", json::array{json::value(f.record_ids.at("L13"))}}});
  ASSERT_EQ(manual.status, 201u) << manual.body;
  auto refused = reopen(json_string(manual.json(), "id"));
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_NE(json_string(refused.json(), "detail")
                .find("DELETE /matches/" + json_string(manual.json(), "match_id")),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(json_string(f.get("/results/" + json_string(manual.json(), "id")).json(), "status"),
            "confirmed");

  const auto actions = f.audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "result.reopen"), 4);
}

// What a result reopens to is decided with its job's own threshold and the engine's holds, and a
// match auto-confirmed when its job completed reopens to matched.
TEST(JobsTest, ReopenFollowsTheJobsThresholdItsHoldsAndAutoConfirm) {
  JobFixture f;
  // A payment that two invoices fit equally well: its match is held as ambiguous.
  ASSERT_EQ(f.upload_rows(f.bank_id, "B12,2026-03-18,500.00,EUR,,ACME PAYMENT,ACME\n"), "parsed");
  ASSERT_EQ(f.upload_rows(f.ledger_id,
                          "L14,2026-03-17,500.00,EUR,A-14,ACME PAYMENT,ACME\n"
                          "L15,2026-03-17,500.00,EUR,A-15,ACME PAYMENT,ACME\n"),
            "parsed");
  // Confirms, then reopens, a result; the status it reopened to.
  auto confirm_and_reopen = [&](const std::string& id) {
    EXPECT_EQ(f.post("/results/" + id + "/confirm").status, 200u);
    auto res = f.post("/results/" + id + "/reopen");
    EXPECT_EQ(res.status, 200u) << res.body;
    return json_string(res.json(), "status");
  };

  // A low threshold: the near match B08|L10 (~0.65) scores above it, but its sums differ beyond
  // what the rules auto-confirm (held amount_difference), so it was suggested and reopens so.
  const json::object low = f.run_job({{"confidence_threshold", 0.6}, {"review_threshold", 0.5}});
  const std::string low_job = json_string(low, "id");
  const auto groups = f.results_by_group(low_job);
  for (const auto& [key, r] : groups) {
    const std::string held = json_at(r, "held").is_string() ? json_string(r, "held") : "";
    if (held.empty() || json_number(r, "confidence") < 0.6) continue;
    SCOPED_TRACE(key + " held " + held);
    ASSERT_EQ(json_string(r, "status"), "suggested");
    EXPECT_EQ(confirm_and_reopen(json_string(r, "id")), "suggested") << "a held match stays held";
  }
  ASSERT_EQ(json_string(groups.at("B08|L10"), "held"), "amount_difference");
  ASSERT_TRUE(groups.contains("B12|L14") || groups.contains("B12|L15"));
  EXPECT_EQ(json_string(groups.at(groups.contains("B12|L14") ? "B12|L14" : "B12|L15"), "held"),
            "ambiguous");
  EXPECT_TRUE(f.records_with_status("matched").empty());
  ASSERT_EQ(f.del("/jobs/" + low_job).status, 204u);

  // A high threshold: groups the default (0.8) would match are suggested in this job, and reopen
  // so; those at or above it are matched.
  const std::string high_job = json_string(
      f.run_job({{"name", "strict"}, {"confidence_threshold", 0.99}, {"review_threshold", 0.5}}),
      "id");
  int below = 0;
  for (const auto& [key, r] : f.results_by_group(high_job)) {
    if (json_string(r, "status") == "unmatched" || json_at(r, "held").is_string()) continue;
    SCOPED_TRACE(key);
    const double confidence = json_number(r, "confidence");
    const std::string engine = confidence >= 0.99 ? "matched" : "suggested";
    EXPECT_EQ(json_string(r, "status"), engine);
    EXPECT_EQ(confirm_and_reopen(json_string(r, "id")), engine);
    if (confidence >= 0.8 && confidence < 0.99) ++below;
  }
  EXPECT_GT(below, 0)
      << "no group between the default threshold and this job's: the test shows nothing";
  EXPECT_TRUE(f.records_with_status("matched").empty());
  ASSERT_EQ(f.del("/jobs/" + high_job).status, 204u);

  // auto_confirm: the job confirmed its matched groups; reopening one makes it matched, its
  // records open, its match gone.
  const std::string auto_job = json_string(f.run_job({{"auto_confirm", true}}), "id");
  const auto confirmed = f.results_by_group(auto_job);
  const json::object& acme = confirmed.at("B01|L01");
  ASSERT_EQ(json_string(acme, "status"), "confirmed");
  const std::string acme_match = json_string(acme, "match_id");
  auto undone = f.post("/results/" + json_string(acme, "id") + "/reopen");
  ASSERT_EQ(undone.status, 200u) << undone.body;
  EXPECT_EQ(json_string(undone.json(), "status"), "matched");
  EXPECT_TRUE(json_at(undone.json(), "match_id").is_null());
  const auto matched = f.records_with_status("matched");
  EXPECT_FALSE(matched.contains("B01"));
  EXPECT_FALSE(matched.contains("L01"));
  EXPECT_TRUE(matched.contains("B02")) << "only the reopened group's records reopen";
  EXPECT_EQ(f.del("/matches/" + acme_match).status, 404u);
}

TEST(JobsTest, ManualMatchesAreCheckedAndUnmatchReopensTheirRecords) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  const std::string url = "/jobs/" + job + "/matches";
  auto ids = [&](std::initializer_list<const char*> external) {
    json::array out;
    for (const char* e : external) out.push_back(json::value(f.record_ids.at(e)));
    return out;
  };
  auto body = [&](json::array left, json::array right) {
    return json::object{{"left_record_ids", std::move(left)},
                        {"right_record_ids", std::move(right)}};
  };

  // The sides must add up under the job's amount rule, and each id must be an open record of its
  // side.
  expect_field_error(f.post(url, body(ids({"B10"}), ids({"L12"}))), 422, "amount");
  expect_field_error(f.post(url, body(ids({"B10"}), ids({"B09"}))), 422, "right_record_ids[0]");
  expect_field_error(f.post(url, body(ids({"L12"}), ids({"L13"}))), 422, "left_record_ids[0]");
  expect_field_error(f.post(url, body(ids({"B11"}), json::array{json::value(kUnknownId)})), 422,
                     "right_record_ids[0]");
  expect_field_error(f.post(url, body(json::array{}, ids({"L13"}))), 422, "left_record_ids");
  expect_field_error(f.post(url, body(ids({"B11"}), json::array{json::value("nope")})), 422,
                     "right_record_ids[0]");
  EXPECT_EQ(f.post(url, body(ids({"B09", "B10"}), ids({"L11", "L12"}))).status, 422u)
      << "N:M is not a match kind";
  expect_field_error(f.post(url, json::object{{"left_record_ids", ids({"B11"})}}), 422,
                     "right_record_ids");
  EXPECT_EQ(f.group_keys(job, "status=unmatched").size(), 6u) << "nothing changed";
  EXPECT_TRUE(f.records_with_status("matched").empty());

  json::object cheque = body(ids({"B11"}), ids({"L13"}));
  cheque["note"] = "cheque paid in late";
  auto created = f.post(url, cheque);
  ASSERT_EQ(created.status, 201u) << created.body;
  const json::value manual = created.json();
  EXPECT_EQ(group_key(manual), "B11|L13");
  EXPECT_EQ(json_string(manual, "job_id"), job);
  EXPECT_EQ(json_string(manual, "status"), "confirmed");
  EXPECT_EQ(json_string(manual, "kind"), "one_to_one");
  EXPECT_DOUBLE_EQ(json_number(manual, "confidence"), 1.0);
  EXPECT_EQ(json_int(manual, "left_amount_minor"), 7700);
  EXPECT_EQ(json_int(manual, "right_amount_minor"), 7700);
  const std::string match_id = json_string(manual, "match_id");
  ASSERT_NE(match_id, "<absent>") << manual;
  // The records' unmatched results in this job are gone; the records are matched.
  EXPECT_EQ(f.group_keys(job, "status=unmatched"),
            (std::set<std::string>{"B09|", "B10|", "|L11", "|L12"}));
  EXPECT_EQ(f.group_keys(job, "status=confirmed"), (std::set<std::string>{"B11|L13"}));
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B11", "L13"}));
  EXPECT_EQ(f.post(url, body(ids({"B11"}), ids({"L13"}))).status, 409u)
      << "the records are matched already";

  // Unmatching a manual match removes its result and gives the records their unmatched results
  // back.
  EXPECT_EQ(f.del("/matches/" + match_id).status, 204u);
  EXPECT_EQ(f.get("/results/" + json_string(manual, "id")).status, 404u);
  EXPECT_EQ(f.group_keys(job, "status=unmatched"), keys_with("unmatched"));
  EXPECT_TRUE(f.records_with_status("matched").empty());
  EXPECT_EQ(f.del("/matches/" + match_id).status, 404u);

  // Unmatching an engine result's match leaves the result rejected.
  const auto groups = f.results_by_group(job);
  const std::string office = json_string(groups.at("B03|L03"), "id");
  auto confirmed = f.post("/results/" + office + "/confirm");
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
  const std::string office_match = json_string(confirmed.json(), "match_id");
  EXPECT_EQ(f.del("/matches/" + office_match).status, 204u);
  const json::value after = f.get("/results/" + office).json();
  EXPECT_EQ(json_string(after, "status"), "rejected") << after;
  EXPECT_TRUE(json_at(after, "match_id").is_null());
  EXPECT_TRUE(f.records_with_status("matched").empty());
  EXPECT_EQ(f.del("/matches/" + std::string(kUnknownId)).status, 404u);
  expect_field_error(f.del("/matches/not-a-uuid"), 400, "id");
  // A note is at most 1000 characters (checked last: a wrongly accepted note makes the match).
  json::object noted = body(ids({"B11"}), ids({"L13"}));
  noted["note"] = std::string(1001, 'n');
  expect_field_error(f.post(url, noted), 422, "note");
  expect_field_error(
      f.post(
          "/jobs/" + job + "/review",
          json::object{{"actions", json::array{json::object{{"action", "unmatch"},
                                                            {"match_id", kUnknownId},
                                                            {"note", std::string(1001, 'n')}}}}}),
      422, "actions[0].note");

  const auto actions = f.audit_actions();
  EXPECT_TRUE(contains_action(actions, "match.create"));
  EXPECT_TRUE(contains_action(actions, "match.delete"));
}

TEST(JobsTest, BulkReviewAppliesEveryActionOrNone) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  const std::string url = "/jobs/" + job + "/review";
  const auto groups = f.results_by_group(job);
  auto result = [&](const char* key) { return json::value(json_string(groups.at(key), "id")); };
  auto confirm = [&](const char* key) {
    return json::object{{"action", "confirm"}, {"result_id", result(key)}};
  };
  auto snapshot = [&] {
    std::map<std::string, std::pair<std::string, std::int64_t>> out;  // key -> (status, version)
    for (const auto& [key, r] : f.results_by_group(job))
      out[key] = {json_string(r, "status"), json_int(r, "version")};
    return out;
  };
  const auto before = snapshot();
  const std::string records_before = json::serialize(f.records("?per_page=100"));

  // A failing action, wherever it is, decides the answer; nothing before it stays applied.
  auto conflict = f.post(
      url, json::object{{"actions", json::array{confirm("B01|L01"),
                                                json::object{{"action", "reject"},
                                                             {"result_id", result("B02|L02")}},
                                                confirm("B09|")}}});
  EXPECT_EQ(conflict.status, 409u) << conflict.body;
  expect_field_error(
      f.post(url, json::object{{"actions", json::array{confirm("B01|L01"),
                                                       json::object{{"action", "frobnicate"}}}}}),
      422, "actions[1].action");
  json::object stale = confirm("B04|L04");
  stale["version"] = 5;
  EXPECT_EQ(f.post(url, json::object{{"actions", json::array{confirm("B01|L01"), stale}}}).status,
            409u);
  expect_field_error(
      f.post(url,
             json::object{
                 {"actions",
                  json::array{confirm("B01|L01"),
                              json::object{{"action", "match"},
                                           {"left_record_ids",
                                            json::array{json::value(f.record_ids.at("B10"))}},
                                           {"right_record_ids",
                                            json::array{json::value(f.record_ids.at("L12"))}}}}}}),
      422, "actions[1].amount");
  expect_field_error(f.post(url, json::object{{"actions", json::array{}}}), 422, "actions");
  expect_field_error(f.post(url, json::object{}), 422, "actions");
  // Results of another job are not this job's to review.
  const std::string other_job = json_string(f.run_job({{"name", "other"}}), "id");
  const std::string foreign = json_string(f.results_by_group(other_job).at("B05|L05"), "id");
  auto elsewhere =
      f.post(url, json::object{{"actions", json::array{json::object{{"action", "confirm"},
                                                                    {"result_id", foreign}}}}});
  EXPECT_TRUE(elsewhere.status == 404u || elsewhere.status == 422u) << elsewhere.body;
  EXPECT_EQ(json_string(f.get("/results/" + foreign).json(), "status"), "matched");
  EXPECT_EQ(snapshot(), before) << "a failed bulk review applied something";
  EXPECT_EQ(json::serialize(f.records("?per_page=100")), records_before);

  // An engine match to undo in the bulk review.
  auto office = f.post("/results/" + json_string(groups.at("B03|L03"), "id") + "/confirm");
  ASSERT_EQ(office.status, 200u) << office.body;
  const std::string office_match = json_string(office.json(), "match_id");

  json::object versioned = confirm("B01|L01");
  versioned["version"] = 1;
  versioned["note"] = "bulk";
  auto applied = f.post(
      url,
      json::object{
          {"actions",
           json::array{
               versioned, json::object{{"action", "reject"}, {"result_id", result("B02|L02")}},
               json::object{{"action", "match"},
                            {"left_record_ids", json::array{json::value(f.record_ids.at("B11"))}},
                            {"right_record_ids", json::array{json::value(f.record_ids.at("L13"))}}},
               json::object{{"action", "unmatch"}, {"match_id", office_match}}}}});
  ASSERT_EQ(applied.status, 200u) << applied.body;
  const json::value outcome = applied.json();
  EXPECT_EQ(json_int(outcome, "applied"), 4);
  ASSERT_EQ(json_array(outcome, "items").size(), 4u) << outcome;
  EXPECT_EQ(json_string(outcome, "items.0.action"), "confirm");
  EXPECT_EQ(json_at(outcome, "items.0.result_id"), result("B01|L01"));
  EXPECT_TRUE(json_at(outcome, "items.0.match_id").is_string());
  EXPECT_EQ(json_string(outcome, "items.0.status"), "confirmed");
  EXPECT_EQ(json_string(outcome, "items.1.action"), "reject");
  EXPECT_EQ(json_string(outcome, "items.1.status"), "rejected");
  EXPECT_EQ(json_string(outcome, "items.2.action"), "match");
  EXPECT_TRUE(json_at(outcome, "items.2.result_id").is_string());
  EXPECT_TRUE(json_at(outcome, "items.2.match_id").is_string());
  EXPECT_EQ(json_string(outcome, "items.2.status"), "confirmed");
  EXPECT_EQ(json_string(outcome, "items.3.action"), "unmatch");
  EXPECT_EQ(json_string(outcome, "items.3.match_id"), office_match);
  EXPECT_EQ(json_string(outcome, "items.3.status"), "rejected");

  const auto after = snapshot();
  EXPECT_EQ(after.at("B01|L01").first, "confirmed");
  EXPECT_EQ(after.at("B02|L02").first, "rejected");
  EXPECT_EQ(after.at("B03|L03").first, "rejected");
  EXPECT_EQ(after.at("B11|L13").first, "confirmed");
  EXPECT_FALSE(after.contains("B11|"));
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "L01", "B11", "L13"}));
  EXPECT_EQ(f.post("/jobs/" + std::string(kUnknownId) + "/review",
                   json::object{{"actions", json::array{confirm("B04|L04")}}})
                .status,
            404u);
}

TEST(JobsTest, OfTwoConcurrentReviewersOneWinsAndTheOtherGets409) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  const auto groups = f.results_by_group(job);
  // Two requests released together at one result; returns their statuses, sorted.
  auto race = [&](const std::string& result_id, const std::string& first, const std::string& second,
                  const std::map<std::string, std::string>& headers) {
    std::latch start(2);
    unsigned statuses[2] = {0, 0};
    std::string bodies[2];
    auto act = [&](int i, const std::string& action) {
      start.arrive_and_wait();
      HttpResult res = f.post("/results/" + result_id + "/" + action, json::object{}, headers);
      statuses[i] = res.status;
      bodies[i] = res.body;
    };
    std::thread a(act, 0, first);
    std::thread b(act, 1, second);
    a.join();
    b.join();
    std::vector<unsigned> out{statuses[0], statuses[1]};
    std::sort(out.begin(), out.end());
    EXPECT_EQ(out, (std::vector<unsigned>{200u, 409u}))
        << first << " / " << second << ": " << bodies[0] << " | " << bodies[1];
  };
  for (const char* key : {"B01|L01", "B02|L02", "B04|L04"}) {
    SCOPED_TRACE(key);
    const std::string id = json_string(groups.at(key), "id");
    race(id, "confirm", "confirm", {});
    const json::value r = f.get("/results/" + id).json();
    EXPECT_EQ(json_string(r, "status"), "confirmed");
    EXPECT_EQ(json_int(r, "version"), 2) << "exactly one change";
  }
  for (const char* key : {"B05|L05", "B06|L06", "B07|L07;L08;L09"}) {
    SCOPED_TRACE(key);
    const std::string id = json_string(groups.at(key), "id");
    race(id, "confirm", "reject", {{"If-Match", "\"1\""}});
    const json::value r = f.get("/results/" + id).json();
    EXPECT_TRUE(json_string(r, "status") == "confirmed" || json_string(r, "status") == "rejected")
        << r;
    EXPECT_EQ(json_int(r, "version"), 2) << "exactly one change";
  }
  // Matched records are exactly those of the confirmed results: no half-applied review.
  std::set<std::string> expected;
  for (const auto& [key, r] : f.results_by_group(job)) {
    if (json_string(r, "status") != "confirmed") continue;
    for (const char* side : {"left", "right"}) {
      for (const auto& rec : json_array(r, side)) expected.insert(json_string(rec, "external_id"));
    }
  }
  EXPECT_EQ(f.records_with_status("matched"), expected);
}

// The rows of a CSV export as maps from column name to value.
std::vector<std::map<std::string, std::string>> parse_export_csv(const std::string& text,
                                                                 std::vector<std::string>& header) {
  std::vector<std::map<std::string, std::string>> rows;
  auto reader =
      csv::CsvReader::open(std::make_unique<csv::MemoryByteSource>(text), {.delimiter = ','});
  EXPECT_TRUE(reader.ok()) << reader.error().message();
  if (!reader.ok()) return rows;
  csv::CsvRow row;
  for (bool first = true;; first = false) {
    auto more = (*reader)->next(row);
    EXPECT_TRUE(more.ok()) << more.error().message();
    if (!more.ok() || !*more) break;
    if (first) {
      for (auto field : row.fields()) header.emplace_back(field);
      continue;
    }
    EXPECT_EQ(row.size(), header.size()) << "line " << row.line();
    std::map<std::string, std::string> values;
    for (std::size_t i = 0; i < row.size() && i < header.size(); ++i)
      values[header[i]] = std::string(row[i]);
    rows.push_back(std::move(values));
  }
  return rows;
}

TEST(JobsTest, AMatchWithACloseRivalIsHeldAsSuggestedWithItsAlternative) {
  JobFixture f;
  // One more payment without a reference, and two invoices it fits equally well (their references
  // differ, so they are not one line booked twice).
  ASSERT_EQ(f.upload_rows(f.bank_id, "B12,2026-03-18,500.00,EUR,,ACME PAYMENT,ACME\n"), "parsed");
  ASSERT_EQ(f.upload_rows(f.ledger_id,
                          "L14,2026-03-17,500.00,EUR,A-14,ACME PAYMENT,ACME\n"
                          "L15,2026-03-17,500.00,EUR,A-15,ACME PAYMENT,ACME\n"),
            "parsed");
  std::map<std::string, std::string> ids;  // record id -> external id
  for (const auto& r : json_array(f.records("?per_page=100"), "items"))
    ids[json_string(r, "id")] = json_string(r, "external_id");
  const std::string job = json_string(f.run_job(), "id");
  const auto groups = f.results_by_group(job);
  std::string held_key;
  for (const auto& [key, r] : groups) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(json_at(r, "alternatives").is_array()) << json::value(r);
    if (key.starts_with("B12|")) {
      held_key = key;
      continue;
    }
    EXPECT_TRUE(json_at(r, "held").is_null()) << json::value(r);
  }
  ASSERT_TRUE(held_key == "B12|L14" || held_key == "B12|L15") << held_key;
  const json::object& held = groups.at(held_key);
  EXPECT_EQ(json_string(held, "status"), "suggested");
  EXPECT_EQ(json_string(held, "held"), "ambiguous");
  const auto alternatives = json_array(held, "alternatives");
  ASSERT_EQ(alternatives.size(), 1u) << json::value(held);
  const auto left = json_array(alternatives[0], "left_ids");
  const auto right = json_array(alternatives[0], "right_ids");
  ASSERT_EQ(left.size(), 1u);
  ASSERT_EQ(right.size(), 1u);
  EXPECT_EQ(ids.at(std::string(left[0].as_string())), "B12");
  EXPECT_EQ(ids.at(std::string(right[0].as_string())), held_key == "B12|L14" ? "L15" : "L14");
  EXPECT_NEAR(json_number(alternatives[0], "confidence"), json_number(held, "confidence"), 1e-9);
  // The export names the hold and the rival too.
  auto csv_export = f.get("/jobs/" + job + "/export?format=csv");
  ASSERT_EQ(csv_export.status, 200u) << csv_export.body;
  std::vector<std::string> header;
  for (const auto& row : parse_export_csv(csv_export.body, header)) {
    if (row.at("result_id") != json_string(held, "id")) continue;
    EXPECT_EQ(row.at("held"), "ambiguous");
    EXPECT_NE(row.at("alternatives").find(std::string(right[0].as_string())), std::string::npos)
        << row.at("alternatives");
  }
}

// An invoice only partly paid: the payment carrying its number is suggested with it, held as
// partly_paid, its sums showing the open balance, in the results and the export.
TEST(JobsTest, AnInvoiceOnlyPartlyPaidIsSuggestedWithItsOpenBalance) {
  JobFixture f;
  ASSERT_EQ(f.upload_rows(f.bank_id,
                          "B30,2026-03-20,400.00,EUR,INV-9001,"
                          "PAYMENT NORTHWIND INV-9001,NORTHWIND\n"),
            "parsed");
  ASSERT_EQ(f.upload_rows(f.ledger_id,
                          "L30,2026-03-05,1000.00,EUR,INV-9001,"
                          "Invoice INV-9001 Northwind,NORTHWIND\n"),
            "parsed");
  const std::string job = json_string(f.run_job(), "id");
  const auto groups = f.results_by_group(job);
  ASSERT_TRUE(groups.contains("B30|L30"));
  const json::object& partial = groups.at("B30|L30");
  EXPECT_EQ(json_string(partial, "status"), "suggested");
  EXPECT_EQ(json_string(partial, "held"), "partly_paid");
  EXPECT_EQ(json_at(partial, "left_amount_minor").to_number<std::int64_t>(), 40000);
  EXPECT_EQ(json_at(partial, "right_amount_minor").to_number<std::int64_t>(), 100000);
  for (const auto& [key, r] : groups) {
    if (key != "B30|L30") {
      EXPECT_NE(json_at(r, "held"), json::value("partly_paid")) << key;
    }
  }
  auto csv_export = f.get("/jobs/" + job + "/export?format=csv");
  ASSERT_EQ(csv_export.status, 200u) << csv_export.body;
  std::vector<std::string> header;
  bool exported = false;
  for (const auto& row : parse_export_csv(csv_export.body, header)) {
    if (row.at("result_id") != json_string(partial, "id")) continue;
    EXPECT_EQ(row.at("held"), "partly_paid");
    exported = true;
  }
  EXPECT_TRUE(exported);
}

TEST(JobsTest, APaymentAndItsReturnAreAnOffsetInResultsSummaryAndExport) {
  JobFixture f;
  // B20 and its return B21 cancel out; B22 and B23 are opposite amounts of different parties,
  // which a person may still declare an offset.
  ASSERT_EQ(f.upload_rows(f.bank_id,
                          "B20,2026-03-18,250.00,EUR,INV-1300,SEPA CREDIT STARK "
                          "INVOICE 1300,STARK INDUSTRIES\n"
                          "B21,2026-03-20,-250.00,EUR,INV-1300,RETURN STARK "
                          "INVOICE 1300 AC04,STARK INDUSTRIES\n"
                          "B22,2026-03-23,40.00,EUR,,CASH DEPOSIT,BRANCH 12\n"
                          "B23,2026-03-24,-40.00,EUR,,CARD PAYMENT TAXI,CITY CABS\n"),
            "parsed");
  std::map<std::string, std::string> ids;  // external id -> record id
  for (const auto& r : json_array(f.records("?per_page=100"), "items"))
    ids[json_string(r, "external_id")] = json_string(r, "id");
  const std::string job = json_string(f.run_job(), "id");
  auto groups = f.results_by_group(job);
  ASSERT_TRUE(groups.contains("B20;B21|")) << "groups: " << groups.size();
  const json::object& offset = groups.at("B20;B21|");
  EXPECT_EQ(json_string(offset, "kind"), "offset");
  EXPECT_EQ(json_string(offset, "status"), "matched");
  EXPECT_EQ(json_int(offset, "left_amount_minor"), 0);
  EXPECT_EQ(json_int(offset, "right_amount_minor"), 0);
  EXPECT_TRUE(json_array(offset, "right").empty());
  EXPECT_TRUE(groups.contains("B22|") && groups.contains("B23|")) << "no offset without evidence";
  auto summary = f.get("/jobs/" + job + "/summary");
  ASSERT_EQ(summary.status, 200u) << summary.body;
  EXPECT_EQ(json_int(json_at(summary.json(), "offsets"), "groups"), 1);
  EXPECT_EQ(json_int(json_at(summary.json(), "offsets"), "left_records"), 2);
  EXPECT_EQ(json_int(json_at(summary.json(), "offsets"), "right_records"), 0);
  EXPECT_EQ(json_int(json_at(f.get("/jobs/" + job).json(), "counters"), "offsets"), 1);
  auto csv_export = f.get("/jobs/" + job + "/export?format=csv");
  ASSERT_EQ(csv_export.status, 200u) << csv_export.body;
  std::vector<std::string> header;
  int offset_rows = 0;
  for (const auto& row : parse_export_csv(csv_export.body, header))
    offset_rows += row.at("kind") == "offset";
  EXPECT_EQ(offset_rows, 2) << "one row per record of the offset";

  // A manual offset: the records of one side, summing to zero.
  const std::string url = "/jobs/" + job + "/matches";
  auto side = [&](std::initializer_list<const char*> external) {
    json::array out;
    for (const char* e : external) out.push_back(json::value(ids.at(e)));
    return out;
  };
  expect_field_error(f.post(url, json::object{{"left_record_ids", side({"B09", "B10"})},
                                              {"right_record_ids", json::array{}}}),
                     422, "left_record_ids");
  auto created = f.post(url, json::object{{"left_record_ids", side({"B22", "B23"})},
                                          {"right_record_ids", json::array{}}});
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(json_string(created.json(), "kind"), "offset");
  EXPECT_EQ(json_string(created.json(), "status"), "confirmed");
  EXPECT_EQ(group_key(created.json()), "B22;B23|");
  EXPECT_TRUE(f.records_with_status("matched").contains("B22"));
  // Undone like any match.
  EXPECT_EQ(f.del("/matches/" + json_string(created.json(), "match_id")).status, 204u);
  EXPECT_FALSE(f.records_with_status("matched").contains("B22"));
}

TEST(JobsTest, ExportsStreamEveryRecordOfTheResultsAsCsvOrJson) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  const auto groups = f.results_by_group(job);
  ASSERT_EQ(f.post("/results/" + json_string(groups.at("B01|L01"), "id") + "/confirm").status,
            200u);

  auto csv_export = f.get("/jobs/" + job + "/export?format=csv");
  ASSERT_EQ(csv_export.status, 200u) << csv_export.body;
  EXPECT_TRUE(csv_export.header("content-type").starts_with("text/csv"))
      << csv_export.header("content-type");
  EXPECT_EQ(csv_export.header("content-disposition"),
            "attachment; filename=\"job-" + job + ".csv\"");
  std::vector<std::string> header;
  const auto rows = parse_export_csv(csv_export.body, header);
  EXPECT_EQ(header, (std::vector<std::string>{"result_id", "match_group", "kind", "status",
                                              "confidence", "side", "record_id", "external_id",
                                              "transaction_date", "amount", "currency", "reference",
                                              "description", "counterparty", "held",
                                              "alternatives"}));
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kLeftRecords + kRightRecords)) << csv_export.body;
  std::map<std::string, std::map<std::string, std::string>> by_record;
  for (const auto& row : rows) {
    EXPECT_FALSE(by_record.contains(row.at("external_id")))
        << "record " << row.at("external_id") << " twice";
    by_record[row.at("external_id")] = row;
  }
  for (const auto& [external, record_id] : f.record_ids) {
    SCOPED_TRACE(external);
    ASSERT_TRUE(by_record.contains(external));
    const auto& row = by_record.at(external);
    EXPECT_EQ(row.at("record_id"), record_id);
    EXPECT_EQ(row.at("side"), external[0] == 'B' ? "left" : "right");
    EXPECT_EQ(row.at("currency"), "EUR");
  }
  const auto& split = by_record.at("B07");
  EXPECT_EQ(split.at("result_id"), json_string(groups.at("B07|L07;L08;L09"), "id"));
  EXPECT_EQ(split.at("match_group"),
            std::to_string(json_int(groups.at("B07|L07;L08;L09"), "match_group")));
  EXPECT_EQ(split.at("kind"), "one_to_many");
  EXPECT_EQ(split.at("status"), "matched");
  EXPECT_EQ(split.at("amount"), "600.00");
  EXPECT_EQ(split.at("transaction_date"), "2026-03-10");
  EXPECT_EQ(split.at("description"), "GIRO CREDIT NORTHWIND TRADING 3 INVOICES");
  EXPECT_EQ(split.at("counterparty"), "NORTHWIND TRADING");
  for (const char* part : {"L07", "L08", "L09"})
    EXPECT_EQ(by_record.at(part).at("result_id"), split.at("result_id"));
  EXPECT_EQ(by_record.at("L08").at("reference"), "INV-1102");
  EXPECT_EQ(by_record.at("L08").at("amount"), "200.00");
  EXPECT_EQ(by_record.at("B01").at("status"), "confirmed");
  EXPECT_EQ(by_record.at("B09").at("kind"), "unmatched_left");
  EXPECT_EQ(by_record.at("B09").at("amount"), "-15.00");
  EXPECT_NEAR(std::stod(by_record.at("B01").at("confidence")),
              json_number(groups.at("B01|L01"), "confidence"), 1e-3);

  // A status filter, as a comma list: matched and suggested groups only.
  auto filtered = f.get("/jobs/" + job + "/export?format=csv&status=matched,suggested");
  ASSERT_EQ(filtered.status, 200u) << filtered.body;
  header.clear();
  std::set<std::string> filtered_records;
  for (const auto& row : parse_export_csv(filtered.body, header)) {
    EXPECT_TRUE(row.at("status") == "matched" || row.at("status") == "suggested")
        << row.at("status");
    filtered_records.insert(row.at("external_id"));
  }
  EXPECT_EQ(filtered_records,
            (std::set<std::string>{"B02", "B03", "B04", "B05", "B06", "B07", "B08", "L02", "L03",
                                   "L04", "L05", "L06", "L07", "L08", "L09", "L10"}));

  // JSON: the results API's objects.
  auto json_export = f.get("/jobs/" + job + "/export?format=json");
  ASSERT_EQ(json_export.status, 200u) << json_export.body;
  EXPECT_TRUE(json_export.header("content-type").starts_with("application/json"))
      << json_export.header("content-type");
  EXPECT_TRUE(json_export.header("content-disposition").starts_with("attachment"))
      << json_export.header("content-disposition");
  const json::value exported = json_export.json();
  ASSERT_TRUE(exported.is_array()) << json_export.body;
  EXPECT_FALSE(has_exponent_number(json_export.body)) << json_export.body;
  std::map<std::string, json::value> exported_by_group;
  for (const auto& r : exported.as_array()) exported_by_group[group_key(r)] = r;
  ASSERT_EQ(exported_by_group.size(), kExpectedGroups.size());
  for (const auto& [key, r] : f.results_by_group(job)) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(exported_by_group.contains(key));
    EXPECT_EQ(exported_by_group.at(key), json::value(r));
  }
  auto unmatched = f.get("/jobs/" + job + "/export?format=json&status=unmatched").json();
  ASSERT_TRUE(unmatched.is_array());
  EXPECT_EQ(unmatched.as_array().size(), 6u);

  expect_field_error(f.get("/jobs/" + job + "/export?format=xml"), 400, "format");
  expect_field_error(f.get("/jobs/" + job + "/export?format=csv&status=matched,lost"), 400,
                     "status");
  EXPECT_EQ(f.get("/jobs/" + std::string(kUnknownId) + "/export?format=csv").status, 404u);
}

TEST(JobsTest, AQueuedJobCanBeCancelledButNotDeletedAndAnEndedOneNotCancelledAgain) {
  JobFixture f([](Config& c) { c.job_workers = 0; });  // nothing runs: jobs stay queued
  auto created = f.post_job();
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = id_of(created);
  json::value job = f.get("/jobs/" + id).json();
  EXPECT_EQ(json_string(job, "status"), "queued");
  EXPECT_EQ(json_string(job, "phase"), "queued");
  EXPECT_EQ(json_int(job, "attempts"), 0);
  EXPECT_TRUE(json_at(job, "worker").is_null()) << job;
  EXPECT_TRUE(json_at(job, "started_at").is_null());
  EXPECT_TRUE(json_at(job, "eta_seconds").is_null());
  EXPECT_EQ(json_at(job, "counters"), json::value(json::object{}));

  auto refused = f.del("/jobs/" + id);
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_EQ(f.get("/jobs/" + id).status, 200u);

  auto cancelled = f.post("/jobs/" + id + "/cancel");
  ASSERT_EQ(cancelled.status, 200u) << cancelled.body;
  EXPECT_EQ(json_string(cancelled.json(), "status"), "cancelled");
  EXPECT_TRUE(json_at(cancelled.json(), "finished_at").is_string()) << cancelled.body;
  EXPECT_EQ(json_string(f.get("/jobs/" + id).json(), "status"), "cancelled");
  EXPECT_EQ(f.post("/jobs/" + id + "/cancel").status, 409u) << "a cancelled job has ended";
  EXPECT_EQ(json_int(f.server.get(f.jobs_url() + "?status=cancelled", f.alice.access_token).json(),
                     "total"),
            1);
  auto stream = f.get("/jobs/" + id + "/events");
  ASSERT_EQ(stream.status, 200u);
  const auto events = parse_event_stream(stream.body);
  ASSERT_FALSE(events.empty()) << stream.body;
  EXPECT_EQ(events.back().name, "end");

  EXPECT_EQ(f.del("/jobs/" + id).status, 204u);
  EXPECT_EQ(f.get("/jobs/" + id).status, 404u);
  EXPECT_EQ(f.get("/jobs/" + id + "/results").status, 404u);
  EXPECT_EQ(f.del("/jobs/" + id).status, 404u);
  EXPECT_EQ(f.post("/jobs/" + std::string(kUnknownId) + "/cancel").status, 404u);
}

TEST(JobsTest, AnEndedJobCannotBeCancelledAndDeletingItKeepsItsConfirmedMatches) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  EXPECT_EQ(f.post("/jobs/" + job + "/cancel").status, 409u);
  const auto groups = f.results_by_group(job);
  const std::string acme = json_string(groups.at("B01|L01"), "id");
  auto confirmed = f.post("/results/" + acme + "/confirm");
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;

  EXPECT_EQ(f.del("/jobs/" + job).status, 204u);
  EXPECT_EQ(f.get("/jobs/" + job).status, 404u);
  EXPECT_EQ(f.get("/jobs/" + job + "/results").status, 404u);
  EXPECT_EQ(f.get("/jobs/" + job + "/summary").status, 404u);
  EXPECT_EQ(f.get("/results/" + acme).status, 404u);
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "L01"}))
      << "matches belong to the project";
  EXPECT_EQ(json_int(f.server.get(f.jobs_url(), f.alice.access_token).json(), "total"), 0);
}

TEST(JobsTest, ARerunSeesOnlyTheRecordsStillOpen) {
  JobFixture f;
  const json::object original = f.run_job(
      {{"name", "first pass"}, {"confidence_threshold", 0.85}, {"review_threshold", 0.5}});
  const std::string job = json_string(original, "id");
  const auto groups = f.results_by_group(job);
  for (const char* key : {"B01|L01", "B07|L07;L08;L09"}) {
    ASSERT_EQ(f.post("/results/" + json_string(groups.at(key), "id") + "/confirm").status, 200u)
        << key;
  }

  auto rerun = f.post("/jobs/" + job + "/rerun");
  ASSERT_EQ(rerun.status, 201u) << rerun.body;
  const std::string second = id_of(rerun);
  EXPECT_NE(second, job);
  EXPECT_EQ(rerun.header("location"), "/api/v1/jobs/" + second);
  const json::value created = rerun.json();
  EXPECT_EQ(json_string(created, "rerun_of"), job);
  EXPECT_EQ(json_string(created, "status"), "queued");
  EXPECT_EQ(json_string(created, "left_data_source_id"), f.bank_id);
  EXPECT_EQ(json_string(created, "right_data_source_id"), f.ledger_id);
  EXPECT_DOUBLE_EQ(json_number(created, "confidence_threshold"), 0.85);
  EXPECT_DOUBLE_EQ(json_number(created, "review_threshold"), 0.5);
  EXPECT_EQ(json_at(created, "rules"), json_at(json::value(original), "rules"));

  const json::value done = f.server.wait_for_job(second, f.alice.access_token).json();
  ASSERT_EQ(json_string(done, "status"), "completed") << done;
  EXPECT_EQ(json_int(done, "counters.left_records"), kLeftRecords - 2)
      << done;  // B01, B07 are matched
  EXPECT_EQ(json_int(done, "counters.right_records"), kRightRecords - 4) << done;  // L01, L07..L09
  EXPECT_EQ(json_int(done, "records_total"), kLeftRecords + kRightRecords - 6);
  std::set<std::string> expected;
  for (const auto& [key, e] : kExpectedGroups) {
    if (key != "B01|L01" && key != "B07|L07;L08;L09") expected.insert(key);
  }
  EXPECT_EQ(f.group_keys(second, "per_page=100"), expected);
  EXPECT_EQ(f.post("/jobs/" + std::string(kUnknownId) + "/rerun").status, 404u);
}

TEST(JobsTest, AutoConfirmConfirmsTheMatchedGroupsWhenTheJobCompletes) {
  JobFixture f;
  const std::string job = json_string(f.run_job({{"auto_confirm", true}}), "id");
  EXPECT_EQ(f.group_keys(job, "status=confirmed"), keys_with("matched"));
  EXPECT_TRUE(f.group_keys(job, "status=matched").empty());
  EXPECT_EQ(f.group_keys(job, "status=suggested"), keys_with("suggested"));
  for (const auto& r : f.results(job, "status=confirmed"))
    EXPECT_TRUE(json_at(r, "match_id").is_string()) << json::value(r);
  EXPECT_EQ(f.records_with_status("matched"),
            (std::set<std::string>{"B01", "B02", "B03", "B04", "B05", "B06", "B07", "L01", "L02",
                                   "L03", "L04", "L05", "L06", "L07", "L08", "L09"}));
}

TEST(JobsTest, BadJobsAnswer422FieldByFieldAndCreateNothing) {
  JobFixture f([](Config& c) { c.job_workers = 0; });
  const std::string other_project = f.create_project(f.alice, "Other");
  const std::string other_source = f.create_source(f.alice, other_project, "Elsewhere", "bank");
  const std::string retired = f.create_source(f.alice, f.project_id, "Retired", "bank");
  ASSERT_EQ(f.server.del("/api/v1/data-sources/" + retired, f.alice.access_token).status, 204u);

  auto nothing = f.server.post(f.jobs_url(), json::object{}, f.alice.access_token);
  for (const char* field : {"name", "left_data_source_id", "right_data_source_id"}) {
    expect_field_error(nothing, 422, field);
  }
  expect_field_error(f.post_job({{"name", ""}}), 422, "name");
  expect_field_error(f.post_job({{"name", "   "}}), 422, "name");
  expect_field_error(f.post_job({{"name", std::string(256, 'n')}}), 422, "name");
  expect_field_error(f.post_job({{"name", 7}}), 422, "name");
  expect_field_error(f.post_job({{"left_data_source_id", "not-a-uuid"}}), 422,
                     "left_data_source_id");
  expect_field_error(f.post_job({{"left_data_source_id", kUnknownId}}), 422, "left_data_source_id");
  expect_field_error(f.post_job({{"left_data_source_id", other_source}}), 422,
                     "left_data_source_id");
  expect_field_error(f.post_job({{"right_data_source_id", retired}}), 422, "right_data_source_id");
  {
    auto same = f.post_job({{"right_data_source_id", f.bank_id}});
    EXPECT_EQ(same.status, 422u) << same.body;
    const auto fields = error_fields(same);
    EXPECT_TRUE(std::find(fields.begin(), fields.end(), "right_data_source_id") != fields.end() ||
                std::find(fields.begin(), fields.end(), "left_data_source_id") != fields.end())
        << same.body;
  }
  expect_field_error(f.post_job({{"confidence_threshold", 1.5}}), 422, "confidence_threshold");
  expect_field_error(f.post_job({{"confidence_threshold", -0.1}}), 422, "confidence_threshold");
  expect_field_error(f.post_job({{"confidence_threshold", "high"}}), 422, "confidence_threshold");
  expect_field_error(f.post_job({{"review_threshold", 1.5}}), 422, "review_threshold");
  expect_field_error(f.post_job({{"confidence_threshold", 0.7}, {"review_threshold", 0.9}}), 422,
                     "review_threshold");
  expect_field_error(f.post_job({{"review_threshold", 0.85}}), 422,
                     "review_threshold");  // above the default 0.8
  expect_field_error(f.post_job({{"auto_confirm", "yes"}}), 422, "auto_confirm");
  expect_field_error(f.post_job({{"rules", 5}}), 422, "rules");
  expect_field_error(
      f.post_job(
          {{"rules",
            json::parse(
                R"({"fields": [{"field": "amount", "compare": "amount", "tolerance_minor": -5}]})")}}),
      422, "rules.fields[0].tolerance_minor");
  expect_field_error(
      f.post_job(
          {{"rules", json::parse(R"({"fields": [{"field": "amount", "compare": "sound"}]})")}}),
      422, "rules.fields[0].compare");
  expect_field_error(f.post_job({{"colour", "red"}}), 422, "colour");
  EXPECT_EQ(f.server.request("POST", f.jobs_url(), "{", f.alice.access_token).status, 400u);
  EXPECT_EQ(f.server
                .post("/api/v1/projects/" + std::string(kUnknownId) + "/jobs",
                      json::object{{"name", "x"},
                                   {"left_data_source_id", f.bank_id},
                                   {"right_data_source_id", f.ledger_id}},
                      f.alice.access_token)
                .status,
            404u);
  EXPECT_EQ(json_int(f.server.get(f.jobs_url(), f.alice.access_token).json(), "total"), 0)
      << "nothing was created";

  // The thresholds come from the fields, else from the rules, else the defaults.
  const json::value from_rules =
      f.post_job(
           {{"rules", json::parse(R"({"confidence_threshold": 0.9, "review_threshold": 0.6})")}})
          .json();
  EXPECT_DOUBLE_EQ(json_number(from_rules, "confidence_threshold"), 0.9) << from_rules;
  EXPECT_DOUBLE_EQ(json_number(from_rules, "review_threshold"), 0.6);
  const json::value overridden =
      f.post_job(
           {{"rules", json::parse(R"({"confidence_threshold": 0.9, "review_threshold": 0.6})")},
            {"confidence_threshold", 0.95}})
          .json();
  EXPECT_DOUBLE_EQ(json_number(overridden, "confidence_threshold"), 0.95) << overridden;
  EXPECT_DOUBLE_EQ(json_number(overridden, "review_threshold"), 0.6);
  const HttpResult defaults_answer = f.post_job();
  EXPECT_NE(defaults_answer.body.find(R"("confidence_threshold":0.8,)"), std::string::npos)
      << defaults_answer.body;
  const json::value defaults = defaults_answer.json();
  EXPECT_DOUBLE_EQ(json_number(defaults, "confidence_threshold"), 0.8) << defaults;
  EXPECT_DOUBLE_EQ(json_number(defaults, "review_threshold"), 0.55);
}

TEST(JobsTest, AnotherUsersJobsResultsAndMatchesAnswer404) {
  JobFixture f;
  const std::string job = json_string(f.run_job(), "id");
  const auto groups = f.results_by_group(job);
  const std::string result = json_string(groups.at("B02|L02"), "id");
  auto confirmed = f.post("/results/" + json_string(groups.at("B01|L01"), "id") + "/confirm");
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
  const std::string match = json_string(confirmed.json(), "match_id");
  const std::string job_before = f.get("/jobs/" + job).body;
  const std::string result_before = f.get("/results/" + result).body;

  Session bob = f.server.register_user("bob@example.com");
  const std::string bobs_project = f.create_project(bob, "Bob's");
  const std::string bobs_source = f.create_source(bob, bobs_project, "Bob's bank", "bank");
  const std::string manual = json::serialize(
      json::object{{"left_record_ids", json::array{json::value(f.record_ids.at("B11"))}},
                   {"right_record_ids", json::array{json::value(f.record_ids.at("L13"))}}});
  const std::string review = json::serialize(json::object{
      {"actions", json::array{json::object{{"action", "reject"}, {"result_id", result}}}}});
  const std::string new_job = json::serialize(json::object{
      {"name", "x"}, {"left_data_source_id", f.bank_id}, {"right_data_source_id", f.ledger_id}});
  const std::vector<std::tuple<std::string, std::string, std::string>> requests = {
      {"POST", "/api/v1/projects/" + f.project_id + "/jobs", new_job},
      {"GET", "/api/v1/projects/" + f.project_id + "/jobs", ""},
      {"GET", "/api/v1/jobs/" + job, ""},
      {"POST", "/api/v1/jobs/" + job + "/cancel", ""},
      {"POST", "/api/v1/jobs/" + job + "/rerun", ""},
      {"GET", "/api/v1/jobs/" + job + "/events", ""},
      {"GET", "/api/v1/jobs/" + job + "/results", ""},
      {"GET", "/api/v1/jobs/" + job + "/summary", ""},
      {"GET", "/api/v1/results/" + result, ""},
      {"POST", "/api/v1/results/" + result + "/confirm", ""},
      {"POST", "/api/v1/results/" + result + "/reject", ""},
      {"POST", "/api/v1/jobs/" + job + "/matches", manual},
      {"POST", "/api/v1/jobs/" + job + "/review", review},
      {"GET", "/api/v1/jobs/" + job + "/export?format=csv", ""},
      {"DELETE", "/api/v1/matches/" + match, ""},
      {"DELETE", "/api/v1/jobs/" + job, ""},
  };
  for (const auto& [method, target, body] : requests) {
    SCOPED_TRACE(method + " " + target);
    auto res = f.server.request(method, target, body, bob.access_token);
    EXPECT_EQ(res.status, 404u) << res.body;
    EXPECT_EQ(res.body.find(job), std::string::npos);
    EXPECT_EQ(res.body.find("B01"), std::string::npos);
  }
  // Nor may Bob reconcile Alice's data sources in his own project.
  expect_field_error(f.server.post("/api/v1/projects/" + bobs_project + "/jobs",
                                   json::object{{"name", "x"},
                                                {"left_data_source_id", f.bank_id},
                                                {"right_data_source_id", bobs_source}},
                                   bob.access_token),
                     422, "left_data_source_id");
  EXPECT_EQ(
      json_int(f.server.get("/api/v1/projects/" + bobs_project + "/jobs", bob.access_token).json(),
               "total"),
      0);

  EXPECT_EQ(f.get("/jobs/" + job).body, job_before);
  EXPECT_EQ(f.get("/results/" + result).body, result_before);
  EXPECT_EQ(f.records_with_status("matched"), (std::set<std::string>{"B01", "L01"}));
  EXPECT_EQ(json_int(f.server.get(f.jobs_url(), f.alice.access_token).json(), "total"), 1);
}

}  // namespace
}  // namespace oeuvre::testing

namespace oeuvre::testing {
namespace {

TEST(JobsTest, AJobKeepsTheMatchModelItLearnedAndItsResultsExplainEachWeight) {
  JobFixture f;
  const json::object done =
      f.run_job({{"name", "learned"}, {"rules", json::object{{"model", "learn"}}}});
  const std::string job = json_string(done, "id");
  // The stored rules now hold the model itself, so the job shows what it scored with.
  const json::value model = json_at(json::value(done), "rules.model");
  ASSERT_TRUE(model.is_object()) << done;
  EXPECT_GT(json_number(model, "prior"), 0.0);
  EXPECT_LT(json_number(model, "prior"), 1.0);
  EXPECT_FALSE(json_array(model, "rules").empty());

  std::size_t lines = 0;
  for (const auto& [key, r] : f.results_by_group(job)) {
    for (const auto& line : r.at("explanation").as_array()) {
      const json::value l = line;
      ASSERT_TRUE(l.as_object().contains("level")) << key << ": " << l;
      if (!l.at("present").as_bool()) {
        EXPECT_EQ(json_string(l, "level"), "absent");
        continue;
      }
      ++lines;
      EXPECT_NEAR(json_number(l, "match_weight"),
                  std::log2(json_number(l, "m") / json_number(l, "u")), 1e-6)
          << key << ": " << l;
    }
  }
  EXPECT_GT(lines, 0u);

  // Run again: the same model, not a new one.
  auto rerun = f.post("/jobs/" + job + "/rerun");
  ASSERT_EQ(rerun.status, 201u) << rerun.body;
  EXPECT_EQ(json_at(rerun.json(), "rules.model"), model);
  const json::value second = f.server.wait_for_job(id_of(rerun), f.alice.access_token).json();
  EXPECT_EQ(json_string(second, "status"), "completed") << second;
  EXPECT_EQ(json_at(second, "rules.model"), model);

  // A model for rules the job does not have is refused with the rule's path.
  json::object stranger = model.as_object();
  stranger["rules"].as_array()[0].as_object()["rule"] = "iban";
  auto refused = f.post_job({{"name", "stranger"}, {"rules", json::object{{"model", stranger}}}});
  EXPECT_EQ(refused.status, 422u) << refused.body;
  EXPECT_NE(refused.body.find("model.rules[0].rule"), std::string::npos) << refused.body;
}

// The model a job learned while a column was empty on one side has no levels for that column's
// rule. Once a later upload fills the column, running the job again learns a new model (the
// stored rules say learn_when_unfit) instead of failing on the old one.
TEST(JobsTest, ARerunLearnsANewModelWhenItsRecordsFillAColumnTheModelLacks) {
  JobFixture f;
  const std::string bank = f.create_source(f.alice, f.project_id, "Bank, no names", "bank");
  const std::string ledger = f.create_source(f.alice, f.project_id, "Ledger, names", "ledger");
  EXPECT_EQ(f.upload_rows(bank,
                          "N01,2026-03-02,1250.00,EUR,INV-2001,SEPA CREDIT 2001,\n"
                          "N02,2026-03-03,310.00,EUR,INV-2002,GIRO CREDIT 2002,\n"
                          "N03,2026-03-04,2400.00,EUR,INV-2003,SEPA CREDIT 2003,\n"),
            "parsed");
  EXPECT_EQ(f.upload_rows(ledger,
                          "M01,2026-03-02,1250.00,EUR,INV-2001,Invoice 2001,Acme Corp\n"
                          "M02,2026-03-02,310.00,EUR,INV-2002,Invoice 2002,Globex Inc\n"
                          "M03,2026-03-04,2400.00,EUR,INV-2003,Invoice 2003,Initech\n"
                          "M04,2026-03-09,75.00,EUR,INV-2004,Invoice 2004,Hooli\n"),
            "parsed");
  const auto rule_names = [](const json::value& job) {
    std::set<std::string> names;
    for (const auto& r : json_array(json_at(job, "rules.model"), "rules"))
      names.insert(json_string(r, "rule"));
    return names;
  };
  const json::object first =
      f.run_job({{"name", "learned without names"},
                 {"left_data_source_id", bank},
                 {"right_data_source_id", ledger},
                 {"rules", json::object{{"model", "learn"}}}});
  const std::string job = json_string(first, "id");
  EXPECT_EQ(rule_names(first).count("counterparty"), 0u) << first;
  EXPECT_TRUE(json_at(json::value(first), "rules.learn_when_unfit").as_bool()) << first;

  // The bank now sends names too: the payment of M04 arrives with its payer.
  EXPECT_EQ(f.upload_rows(bank, "N04,2026-03-09,75.00,EUR,INV-2004,SEPA CREDIT 2004,HOOLI\n"),
            "parsed");
  auto rerun = f.post("/jobs/" + job + "/rerun");
  ASSERT_EQ(rerun.status, 201u) << rerun.body;
  const json::value second = f.server.wait_for_job(id_of(rerun), f.alice.access_token).json();
  ASSERT_EQ(json_string(second, "status"), "completed") << second;
  EXPECT_EQ(rule_names(second).count("counterparty"), 1u) << second;
  EXPECT_NE(json_at(second, "rules.model"), json_at(json::value(first), "rules.model"));
  EXPECT_TRUE(json_at(second, "rules.learn_when_unfit").as_bool()) << second;
  EXPECT_EQ(json_int(json_at(second, "counters"), "left_records"), 4) << second;

  // A model given by hand that lacks the rule is still refused, with the rule named.
  json::object hand = json_at(json::value(first), "rules").as_object();
  hand.erase("learn_when_unfit");
  auto refused = f.post_job({{"name", "hand-set"},
                             {"left_data_source_id", bank},
                             {"right_data_source_id", ledger},
                             {"rules", hand}});
  ASSERT_EQ(refused.status, 201u) << refused.body;
  const json::value failed = f.server.wait_for_job(id_of(refused), f.alice.access_token).json();
  EXPECT_EQ(json_string(failed, "status"), "failed") << failed;
  EXPECT_NE(json_string(failed, "error").find("counterparty"), std::string::npos) << failed;
}

}  // namespace
}  // namespace oeuvre::testing
