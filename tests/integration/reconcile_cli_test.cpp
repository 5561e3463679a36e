// One path from a file to records: the same file with the same column mapping gives the same
// records uploaded to a data source (the server's ingest) and read by `oeuvre reconcile` (the real
// binary, offline), on both backends.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "support/child_process.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// A German bank export: semicolons, comma decimals, dotted dates, named columns, an id column,
// a row in yen (scale 0), a row with a debit/credit sign column, and two bad rows.
constexpr const char* kStatement =
    "Buchung;Betrag;Waehrung;Zweck;Empfaenger;Vorgang;S/H;Filiale\n"
    "02.01.2026;1.234,56;EUR;RE-2026-001;M\xC3\xBC"
    "ller GmbH;T-1;H;Nord\n"
    "03.01.2026;12,00;EUR;Kontof\xC3\xBChrung;Sparkasse;T-2;S;\n"
    "04.01.2026;zw\xC3\xB6lf;EUR;RE-3;Typo GmbH;T-3;H;Nord\n"
    "05.01.2026;1500;JPY;RE-4;Tokyo KK;T-4;H;S\xC3\xBC"
    "d\n"
    "30.02.2026;5,00;EUR;RE-5;Nobody;T-5;H;\n"
    "06.01.2026;0,99;;RE-6;Default Currency Ltd;T-6;S;Ost\n";

constexpr const char* kMapping = R"({"columns": {"date": "Buchung", "amount": "Betrag",
  "currency": "Waehrung", "reference": "Zweck", "counterparty": "Empfaenger", "external_id": "Vorgang",
  "credit_debit_indicator": "S/H"}, "date_format": "dd.mm.yyyy", "decimal_separator": ",",
  "default_currency": "EUR"})";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string text_or_empty(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

TEST(ReconcileCliTest, AFileGivesTheSameRecordsUploadedAndReadOffline) {
  TestServer server;
  Session alice = server.register_user("alice@example.com");
  auto project =
      server.post("/api/v1/projects", json::object{{"name", "One path"}}, alice.access_token);
  ASSERT_EQ(project.status, 201u) << project.body;
  const std::string project_id(project.json().at("id").as_string());
  auto source = server.post(
      "/api/v1/projects/" + project_id + "/data-sources",
      json::object{{"name", "Bank"}, {"kind", "bank"}, {"column_mapping", json::parse(kMapping)}},
      alice.access_token);
  ASSERT_EQ(source.status, 201u) << source.body;
  auto file = server.upload_and_wait(std::string(source.json().at("id").as_string()), kStatement,
                                     alice.access_token, "statement.csv");
  ASSERT_EQ(file.json().at("status"), "parsed") << file.body;
  auto page =
      server.get("/api/v1/projects/" + project_id + "/records?per_page=100", alice.access_token);
  ASSERT_EQ(page.status, 200u) << page.body;
  std::vector<json::object> uploaded;
  const json::value listed = page.json();
  for (const json::value& r : listed.at("items").as_array()) uploaded.push_back(r.as_object());
  std::sort(uploaded.begin(), uploaded.end(), [](const json::object& a, const json::object& b) {
    return a.at("line").to_number<std::int64_t>() < b.at("line").to_number<std::int64_t>();
  });
  ASSERT_EQ(uploaded.size(), 4u) << page.body;

  // The same file and mapping through `oeuvre reconcile`, against a right file without records:
  // every left record comes out unmatched, with its fields.
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / ("oeuvre-cli-test-" + std::to_string(random()));
  fs::create_directories(dir);
  std::ofstream(dir / "statement.csv", std::ios::binary) << kStatement;
  std::ofstream(dir / "mapping.json", std::ios::binary) << kMapping;
  std::ofstream(dir / "empty.csv", std::ios::binary) << "date,amount,currency\n";
  std::ofstream(dir / "empty_mapping.json", std::ios::binary) << "{}";
  auto cli = ChildProcess::spawn(
      {OEUVRE_BINARY, "reconcile", (dir / "statement.csv").string(), (dir / "empty.csv").string(),
       "--left-mapping", (dir / "mapping.json").string(), "--right-mapping",
       (dir / "empty_mapping.json").string(), "--format", "json", "--out", (dir / "out").string(),
       "--quiet"},
      {}, (dir / "cli.log").string());
  ASSERT_NE(cli, nullptr);
  const auto status = cli->wait_for_exit(std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << cli->output();
  const json::array offline =
      json::parse(read_text(dir / "out" / "unmatched_left.json")).as_array();
  ASSERT_EQ(offline.size(), uploaded.size()) << read_text(dir / "out" / "unmatched_left.json");
  for (std::size_t i = 0; i < offline.size(); ++i) {
    const json::object& cli_record = offline[i].as_object();
    const json::object& api_record = uploaded[i];
    SCOPED_TRACE(json::serialize(cli_record) + " vs " + json::serialize(api_record));
    EXPECT_EQ(cli_record.at("line").to_number<std::int64_t>(),
              api_record.at("line").to_number<std::int64_t>());
    EXPECT_EQ(text_or_empty(cli_record.at("id")), text_or_empty(api_record.at("external_id")));
    EXPECT_EQ(text_or_empty(cli_record.at("date")),
              text_or_empty(api_record.at("transaction_date")));
    for (const char* field : {"amount", "currency", "reference", "description", "counterparty"})
      EXPECT_EQ(text_or_empty(cli_record.at(field)), text_or_empty(api_record.at(field))) << field;
  }
  // The rows the server reports as bad are the rows the command leaves out.
  const std::string rejected = read_text(dir / "out" / "rejected_left.csv");
  EXPECT_NE(rejected.find("\n4,Betrag,"), std::string::npos) << rejected;
  EXPECT_NE(rejected.find("\n6,Buchung,"), std::string::npos) << rejected;
  EXPECT_EQ(file.json().at("rows_failed").to_number<std::int64_t>(), 2);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// The README's walk-through: the sample statement as the bank sends it (camt.053, MT940) reconciles
// against the sample ledger exactly as the same transactions exported as CSV do.
TEST(ReconcileCliTest, TheSampleStatementsReconcileLikeTheirCsv) {
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / ("oeuvre-cli-bank-" + std::to_string(random()));
  fs::create_directories(dir);
  const std::string samples = std::string(OEUVRE_SOURCE_DIR) + "/samples/";
  const auto reconcile = [&](const std::string& left,
                             const std::vector<std::string>& options) -> json::object {
    const fs::path out = dir / fs::path(left).filename();
    std::vector<std::string> args = {
        OEUVRE_BINARY, "reconcile",  samples + left, samples + "ledger.csv",
        "--out",       out.string(), "--quiet"};
    args.insert(args.end(), options.begin(), options.end());
    auto cli = ChildProcess::spawn(args, {}, (dir / "cli.log").string());
    EXPECT_NE(cli, nullptr);
    if (cli == nullptr) return {};
    const auto status = cli->wait_for_exit(std::chrono::seconds(60));
    EXPECT_TRUE(status.has_value() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << cli->output();
    return json::parse(read_text(out / "summary.json")).as_object();
  };
  const json::object csv =
      reconcile("bank.csv", {"--currency", "EUR", "--date-format", "dd/mm/yyyy"});
  ASSERT_FALSE(csv.empty());
  for (const std::string statement : {"bank.camt053.xml", "bank.mt940"}) {
    SCOPED_TRACE(statement);
    const json::object summary = reconcile(statement, {});
    ASSERT_FALSE(summary.empty());
    for (const char* figure : {"left_records", "left_matched", "right_matched", "left_unmatched",
                               "right_unmatched", "matched_groups", "suggested_groups", "totals"})
      EXPECT_EQ(json::serialize(summary.at(figure)), json::serialize(csv.at(figure))) << figure;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// A batch booking as a bank sends it (one camt entry of three transaction details) against the
// ledger's one line for the batch: the details come out as one N:1 group of the batch's sum.
TEST(ReconcileCliTest, ABatchBookingMatchesTheLedgersOneLine) {
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / ("oeuvre-cli-batch-" + std::to_string(random()));
  fs::create_directories(dir);
  const auto detail = [](const char* id, const char* amount, const char* debtor, const char* text) {
    return std::string("<TxDtls><Refs><AcctSvcrRef>") + id + "</AcctSvcrRef></Refs><Amt Ccy=\"EUR\">" +
           amount + "</Amt><RltdPties><Dbtr><Nm>" + debtor + "</Nm></Dbtr></RltdPties><RmtInf><Ustrd>" +
           text + "</Ustrd></RmtInf></TxDtls>";
  };
  std::ofstream(dir / "statement.xml", std::ios::binary)
      << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>"
         "<GrpHdr><MsgId>MSG-1</MsgId></GrpHdr><Stmt><Id>STMT-0305</Id>"
         "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
         "<Ntry><Amt Ccy=\"EUR\">600.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
         "<BookgDt><Dt>2025-03-05</Dt></BookgDt><ValDt><Dt>2025-03-05</Dt></ValDt>"
         "<AcctSvcrRef>BATCH-0305</AcctSvcrRef><NtryDtls>"
      << detail("D1", "100.00", "ACME TRADING LTD", "INVOICE 901")
      << detail("D2", "200.00", "GLOBEX CORPORATION", "INVOICE 902")
      << detail("D3", "300.00", "INITECH GMBH", "INVOICE 903")
      << "</NtryDtls></Ntry>"
         "<Ntry><Amt Ccy=\"EUR\">42.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>"
         "<BookgDt><Dt>2025-03-06</Dt></BookgDt><AcctSvcrRef>FEE-1</AcctSvcrRef>"
         "<AddtlNtryInf>ACCOUNT FEE</AddtlNtryInf></Ntry>"
         "</Stmt></BkToCstmrStmt></Document>\n";
  std::ofstream(dir / "ledger.csv", std::ios::binary)
      << "id,date,amount,currency,ref,memo,payee\n"
         "L900,2025-03-05,600.00,EUR,LOCKBOX-0305,Lockbox receipts 5 March,Acme Trading Ltd\n"
         "L901,2025-03-05,250.00,EUR,INV-904,Invoice 904,Umbrella Corp\n";
  auto cli = ChildProcess::spawn({OEUVRE_BINARY, "reconcile", (dir / "statement.xml").string(),
                                  (dir / "ledger.csv").string(), "--format", "json", "--out",
                                  (dir / "out").string(), "--quiet"},
                                 {}, (dir / "cli.log").string());
  ASSERT_NE(cli, nullptr);
  const auto status = cli->wait_for_exit(std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << cli->output();
  const std::string matches = read_text(dir / "out" / "matches.json");
  const json::array groups = json::parse(matches).as_array();
  ASSERT_EQ(groups.size(), 1u) << matches;
  const json::object& batch = groups[0].as_object();
  EXPECT_EQ(batch.at("kind"), "N:1");
  EXPECT_EQ(batch.at("left_ids").as_array().size(), 3u);  // a statement's records: ids are lines
  EXPECT_EQ(json::serialize(batch.at("right_ids")), R"(["L900"])");
  EXPECT_EQ(batch.at("left_amount"), "600.00");
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// --learn writes the model it scored with; --model scores with it again, and gives the same
// matches; what is not a model is refused with the path of the mistake.
TEST(ReconcileCliTest, ALearnedModelIsWrittenAndScoresAgainWhenLoaded) {
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / ("oeuvre-cli-model-" + std::to_string(random()));
  fs::create_directories(dir);
  {
    std::mt19937 rng(5);
    const char* names[] = {"ACME", "GLOBEX", "HOOLI", "INITECH", "UMBRELLA", "STARK"};
    std::ofstream bank(dir / "bank.csv", std::ios::binary), ledger(dir / "ledger.csv", std::ios::binary);
    bank << "id,date,amount,currency,reference,counterparty\n";
    ledger << "id,date,amount,currency,reference,counterparty\n";
    for (int i = 0; i < 600; ++i) {
      const int day = 1 + static_cast<int>(rng() % 28), month = 1 + static_cast<int>(rng() % 6);
      const std::string amount = std::to_string(100 + rng() % 5000) + "." + std::to_string(10 + rng() % 90);
      const std::string ref = rng() % 10 < 7 ? "INV-" + std::to_string(5000 + i) : "";
      const char* name = names[rng() % 6];
      char date[16];
      std::snprintf(date, sizeof date, "2025-%02d-%02d", month, day);
      ledger << "L" << i << "," << date << "," << amount << ",EUR," << ref << "," << name << "\n";
      if (i % 7 == 0) continue;  // an open invoice
      bank << "B" << i << "," << date << "," << amount << ",EUR," << (rng() % 10 < 8 ? ref : "")
           << "," << name << " PAYMENT\n";
    }
  }
  const auto run = [&](const std::vector<std::string>& extra, const std::string& out) {
    std::vector<std::string> args = {OEUVRE_BINARY, "reconcile", (dir / "bank.csv").string(),
                                     (dir / "ledger.csv").string(), "--out", (dir / out).string(),
                                     "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto cli = ChildProcess::spawn(args, {}, (dir / (out + ".log")).string());
    EXPECT_NE(cli, nullptr);
    if (cli == nullptr) return std::pair{-1, std::string()};
    const auto status = cli->wait_for_exit(std::chrono::seconds(60));
    const int code = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    return std::pair{code, read_text(dir / (out + ".log"))};
  };
  auto [learned, learned_log] = run({"--learn"}, "learned");
  ASSERT_EQ(learned, 0) << learned_log;
  const std::string model_text = read_text(dir / "learned" / "model.json");
  const json::value model = json::parse(model_text);
  EXPECT_GT(model.at("prior").to_number<double>(), 0.0);
  EXPECT_EQ(model.at("rules").as_array().size(), 4u) << model_text;  // no description column
  const std::string matches = read_text(dir / "learned" / "matches.csv");
  EXPECT_NE(matches.find("amount_match_weight"), std::string::npos);

  std::ofstream(dir / "model.json", std::ios::binary) << model_text;
  auto [loaded, loaded_log] = run({"--model", (dir / "model.json").string()}, "loaded");
  ASSERT_EQ(loaded, 0) << loaded_log;
  EXPECT_EQ(read_text(dir / "loaded" / "matches.csv"), matches);
  EXPECT_EQ(read_text(dir / "loaded" / "model.json"), model_text);
  // Without either flag the rules' weights score, and no model.json is left behind.
  auto [fixed, fixed_log] = run({}, "loaded");
  ASSERT_EQ(fixed, 0) << fixed_log;
  EXPECT_FALSE(fs::exists(dir / "loaded" / "model.json"));
  EXPECT_EQ(read_text(dir / "loaded" / "matches.csv").find("match_weight"), std::string::npos);

  auto [both, both_log] = run({"--learn", "--model", (dir / "model.json").string()}, "both");
  EXPECT_EQ(both, 2);
  EXPECT_NE(both_log.find("not both"), std::string::npos) << both_log;
  std::ofstream(dir / "bad.json", std::ios::binary)
      << R"({"prior": 2, "rules": [{"rule": "amount", "levels": [{"min_similarity": 0, "m": 0.5, "u": 0.5}]}]})";
  auto [bad, bad_log] = run({"--model", (dir / "bad.json").string()}, "bad");
  EXPECT_EQ(bad, 2);
  EXPECT_NE(bad_log.find("model.prior"), std::string::npos) << bad_log;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// Person records, no amount and no date column (the engine case 15_person_records' files): with
// rules that compare no amounts the binary reads them and links the people, amounts left empty;
// with the default rules, which compare amounts, it stops with exit code 2 and says why.
TEST(ReconcileCliTest, PersonRecordsWithoutAmountsReconcileWithRulesThatCompareNone) {
  std::random_device random;
  const fs::path dir =
      fs::temp_directory_path() / ("oeuvre-cli-people-" + std::to_string(random()));
  fs::create_directories(dir);
  const std::string people =
      std::string(OEUVRE_SOURCE_DIR) + "/tests/engine_cases/15_person_records/";
  const auto run = [&](const std::vector<std::string>& options, const fs::path& out) {
    std::vector<std::string> args = {OEUVRE_BINARY,
                                     "reconcile",
                                     people + "left.csv",
                                     people + "right.csv",
                                     "--mapping",
                                     people + "mapping.json",
                                     "--out",
                                     out.string(),
                                     "--quiet"};
    args.insert(args.end(), options.begin(), options.end());
    auto cli = ChildProcess::spawn(args, {}, (out.string() + ".log"));
    EXPECT_NE(cli, nullptr);
    const auto status = cli ? cli->wait_for_exit(std::chrono::seconds(60)) : std::nullopt;
    return std::make_pair(status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1,
                          cli ? cli->output() : std::string());
  };
  const auto [code, output] = run({"--rules", people + "rules.json"}, dir / "out");
  ASSERT_EQ(code, 0) << output;
  const json::object summary = json::parse(read_text(dir / "out" / "summary.json")).as_object();
  EXPECT_EQ(summary.at("matched_groups").as_int64(), 12);
  EXPECT_EQ(summary.at("left_unmatched").as_int64(), 3);
  EXPECT_EQ(summary.at("right_unmatched").as_int64(), 3);
  EXPECT_EQ(summary.at("left_duplicates").as_int64(), 0);
  EXPECT_TRUE(summary.at("totals").as_array().empty());
  std::istringstream matches(read_text(dir / "out" / "matches.csv"));
  std::string header, first;
  std::getline(matches, header);
  std::getline(matches, first);
  EXPECT_EQ(header.rfind("group,kind,status,confidence,left_ids,right_ids,left_amount,right_amount,"
                         "amount_difference,held,alternatives,",
                         0),
            0u)
      << header;
  // E01 and C101: no amounts (empty), then the rules' values side by side.
  EXPECT_EQ(first.rfind("1,1:1,matched,0.9331,E01,C101,,,,,,19870305,19870503,0.8000,", 0), 0u)
      << first;

  const auto [refused, message] = run({}, dir / "default");
  EXPECT_EQ(refused, 2) << message;
  EXPECT_NE(message.find("no amount column"), std::string::npos) << message;
  EXPECT_NE(message.find("rules: compare amounts"), std::string::npos) << message;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace oeuvre::testing
