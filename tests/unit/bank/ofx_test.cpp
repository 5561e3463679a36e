#include "bank/ofx.h"

#include <gtest/gtest.h>

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

Result<void> parse(std::string_view text, CollectingSink& sink) {
  csv::MemoryByteSource source(text);
  return parse_ofx(source, sink);
}

// The reason a kValidation file error gives (its "file" field's message), else the message.
std::string reason(const Result<void>& result) {
  const Error& error = result.error();
  if (error.field_errors().size() == 1 && error.field_errors()[0].field == "file")
    return error.field_errors()[0].message;
  return error.message();
}

std::int32_t date(int year, int month, int day) { return days_from_civil(year, month, day); }

// The code of `key` in `transaction`, or "(none)".
std::string code(const Transaction& transaction, std::string_view key) {
  for (const auto& [k, v] : transaction.codes)
    if (k == key) return v;
  return "(none)";
}

constexpr std::string_view kSgmlHeader =
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
    "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n";  // 10 lines

// An OFX 1.x bank statement (EUR, account "DE89 3704 0044 0532 0130 00", TRNUID 1001) around
// `transactions`, which start on line 15.
std::string sgml_statement(std::string_view transactions, std::string_view header = kSgmlHeader,
                           std::string_view curdef = "<CURDEF>EUR") {
  return std::string(header) +
         "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
         "<DTSERVER>20240131120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n"
         "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1001<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
         "<STMTRS>" +
         std::string(curdef) +
         "<BANKACCTFROM><BANKID>37040044<ACCTID>DE89 3704 0044 0532 0130 00<ACCTTYPE>CHECKING"
         "</BANKACCTFROM>\n"
         "<BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n" +
         std::string(transactions) +
         "</BANKTRANLIST><LEDGERBAL><BALAMT>100.00<DTASOF>20240131</LEDGERBAL></STMTRS>"
         "</STMTTRNRS></BANKMSGSRSV1></OFX>\n";
}

// ---------------------------------------------------------------------------------------------
// ofxparse's fixtures and what its tests assert (tests/data/bank/ofxparse/EXPECTATIONS.txt)

TEST(OfxFixtures, BankMediumIsOneCheckingStatement) {
  CollectingSink sink;
  const std::string text = read_fixture("ofxparse/bank_medium.ofx");
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const auto& s = sink.statements[0];
  // ofxparse keeps "12300 000012345678"; statement.h's account has its spaces removed.
  EXPECT_EQ(s.begin.account, "12300000012345678");
  EXPECT_EQ(s.begin.currency, "CAD");
  EXPECT_EQ(s.begin.statement_id, "20090523122017");  // the STMTTRNRS's TRNUID
  EXPECT_EQ(s.begin.message_id, "20090523122017");    // SONRS/DTSERVER
  EXPECT_EQ(s.begin.line, 13u);
  EXPECT_EQ(s.begin.period_start, date(2009, 4, 1));
  EXPECT_EQ(s.begin.period_end, date(2009, 5, 23));
  EXPECT_TRUE(s.begin.balances.empty());  // they follow the transactions
  ASSERT_EQ(s.end.balances.size(), 2u);
  const Balance* closing = s.end.balance("closing");
  ASSERT_NE(closing, nullptr);
  EXPECT_EQ(closing->code, "LEDGERBAL");
  EXPECT_EQ(closing->amount_minor, 38234);
  EXPECT_EQ(closing->currency, "CAD");
  EXPECT_EQ(closing->date, date(2009, 5, 23));
  const Balance* available = s.end.balance("closing_available");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(available->code, "AVAILBAL");
  EXPECT_EQ(available->amount_minor, 68234);
  EXPECT_EQ(s.end.balance("opening"), nullptr);  // OFX has none

  ASSERT_EQ(s.transactions.size(), 3u);
  const Transaction& first = s.transactions[0];
  EXPECT_EQ(first.counterparty_name, "MCDONALD'S #112");
  EXPECT_EQ(first.amount_minor, -660);
  EXPECT_EQ(first.currency, "CAD");
  EXPECT_EQ(code(first, "ofx_type"), "POS");
  EXPECT_EQ(first.booking_date, date(2009, 4, 1));
  EXPECT_EQ(first.value_date, kNoDate);
  EXPECT_EQ(first.transaction_id, "0000123456782009040100001");
  EXPECT_EQ(first.description, "POS MERCHANDISE;MCDONALD'S #112");
  EXPECT_EQ(first.line, 15u);
  EXPECT_EQ(first.location, "/OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[1]");
  // CHECKNUM 0 is kept as a code but is no reference.
  EXPECT_EQ(code(s.transactions[1], "check_number"), "0");
  EXPECT_EQ(s.transactions[1].reference, "");
  EXPECT_EQ(sink.sum(), -34527);
  EXPECT_TRUE(sink.problems.empty());
  EXPECT_TRUE(sink.warnings.empty());
  EXPECT_FALSE(sink.open);
}

TEST(OfxFixtures, MultipleAccounts2IsTwoStatementsWithoutTransactions) {
  CollectingSink sink;
  ASSERT_TRUE(parse(read_fixture("ofxparse/multiple_accounts2.ofx"), sink).ok());
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.statements[0].end.account, "9100");
  EXPECT_EQ(sink.statements[1].end.account, "9200");
  EXPECT_EQ(sink.statements[0].end.statement_id, "1001");
  EXPECT_EQ(sink.statements[1].end.statement_id, "1002");
  EXPECT_EQ(sink.statements[0].end.message_id, "20120603203135.547[-7:PDT]");
  ASSERT_NE(sink.statements[0].end.balance("closing"), nullptr);
  ASSERT_NE(sink.statements[1].end.balance("closing"), nullptr);
  EXPECT_EQ(sink.statements[0].end.balance("closing")->amount_minor, 11100);
  EXPECT_EQ(sink.statements[1].end.balance("closing")->amount_minor, 22200);
  EXPECT_EQ(sink.statements[1].end.balance("closing")->date, date(2012, 6, 3));
  EXPECT_EQ(sink.transaction_total(), 0u);
  EXPECT_TRUE(sink.warnings.empty());
}

TEST(OfxFixtures, SuncorpReadsCdataPayeeThroughXml) {
  CollectingSink sink;
  ASSERT_TRUE(parse(read_fixture("ofxparse/suncorp.ofx"), sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.counterparty_name, "EFTPOS WDL HANDYWAY ALDI STORE");
  EXPECT_EQ(t.description, "EFTPOS WDL HANDYWAY ALDI STORE   GEELONG WEST VICAU");
  EXPECT_EQ(t.amount_minor, -1685);
  EXPECT_EQ(t.line, 35u);
  EXPECT_EQ(sink.statements[0].end.balance("closing")->amount_minor, 123412);
  EXPECT_EQ(sink.statements[0].end.account, "123456789");
}

TEST(OfxFixtures, AnzccHasAnXmlHeaderAndAnSgmlBody) {
  CollectingSink sink;
  ASSERT_TRUE(parse(read_fixture("ofxparse/anzcc.ofx"), sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const auto& s = sink.statements[0];
  EXPECT_EQ(s.end.account, "1234123412341234");
  EXPECT_EQ(s.end.currency, "AUD");
  EXPECT_EQ(s.end.statement_id, "1");
  ASSERT_EQ(s.transactions.size(), 1u);
  EXPECT_EQ(s.transactions[0].amount_minor, -550);
  EXPECT_EQ(s.transactions[0].booking_date, date(2017, 5, 8));
  EXPECT_EQ(s.transactions[0].value_date, date(2017, 5, 8));  // DTUSER
  EXPECT_EQ(s.transactions[0].description, "SOME MEMO");
  EXPECT_EQ(s.transactions[0].location,
            "/OFX/CREDITCARDMSGSRSV1/CCSTMTTRNRS[1]/CCSTMTRS/BANKTRANLIST/STMTTRN[1]");
  EXPECT_EQ(s.end.balance("closing")->amount_minor, -12345);
  EXPECT_EQ(s.end.balance("closing_available")->amount_minor, 12345);
}

TEST(OfxFixtures, EmptyTagsWarnAboutTheMissingCurrency) {
  CollectingSink sink;
  ASSERT_TRUE(parse(read_fixture("ofxparse/ofx-v102-empty-tags.ofx"), sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const auto& s = sink.statements[0];
  EXPECT_EQ(s.end.account, "12345678");
  EXPECT_EQ(s.end.currency, "");
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_EQ(sink.warnings[0], "line 23: the statement does not say its currency (CURDEF)");
  ASSERT_EQ(s.transactions.size(), 1u);
  const Transaction& t = s.transactions[0];
  EXPECT_EQ(t.amount_minor, 1234);
  EXPECT_EQ(t.currency, "AUD");  // the transaction's CURRENCY/CURSYM
  EXPECT_EQ(code(t, "currency_rate"), "1.0000");
  EXPECT_EQ(code(t, "ofx_type"), "Credit");
  EXPECT_EQ(code(t, "check_number"), "(none)");  // empty CHECKNUM: no code
  EXPECT_EQ(t.description, "CBA:Transfer");
  EXPECT_EQ(t.transaction_id, "");
  EXPECT_TRUE(s.end.balances.empty());  // <BALAMT></BALAMT>
}

TEST(OfxFixtures, FailNiceDateMissingDiscardsAllThreeTransactions) {
  CollectingSink sink;
  ASSERT_TRUE(parse(read_fixture("ofxparse/fail_nice_date_missing.ofx"), sink).ok());
  EXPECT_EQ(sink.transaction_total(), 0u);
  ASSERT_EQ(sink.problems.size(), 3u);
  EXPECT_EQ(sink.problems[0].reason, "the transaction has no posting date (DTPOSTED)");
  EXPECT_EQ(sink.problems[0].line, 33u);
  EXPECT_EQ(sink.problems[0].location,
            "/OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[1]");
  EXPECT_EQ(sink.problems[1].reason, "the transaction has no posting date (DTPOSTED)");
  EXPECT_EQ(sink.problems[2].value, "20120231");
  EXPECT_EQ(sink.problems[2].reason, "posting date (DTPOSTED) '20120231' is not a date (YYYYMMDD)");
  EXPECT_TRUE(sink.warnings.empty());
  ASSERT_EQ(sink.statements.size(), 1u);  // the statement itself still arrives
  EXPECT_EQ(sink.statements[0].end.balance("closing")->amount_minor, 0);
}

TEST(OfxFixtures, FailNiceDecimalErrorDiscardsTheDollarAmount) {
  CollectingSink sink;
  ASSERT_TRUE(parse(read_fixture("ofxparse/fail_nice_decimal_error.ofx"), sink).ok());
  EXPECT_EQ(sink.transaction_total(), 0u);
  ASSERT_EQ(sink.problems.size(), 1u);
  EXPECT_EQ(sink.problems[0].value, "$120");
  EXPECT_EQ(sink.problems[0].reason, "amount '$120' is not a decimal amount");
  EXPECT_EQ(sink.statements[0].end.currency, "CAD");  // "<CURDEF>CAD" without its end tag
}

TEST(OfxFixtures, FailNiceEmptyBalanceIsTolerated) {
  CollectingSink sink;
  ASSERT_TRUE(parse(read_fixture("ofxparse/fail_nice_empty_balance.ofx"), sink).ok());
  EXPECT_EQ(sink.transaction_total(), 1u);
  EXPECT_TRUE(sink.problems.empty());
  EXPECT_TRUE(sink.statements[0].end.balances.empty());
  EXPECT_EQ(sink.statements[0].transactions[0].amount_minor, 12000);
  EXPECT_TRUE(sink.warnings.empty());
}

TEST(OfxFixtures, CheckingHasThreeTransactionsAndBothBalances) {
  CollectingSink sink;
  const std::string text = read_fixture("ofxparse/checking.ofx");
  EXPECT_TRUE(text.starts_with("OFXHEADER"));
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const auto& s = sink.statements[0];
  EXPECT_EQ(s.end.account, "1452687~7");
  EXPECT_EQ(s.end.statement_id, "0");
  ASSERT_EQ(s.transactions.size(), 3u);
  EXPECT_EQ(s.transactions[0].amount_minor, 1);
  EXPECT_EQ(s.transactions[1].amount_minor, -3451);
  EXPECT_EQ(s.transactions[2].amount_minor, -2500);
  EXPECT_EQ(s.transactions[2].reference, "319");  // CHECKNUM, as the memo names no invoice
  EXPECT_EQ(s.transactions[0].description,
            "DIVIDEND EARNED FOR PERIOD OF 03/01/2011 THROUGH 03/31/2011 ANNUAL PERCENTAGE YIELD "
            "EARNED IS 0.05%");
  EXPECT_EQ(s.end.balance("closing")->amount_minor, 10099);
  EXPECT_EQ(s.end.balance("closing")->date, date(2013, 5, 25));
  EXPECT_EQ(s.end.balance("closing_available")->amount_minor, 7599);
}

TEST(OfxFixtures, EveryFixtureReadsTheSameInChunksOfAnySize) {
  for (const char* name :
       {"anzcc.ofx", "bank_medium.ofx", "checking.ofx", "fail_nice_date_missing.ofx",
        "fail_nice_decimal_error.ofx", "fail_nice_empty_balance.ofx", "multiple_accounts2.ofx",
        "ofx-v102-empty-tags.ofx", "suncorp.ofx"}) {
    const std::string text = read_fixture(std::string("ofxparse/") + name);
    CollectingSink whole;
    ASSERT_TRUE(parse(text, whole).ok()) << name;
    for (std::size_t step : {1u, 7u}) {
      CollectingSink pieces;
      TrickleSource source(text, step);
      ASSERT_TRUE(parse_ofx(source, pieces).ok()) << name;
      ASSERT_EQ(pieces.statements.size(), whole.statements.size()) << name;
      EXPECT_EQ(pieces.sum(), whole.sum()) << name;
      EXPECT_EQ(pieces.transaction_total(), whole.transaction_total()) << name;
      EXPECT_EQ(pieces.problems.size(), whole.problems.size()) << name;
      EXPECT_EQ(pieces.warnings, whole.warnings) << name;
      for (std::size_t i = 0; i < whole.statements.size(); ++i) {
        EXPECT_EQ(pieces.statements[i].end.account, whole.statements[i].end.account) << name;
        for (std::size_t k = 0; k < whole.statements[i].transactions.size(); ++k) {
          EXPECT_EQ(pieces.statements[i].transactions[k].counterparty_name,
                    whole.statements[i].transactions[k].counterparty_name)
              << name;
          EXPECT_EQ(pieces.statements[i].transactions[k].line,
                    whole.statements[i].transactions[k].line)
              << name;
        }
      }
    }
  }
}

TEST(OfxFixtures, EveryCutOffOrDamagedFixtureFailsCleanly) {
  for (const char* name : {"anzcc.ofx", "bank_medium.ofx", "suncorp.ofx", "checking.ofx"}) {
    const std::string text = read_fixture(std::string("ofxparse/") + name);
    for (std::size_t cut = 0; cut < text.size(); cut += 17) {
      for (const std::string& damaged :
           {text.substr(0, cut), text.substr(0, cut) + "\xFF<\x00>" + text.substr(cut)}) {
        CollectingSink sink;
        const Result<void> result = parse(damaged, sink);
        if (result.ok()) continue;
        EXPECT_EQ(result.error().code(), ErrorCode::kValidation) << name << " at " << cut;
        EXPECT_TRUE(reason(result).starts_with("line ")) << name << " at " << cut;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// OFX 2.x (XML) and QFX

// Modelled on the OFX 2.1.1 specification's bank statement example, with a credit card statement.
constexpr std::string_view kOfx2 = R"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <SIGNONMSGSRSV1>
    <SONRS>
      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
      <DTSERVER>20050221091300</DTSERVER>
      <LANGUAGE>ENG</LANGUAGE>
    </SONRS>
  </SIGNONMSGSRSV1>
  <BANKMSGSRSV1>
    <STMTTRNRS>
      <TRNUID>1001</TRNUID>
      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
      <STMTRS>
        <CURDEF>USD</CURDEF>
        <BANKACCTFROM>
          <BANKID>121099999</BANKID>
          <ACCTID>999988</ACCTID>
          <ACCTTYPE>CHECKING</ACCTTYPE>
        </BANKACCTFROM>
        <BANKTRANLIST>
          <DTSTART>20050101</DTSTART>
          <DTEND>20050131</DTEND>
          <STMTTRN>
            <TRNTYPE>CHECK</TRNTYPE>
            <DTPOSTED>20050104</DTPOSTED>
            <TRNAMT>-200.00</TRNAMT>
            <FITID>00002</FITID>
            <CHECKNUM>1000</CHECKNUM>
          </STMTTRN>
          <STMTTRN>
            <TRNTYPE>XFER</TRNTYPE>
            <DTPOSTED>20050112</DTPOSTED>
            <DTUSER>20050111</DTUSER>
            <TRNAMT>1500.00</TRNAMT>
            <FITID>00003</FITID>
            <REFNUM>R-77</REFNUM>
            <PAYEE>
              <NAME>Acme &amp; Sons</NAME>
              <ADDR1>1 Main St</ADDR1>
              <CITY>Springfield</CITY>
              <STATE>IL</STATE>
              <POSTALCODE>62701</POSTALCODE>
              <PHONE>555-0100</PHONE>
            </PAYEE>
            <BANKACCTTO>
              <BANKID>121000358</BANKID>
              <ACCTID>1234 5678</ACCTID>
              <ACCTTYPE>SAVINGS</ACCTTYPE>
            </BANKACCTTO>
            <MEMO>Invoice 4711, thanks</MEMO>
          </STMTTRN>
        </BANKTRANLIST>
        <LEDGERBAL><BALAMT>200.29</BALAMT><DTASOF>200501311200</DTASOF></LEDGERBAL>
        <AVAILBAL><BALAMT>200.29</BALAMT><DTASOF>200501311200</DTASOF></AVAILBAL>
      </STMTRS>
    </STMTTRNRS>
  </BANKMSGSRSV1>
  <CREDITCARDMSGSRSV1>
    <CCSTMTTRNRS>
      <TRNUID>1002</TRNUID>
      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
      <CCSTMTRS>
        <CURDEF>EUR</CURDEF>
        <CCACCTFROM><ACCTID>4111111111111111</ACCTID></CCACCTFROM>
        <BANKTRANLIST>
          <DTSTART>20050101</DTSTART>
          <DTEND>20050131</DTEND>
          <STMTTRN>
            <TRNTYPE>DEBIT</TRNTYPE>
            <DTPOSTED>20050120</DTPOSTED>
            <TRNAMT>-12.5</TRNAMT>
            <FITID>CC1</FITID>
            <NAME>Caf&#xE9; Central</NAME>
            <ORIGCURRENCY><CURRATE>1.09</CURRATE><CURSYM>usd</CURSYM></ORIGCURRENCY>
          </STMTTRN>
        </BANKTRANLIST>
        <LEDGERBAL><BALAMT>-12.50</BALAMT><DTASOF>20050131</DTASOF></LEDGERBAL>
      </CCSTMTRS>
    </CCSTMTTRNRS>
  </CREDITCARDMSGSRSV1>
</OFX>
)";

TEST(OfxXml, ReadsBankAndCreditCardStatements) {
  CollectingSink sink;
  ASSERT_TRUE(parse(kOfx2, sink).ok());
  ASSERT_EQ(sink.statements.size(), 2u);
  const auto& bank = sink.statements[0];
  EXPECT_EQ(bank.begin.account, "999988");
  EXPECT_EQ(bank.begin.currency, "USD");
  EXPECT_EQ(bank.begin.statement_id, "1001");
  EXPECT_EQ(bank.begin.message_id, "20050221091300");
  EXPECT_EQ(bank.begin.line, 15u);
  EXPECT_EQ(bank.begin.period_start, date(2005, 1, 1));
  EXPECT_EQ(bank.begin.period_end, date(2005, 1, 31));
  EXPECT_EQ(bank.end.balance("closing")->amount_minor, 20029);
  EXPECT_EQ(bank.end.balance("closing")->date, date(2005, 1, 31));
  EXPECT_EQ(bank.end.balance("closing_available")->amount_minor, 20029);
  ASSERT_EQ(bank.transactions.size(), 2u);

  const Transaction& check = bank.transactions[0];
  EXPECT_EQ(check.amount_minor, -20000);
  EXPECT_EQ(check.reference, "1000");  // CHECKNUM
  EXPECT_EQ(code(check, "check_number"), "1000");
  EXPECT_EQ(code(check, "ofx_type"), "CHECK");
  EXPECT_EQ(check.line, 25u);

  const Transaction& transfer = bank.transactions[1];
  EXPECT_EQ(transfer.amount_minor, 150000);
  EXPECT_EQ(transfer.booking_date, date(2005, 1, 12));
  EXPECT_EQ(transfer.value_date, date(2005, 1, 11));
  EXPECT_EQ(transfer.counterparty_name, "Acme & Sons");  // PAYEE/NAME
  EXPECT_EQ(transfer.counterparty_account, "12345678");  // BANKACCTTO/ACCTID, spaces removed
  EXPECT_EQ(transfer.description, "Invoice 4711, thanks");
  EXPECT_EQ(transfer.reference, "4711");  // the memo's invoice number before REFNUM
  EXPECT_EQ(code(transfer, "reference_number"), "R-77");
  EXPECT_EQ(transfer.transaction_id, "00003");
  EXPECT_EQ(transfer.location, "/OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[2]");

  const auto& card = sink.statements[1];
  EXPECT_EQ(card.end.account, "4111111111111111");
  EXPECT_EQ(card.end.currency, "EUR");
  EXPECT_EQ(card.end.statement_id, "1002");
  ASSERT_EQ(card.transactions.size(), 1u);
  const Transaction& coffee = card.transactions[0];
  EXPECT_EQ(coffee.amount_minor, -1250);
  EXPECT_EQ(coffee.currency, "EUR");  // ORIGCURRENCY: the amount is already in CURDEF
  EXPECT_EQ(code(coffee, "original_currency"), "USD");
  EXPECT_EQ(code(coffee, "currency_rate"), "1.09");
  EXPECT_EQ(coffee.counterparty_name, "Caf\xC3\xA9 Central");
  EXPECT_EQ(coffee.location,
            "/OFX/CREDITCARDMSGSRSV1/CCSTMTTRNRS[1]/CCSTMTRS/BANKTRANLIST/STMTTRN[1]");
  EXPECT_TRUE(sink.problems.empty());
  EXPECT_TRUE(sink.warnings.empty());
}

TEST(OfxXml, ReadsWindows1252Text) {
  const std::string text =
      "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n"
      "<?OFX OFXHEADER=\"200\" VERSION=\"211\"?>\n"
      "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>9</TRNUID><STMTRS><CURDEF>EUR</CURDEF>"
      "<BANKACCTFROM><ACCTID>1</ACCTID></BANKACCTFROM><BANKTRANLIST><STMTTRN>"
      "<DTPOSTED>20240102</DTPOSTED><TRNAMT>-5.00</TRNAMT><MEMO>Caf\xE9 \x80 5</MEMO></STMTTRN>"
      "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";
  CollectingSink sink;
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].description, "Caf\xC3\xA9 \xE2\x82\xAC 5");
}

TEST(OfxXml, RefusesEntityDeclarations) {
  const std::string external =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE OFX [\n"
      "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
      "]>\n"
      "<?OFX OFXHEADER=\"200\" VERSION=\"211\"?>\n"
      "<OFX><SIGNONMSGSRSV1><SONRS><DTSERVER>&xxe;</DTSERVER></SONRS></SIGNONMSGSRSV1></OFX>\n";
  const std::string laughs =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE OFX [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
      "<OFX><BANKMSGSRSV1>&b;</BANKMSGSRSV1></OFX>\n";
  for (const std::string& text : {external, laughs}) {
    CollectingSink sink;
    const Result<void> result = parse(text, sink);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
    EXPECT_NE(reason(result).find("the file declares XML entities, which are refused"),
              std::string::npos)
        << reason(result);
    EXPECT_TRUE(reason(result).starts_with(text == external ? "line 3: " : "line 2: "))
        << reason(result);
    EXPECT_TRUE(sink.statements.empty());
  }
}

TEST(OfxXml, RefusesEntitiesItDoesNotDeclareAndEncodingsItDoesNotRead) {
  const std::string undeclared =
      "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>\n"
      "<!DOCTYPE OFX SYSTEM \"http://attacker.example/evil.dtd\">\n"
      "<OFX><SIGNONMSGSRSV1><SONRS><DTSERVER>&xxe;</DTSERVER></SONRS></SIGNONMSGSRSV1></OFX>\n";
  CollectingSink sink;
  Result<void> result = parse(undeclared, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(reason(result),
            "line 4: the file refers to the XML entity '&xxe;', which it does not declare; "
            "external entities are never loaded");

  const std::string ebcdic =
      "<?xml version=\"1.0\" encoding=\"EBCDIC-CP-US\"?>\n<?OFX OFXHEADER=\"200\"?>\n<OFX></OFX>";
  result = parse(ebcdic, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(reason(result),
            "line 1: the file's encoding 'EBCDIC-CP-US' is not read: OFX files are read in UTF-8, "
            "UTF-16, ISO-8859-1, US-ASCII or windows-1252");
}

TEST(OfxXml, RefusesXmlThatIsNotWellFormed) {
  const std::string text =
      "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>\n<OFX>\n<BANKMSGSRSV1>\n"
      "<STMTTRNRS><TRNUID>1</TRNUID>\n</BANKMSGSRSV1>\n</OFX>\n";
  CollectingSink sink;
  const Result<void> result = parse(text, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(reason(result),
            "line 6, column 3: the OFX XML is not well-formed (mismatched tag) at "
            "/OFX/BANKMSGSRSV1/STMTTRNRS[1]");
}

TEST(OfxXml, RefusesAFileCutOffInsideAStatement) {
  std::string text(kOfx2.substr(0, kOfx2.find("</BANKTRANLIST>")));
  CollectingSink sink;
  const Result<void> result = parse(text, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(reason(result).find("not well-formed (no element found)"), std::string::npos)
      << reason(result);
  EXPECT_EQ(sink.transaction_total(), 2u);  // what came before still arrived
}

TEST(OfxXml, RefusesTooDeepNestingAndTooLongValues) {
  std::string deep = "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>\n<OFX>\n";
  for (int i = 0; i < 70; ++i) deep += "<A>";
  for (int i = 0; i < 70; ++i) deep += "</A>";
  deep += "</OFX>\n";
  CollectingSink sink;
  Result<void> result = parse(deep, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(
      reason(result).starts_with("line 4: the elements are nested more than 64 levels deep"))
      << reason(result);

  const std::string long_value =
      "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>\n<OFX>\n<MEMO>" +
      std::string(70000, 'x') + "</MEMO></OFX>";
  result = parse(long_value, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(reason(result), "line 4: the value of <MEMO> is longer than 65536 bytes");
}

TEST(OfxQfx, ReadsQuickensCreditCardDownload) {
  const std::string text =
      std::string(kSgmlHeader) +
      "<OFX>\n"
      "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
      "<DTSERVER>20240301083000.000[-5:EST]<LANGUAGE>ENG<FI><ORG>B1<FID>10898</FI>"
      "<INTU.BID>10898<INTU.USERID>someone</SONRS></SIGNONMSGSRSV1>\n"
      "<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
      "<CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>4111 1111 1111 1111</CCACCTFROM>\n"
      "<BANKTRANLIST><DTSTART>20240201<DTEND>20240229\n"
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240205<TRNAMT>-42.10<FITID>2024020501"
      "<NAME>AMAZON MKTPLACE<MEMO>Order INV-2024-001</STMTTRN>\n"
      "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240215<TRNAMT>500.00<FITID>2024021501"
      "<NAME>PAYMENT THANK YOU</STMTTRN>\n"
      "</BANKTRANLIST><LEDGERBAL><BALAMT>-1234.56<DTASOF>20240229</LEDGERBAL>"
      "<AVAILBAL><BALAMT>3765.44<DTASOF>20240229</AVAILBAL></CCSTMTRS></CCSTMTTRNRS>"
      "</CREDITCARDMSGSRSV1></OFX>\n";
  EXPECT_TRUE(looks_like_ofx(text));
  CollectingSink sink;
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const auto& s = sink.statements[0];
  EXPECT_EQ(s.end.account, "4111111111111111");
  EXPECT_EQ(s.end.currency, "USD");
  EXPECT_EQ(s.end.statement_id, "1");
  EXPECT_EQ(s.end.message_id, "20240301083000.000[-5:EST]");
  ASSERT_EQ(s.transactions.size(), 2u);
  EXPECT_EQ(s.transactions[0].amount_minor, -4210);
  EXPECT_EQ(s.transactions[0].reference, "INV-2024-001");
  EXPECT_EQ(s.transactions[0].line, 16u);
  EXPECT_EQ(s.transactions[1].amount_minor, 50000);
  EXPECT_EQ(s.transactions[1].reference, "");  // FITID is never the reference
  EXPECT_EQ(s.transactions[1].transaction_id, "2024021501");
  EXPECT_EQ(s.end.balance("closing")->amount_minor, -123456);
  EXPECT_EQ(s.end.balance("closing_available")->amount_minor, 376544);
  EXPECT_TRUE(sink.warnings.empty());
}

// ---------------------------------------------------------------------------------------------
// OFX 1.x (SGML)

TEST(OfxSgml, ConvertsWindows1252TextToUtf8) {
  const std::string text = sgml_statement(
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-3.20<FITID>A1"
      "<NAME>Caf\xE9 M\xFCller<MEMO>Caf\xE9 \x80 3,20 \x93quoted\x94 \x81</STMTTRN>\n");
  CollectingSink sink;
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.counterparty_name, "Caf\xC3\xA9 M\xC3\xBCller");
  // 0x80 is the euro sign, 0x93/0x94 curly quotes, 0x81 (undefined in 1252) U+FFFD.
  EXPECT_EQ(t.description,
            "Caf\xC3\xA9 \xE2\x82\xAC 3,20 \xE2\x80\x9Cquoted\xE2\x80\x9D \xEF\xBF\xBD");
}

TEST(OfxSgml, ReadsTheHeadersCharacterSet) {
  const std::string transaction =
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1<MEMO>\x80 \xE9 \xC3\xA9</STMTTRN>\n";
  const auto memo_with = [&](std::string_view header) {
    CollectingSink sink;
    EXPECT_TRUE(parse(sgml_statement(transaction, header), sink).ok());
    return sink.transaction_total() == 1 ? sink.statements[0].transactions[0].description : "";
  };
  // Latin-1: 0x80 is a C1 control character.
  EXPECT_EQ(memo_with("OFXHEADER:100\nENCODING:USASCII\nCHARSET:ISO-8859-1\n\n"),
            "\xC2\x80 \xC3\xA9 \xC3\x83\xC2\xA9");
  // UTF-8: bytes that are not UTF-8 become U+FFFD.
  EXPECT_EQ(memo_with("OFXHEADER:100\nENCODING:UTF-8\nCHARSET:NONE\n\n"),
            "\xEF\xBF\xBD \xEF\xBF\xBD \xC3\xA9");
  // A header on one line, as some banks write it, names 1252 too.
  EXPECT_EQ(memo_with("OFXHEADER:100 DATA:OFXSGML VERSION:102 ENCODING:USASCII CHARSET:1252\n"),
            "\xE2\x82\xAC \xC3\xA9 \xC3\x83\xC2\xA9");
}

TEST(OfxSgml, GuessesTheCharacterSetOfAFileWithoutHeader) {
  const std::string body =
      "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM>"
      "<BANKTRANLIST><STMTTRN><DTPOSTED>20240105<TRNAMT>1<NAME>M\xC3\xBCller<MEMO>M\xFCller"
      "</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";
  CollectingSink sink;
  ASSERT_TRUE(parse(body, sink).ok());
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].counterparty_name, "M\xC3\xBCller");  // UTF-8
  EXPECT_EQ(sink.statements[0].transactions[0].description, "M\xC3\xBCller");        // 1252
}

TEST(OfxSgml, DecodesCharacterReferencesAndCdata) {
  const std::string text = sgml_statement(
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1<NAME>AT&T &amp; Co &#233;&#x20AC; &bogus;"
      "<MEMO><![CDATA[ <b>&amp;</b> ]]></MEMO><!-- a comment <NAME>ignored -->"
      "<FITID>x < y</STMTTRN>\n");
  CollectingSink sink;
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.counterparty_name, "AT&T & Co \xC3\xA9\xE2\x82\xAC &bogus;");
  EXPECT_EQ(t.description, "<b>&amp;</b>");  // CDATA as written, trimmed
  EXPECT_EQ(t.transaction_id, "x < y");      // '<' before a space is text
}

TEST(OfxSgml, ReadsEmptyElementsWithoutEndTagsAndLowerCaseTags) {
  const std::string text =
      std::string(kSgmlHeader) +
      "<ofx><bankmsgsrsv1><stmttrnrs><trnuid><stmtrs><curdef>gbp<bankacctfrom><bankid>"
      "<branchid><acctid>12 34 56<accttype></bankacctfrom><banktranlist><dtstart><dtend>20240131"
      "<stmttrn><trntype><dtposted>20240110<trnamt>-1.5<fitid><name><memo>rent</stmttrn>"
      "</banktranlist></stmtrs></stmttrnrs></bankmsgsrsv1></ofx>";
  CollectingSink sink;
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  const auto& s = sink.statements[0];
  EXPECT_EQ(s.end.account, "123456");
  EXPECT_EQ(s.end.currency, "GBP");
  EXPECT_EQ(s.end.period_start, kNoDate);
  EXPECT_EQ(s.end.period_end, date(2024, 1, 31));
  // An empty TRNUID: the statement id is the account and the period's end.
  EXPECT_EQ(s.end.statement_id, "123456/2024-01-31");
  ASSERT_EQ(s.transactions.size(), 1u);
  EXPECT_EQ(s.transactions[0].amount_minor, -150);
  EXPECT_EQ(s.transactions[0].description, "rent");
  EXPECT_TRUE(sink.warnings.empty());
}

TEST(OfxSgml, ReadsAmountsWithACommaAndAtTheCurrencysScale) {
  const std::string transactions =
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>-12,50</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>+7</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>8.855</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1,234.00</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105</STMTTRN>\n";
  CollectingSink sink;
  ASSERT_TRUE(parse(sgml_statement(transactions), sink).ok());
  ASSERT_EQ(sink.transaction_total(), 2u);
  EXPECT_EQ(sink.statements[0].transactions[0].amount_minor, -1250);
  EXPECT_EQ(sink.statements[0].transactions[1].amount_minor, 700);
  ASSERT_EQ(sink.problems.size(), 3u);
  EXPECT_EQ(sink.problems[0].reason, "amount '8.855' has more decimals than EUR allows");
  EXPECT_EQ(sink.problems[0].line, 17u);
  EXPECT_EQ(sink.problems[0].location,
            "/OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[3]");
  EXPECT_EQ(sink.problems[1].reason, "amount '1,234.00' is not a decimal amount");
  EXPECT_EQ(sink.problems[2].reason, "the transaction has no amount (TRNAMT)");

  CollectingSink yen;
  ASSERT_TRUE(parse(sgml_statement("<STMTTRN><DTPOSTED>20240105<TRNAMT>-1500</STMTTRN>\n",
                                   kSgmlHeader, "<CURDEF>JPY"),
                    yen)
                  .ok());
  ASSERT_EQ(yen.transaction_total(), 1u);
  EXPECT_EQ(yen.statements[0].transactions[0].amount_minor, -1500);
  EXPECT_EQ(yen.statements[0].end.balance("closing")->amount_minor, 100);
}

TEST(OfxSgml, ChoosesTheReference) {
  const std::string transactions =
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1<FITID>F1<CHECKNUM>55<MEMO>pays Invoice 12345"
      "</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1<FITID>F2<NAME>Rechnung Nr. 4711<CHECKNUM>55"
      "</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1<FITID>F3<CHECKNUM>0055<REFNUM>R9</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1<FITID>F4<CHECKNUM>000<REFNUM>R9</STMTTRN>\n"
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>1<FITID>F5<MEMO>groceries</STMTTRN>\n";
  CollectingSink sink;
  ASSERT_TRUE(parse(sgml_statement(transactions), sink).ok());
  ASSERT_EQ(sink.transaction_total(), 5u);
  const auto& t = sink.statements[0].transactions;
  EXPECT_EQ(t[0].reference, "12345");  // an invoice number in MEMO
  EXPECT_EQ(t[1].reference, "4711");   // ... else in NAME
  EXPECT_EQ(t[2].reference, "0055");   // ... else CHECKNUM
  EXPECT_EQ(t[3].reference, "R9");     // ... else REFNUM (a CHECKNUM of zeros is none)
  EXPECT_EQ(t[4].reference, "");       // never FITID
  EXPECT_EQ(code(t[3], "check_number"), "000");
  EXPECT_EQ(code(t[3], "reference_number"), "R9");
}

TEST(OfxSgml, TransactionCurrencyAndCounterpartyAccount) {
  const std::string transactions =
      "<STMTTRN><DTPOSTED>20240105<TRNAMT>-1000<CURRENCY><CURRATE>0.0061<CURSYM>JPY</CURRENCY>"
      "<BANKACCTTO><BANKID>1<ACCTID>NL91 ABNA 0417 1643 00<ACCTTYPE>CHECKING</BANKACCTTO>"
      "</STMTTRN>\n";
  CollectingSink sink;
  ASSERT_TRUE(parse(sgml_statement(transactions), sink).ok());
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.currency, "JPY");  // CURRENCY: the amount is in that currency, at its scale
  EXPECT_EQ(t.amount_minor, -1000);
  EXPECT_EQ(code(t, "currency_rate"), "0.0061");
  EXPECT_EQ(t.counterparty_account, "NL91ABNA0417164300");
}

TEST(OfxSgml, WarnsAboutDatesAndBalancesItCannotRead) {
  const std::string text =
      std::string(kSgmlHeader) +
      "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>7<STMTRS><CURDEF>EURO\n"
      "<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><DTSTART>2024-01-01<DTEND>20240131\n"
      "<STMTTRN><DTPOSTED>20240105<DTUSER>20241305<TRNAMT>1</STMTTRN>\n"
      "</BANKTRANLIST><LEDGERBAL><BALAMT>abc<DTASOF>20240131</LEDGERBAL>\n"
      "<AVAILBAL><BALAMT>5<DTASOF>yesterday</AVAILBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";
  CollectingSink sink;
  ASSERT_TRUE(parse(text, sink).ok());
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].value_date, kNoDate);
  EXPECT_EQ(sink.statements[0].end.currency, "");
  EXPECT_EQ(sink.statements[0].end.period_start, kNoDate);
  ASSERT_EQ(sink.statements[0].end.balances.size(), 1u);
  EXPECT_EQ(sink.statements[0].end.balances[0].type, "closing_available");
  EXPECT_EQ(sink.statements[0].end.balances[0].date, kNoDate);
  const std::vector<std::string> expected = {
      "line 12: the statement period's DTSTART '2024-01-01' is not a date (YYYYMMDD); it is left "
      "out",
      "line 11: the statement's currency (CURDEF) 'EURO' is not a three-letter ISO 4217 code; it "
      "is left empty",
      "line 13: the user date (DTUSER) '20241305' of "
      "/OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[1] is not a date (YYYYMMDD); it "
      "is left out",
      "line 14: the LEDGERBAL balance amount 'abc' is not a decimal amount; that balance is left "
      "out",
      "line 15: the AVAILBAL balance date (DTASOF) 'yesterday' is not a date (YYYYMMDD); it is "
      "left out"};
  EXPECT_EQ(sink.warnings, expected);
}

TEST(OfxSgml, WarnsWhenTheStatementHasNoAccount) {
  CollectingSink sink;
  ASSERT_TRUE(parse(std::string(kSgmlHeader) +
                        "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD</STMTRS></STMTTRNRS>"
                        "</BANKMSGSRSV1></OFX>",
                    sink)
                  .ok());
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.statements[0].end.account, "");
  EXPECT_EQ(sink.statements[0].end.statement_id, "");
  const std::vector<std::string> expected = {
      "line 11: the statement does not say its account number (ACCTID)"};
  EXPECT_EQ(sink.warnings, expected);
}

TEST(OfxSgml, WarnsWhenThereIsNoStatement) {
  CollectingSink sink;
  ASSERT_TRUE(parse(std::string(kSgmlHeader) +
                        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR"
                        "</STATUS></SONRS></SIGNONMSGSRSV1>\n"
                        "<INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><INVACCTFROM><ACCTID>9"
                        "</INVACCTFROM><INVBANKTRAN><STMTTRN><DTPOSTED>20240101<TRNAMT>1</STMTTRN>"
                        "</INVBANKTRAN></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>\n",
                    sink)
                  .ok());
  EXPECT_TRUE(sink.statements.empty());
  const std::vector<std::string> expected = {
      "line 12: the file has an investment statement (INVSTMTRS), which is not read",
      "line 13: the file has no bank or credit card statement (STMTRS or CCSTMTRS)"};
  EXPECT_EQ(sink.warnings, expected);
}

TEST(OfxSgml, RefusesBrokenFilesNamingTheLine) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string deep = [] {
    std::string s = std::string(kSgmlHeader) + "<OFX>\n";
    for (int i = 0; i < 70; ++i) s += "<AGG>\n";
    return s;
  }();
  const Case cases[] = {
      {sgml_statement("<STMTTRN><DTPOSTED>20240105<TRNAMT -1.00</STMTTRN>\n"),
       "line 15: the tag '<TRNAMT -1.00' is not closed by '>'"},
      {[] {
         const std::string whole =
             sgml_statement("<STMTTRN><DTPOSTED>20240105<TRNAMT>1\n<NAME>X</STMTTRN>\n");
         return whole.substr(0, whole.find("</STMTTRN>"));
       }(),
       "line 16: the file ends inside <STMTTRN> (opened on line 15, "
       "/OFX/BANKMSGSRSV1/STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[1]): it looks cut off"},
      {std::string(kSgmlHeader) + "<OFX><BANKMSGSRSV1>\n<!-- never closed\n",
       "line 12: the file ends inside the markup that starts here (a tag, comment or CDATA "
       "section that is never closed)"},
      {std::string(kSgmlHeader) + "\n<DOCUMENT><OFX></OFX></DOCUMENT>",
       "line 12: the document's root element is <DOCUMENT>, not <OFX>: this is not an OFX file"},
      {std::string(kSgmlHeader) + "no tags at all\n",
       "line 12: the file has no <OFX> element: it is not an OFX file"},
      {std::string(kSgmlHeader) + "<OFX></OFX>\n<EXTRA>1\n",
       "line 12: <EXTRA> follows the end of the OFX document (</OFX>)"},
      {deep, "line 75: the elements are nested more than 64 levels deep (at /OFX" +
                 [] {
                   std::string p;
                   for (int i = 0; i < 63; ++i) p += "/AGG";
                   return p;
                 }() +
                 ")"},
      {std::string(kSgmlHeader) + "<OFX><MEMO>" + std::string(70000, 'x') + "</MEMO></OFX>",
       "line 11: the value of <MEMO> is longer than 65536 bytes"},
      {std::string(kSgmlHeader) + "<OFX><" + std::string(2000, 'A') + ">",
       "line 11: the tag '<" + std::string(40, 'A') + "...' is longer than 1024 bytes"},
      {std::string(kSgmlHeader) + "<OFX><" + std::string(100, 'A') + "></OFX>",
       "line 11: the element name '" + std::string(40, 'A') + "...' is longer than 64 bytes"},
  };
  for (const Case& c : cases) {
    CollectingSink sink;
    const Result<void> result = parse(c.text, sink);
    ASSERT_FALSE(result.ok()) << c.message;
    EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
    EXPECT_EQ(reason(result), c.message);
  }
}

TEST(OfxSgml, AcceptsOfxDocumentsOneAfterAnother) {
  const std::string one = sgml_statement("<STMTTRN><DTPOSTED>20240105<TRNAMT>1</STMTTRN>\n");
  const std::string two = one + one.substr(kSgmlHeader.size());
  CollectingSink sink;
  ASSERT_TRUE(parse(two, sink).ok());
  EXPECT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.statements[1].end.line, 19u);
}

// ---------------------------------------------------------------------------------------------
// Recognising OFX, and what is not

TEST(OfxLooksLike, RecognisesEveryDialect) {
  for (const char* name :
       {"anzcc.ofx", "bank_medium.ofx", "checking.ofx", "fail_nice_date_missing.ofx",
        "multiple_accounts2.ofx", "ofx-v102-empty-tags.ofx", "suncorp.ofx"})
    EXPECT_TRUE(looks_like_ofx(read_fixture(std::string("ofxparse/") + name))) << name;
  EXPECT_TRUE(looks_like_ofx(kOfx2));
  EXPECT_TRUE(looks_like_ofx("\xEF\xBB\xBF\r\n  OFXHEADER:100\r\nDATA:OFXSGML"));
  EXPECT_TRUE(looks_like_ofx("OFXHEADER : 100"));
  EXPECT_TRUE(looks_like_ofx("<?OFX OFXHEADER=\"200\" VERSION=\"220\"?><OFX>"));
  EXPECT_TRUE(looks_like_ofx("<?xml version=\"1.0\"?>\n<OFX>\n<SIGNONMSGSRSV1>"));
  EXPECT_TRUE(looks_like_ofx("\n<ofx>\n"));
}

TEST(OfxLooksLike, RefusesOtherFormats) {
  EXPECT_FALSE(looks_like_ofx(""));
  EXPECT_FALSE(looks_like_ofx("date,amount,description\n2024-01-01,1.00,OFX\n"));
  EXPECT_FALSE(looks_like_ofx("OFXHEADER,amount\n1,2\n"));
  EXPECT_FALSE(looks_like_ofx("[{\"OFX\": 1}]"));
  EXPECT_FALSE(looks_like_ofx(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>"));
  EXPECT_FALSE(looks_like_ofx(":20:STARTUMS\n:25:10020030/1234567\n:28C:0\n"));
  EXPECT_FALSE(looks_like_ofx("01,122099999,123456789,150623,0200,1,,,2/\n"));
  EXPECT_FALSE(looks_like_ofx("<html><body>OFX</body></html>"));
  EXPECT_FALSE(looks_like_ofx("<?xml version=\"1.0\"?>"));
}

TEST(OfxParse, RefusesWhatIsNotOfx) {
  CollectingSink sink;
  const Result<void> result = parse("date,amount\n2024-01-01,1.00\n", sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
  ASSERT_EQ(result.error().field_errors().size(), 1u);
  EXPECT_EQ(result.error().field_errors()[0].field, "file");
  EXPECT_TRUE(reason(result).starts_with("line 1: this is not an OFX file"));
}

TEST(OfxParse, PassesOnTheSourcesReadError) {
  CollectingSink sink;
  FailingSource source("the upload stream broke");
  const Result<void> result = parse_ofx(source, sink);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message(), "the upload stream broke");
}

TEST(OfxParse, ReadsALargeFileInChunks) {
  std::string transactions;
  for (int i = 0; i < 3000; ++i)
    transactions += "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-1.01<FITID>" +
                    std::to_string(i) + "<NAME>Payee " + std::to_string(i) + "</STMTTRN>\n";
  const std::string text = sgml_statement(transactions);
  ASSERT_GT(text.size(), 2u * 64 * 1024);
  CollectingSink sink;
  ASSERT_TRUE(parse(text, sink).ok());
  EXPECT_EQ(sink.transaction_total(), 3000u);
  EXPECT_EQ(sink.sum(), -303000);
  EXPECT_EQ(sink.statements[0].transactions.back().line, 15u + 2999u);
  EXPECT_EQ(sink.statements[0].transactions.back().counterparty_name, "Payee 2999");
}

}  // namespace
}  // namespace oeuvre::bank
