// Upload → background parse → records, over real HTTP on both backends: good rows land while bad
// ones are listed with their line numbers, all-or-nothing data sources, files that are not tables,
// JSON Lines, the preview, the records listing with its filters, and deletion taking records along.
#include <gtest/gtest.h>

#include <set>

#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

struct Fixture {
  TestServer server;
  Session alice;
  std::string project_id;

  Fixture() {
    alice = server.register_user("alice@example.com");
    auto project = server.post("/api/v1/projects", json::object{{"name", "Ingest"}}, alice.access_token);
    EXPECT_EQ(project.status, 201u) << project.body;
    project_id = std::string(project.json().at("id").as_string());
  }

  std::string create_source(json::object body) {
    auto res = server.post("/api/v1/projects/" + project_id + "/data-sources", body, alice.access_token);
    EXPECT_EQ(res.status, 201u) << res.body;
    return res.status == 201 ? std::string(res.json().at("id").as_string()) : "";
  }

  // Uploads and waits for parsing to end; returns the file as last read.
  json::value upload_and_wait(const std::string& source_id, const std::string& content,
                              const std::string& filename = "upload.csv", const std::string& type = "text/csv") {
    auto up = server.request("POST", "/api/v1/data-sources/" + source_id + "/files?filename=" + filename, content,
                             alice.access_token, {}, type);
    EXPECT_EQ(up.status, 201u) << up.body;
    if (up.status != 201) return nullptr;
    auto done = server.wait_for_file(std::string(up.json().at("id").as_string()), alice.access_token);
    return done.json();
  }

  json::value records(const std::string& query = "") {
    auto res = server.get("/api/v1/projects/" + project_id + "/records" + query, alice.access_token);
    EXPECT_EQ(res.status, 200u) << res.body;
    return res.json();
  }
};

std::int64_t total_of(const json::value& page) { return page.at("total").to_number<std::int64_t>(); }

constexpr const char* kBankCsv =
    "Booking Date,Amount,Currency,Reference,Description\r\n"
    "2026-01-02,\"1,234.56\",EUR,INV-1,Consulting\r\n"
    "2026-01-03,-12.00,EUR,INV-2,Coffee\r\n"
    "2026-01-04,twelve,EUR,INV-3,Typo in amount\r\n"
    "2026-01-05,99.99,EUR,INV-4\r\n"
    "2026-02-30,5.00,EUR,INV-5,No such day\r\n"
    "2026-01-06,1500,JPY,INV-6,Yen\r\n";

TEST(IngestTest, GoodRowsLandAndBadRowsAreListedWithTheirLines) {
  Fixture f;
  const std::string source = f.create_source({{"name", "Bank"}, {"kind", "bank"}});
  json::value file = f.upload_and_wait(source, kBankCsv);
  ASSERT_TRUE(file.is_object());
  EXPECT_EQ(file.at("status"), "parsed") << json::serialize(file);
  EXPECT_EQ(file.at("rows_ok").to_number<std::int64_t>(), 3) << json::serialize(file);
  EXPECT_EQ(file.at("rows_failed").to_number<std::int64_t>(), 3);
  EXPECT_EQ(file.at("progress").to_number<double>(), 1.0);
  const json::value& layout = file.at("layout");
  EXPECT_EQ(layout.at("format"), "csv");
  EXPECT_EQ(layout.at("delimiter"), ",");
  EXPECT_EQ(layout.at("mapping").at("amount"), "Amount");
  EXPECT_EQ(layout.at("mapping").at("date"), "Booking Date");

  const std::string file_id(file.at("id").as_string());
  auto errors = f.server.get("/api/v1/files/" + file_id + "/errors", f.alice.access_token);
  ASSERT_EQ(errors.status, 200u) << errors.body;
  const json::value error_page = errors.json();
  ASSERT_EQ(total_of(error_page), 3) << errors.body;
  std::set<std::int64_t> lines;
  for (const auto& e : error_page.at("items").as_array()) {
    lines.insert(e.at("line").to_number<std::int64_t>());
    EXPECT_FALSE(e.at("reason").as_string().empty());
  }
  EXPECT_EQ(lines, (std::set<std::int64_t>{4, 5, 6})) << errors.body;
  EXPECT_EQ(error_page.at("items").at(0).at("column"), "Amount") << errors.body;
  EXPECT_EQ(error_page.at("items").at(0).at("value"), "twelve") << errors.body;

  const json::value all = f.records("?per_page=100");
  ASSERT_EQ(total_of(all), 3) << json::serialize(all);
  const json::array& items = all.at("items").as_array();
  EXPECT_EQ(items.at(0).at("transaction_date"), "2026-01-02");
  EXPECT_EQ(items.at(0).at("amount"), "1234.56");
  EXPECT_EQ(items.at(0).at("amount_minor").to_number<std::int64_t>(), 123456);
  EXPECT_EQ(items.at(0).at("reference"), "INV-1");
  EXPECT_EQ(items.at(0).at("line").to_number<std::int64_t>(), 2);
  EXPECT_EQ(items.at(0).at("file_id"), file.at("id"));
  EXPECT_EQ(items.at(1).at("amount"), "-12.00");
  EXPECT_EQ(items.at(2).at("amount"), "1500");  // JPY has no minor digits
  EXPECT_EQ(items.at(2).at("amount_minor").to_number<std::int64_t>(), 1500);
  EXPECT_EQ(items.at(2).at("currency"), "JPY");

  EXPECT_EQ(total_of(f.records("?date_from=2026-01-03&date_to=2026-01-05")), 1);
  EXPECT_EQ(total_of(f.records("?amount_min_minor=0")), 2);
  EXPECT_EQ(total_of(f.records("?amount_max_minor=-1")), 1);
  EXPECT_EQ(total_of(f.records("?currency=JPY")), 1);
  EXPECT_EQ(total_of(f.records("?status=open&data_source_id=" + source)), 3);
  EXPECT_EQ(total_of(f.records("?status=matched")), 0);
  EXPECT_EQ(total_of(f.records("?file_id=" + file_id + "&per_page=1")), 3);
}

TEST(IngestTest, MalformedRecordFiltersAre400sNamingTheParameter) {
  Fixture f;
  const std::string base = "/api/v1/projects/" + f.project_id + "/records";
  for (const std::string query : {"?date_from=2026-13-01", "?date_to=yesterday", "?date_from=2026-02-30",
                                  "?amount_min_minor=1.5", "?status=lost", "?currency=eur", "?data_source_id=x",
                                  "?date_from=2026-02-01&date_to=2026-01-01", "?per_page=0"}) {
    auto res = f.server.get(base + query, f.alice.access_token);
    EXPECT_EQ(res.status, 400u) << query << ": " << res.body;
    EXPECT_TRUE(res.json().as_object().contains("errors")) << query << ": " << res.body;
  }
}

TEST(IngestTest, AnAllOrNothingSourceRefusesAFileWithABadRowAndStoresNothing) {
  Fixture f;
  const std::string source = f.create_source(
      {{"name", "Strict"}, {"kind", "ledger"}, {"column_mapping", {{"all_or_nothing", true}}}});
  json::value file = f.upload_and_wait(source, kBankCsv);
  ASSERT_TRUE(file.is_object());
  EXPECT_EQ(file.at("status"), "failed") << json::serialize(file);
  EXPECT_NE(std::string(file.at("error").as_string()).find("all-or-nothing"), std::string::npos);
  EXPECT_EQ(file.at("rows_ok").to_number<std::int64_t>(), 0);
  EXPECT_EQ(file.at("rows_failed").to_number<std::int64_t>(), 3);
  EXPECT_EQ(total_of(f.records()), 0);
  auto errors = f.server.get("/api/v1/files/" + std::string(file.at("id").as_string()) + "/errors",
                             f.alice.access_token);
  EXPECT_EQ(total_of(errors.json()), 3) << errors.body;
}

TEST(IngestTest, AFileThatIsNotATableFailsWithAReason) {
  Fixture f;
  const std::string source = f.create_source({{"name", "Bank"}});
  static constexpr char kPng[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06";
  const std::string binary(kPng, sizeof kPng - 1);
  json::value png = f.upload_and_wait(source, binary, "statement.png", "image/png");
  ASSERT_TRUE(png.is_object());
  EXPECT_EQ(png.at("status"), "failed") << json::serialize(png);
  EXPECT_FALSE(png.at("error").as_string().empty());
  json::value no_amount = f.upload_and_wait(source, "name,city\nAda,London\n", "people.csv");
  EXPECT_EQ(no_amount.at("status"), "failed") << json::serialize(no_amount);
  EXPECT_EQ(total_of(f.records()), 0);
}

TEST(IngestTest, JsonLinesAndTheMappingOfTheDataSource) {
  Fixture f;
  const std::string source = f.create_source(
      {{"name", "Processor"},
       {"kind", "processor"},
       {"column_mapping", {{"columns", {{"amount", "Betrag"}, {"reference", "Zweck"}}}, {"default_currency", "EUR"}}}});
  const std::string jsonl =
      "{\"Datum\": \"2026-03-01\", \"Betrag\": \"10,50\", \"Zweck\": \"R-1\"}\n"
      "{\"Datum\": \"2026-03-02\", \"Betrag\": \"-3,25\", \"Zweck\": \"R-2\", \"Kanal\": \"web\"}\n";
  json::value file = f.upload_and_wait(source, jsonl, "payments.jsonl", "application/x-ndjson");
  ASSERT_TRUE(file.is_object());
  EXPECT_EQ(file.at("status"), "parsed") << json::serialize(file);
  EXPECT_EQ(file.at("layout").at("format"), "jsonl");
  const json::value page = f.records();
  ASSERT_EQ(total_of(page), 2) << json::serialize(page);
  EXPECT_EQ(page.at("items").at(0).at("amount_minor").to_number<std::int64_t>(), 1050);
  EXPECT_EQ(page.at("items").at(0).at("currency"), "EUR");
  EXPECT_EQ(page.at("items").at(1).at("reference"), "R-2");
  EXPECT_EQ(page.at("items").at(1).at("extra").at("Kanal"), "web") << json::serialize(page);
}

// Text cannot hold a NUL (PostgreSQL refuses it): a NUL in a value is that row's error on both
// backends, listed with the bad rows, while the other rows land; a JSON \u0000 and a raw NUL in CSV
// alike.
TEST(IngestTest, ANulInAValueIsARowErrorOnBothBackends) {
  Fixture f;
  const std::string source = f.create_source({{"name", "Bank"}, {"kind", "bank"}});
  const std::string json_rows =
      "[{\"date\": \"2026-01-01\", \"amount\": \"1.00\", \"currency\": \"EUR\", \"description\": "
      "\"a\\u0000b\"},\n"
      " {\"date\": \"2026-01-02\", \"amount\": \"2.00\", \"currency\": \"EUR\", \"memo\": "
      "\"x\\u0000\"},\n"
      " {\"date\": \"2026-01-03\", \"amount\": \"3.00\", \"currency\": \"EUR\", \"description\": "
      "\"fine\"}]";
  json::value file = f.upload_and_wait(source, json_rows, "rows.json", "application/json");
  ASSERT_TRUE(file.is_object());
  EXPECT_EQ(file.at("status"), "parsed") << json::serialize(file);
  EXPECT_EQ(file.at("rows_ok").to_number<std::int64_t>(), 1) << json::serialize(file);
  EXPECT_EQ(file.at("rows_failed").to_number<std::int64_t>(), 2) << json::serialize(file);
  auto errors = f.server.get("/api/v1/files/" + std::string(file.at("id").as_string()) + "/errors",
                             f.alice.access_token);
  ASSERT_EQ(errors.status, 200u) << errors.body;
  const json::value page = errors.json();
  ASSERT_EQ(total_of(page), 2) << errors.body;
  EXPECT_EQ(page.at("items").at(0).at("column"), "description") << errors.body;
  EXPECT_NE(std::string(page.at("items").at(0).at("reason").as_string()).find("NUL"),
            std::string::npos)
      << errors.body;
  EXPECT_EQ(page.at("items").at(1).at("column"), "memo") << errors.body;

  // A raw NUL byte in a CSV value, past the part of the file that is sniffed for its format.
  std::string csv = "date,amount,currency,description\n";
  for (int i = 0; i < 4000; ++i) csv += "2026-01-05,1.00,EUR,row " + std::to_string(i) + "\n";
  csv += std::string("2026-01-06,2.00,EUR,nul") + '\0' + "here\n";
  json::value csv_file = f.upload_and_wait(source, csv, "rows.csv");
  ASSERT_TRUE(csv_file.is_object());
  EXPECT_EQ(csv_file.at("status"), "parsed") << json::serialize(csv_file);
  EXPECT_EQ(csv_file.at("rows_ok").to_number<std::int64_t>(), 4000) << json::serialize(csv_file);
  EXPECT_EQ(csv_file.at("rows_failed").to_number<std::int64_t>(), 1) << json::serialize(csv_file);
}

TEST(IngestTest, ThePreviewShowsTheLayoutAndTheFirstRowsAsParsed) {
  Fixture f;
  const std::string source = f.create_source({{"name", "Bank"}});
  json::value file = f.upload_and_wait(source, "Date;Amount;Currency\n02.01.2026;1.234,56;EUR\n03.01.2026;x;EUR\n");
  ASSERT_TRUE(file.is_object());
  EXPECT_EQ(file.at("status"), "parsed") << json::serialize(file);
  auto preview = f.server.get("/api/v1/files/" + std::string(file.at("id").as_string()) + "/preview?rows=5",
                              f.alice.access_token);
  ASSERT_EQ(preview.status, 200u) << preview.body;
  const json::value body = preview.json();
  ASSERT_TRUE(body.is_object()) << preview.body;
  EXPECT_EQ(body.at("layout").at("delimiter"), ";");
  EXPECT_EQ(body.at("layout").at("decimal_separator"), ",");
  EXPECT_EQ(body.at("layout").at("header").as_array().size(), 3u);
  const json::array& rows = body.at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.at(0).at("record").at("amount_minor").to_number<std::int64_t>(), 123456);
  EXPECT_EQ(rows.at(0).at("record").at("transaction_date"), "2026-01-02");
  EXPECT_TRUE(rows.at(1).at("record").is_null());
  EXPECT_EQ(rows.at(1).at("errors").as_array().size(), 1u);
  EXPECT_EQ(f.server.get("/api/v1/files/" + std::string(file.at("id").as_string()) + "/preview?rows=0",
                         f.alice.access_token)
                .status,
            400u);
}

TEST(IngestTest, DeletingAFileDeletesItsRecords) {
  Fixture f;
  const std::string source = f.create_source({{"name", "Bank"}});
  json::value first = f.upload_and_wait(source, "date,amount,currency\n2026-01-01,1.00,EUR\n2026-01-02,2.00,EUR\n");
  json::value second = f.upload_and_wait(source, "date,amount,currency\n2026-01-03,3.00,EUR\n");
  ASSERT_TRUE(first.is_object() && second.is_object());
  ASSERT_EQ(total_of(f.records()), 3);
  ASSERT_EQ(f.server.del("/api/v1/files/" + std::string(first.at("id").as_string()), f.alice.access_token).status,
            204u);
  const json::value left = f.records();
  ASSERT_EQ(total_of(left), 1);
  EXPECT_EQ(left.at("items").at(0).at("file_id"), second.at("id"));
}

}  // namespace
}  // namespace oeuvre::testing
