#include "bank/camt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "collecting_sink.h"
#include "core/date.h"

namespace oeuvre::bank {
namespace {

using testing::CollectingSink;
using testing::FailingSource;
using testing::read_fixture;
using testing::TrickleSource;

std::int32_t day(int year, int month, int d) { return days_from_civil(year, month, d); }

Result<void> parse_text(std::string_view xml, CollectingSink& sink) {
  csv::MemoryByteSource source(xml);
  return parse_camt(source, sink);
}

Result<void> parse_fixture(const std::string& name, CollectingSink& sink) {
  const std::string bytes = read_fixture("genkgo-camt/" + name);
  EXPECT_FALSE(bytes.empty()) << name;
  return parse_text(bytes, sink);
}

// The message a failed parse gives the user (file_error puts it in the field error).
std::string error_text(const Result<void>& result) {
  if (result.ok()) return "";
  const Error& error = result.error();
  if (!error.field_errors().empty()) return error.field_errors().front().message;
  return error.message();
}

std::string code(const Transaction& t, std::string_view key) {
  for (const auto& [k, v] : t.codes)
    if (k == key) return v;
  return "";
}

// A camt.053 version 02 document with one statement of account DE89370400440532013000 (EUR)
// whose body (balances, entries) is `body`.
std::string statement_document(
    std::string_view body, std::string_view ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02") {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"") +
         std::string(ns) +
         "\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>MSG-1</MsgId></GrpHdr>\n<Stmt>\n<Id>STMT-1</Id>\n"
         "<Acct><Id><IBAN>DE89 3704 0044 0532 0130 00</IBAN></Id><Ccy>EUR</Ccy></Acct>\n" +
         std::string(body) + "\n</Stmt>\n</BkToCstmrStmt>\n</Document>\n";
}

// One Ntry: `amount` in `currency_attribute` (e.g. Ccy="EUR"), CdtDbtInd `mark`, booked
// 2024-03-01, valued 2024-03-02, then `rest` (references, codes, NtryDtls...).
std::string entry(std::string_view amount, std::string_view mark, std::string_view rest = "",
                  std::string_view currency_attribute = "Ccy=\"EUR\"") {
  return "<Ntry><Amt " + std::string(currency_attribute) + ">" + std::string(amount) +
         "</Amt><CdtDbtInd>" + std::string(mark) +
         "</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-02</"
         "Dt>"
         "</ValDt>" +
         std::string(rest) + "</Ntry>\n";
}

// ---------------------------------------------------------------------------------------------
// genkgo/camt's fixtures (tests/data/bank/genkgo-camt, EXPECTATIONS.txt).

TEST(CamtFixtures, MinimalStatementDecodesAsGenkgoDoes) {
  CollectingSink sink;
  ASSERT_TRUE(parse_fixture("camt053.v2.minimal.xml", sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const StatementInfo& info = sink.statements[0].end;
  EXPECT_EQ(info.statement_id, "253EURNL26VAYB8060476890");
  EXPECT_EQ(info.account, "NL26VAYB8060476890");
  EXPECT_EQ(info.currency, "EUR");
  EXPECT_EQ(info.message_id, "CAMT053RIB000000000001");
  EXPECT_EQ(info.sequence, "12312");
  EXPECT_EQ(info.line, 26u);
  EXPECT_EQ(info.period_start, day(2007, 10, 18));
  EXPECT_EQ(info.period_end, day(2007, 10, 18));

  // The golden balances, deliberately in mixed currencies.
  ASSERT_EQ(info.balances.size(), 4u);
  EXPECT_EQ(info.balances[0].type, "opening");
  EXPECT_EQ(info.balances[0].code, "OPBD");
  EXPECT_EQ(info.balances[0].amount_minor, 1815);
  EXPECT_EQ(info.balances[0].currency, "EUR");
  EXPECT_EQ(info.balances[0].date, day(2014, 12, 30));
  EXPECT_EQ(info.balances[1].type, "closing");
  EXPECT_EQ(info.balances[1].amount_minor, -2700);
  EXPECT_EQ(info.balances[1].currency, "SEK");
  EXPECT_EQ(info.balances[1].date, day(2014, 12, 31));
  EXPECT_EQ(info.balances[2].type, "opening_available");
  EXPECT_EQ(info.balances[2].amount_minor, 3500);
  EXPECT_EQ(info.balances[2].currency, "CHF");
  EXPECT_EQ(info.balances[3].type, "closing_available");
  EXPECT_EQ(info.balances[3].amount_minor, -2700);  // JPY has no minor digits: 2700 yen
  EXPECT_EQ(info.balances[3].currency, "JPY");

  ASSERT_EQ(sink.statements[0].transactions.size(), 1u);
  EXPECT_TRUE(sink.problems.empty());
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, 885);
  EXPECT_EQ(t.currency, "EUR");
  EXPECT_EQ(t.booking_date, day(2014, 12, 31));
  EXPECT_EQ(t.value_date, day(2015, 1, 2));
  EXPECT_FALSE(t.reversal);
  EXPECT_EQ(t.location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]");
  EXPECT_EQ(t.line, 90u);
  // A credit: the other party is the debtor.
  EXPECT_EQ(t.counterparty_name, "NAME NAME");
  EXPECT_EQ(t.counterparty_account, "NL56AGDH9619008421");
  EXPECT_EQ(t.creditor_reference, "4654654654654654");
  EXPECT_EQ(t.reference, "4654654654654654");
  EXPECT_EQ(t.end_to_end_id, "");
  EXPECT_EQ(t.transaction_id, "");
  EXPECT_EQ(t.batch_id, "");
  EXPECT_EQ(code(t, "proprietary_bank_transaction_code"), "544");
  EXPECT_EQ(code(t, "status"), "BOOK");
}

TEST(CamtFixtures, MultiStatementFileYieldsTwoStatementsThatReconcile) {
  CollectingSink sink;
  ASSERT_TRUE(parse_fixture("camt053.v2.multi.statement.xml", sink).ok());
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.statements[0].end.statement_id, "253EURNL26VAYB8060476890");
  EXPECT_EQ(sink.statements[1].end.statement_id, "254EURNL26VAYB8060476890");
  const std::int64_t expected_sums[] = {885, -700};
  const std::int64_t expected_closings[] = {2700, 2000};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& s = sink.statements[i];
    ASSERT_NE(s.end.balance("opening"), nullptr);
    ASSERT_NE(s.end.balance("closing"), nullptr);
    EXPECT_EQ(s.sum(), expected_sums[i]);
    EXPECT_EQ(s.end.balance("closing")->amount_minor, expected_closings[i]);
    EXPECT_EQ(s.end.balance("opening")->amount_minor + s.sum(),
              s.end.balance("closing")->amount_minor);
  }
  EXPECT_EQ(sink.statements[1].transactions[0].location, "/Document/BkToCstmrStmt/Stmt[2]/Ntry[1]");
}

TEST(CamtFixtures, FiveDecimalsAreExactMinorUnits) {
  CollectingSink sink;
  ASSERT_TRUE(parse_fixture("camt053.v2.five.decimals.xml", sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const StatementInfo& info = sink.statements[0].end;
  EXPECT_EQ(info.balance("opening")->amount_minor, 1815);  // "18.150"
  EXPECT_EQ(info.balance("closing")->amount_minor, 2705);  // "27.050"
  ASSERT_EQ(sink.statements[0].transactions.size(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, 885);  // "8.850"
  // The file itself does not reconcile: 18.15 + 8.85 = 27.00, not 27.05.
  EXPECT_NE(info.balance("opening")->amount_minor + t.amount_minor,
            info.balance("closing")->amount_minor);
  EXPECT_EQ(t.end_to_end_id, "000000001");
  EXPECT_EQ(t.reference, "000000001");
  EXPECT_EQ(t.description, "Transaction Description");
  EXPECT_EQ(info.period_start, kNoDate);
}

TEST(CamtFixtures, AllBalanceTypesMapAsTheGoldenShows) {
  CollectingSink sink;
  ASSERT_TRUE(parse_fixture("camt053.v2.all-balance-types.xml", sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const StatementInfo& info = sink.statements[0].end;
  const std::pair<std::string, std::int64_t> expected[] = {
      {"opening", 101},          {"opening", 202},           {"opening_available", 303},
      {"closing", 404},          {"closing_available", 505}, {"forward_available", 606},
      {"information", 707},      {"interim_available", 808}, {"interim", 909},
      {"expected_credit", 1010},
  };
  const std::string codes[] = {"OPBD", "PRCD", "OPAV", "CLBD", "CLAV",
                               "FWAV", "INFO", "ITAV", "ITBD", "XPCD"};
  ASSERT_EQ(info.balances.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(info.balances[i].type, expected[i].first) << i;
    EXPECT_EQ(info.balances[i].amount_minor, expected[i].second) << i;
    EXPECT_EQ(info.balances[i].code, codes[i]) << i;
    EXPECT_EQ(info.balances[i].currency, "EUR");
  }
  EXPECT_EQ(info.balance("opening")->code, "OPBD");  // the first of the two openings
  EXPECT_EQ(info.account, "CH2801234000123456789");  // Acct/Id/Othr/Id
  EXPECT_EQ(info.currency, "");                      // the account has no Ccy
  EXPECT_EQ(info.sequence, "315");
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].amount_minor, 885);
}

TEST(CamtFixtures, Versions3And4And8DecodeLikeMinimal) {
  for (const std::string name : {"camt053.v3.xml", "camt053.v4.xml", "camt053.v8.xml"}) {
    SCOPED_TRACE(name);
    CollectingSink sink;
    ASSERT_TRUE(parse_fixture(name, sink).ok()) << error_text(parse_fixture(name, sink));
    ASSERT_EQ(sink.statements.size(), 1u);
    const StatementInfo& info = sink.statements[0].end;
    EXPECT_EQ(info.statement_id, "253EURNL26VAYB8060476890");
    EXPECT_EQ(info.account, "NL26VAYB8060476890");
    EXPECT_EQ(info.message_id, "CAMT053RIB000000000001");
    ASSERT_EQ(info.balances.size(), 4u);
    EXPECT_EQ(info.balance("opening")->amount_minor, 1815);
    EXPECT_EQ(info.balance("closing")->amount_minor, -2700);
    EXPECT_EQ(info.balance("closing")->currency, "SEK");
    EXPECT_EQ(info.balance("opening_available")->amount_minor, 3500);
    EXPECT_EQ(info.balance("closing_available")->amount_minor, -2700);
    ASSERT_EQ(sink.statements[0].transactions.size(), 1u);
    const Transaction& t = sink.statements[0].transactions[0];
    // One TxDtls: the entry's amount, not the detail's (105.750 EUR in v3, 0 SEK in v4 and v8).
    EXPECT_EQ(t.amount_minor, 885);
    EXPECT_EQ(t.currency, "EUR");
    EXPECT_EQ(t.booking_date, day(2014, 12, 31));
    EXPECT_EQ(t.value_date, day(2015, 1, 2));
    EXPECT_EQ(t.counterparty_name, "NAME NAME");  // v8 wraps it in Dbtr/Pty
    EXPECT_EQ(t.counterparty_account, "NL56AGDH9619008421");
    EXPECT_EQ(t.reference, "4654654654654654");
    EXPECT_EQ(code(t, "status"), "BOOK");  // v8: Sts/Cd
    EXPECT_TRUE(sink.problems.empty());
  }
  CollectingSink v3, v4, v8;
  ASSERT_TRUE(parse_fixture("camt053.v3.xml", v3).ok());
  ASSERT_TRUE(parse_fixture("camt053.v4.xml", v4).ok());
  ASSERT_TRUE(parse_fixture("camt053.v8.xml", v8).ok());
  const Transaction& t3 = v3.statements[0].transactions[0];
  EXPECT_EQ(t3.transaction_id, "XXXXXXXXXXXXXXXXXXXXXXEUR");
  EXPECT_EQ(code(t3, "bank_transaction_code"), "PMNT/RCDT/DMCT");
  EXPECT_EQ(code(t3, "proprietary_bank_transaction_code"), "025132131");
  const Transaction& t4 = v4.statements[0].transactions[0];
  EXPECT_EQ(t4.transaction_id, "AAAASESS-FP-CN_98765/01");
  EXPECT_EQ(code(t4, "bank_transaction_code"), "PAYM/0001/0005");
  const Transaction& t8 = v8.statements[0].transactions[0];
  EXPECT_EQ(t8.end_to_end_id, "MUELL/FINP/RA12345");
  EXPECT_EQ(code(t8, "bank_transaction_code"), "PMNT/RCDT/BOOK");
  EXPECT_EQ(v8.statements[0].end.balance("closing")->date, day(2014, 12, 30));
}

TEST(CamtFixtures, Camt052ReportIsADebitOfTwoHundredThousandSek) {
  const std::string bytes = read_fixture("genkgo-camt/camt052.v2.xml");
  EXPECT_EQ(camt_format(bytes), BankFormat::kCamt052);
  CollectingSink sink;
  ASSERT_TRUE(parse_text(bytes, sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const StatementInfo& info = sink.statements[0].end;
  EXPECT_EQ(info.statement_id, "AAAASESS-FP-ACCR001");
  EXPECT_EQ(info.account, "CH2801234000123456789");
  EXPECT_EQ(info.message_id, "AAAASESS-FP-ACCR001");
  EXPECT_TRUE(info.balances.empty());
  ASSERT_EQ(sink.statements[0].transactions.size(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, -20000000);
  EXPECT_EQ(t.currency, "SEK");
  EXPECT_EQ(t.booking_date, day(2007, 10, 18));  // from BookgDt/DtTm
  EXPECT_EQ(t.location, "/Document/BkToCstmrAcctRpt/Rpt[1]/Ntry[1]");
  EXPECT_EQ(t.transaction_id, "AAAASESS-FP-ACCR-01");
  // A debit: the other party is the creditor.
  EXPECT_EQ(t.counterparty_name, "Company Name");
  EXPECT_EQ(t.description, "Credit");  // AddtlNtryInf: the detail has no remittance text
  EXPECT_EQ(t.reference, "");  // the bank's own id is the transaction id, never the reference
  EXPECT_EQ(code(t, "bank_transaction_code"), "PAYM/0001/0003");
  EXPECT_EQ(code(t, "proprietary_bank_transaction_code"), "XXXX+000+0000+000");
  EXPECT_EQ(code(t, "batch_message_id"), "FINP-0055");
  EXPECT_EQ(code(t, "batch_payment_information_id"), "FINP-0055-001");
  EXPECT_EQ(code(t, "batch_transaction_count"), "20");
}

TEST(CamtFixtures, Camt054DetailsWithoutAmountsStayOneTransaction) {
  const std::string bytes = read_fixture("genkgo-camt/camt054.v2.xml");
  EXPECT_EQ(camt_format(bytes), BankFormat::kCamt054);
  CollectingSink sink;
  ASSERT_TRUE(parse_text(bytes, sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.statements[0].end.account, "CH2801234000123456789");
  ASSERT_EQ(sink.statements[0].transactions.size(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, -20000000);
  EXPECT_EQ(t.currency, "SEK");
  EXPECT_EQ(t.location, "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]");
  EXPECT_EQ(t.batch_id, "");
  EXPECT_EQ(t.end_to_end_id, "MUELL/FINP/RA12345");
  EXPECT_EQ(t.creditor_reference, "ISR ref number V1");
  EXPECT_EQ(t.reference, "ISR ref number V1");
  EXPECT_EQ(t.description, "Unstructured Remittance Information V1");
  EXPECT_EQ(code(t, "detail_count"), "3");
  EXPECT_EQ(code(t, "bank_transaction_code"), "PMNT/ICDT/DMCT");
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_NE(sink.warnings[0].find("3 transaction details"), std::string::npos) << sink.warnings[0];
}

TEST(CamtFixtures, WrongDocumentWithoutStatementIsRefused) {
  CollectingSink sink;
  const Result<void> result = parse_fixture("camt053.v2.wrong.xml", sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
  EXPECT_EQ(error_text(result),
            "/Document/BkToCstmrStmt: the camt.053 message has no statement (<Stmt>), so there is "
            "nothing to read");
  EXPECT_TRUE(sink.statements.empty());
}

TEST(CamtFixtures, EveryFixtureIsRecognised) {
  const std::pair<std::string, BankFormat> fixtures[] = {
      {"camt052.v2.xml", BankFormat::kCamt052},
      {"camt053.v2.all-balance-types.xml", BankFormat::kCamt053},
      {"camt053.v2.five.decimals.xml", BankFormat::kCamt053},
      {"camt053.v2.minimal.xml", BankFormat::kCamt053},
      {"camt053.v2.multi.statement.xml", BankFormat::kCamt053},
      {"camt053.v2.wrong.xml", BankFormat::kCamt053},
      {"camt053.v3.xml", BankFormat::kCamt053},
      {"camt053.v4.xml", BankFormat::kCamt053},
      {"camt053.v8.xml", BankFormat::kCamt053},
      {"camt054.v2.xml", BankFormat::kCamt054},
  };
  for (const auto& [name, format] : fixtures) {
    const std::string bytes = read_fixture("genkgo-camt/" + name);
    EXPECT_TRUE(looks_like_camt(bytes)) << name;
    EXPECT_EQ(camt_format(bytes), format) << name;
  }
}

// ---------------------------------------------------------------------------------------------
// Recognising a file.

TEST(CamtLooksLike, RecognisesCamtRootsOnly) {
  EXPECT_TRUE(
      looks_like_camt("\xEF\xBB\xBF  \n<?xml version=\"1.0\"?>\n<!-- bank -->\n"
                      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">"));
  EXPECT_EQ(
      camt_format("<ns2:Document xmlns:ns2='urn:iso:std:iso:20022:tech:xsd:camt.054.001.04'>"),
      BankFormat::kCamt054);
  EXPECT_EQ(camt_format("<Document><BkToCstmrAcctRpt>"), BankFormat::kCamt052);
  EXPECT_EQ(camt_format("<Document xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
                        "  <BkToCstmrStmt>"),
            BankFormat::kCamt053);
  EXPECT_EQ(camt_format("<BkToCstmrDbtCdtNtfctn>"), BankFormat::kCamt054);
  // An unsupported version is still camt: parse_camt says why it is refused.
  EXPECT_TRUE(
      looks_like_camt("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.13\">"));

  // A DOCTYPE with an internal subset (entity declarations) is recognised, so that parse_camt
  // refuses the file saying why.
  EXPECT_TRUE(looks_like_camt(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
      "<Document "
      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt/></Document>"));
  EXPECT_FALSE(looks_like_camt(""));
  EXPECT_FALSE(looks_like_camt("date,amount,description\n2024-01-01,10.00,Document\n"));
  EXPECT_FALSE(looks_like_camt("Document,BkToCstmrStmt\n1,2\n"));
  EXPECT_FALSE(looks_like_camt("[{\"Document\": \"BkToCstmrStmt\"}]"));
  EXPECT_FALSE(looks_like_camt(":20:STARTUMSE\n:25:10020030/1234567\n"));
  EXPECT_FALSE(looks_like_camt("OFXHEADER:100\nDATA:OFXSGML\n<OFX>"));
  EXPECT_FALSE(looks_like_camt("<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\"?><OFX>"));
  EXPECT_FALSE(
      looks_like_camt("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">"
                      "<CstmrCdtTrfInitn>"));
  EXPECT_FALSE(
      looks_like_camt("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.056.001.01\">"));
  EXPECT_FALSE(looks_like_camt("<Document><CstmrCdtTrfInitn>"));
  EXPECT_FALSE(looks_like_camt("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.0"));
}

// ---------------------------------------------------------------------------------------------
// Security and limits.

TEST(CamtSecurity, ExternalEntityIsRefused) {
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE Document [\n"
      "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
      "]>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>"
      "<GrpHdr><MsgId>&xxe;</MsgId></GrpHdr><Stmt><Id>1</Id></Stmt></BkToCstmrStmt></Document>\n";
  CollectingSink sink;
  const Result<void> result = parse_text(xxe, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
  const std::string message = error_text(result);
  EXPECT_NE(message.find("line 3: the file declares XML entities, which are refused"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("xxe"), std::string::npos) << message;
  EXPECT_EQ(message.find("root:"), std::string::npos);  // nothing of /etc/passwd
  EXPECT_TRUE(sink.statements.empty());
}

TEST(CamtSecurity, BillionLaughsIsRefused) {
  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    laughs += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k)
      laughs += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    laughs += "\">\n";
  }
  laughs +=
      "]>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">&lol9;</Document>\n";
  CollectingSink sink;
  const Result<void> result = parse_text(laughs, sink);
  ASSERT_FALSE(result.ok());
  const std::string message = error_text(result);
  EXPECT_NE(message.find("line 3: the file declares XML entities, which are refused"),
            std::string::npos)
      << message;
}

TEST(CamtSecurity, EntityOfAnUnreadExternalDtdIsRefused) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE Document SYSTEM \"http://attacker.example/evil.dtd\">\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>"
      "<GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></BkToCstmrStmt></Document>\n";
  CollectingSink sink;
  const Result<void> result = parse_text(xml, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(error_text(result).find("refers to the XML entity '&xxe;'"), std::string::npos)
      << error_text(result);
}

TEST(CamtSecurity, DeepNestingIsRefused) {
  std::string body;
  for (int i = 0; i < 70; ++i) body += "<SplmtryData>";
  for (int i = 0; i < 70; ++i) body += "</SplmtryData>";
  CollectingSink sink;
  const Result<void> result = parse_text(statement_document(body), sink);
  ASSERT_FALSE(result.ok());
  const std::string message = error_text(result);
  EXPECT_NE(message.find("line 8: /Document/BkToCstmrStmt/Stmt[1]/SplmtryData/"), std::string::npos)
      << message;
  EXPECT_NE(message.find("elements nest more than 64 deep"), std::string::npos) << message;
}

TEST(CamtSecurity, OverlongTextIsRefused) {
  const std::string body =
      entry("1.00", "CRDT", "<AddtlNtryInf>" + std::string(70000, 'x') + "</AddtlNtryInf>");
  CollectingSink sink;
  const Result<void> result = parse_text(statement_document(body), sink);
  ASSERT_FALSE(result.ok());
  const std::string message = error_text(result);
  EXPECT_NE(message.find("/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/AddtlNtryInf: the text of "
                         "<AddtlNtryInf> is longer than 64 KiB"),
            std::string::npos)
      << message;
}

// ---------------------------------------------------------------------------------------------
// Documents refused as a whole.

TEST(CamtParse, XmlNotWellFormedNamesTheLineAndExpatsReason) {
  const std::string xml =
      statement_document(entry("1.00", "CRDT") + "<Ntry><Amt Ccy=\"EUR\">2.00</Amt>\n</Stmt>");
  CollectingSink sink;
  const Result<void> result = parse_text(xml, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
  const std::string message = error_text(result);
  EXPECT_NE(message.find("line 10, column 3: the file is not well-formed XML (mismatched tag)"),
            std::string::npos)
      << message;
}

TEST(CamtParse, EmptyAndNonXmlFilesAreRefused) {
  CollectingSink sink;
  EXPECT_EQ(error_text(parse_text("", sink)), "the file is empty");
  const std::string csv = error_text(parse_text("date,amount\n2024-01-01,1.00\n", sink));
  EXPECT_NE(csv.find("line 1, column 1: the file is not well-formed XML"), std::string::npos)
      << csv;
}

TEST(CamtParse, Windows1252AndLatin1AreReadAsUtf8) {
  for (const std::string encoding : {"windows-1252", "ISO-8859-1"}) {
    std::string xml = statement_document(entry(
        "1.00", "CRDT",
        "<NtryDtls><TxDtls><RmtInf><Ustrd>M\xFCller \xA7 3</Ustrd></RmtInf></TxDtls></NtryDtls>"));
    xml.replace(xml.find("UTF-8"), 5, encoding);
    CollectingSink sink;
    ASSERT_TRUE(parse_text(xml, sink).ok())
        << encoding << ": " << error_text(parse_text(xml, sink));
    EXPECT_EQ(sink.statements[0].transactions[0].description, "M\u00FCller \u00A7 3") << encoding;
  }
  std::string euro =
      statement_document(entry("1.00", "CRDT", "<AddtlNtryInf>\x80 5</AddtlNtryInf>"));
  euro.replace(euro.find("UTF-8"), 5, "windows-1252");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(euro, sink).ok());
  EXPECT_EQ(sink.statements[0].transactions[0].description, "\u20AC 5");

  std::string ebcdic = statement_document("");
  ebcdic.replace(ebcdic.find("UTF-8"), 5, "EBCDIC-CP-US");
  EXPECT_EQ(error_text(parse_text(ebcdic, sink)),
            "line 1: the file's encoding 'EBCDIC-CP-US' is not read: camt files are read in UTF-8, "
            "UTF-16, ISO-8859-1, US-ASCII or windows-1252");
  // Bytes that are not UTF-8 in a file that says it is.
  const std::string broken =
      statement_document(entry("1.00", "CRDT", "<AddtlNtryInf>M\xFCller</AddtlNtryInf>"));
  EXPECT_NE(error_text(parse_text(broken, sink)).find("line 8, column "), std::string::npos);
  EXPECT_NE(error_text(parse_text(broken, sink))
                .find("not well-formed XML (not well-formed (invalid token))"),
            std::string::npos)
      << error_text(parse_text(broken, sink));
}

TEST(CamtParse, OtherDocumentsAndVersionsAreRefusedWithTheReason) {
  CollectingSink sink;
  EXPECT_EQ(
      error_text(parse_text(
          statement_document("", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.13"), sink)),
      "line 2: the file is camt.053 version 13 (urn:iso:std:iso:20022:tech:xsd:camt.053.001.13), "
      "which is not read: versions 2 to 12 are");
  EXPECT_NE(error_text(
                parse_text(statement_document("", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.01"),
                           sink))
                .find("version 1 "),
            std::string::npos);
  EXPECT_EQ(
      error_text(parse_text("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">"
                            "<CstmrCdtTrfInitn/></Document>",
                            sink)),
      "line 1: the file is an ISO 20022 'pain.001.001.03' document, not a camt.052, camt.053 or "
      "camt.054 bank statement");
  EXPECT_EQ(error_text(parse_text("<Document xmlns=\"http://example.com/x\"/>", sink)),
            "line 1: the document's namespace 'http://example.com/x' is not that of camt.052, "
            "camt.053 or camt.054");
  EXPECT_EQ(
      error_text(parse_text("<?xml version=\"1.0\"?>\n<OFX><BANKMSGSRSV1/></OFX>", sink)),
      "line 2: the file's root element is <OFX>, not a camt.052, camt.053 or camt.054 <Document>");
  EXPECT_EQ(error_text(parse_text("<Document>\n<CstmrCdtTrfInitn/></Document>", sink)),
            "line 2: /Document: <CstmrCdtTrfInitn> is not a camt.052, camt.053 or camt.054 message "
            "(BkToCstmrAcctRpt, BkToCstmrStmt or BkToCstmrDbtCdtNtfctn)");
  EXPECT_EQ(error_text(parse_text("<Document/>", sink)),
            "/Document: the document holds no camt.052, camt.053 or camt.054 message "
            "(BkToCstmrAcctRpt, BkToCstmrStmt or BkToCstmrDbtCdtNtfctn)");
  // The message must be the one the namespace names.
  EXPECT_EQ(
      error_text(parse_text("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"
                            "<BkToCstmrAcctRpt><Rpt><Id>1</Id></Rpt></BkToCstmrAcctRpt></Document>",
                            sink)),
      "line 1: /Document: a camt.053 document holds <BkToCstmrStmt>, not <BkToCstmrAcctRpt>");
  EXPECT_TRUE(sink.statements.empty());
}

TEST(CamtParse, DocumentWithoutNamespaceAndABareMessageAreRead) {
  for (const std::string& xml : {std::string("<Document><BkToCstmrStmt><Stmt><Id>A</Id>") +
                                     entry("1.00", "CRDT") + "</Stmt></BkToCstmrStmt></Document>",
                                 std::string("<BkToCstmrStmt><Stmt><Id>A</Id>") +
                                     entry("1.00", "CRDT") + "</Stmt></BkToCstmrStmt>"}) {
    CollectingSink sink;
    ASSERT_TRUE(parse_text(xml, sink).ok()) << error_text(parse_text(xml, sink));
    ASSERT_EQ(sink.statements.size(), 1u);
    EXPECT_EQ(sink.statements[0].end.statement_id, "A");
    ASSERT_EQ(sink.transaction_total(), 1u);
    EXPECT_EQ(sink.statements[0].transactions[0].amount_minor, 100);
  }
  CollectingSink sink;
  ASSERT_TRUE(parse_text(std::string("<BkToCstmrStmt><Stmt><Id>A</Id>") + entry("1.00", "CRDT") +
                             "</Stmt></BkToCstmrStmt>",
                         sink)
                  .ok());
  EXPECT_EQ(sink.statements[0].transactions[0].location, "/BkToCstmrStmt/Stmt[1]/Ntry[1]");
}

TEST(CamtParse, PrefixedNamespaceIsRead) {
  const std::string xml =
      "<c:Document "
      "xmlns:c=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"><c:BkToCstmrDbtCdtNtfctn>"
      "<c:Ntfctn><c:Id>N-1</c:Id><c:Ntry><c:Amt "
      "Ccy=\"CHF\">12.50</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd>"
      "<c:ValDt><c:Dt>2024-05-01</c:Dt></c:ValDt></c:Ntry></c:Ntfctn></c:BkToCstmrDbtCdtNtfctn></"
      "c:Document>";
  EXPECT_EQ(camt_format(xml), BankFormat::kCamt054);
  CollectingSink sink;
  ASSERT_TRUE(parse_text(xml, sink).ok()) << error_text(parse_text(xml, sink));
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, 1250);
  EXPECT_EQ(t.currency, "CHF");
  EXPECT_EQ(t.value_date, day(2024, 5, 1));
  EXPECT_EQ(t.booking_date, day(2024, 5, 1));  // no BookgDt: the value date
}

// ---------------------------------------------------------------------------------------------
// Entries.

TEST(CamtParse, AmountErrorsAreRowProblemsAndTheOtherEntriesArrive) {
  const std::string body =
      entry("10.00", "CRDT") +                     // Ntry[1]
      entry("8.855", "CRDT") +                     // Ntry[2]
      entry("1,000.00", "DBIT") +                  // Ntry[3]
      entry("5.00", "CRDT", "", "") +              // Ntry[4]: no Ccy
      entry("5.00", "CRDT", "", "Ccy=\"EURO\"") +  // Ntry[5]
      entry("3", "DBIT", "", "Ccy=\"JPY\"") +      // Ntry[6]
      "<Ntry><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>2024-03-02</Dt></ValDt></Ntry>" +  // Ntry[7]
      entry("2.50", "DBIT");                                                          // Ntry[8]
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const auto& transactions = sink.statements[0].transactions;
  ASSERT_EQ(transactions.size(), 3u);
  EXPECT_EQ(transactions[0].amount_minor, 1000);
  EXPECT_EQ(transactions[1].amount_minor, -3);
  EXPECT_EQ(transactions[1].currency, "JPY");
  EXPECT_EQ(transactions[2].amount_minor, -250);
  EXPECT_EQ(transactions[2].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[8]");

  ASSERT_EQ(sink.problems.size(), 5u);
  EXPECT_EQ(sink.problems[0].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]");
  EXPECT_EQ(sink.problems[0].value, "8.855");
  EXPECT_EQ(sink.problems[0].reason, "amount '8.855' has more decimals than EUR allows");
  EXPECT_EQ(sink.problems[0].line, 9u);
  EXPECT_EQ(sink.problems[1].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]");
  EXPECT_EQ(sink.problems[1].reason, "amount '1,000.00' is not a decimal amount");
  EXPECT_EQ(sink.problems[2].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[4]");
  EXPECT_EQ(sink.problems[2].reason, "amount '5.00' has no currency (the Ccy attribute)");
  EXPECT_EQ(sink.problems[3].reason, "currency 'EURO' is not a three-letter ISO 4217 code");
  EXPECT_EQ(sink.problems[3].value, "EURO");
  EXPECT_EQ(sink.problems[4].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[7]");
  EXPECT_EQ(sink.problems[4].reason, "the entry has no amount (Amt)");
}

TEST(CamtParse, MarksAndDatesThatCannotBeReadAreRowProblems) {
  const std::string body =
      entry("1.00", "CRD") +
      "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><BookgDt><Dt>2024-03-01</Dt></BookgDt></Ntry>\n" +
      entry("1.00", "CRDT", "<RvslInd>maybe</RvslInd>") +
      "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-02-30</Dt>"
      "</BookgDt></Ntry>\n"
      "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>01.03.2024</Dt>"
      "</ValDt></Ntry>\n"
      "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\n"
      "<Ntry><Amt "
      "Ccy=\"EUR\">4.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><DtTm>2024-02-29T23:30:00-05:00"
      "</DtTm></BookgDt></Ntry>\n";
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  std::vector<std::string> reasons;
  for (const RowProblem& p : sink.problems) reasons.push_back(p.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{
                         "credit/debit mark 'CRD' is neither CRDT nor DBIT",
                         "the entry has no credit/debit mark (CdtDbtInd)",
                         "reversal mark 'maybe' is neither true nor false",
                         "booking date '2024-02-30' is not a date",
                         "value date '01.03.2024' is not a date",
                         "the entry has neither a booking date (BookgDt) nor a value date (ValDt)",
                     }));
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, -400);
  EXPECT_EQ(t.booking_date, day(2024, 2, 29));  // the date as written, not moved to UTC
  EXPECT_EQ(t.value_date, kNoDate);
}

TEST(CamtParse, ReversalKeepsTheSignOfItsCreditDebitMarkAndIsFlagged) {
  // A returned direct debit: we had collected 30.00 from the debtor; the return is booked as a
  // debit. CdtDbtInd is the direction of the reversal itself (ISO 20022 usage rule), so the
  // statement still reconciles.
  const std::string details =
      "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Customer "
      "Ltd</Nm></Dbtr><DbtrAcct><Id><IBAN>FR7630006000011234567890189"
      "</IBAN></Id></DbtrAcct><Cdtr><Nm>Us</Nm></Cdtr></RltdPties>"
      "<RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf></TxDtls></NtryDtls>";
  const std::string body =
      "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">100.00</Amt>"
      "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-02-29</Dt></Dt></Bal>"
      "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">70.00</Amt>"
      "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>" +
      entry("30.00", "DBIT", "<RvslInd>true</RvslInd>" + details);
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_TRUE(t.reversal);
  EXPECT_EQ(t.amount_minor, -3000);
  const StatementInfo& info = sink.statements[0].end;
  EXPECT_EQ(info.balance("opening")->amount_minor + sink.sum(),
            info.balance("closing")->amount_minor);
  // The reversed payment was a credit from the debtor: the debtor is the other party.
  EXPECT_EQ(t.counterparty_name, "Customer Ltd");
  EXPECT_EQ(t.counterparty_account, "FR7630006000011234567890189");
  EXPECT_EQ(code(t, "return_reason"), "AM04");

  CollectingSink plain;
  ASSERT_TRUE(
      parse_text(statement_document(entry("30.00", "DBIT", "<RvslInd>false</RvslInd>" + details)),
                 plain)
          .ok());
  EXPECT_FALSE(plain.statements[0].transactions[0].reversal);
  EXPECT_EQ(plain.statements[0].transactions[0].counterparty_name, "Us");  // a debit: the creditor
}

TEST(CamtParse, ReferenceIsCreditorReferenceThenEndToEndThenInvoiceThenBankReference) {
  const auto detail = [](std::string_view inside) {
    return "<AcctSvcrRef>BANK-REF-1</AcctSvcrRef><NtryDtls><TxDtls>" + std::string(inside) +
           "</TxDtls></NtryDtls>";
  };
  const std::string body =
      entry("1.00", "CRDT",
            detail("<Refs><EndToEndId>E2E-1</EndToEndId></Refs><RmtInf><Ustrd>Invoice 4711</Ustrd>"
                   "<Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>")) +
      entry("2.00", "CRDT",
            detail("<Refs><EndToEndId>E2E-2</EndToEndId></Refs><RmtInf><Ustrd>Invoice "
                   "4712</Ustrd></RmtInf>")) +
      entry(
          "3.00", "CRDT",
          detail(
              "<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RmtInf><Ustrd>Invoice 4713</Ustrd>"
              "</RmtInf>")) +
      entry("4.00", "CRDT", detail("<RmtInf><Ustrd>thank you</Ustrd></RmtInf>"));
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  const auto& ts = sink.statements[0].transactions;
  ASSERT_EQ(ts.size(), 4u);
  EXPECT_EQ(ts[0].reference, "RF18539007547034");
  EXPECT_EQ(ts[0].creditor_reference, "RF18539007547034");
  EXPECT_EQ(ts[0].end_to_end_id, "E2E-1");
  EXPECT_EQ(ts[1].reference, "E2E-2");
  EXPECT_EQ(ts[2].end_to_end_id, "");  // NOTPROVIDED
  EXPECT_EQ(ts[2].reference, "4713");
  EXPECT_EQ(ts[3].reference, "");  // nothing that names the payment in the customer's books
  EXPECT_EQ(ts[3].transaction_id, "BANK-REF-1");
}

TEST(CamtParse, RemittanceLinesAreJoinedAndAdditionalInformationIsTheFallback) {
  const std::string body =
      entry("1.00", "CRDT",
            "<NtryDtls><TxDtls><RmtInf><Ustrd> Rent March </Ustrd><Ustrd>Flat 3</Ustrd></RmtInf>"
            "<AddtlTxInf>SEPA credit</AddtlTxInf></TxDtls></NtryDtls><AddtlNtryInf>Entry "
            "info</AddtlNtryInf>") +
      entry("2.00", "CRDT",
            "<NtryDtls><TxDtls><AddtlTxInf>SEPA credit</AddtlTxInf></TxDtls></NtryDtls>"
            "<AddtlNtryInf>Entry info</AddtlNtryInf>") +
      entry("3.00", "CRDT", "<AddtlNtryInf>Card payment Shop &amp; Co</AddtlNtryInf>");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  const auto& ts = sink.statements[0].transactions;
  ASSERT_EQ(ts.size(), 3u);
  EXPECT_EQ(ts[0].description, "Rent March Flat 3");
  EXPECT_EQ(ts[1].description, "SEPA credit");
  EXPECT_EQ(ts[2].description, "Card payment Shop & Co");
}

TEST(CamtParse, TransactionCodesAndReferencesGoIntoCodes) {
  const std::string body = entry(
      "1.00", "CRDT",
      "<NtryRef>NR-1</NtryRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</"
      "SubFmlyCd>"
      "</Fmly></Domn><Prtry><Cd>NTRF+166</Cd></Prtry></BkTxCd>"
      "<NtryDtls><TxDtls><Refs><MsgId>M-1</MsgId><AcctSvcrRef>TX-REF</AcctSvcrRef><PmtInfId>P-1</"
      "PmtInfId>"
      "<InstrId>I-1</InstrId><EndToEndId>E-1</EndToEndId><TxId>T-1</TxId><MndtId>MD-1</MndtId>"
      "<UETR>eb6305c9-1f7f-49de-aed0-16487c27b42d</UETR></Refs><Purp><Cd>SALA</Cd></Purp></"
      "TxDtls></NtryDtls>");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(code(t, "bank_transaction_code"), "PMNT/RCDT/ESCT");
  EXPECT_EQ(code(t, "proprietary_bank_transaction_code"), "NTRF+166");
  EXPECT_EQ(code(t, "entry_reference"), "NR-1");
  EXPECT_EQ(code(t, "status"), "BOOK");
  EXPECT_EQ(code(t, "message_id"), "M-1");
  EXPECT_EQ(code(t, "account_servicer_reference"), "TX-REF");
  EXPECT_EQ(code(t, "payment_information_id"), "P-1");
  EXPECT_EQ(code(t, "instruction_id"), "I-1");
  EXPECT_EQ(code(t, "tx_id"), "T-1");
  EXPECT_EQ(code(t, "mandate_id"), "MD-1");
  EXPECT_EQ(code(t, "uetr"), "eb6305c9-1f7f-49de-aed0-16487c27b42d");
  EXPECT_EQ(code(t, "purpose"), "SALA");
  EXPECT_EQ(t.end_to_end_id, "E-1");
  // No AcctSvcrRef on the entry: the detail's is the bank's id.
  EXPECT_EQ(t.transaction_id, "TX-REF");
}

// ---------------------------------------------------------------------------------------------
// Batches.

std::string tx_details(std::string_view amount, std::string_view inside = "",
                       std::string_view currency = "EUR") {
  return "<TxDtls><AmtDtls><TxAmt><Amt Ccy=\"" + std::string(currency) + "\">" +
         std::string(amount) + "</Amt></TxAmt></AmtDtls>" + std::string(inside) + "</TxDtls>";
}

TEST(CamtParse, BatchEntryBecomesOneTransactionPerDetail) {
  const std::string body = entry(
      "300.00", "DBIT",
      "<AcctSvcrRef>BATCH-7</AcctSvcrRef><NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>" +
          tx_details(
              "100.00",
              "<Refs><EndToEndId>SAL-1</EndToEndId></Refs><RltdPties><Cdtr><Nm>Alice</Nm></Cdtr>"
              "<CdtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></CdtrAcct></RltdPties>") +
          "\n" +
          // version 3 and later: TxDtls/Amt and a CdtDbtInd of its own
          "<TxDtls><Amt "
          "Ccy=\"EUR\">200.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Refs><EndToEndId>SAL-2</EndToEndId>"
          "<AcctSvcrRef>B7-2</AcctSvcrRef></Refs><RltdPties><Cdtr><Pty><Nm>Bob</Nm></Pty></Cdtr></"
          "RltdPties>"
          "</TxDtls></NtryDtls><AddtlNtryInf>Salaries March</AddtlNtryInf>");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  const auto& ts = sink.statements[0].transactions;
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].amount_minor, -10000);
  EXPECT_EQ(ts[0].counterparty_name, "Alice");
  EXPECT_EQ(ts[0].counterparty_account, "DE02120300000000202051");
  EXPECT_EQ(ts[0].end_to_end_id, "SAL-1");
  EXPECT_EQ(ts[0].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]");
  EXPECT_EQ(ts[0].transaction_id, "");
  EXPECT_EQ(ts[0].description, "Salaries March");  // no remittance text: the entry's
  EXPECT_EQ(ts[1].amount_minor, -20000);
  EXPECT_EQ(ts[1].counterparty_name, "Bob");
  EXPECT_EQ(ts[1].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[2]");
  EXPECT_EQ(ts[1].line, 9u);
  EXPECT_EQ(ts[1].transaction_id, "B7-2");
  for (const Transaction& t : ts) {
    EXPECT_EQ(t.batch_id, "BATCH-7");
    EXPECT_EQ(t.batch_amount_minor, -30000);
    EXPECT_EQ(t.booking_date, day(2024, 3, 1));
    EXPECT_EQ(code(t, "batch_transaction_count"), "2");
  }
  EXPECT_TRUE(sink.warnings.empty());
  EXPECT_TRUE(sink.problems.empty());
}

TEST(CamtParse, BatchIdIsTheEntryReferenceThenTheStatementAndEntryNumber) {
  const std::string two = "<NtryDtls>" + tx_details("1.00") + tx_details("2.00") + "</NtryDtls>";
  const std::string body =
      entry("3.00", "CRDT", "<NtryRef>NTRY-9</NtryRef>" + two) + entry("3.00", "CRDT", two);
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  const auto& ts = sink.statements[0].transactions;
  ASSERT_EQ(ts.size(), 4u);
  EXPECT_EQ(ts[0].batch_id, "NTRY-9");
  EXPECT_EQ(ts[1].batch_id, "NTRY-9");
  EXPECT_EQ(ts[2].batch_id, "STMT-1 entry 2");
  EXPECT_EQ(ts[3].batch_id, "STMT-1 entry 2");
  EXPECT_EQ(ts[3].batch_amount_minor, 300);
}

TEST(CamtParse, BatchDetailThatCannotBeReadIsAProblemAtItsPath) {
  const std::string body = entry("3.00", "CRDT",
                                 "<AcctSvcrRef>B</AcctSvcrRef><NtryDtls>" + tx_details("1.00") +
                                     "</NtryDtls><NtryDtls>" + tx_details("1.005") +
                                     tx_details("2.00", "<CdtDbtInd>XX</CdtDbtInd>") +
                                     tx_details("2.00") + "</NtryDtls>");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  ASSERT_EQ(sink.transaction_total(), 2u);
  ASSERT_EQ(sink.problems.size(), 2u);
  EXPECT_EQ(sink.problems[0].location,
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls[2]/TxDtls[1]");
  EXPECT_EQ(sink.problems[0].reason, "amount '1.005' has more decimals than EUR allows");
  EXPECT_EQ(sink.problems[1].location,
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls[2]/TxDtls[2]");
  EXPECT_EQ(sink.problems[1].reason, "credit/debit mark 'XX' is neither CRDT nor DBIT");
  EXPECT_EQ(sink.statements[0].transactions[1].location,
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls[2]/TxDtls[3]");
  EXPECT_TRUE(sink.warnings.empty());  // the sum is not known, so not compared
}

TEST(CamtParse, BatchDetailsThatDoNotAddUpAreWarned) {
  const std::string body =
      entry("3.00", "CRDT", "<NtryDtls>" + tx_details("1.00") + tx_details("1.50") + "</NtryDtls>");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  EXPECT_EQ(sink.transaction_total(), 2u);
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_EQ(sink.warnings[0],
            "line 8: /Document/BkToCstmrStmt/Stmt[1]/Ntry[1]: its 2 transaction details add up to "
            "2.50 EUR, not the entry's 3.00 EUR");
}

TEST(CamtParse, EntryThatCannotBeReadDropsItsDetails) {
  const std::string body =
      entry("3.001", "CRDT",
            "<NtryDtls>" + tx_details("1.00") + tx_details("2.00") + "</NtryDtls>") +
      entry("1.00", "CRDT");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  ASSERT_EQ(sink.problems.size(), 1u);
  EXPECT_EQ(sink.problems[0].location, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]");
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].amount_minor, 100);
}

TEST(CamtParse, LargeBatchIsDeliveredInOrderBeyondTheHeldBackDetails) {
  std::string details = "<NtryDtls>";
  for (int i = 1; i <= 600; ++i)
    details +=
        tx_details("1.00", "<Refs><EndToEndId>E" + std::to_string(i) + "</EndToEndId></Refs>");
  details += "</NtryDtls>";
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(
                             entry("600.00", "CRDT", "<AcctSvcrRef>BIG</AcctSvcrRef>" + details)),
                         sink)
                  .ok());
  const auto& ts = sink.statements[0].transactions;
  ASSERT_EQ(ts.size(), 600u);
  for (int i = 0; i < 600; ++i) {
    EXPECT_EQ(ts[i].end_to_end_id, "E" + std::to_string(i + 1));
    EXPECT_EQ(ts[i].batch_id, "BIG");
  }
  EXPECT_EQ(sink.sum(), 60000);
  EXPECT_TRUE(sink.warnings.empty());
}

// ---------------------------------------------------------------------------------------------
// Statements and balances.

TEST(CamtParse, BalancesSignsDatesAndCodes) {
  const auto balance = [](std::string_view type, std::string_view amount, std::string_view mark,
                          std::string_view date, std::string_view currency = "Ccy=\"EUR\"") {
    return "<Bal><Tp><CdOrPrtry>" + std::string(type) + "</CdOrPrtry></Tp><Amt " +
           std::string(currency) + ">" + std::string(amount) + "</Amt><CdtDbtInd>" +
           std::string(mark) + "</CdtDbtInd><Dt>" + std::string(date) + "</Dt></Bal>\n";
  };
  const std::string body =
      balance("<Cd>PRCD</Cd>", "10.00", "DBIT", "<Dt>2024-02-29</Dt>") +
      balance("<Prtry>BANKBAL</Prtry>", "1.00", "CRDT", "<DtTm>2024-03-01T10:00:00Z</DtTm>") +
      balance("<Cd>CLBD</Cd>", "5.00", "CRDT", "<Dt>2024-03-01</Dt>", "") +  // the account's EUR
      balance("<Cd>CLAV</Cd>", "5.001", "CRDT", "<Dt>2024-03-01</Dt>") +
      balance("<Cd>ITBD</Cd>", "5.00", "XX", "<Dt>2024-03-01</Dt>") + entry("15.00", "CRDT");
  CollectingSink sink;
  ASSERT_TRUE(parse_text(statement_document(body), sink).ok());
  const StatementInfo& info = sink.statements[0].end;
  ASSERT_EQ(info.balances.size(), 3u);
  EXPECT_EQ(info.balances[0].type, "opening");
  EXPECT_EQ(info.balances[0].code, "PRCD");
  EXPECT_EQ(info.balances[0].amount_minor, -1000);
  EXPECT_EQ(info.balances[0].date, day(2024, 2, 29));
  EXPECT_EQ(info.balances[1].type, "other");
  EXPECT_EQ(info.balances[1].code, "BANKBAL");
  EXPECT_EQ(info.balances[1].date, day(2024, 3, 1));
  EXPECT_EQ(info.balances[2].type, "closing");
  EXPECT_EQ(info.balances[2].currency, "EUR");
  EXPECT_EQ(info.balance("opening")->amount_minor + sink.sum(),
            info.balance("closing")->amount_minor);
  ASSERT_EQ(sink.warnings.size(), 2u);
  EXPECT_EQ(sink.warnings[0],
            "line 11: /Document/BkToCstmrStmt/Stmt[1]/Bal[4]: the balance CLAV is left out: amount "
            "'5.001' has more decimals than EUR allows");
  EXPECT_NE(
      sink.warnings[1].find("Bal[5]: the balance ITBD is left out: its credit/debit mark 'XX'"),
      std::string::npos)
      << sink.warnings[1];
}

TEST(CamtParse, StatementHeaderArrivesBeforeItsTransactions) {
  const std::string xml =
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.06\"><BkToCstmrAcctRpt>"
      "<GrpHdr><MsgId>G-1</MsgId></GrpHdr>\n"
      "<Rpt><Id>R-1</Id><LglSeqNb>42</LglSeqNb><FrToDt><FrDtTm>2024-03-01T00:00:00</FrDtTm>"
      "<ToDtTm>2024-03-31T23:59:59</ToDtTm></FrToDt>"
      "<Acct><Id><Othr><Id>12 345 678</Id></Othr></Id><Ccy>usd</Ccy></Acct>"
      "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"USD\">1.00</Amt>"
      "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>" +
      entry("1.00", "CRDT", "", "Ccy=\"USD\"") +
      "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"USD\">2.00</Amt>"
      "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-31</Dt></Dt></Bal>"
      "</Rpt>\n<Rpt><Id>R-2</Id><Acct><Id><IBAN>X</IBAN></Id></Acct></Rpt></BkToCstmrAcctRpt></"
      "Document>";
  CollectingSink sink;
  ASSERT_TRUE(parse_text(xml, sink).ok()) << error_text(parse_text(xml, sink));
  ASSERT_EQ(sink.statements.size(), 2u);
  const auto& first = sink.statements[0];
  EXPECT_EQ(first.begin.statement_id, "R-1");
  EXPECT_EQ(first.begin.sequence, "42");
  EXPECT_EQ(first.begin.message_id, "G-1");
  EXPECT_EQ(first.begin.account, "12345678");
  EXPECT_EQ(first.begin.currency, "USD");
  EXPECT_EQ(first.begin.period_start, day(2024, 3, 1));
  EXPECT_EQ(first.begin.period_end, day(2024, 3, 31));
  EXPECT_EQ(first.begin.line, 2u);
  EXPECT_EQ(first.begin.balances.size(), 1u);  // what came before the first entry
  EXPECT_EQ(first.end.balances.size(), 2u);
  EXPECT_EQ(first.transactions.size(), 1u);
  EXPECT_EQ(sink.statements[1].begin.statement_id, "R-2");
  EXPECT_EQ(sink.statements[1].end.message_id, "G-1");
  EXPECT_TRUE(sink.statements[1].transactions.empty());
  EXPECT_FALSE(sink.open);
}

// ---------------------------------------------------------------------------------------------
// Streaming.

TEST(CamtParse, ChunksOfAnySizeGiveTheSameStatements) {
  const std::string bytes = read_fixture("genkgo-camt/camt053.v2.multi.statement.xml");
  CollectingSink whole;
  ASSERT_TRUE(parse_text(bytes, whole).ok());
  for (std::size_t step : {1u, 7u, 4096u}) {
    TrickleSource source(bytes, step);
    CollectingSink sink;
    ASSERT_TRUE(parse_camt(source, sink).ok()) << step;
    ASSERT_EQ(sink.statements.size(), whole.statements.size());
    EXPECT_EQ(sink.sum(), whole.sum());
    EXPECT_EQ(sink.statements[1].transactions[0].line, whole.statements[1].transactions[0].line);
    EXPECT_EQ(sink.statements[1].end.balances.size(), whole.statements[1].end.balances.size());
  }
}

TEST(CamtParse, ManyEntriesStreamThrough) {
  std::string body;
  for (int i = 0; i < 20000; ++i)
    body += entry(i % 2 == 0 ? "1.25" : "0.25", i % 2 == 0 ? "CRDT" : "DBIT");
  const std::string xml = statement_document(body);
  CollectingSink sink;
  TrickleSource source(xml, 65536);
  ASSERT_TRUE(parse_camt(source, sink).ok());
  EXPECT_EQ(sink.transaction_total(), 20000u);
  EXPECT_EQ(sink.sum(), 10000 * 100);
  EXPECT_EQ(sink.statements[0].transactions.back().location,
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[20000]");
}

TEST(CamtParse, ReadErrorOfTheSourceIsReturnedAsItIs) {
  FailingSource source("the upload was interrupted");
  CollectingSink sink;
  const Result<void> result = parse_camt(source, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message(), "the upload was interrupted");
}

}  // namespace
}  // namespace oeuvre::bank
