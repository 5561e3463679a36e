#include "bank/mt940.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "collecting_sink.h"
#include "core/date.h"
#include "core/error.h"

namespace oeuvre::bank {
namespace {

using testing::CollectedStatement;
using testing::CollectingSink;
using testing::read_fixture;
using testing::TrickleSource;

std::int32_t day(int year, int month, int day_of_month) {
  return days_from_civil(year, month, day_of_month);
}

Result<void> parse(std::string_view text, CollectingSink& sink) {
  csv::MemoryByteSource source(text);
  return parse_mt940(source, sink);
}

CollectingSink parse_ok(std::string_view text) {
  CollectingSink sink;
  const Result<void> result = parse(text, sink);
  EXPECT_TRUE(result.ok()) << (result.ok() || result.error().field_errors().empty()
                                   ? ""
                                   : result.error().field_errors()[0].message);
  return sink;
}

CollectingSink parse_fixture(const std::string& name) {
  const std::string data = read_fixture("wolph-mt940/" + name);
  EXPECT_FALSE(data.empty()) << name;
  EXPECT_TRUE(looks_like_mt940(std::string_view(data).substr(0, 64 * 1024))) << name;
  return parse_ok(data);
}

// What a failed parse says to the user (the kValidation error's "file" field message), or "" when
// the parse succeeds.
std::string parse_error(std::string_view text) {
  CollectingSink sink;
  const Result<void> result = parse(text, sink);
  if (result.ok()) return "";
  const Error& error = result.error();
  EXPECT_EQ(error.code(), ErrorCode::kValidation);
  if (error.field_errors().size() != 1) return "unexpected: " + error.message();
  EXPECT_EQ(error.field_errors()[0].field, "file");
  return error.field_errors()[0].message;
}

void expect_balance(const StatementInfo& info, std::string_view type, std::int64_t minor,
                    std::string_view currency, std::int32_t date) {
  const Balance* balance = info.balance(type);
  ASSERT_NE(balance, nullptr) << "no " << type << " balance";
  EXPECT_EQ(balance->amount_minor, minor) << type;
  EXPECT_EQ(balance->currency, currency) << type;
  EXPECT_EQ(format_iso_date(balance->date), format_iso_date(date)) << type;
}

// The value of a code of the transaction, "" when it has none.
std::string code(const Transaction& t, std::string_view key) {
  for (const auto& [k, v] : t.codes)
    if (k == key) return v;
  return "";
}

bool reconciles(const CollectedStatement& s) {
  const Balance* open = s.end.balance("opening");
  if (open == nullptr) open = s.end.balance("interim");
  const Balance* close = s.end.balance("closing");
  if (close == nullptr) close = &s.end.balances.back();
  return open->amount_minor + s.sum() == close->amount_minor;
}

// A minimal statement around `lines` (its :61: / :86: lines).
std::string statement(std::string_view lines, std::string_view currency = "EUR") {
  return ":20:REF1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C240101" + std::string(currency) +
         "100,00\n" + std::string(lines) + ":62F:C240131" + std::string(currency) + "100,00\n-\n";
}

// The only transaction of a one-transaction statement.
Transaction only_transaction(std::string_view lines) {
  const CollectingSink sink = parse_ok(statement(lines));
  EXPECT_EQ(sink.transaction_total(), 1u);
  EXPECT_TRUE(sink.problems.empty());
  if (sink.statements.empty() || sink.statements[0].transactions.empty()) return {};
  return sink.statements[0].transactions[0];
}

// -------------------------------------------------------------------------------------------
// The wolph/mt940 fixtures: counts and sums from the .yml goldens, balances from the files.

TEST(Mt940Fixture, JejikAbnamro) {
  const CollectingSink sink = parse_fixture("jejik_abnamro.sta");
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.transaction_total(), 10u);
  EXPECT_EQ(sink.sum(), -34593);
  const CollectedStatement& first = sink.statements[0];
  EXPECT_EQ(first.end.statement_id, "ABN AMRO BANK NV");
  EXPECT_EQ(first.end.account, "517852257");
  EXPECT_EQ(first.end.sequence, "19321/1");
  EXPECT_EQ(first.end.currency, "EUR");
  expect_balance(first.end, "opening", 323628, "EUR", day(2011, 5, 22));
  expect_balance(first.end, "closing", 87684, "EUR", day(2011, 5, 23));
  EXPECT_FALSE(reconciles(first));                        // as the file has it
  const CollectedStatement& second = sink.statements[1];  // :60M: / :62M: only
  EXPECT_EQ(second.end.balance("opening"), nullptr);
  ASSERT_EQ(second.end.balances.size(), 2u);
  EXPECT_EQ(second.end.balances[0].code, "60M");
  EXPECT_EQ(second.end.balances[0].type, "interim");
  EXPECT_EQ(second.end.balances[0].amount_minor, 287684);
  EXPECT_EQ(second.end.balances[1].code, "62M");
  EXPECT_EQ(second.end.balances[1].type, "interim");
  EXPECT_EQ(second.end.balances[1].amount_minor, 184975);
  EXPECT_EQ(format_iso_date(second.end.balances[1].date), "2011-05-24");
  const Transaction& t = first.transactions[0];
  EXPECT_EQ(format_iso_date(t.value_date), "2011-05-24");
  EXPECT_EQ(t.amount_minor, -900);
  EXPECT_EQ(code(t, "swift_code"), "N192");
  EXPECT_EQ(code(t, "customer_reference"), "");  // NONREF
  EXPECT_EQ(t.description,
            "GIRO 428428 KPN - DIGITENNE BETALINGSKENM. 0000000421886595314606715 BETREFT "
            "FACTUUR D.D. 20-05-2011 INCL. 1,44 BTW");
  const Transaction& u = first.transactions[1];
  EXPECT_EQ(format_iso_date(u.value_date), "2011-05-21");
  EXPECT_EQ(format_iso_date(u.booking_date), "2011-05-23");
  EXPECT_EQ(u.description, "BEA NR:XXX1234 21.05.11/12.54 DIRCKIII FIL2500 KATWIJK,PAS999");
}

TEST(Mt940Fixture, JejikIng) {
  const CollectingSink sink = parse_fixture("jejik_ing.sta");
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.transaction_total(), 7u);
  EXPECT_EQ(sink.sum(), -4559);
  const CollectedStatement& s = sink.statements[0];
  EXPECT_EQ(s.end.statement_id, "MPBZ");
  EXPECT_EQ(s.end.account, "0001234567");
  EXPECT_EQ(s.end.sequence, "000");
  expect_balance(s.end, "opening", 0, "EUR", day(2010, 7, 22));
  expect_balance(s.end, "closing", 347, "EUR", day(2010, 7, 23));
  EXPECT_EQ(s.transactions[2].reference, "TMG TANGO");  // the :61: customer reference
  EXPECT_EQ(code(s.transactions[2], "customer_reference"), "TMG TANGO");
  // The soft hyphens (U+00AD) of the file are kept as they are.
  EXPECT_NE(s.transactions[2].description.find("10\u00AD06\u00AD2010 15:32"), std::string::npos);
  EXPECT_EQ(s.transactions[0].description,
            "RC AFREKENING BETALINGSVERKEER BETREFT REKENING 4715589 PERIODE: 01-10-2010 / "
            "31-12-2010 ING Bank N.V. tarifering ING");
  // The :86: after :62F: is about the statement: not part of the last transaction.
  EXPECT_EQ(s.transactions[6].description,
            "0111111111 Hr S Marechal ROSMALEN Hr S Marechal ROSMALEN Betaling transactiedatum: "
            "22-07-2010");
  EXPECT_EQ(format_iso_date(s.transactions[6].value_date), "2010-07-23");
}

TEST(Mt940Fixture, JejikKnab) {
  const CollectingSink sink = parse_fixture("jejik_knab.sta");
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.transaction_total(), 3u);
  EXPECT_EQ(sink.sum(), -626000);
  expect_balance(sink.statements[0].end, "opening", 0, "EUR", day(2014, 5, 7));
  expect_balance(sink.statements[0].end, "closing", 50000, "EUR", day(2014, 5, 8));
  EXPECT_TRUE(reconciles(sink.statements[0]));
  expect_balance(sink.statements[1].end, "opening", 305898, "EUR", day(2014, 7, 29));
  expect_balance(sink.statements[1].end, "closing", 79898, "EUR", day(2014, 7, 30));
  EXPECT_FALSE(reconciles(sink.statements[1]));
  const Transaction& t = sink.statements[1].transactions[0];
  EXPECT_EQ(t.amount_minor, -726000);
  EXPECT_EQ(t.transaction_id, "B4G29PGCVO7Q06US");
  EXPECT_EQ(t.counterparty_name, "PICQER");
  EXPECT_EQ(t.counterparty_account, "NL65INGB0123456789");
  EXPECT_EQ(t.description, "FACTUUR 201403110, 201403113");
  EXPECT_EQ(t.reference, "201403110");
  const Transaction& u = sink.statements[1].transactions[1];  // ":61:...C500NTRF..." no decimals
  EXPECT_EQ(u.amount_minor, 50000);
  EXPECT_EQ(code(u, "customer_reference"), "29-07-2014 10:05");
  EXPECT_EQ(u.counterparty_name, "MMS ONLINE NEDERLAND B.V.");
  EXPECT_EQ(u.counterparty_account, "NL84INGB0234561789");
}

TEST(Mt940Fixture, JejikPostfinance) {
  const CollectingSink sink = parse_fixture("jejik_postfinance.sta");
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.transaction_total(), 4u);
  EXPECT_EQ(sink.sum(), 15940);
  const StatementInfo& first = sink.statements[0].end;
  EXPECT_EQ(first.currency, "CHF");
  expect_balance(first, "opening", 0, "CHF", day(2013, 11, 30));
  expect_balance(first, "interim", 22920, "CHF", day(2014, 4, 7));  // :62M:
  EXPECT_EQ(first.balance("closing"), nullptr);
  EXPECT_EQ(format_iso_date(first.period_end), "2014-04-07");
  const StatementInfo& second = sink.statements[1].end;
  expect_balance(second, "interim", 22920, "CHF", day(2014, 4, 7));  // :60M:
  expect_balance(second, "closing", 15960, "CHF", day(2014, 4, 7));
  EXPECT_FALSE(reconciles(sink.statements[1]));  // off by 0.20 in the file
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, 7970);
  EXPECT_EQ(t.transaction_id, "");  // "//NONREF"
  EXPECT_EQ(code(t, "customer_reference"), "01916");
  EXPECT_EQ(code(t, "swift_code"), "FMSC");
  EXPECT_EQ(code(t, "supplementary_details"), "20131209007602198765432000000012");
  // A 65-character line continues in the next without a space.
  EXPECT_EQ(sink.statements[1].transactions[0].description,
            "GIRO AUS ONLINE-SIC 80701 AUFTRAGGEBER: XXXXXXXXX XXX XXXXXXXXSTRASSE 111 1234 "
            "XXXXXXXXXXXX 131216CH12345678 MITTEILUNGEN: 1 SONNENGLAESER");
}

TEST(Mt940Fixture, JejikRabobankIban) {
  const CollectingSink sink = parse_fixture("jejik_rabobank-iban.sta");
  ASSERT_EQ(sink.statements.size(), 2u);  // two messages with no "-" between them
  EXPECT_EQ(sink.transaction_total(), 4u);
  EXPECT_EQ(sink.sum(), -7000);
  expect_balance(sink.statements[0].end, "opening", 100000, "EUR", day(2013, 1, 1));
  expect_balance(sink.statements[0].end, "closing", 96500, "EUR", day(2013, 1, 8));
  expect_balance(sink.statements[1].end, "closing", 93000, "EUR", day(2013, 1, 15));
  for (const CollectedStatement& s : sink.statements) EXPECT_TRUE(reconciles(s));
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.end_to_end_id, "01-01-2013 12:00 0030000987654321");
  EXPECT_EQ(t.reference, t.end_to_end_id);
  EXPECT_EQ(t.counterparty_name, "CONTRA ACCOUNT HOLDER");  // wrapped inside /NAME/
  EXPECT_EQ(t.counterparty_account, "NL70ABNA0987654321");  // :61: second line
  EXPECT_EQ(code(t, "swift_code"), "N102");
  const Transaction& u = sink.statements[0].transactions[1];
  EXPECT_EQ(u.counterparty_name, "JOHN DOE");
  EXPECT_EQ(u.description, "Reference 201301234");
  EXPECT_EQ(code(u, "supplementary_details"), "P001234567");
  EXPECT_EQ(format_iso_date(u.value_date), "2013-01-02");
}

TEST(Mt940Fixture, JejikRabobank) {
  const CollectingSink sink = parse_fixture("jejik_rabobank.sta");
  ASSERT_EQ(sink.statements.size(), 4u);
  EXPECT_EQ(sink.transaction_total(), 5u);
  EXPECT_EQ(sink.sum(), -158909);
  EXPECT_EQ(sink.statements[0].end.account, "1291.99.348EUR");
  EXPECT_EQ(sink.statements[0].end.sequence, "00000/00");
  expect_balance(sink.statements[0].end, "opening", 47317, "EUR", day(2011, 6, 14));
  expect_balance(sink.statements[0].end, "closing", 39582, "EUR", day(2011, 6, 15));
  EXPECT_TRUE(sink.statements[1].transactions.empty());
  expect_balance(sink.statements[3].end, "opening", 419612, "EUR", day(2012, 8, 28));
  expect_balance(sink.statements[3].end, "closing", 410182, "EUR", day(2012, 8, 29));
  EXPECT_FALSE(reconciles(sink.statements[0]));
  EXPECT_FALSE(reconciles(sink.statements[2]));
  EXPECT_TRUE(reconciles(sink.statements[3]));
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, -121328);
  EXPECT_EQ(format_iso_date(t.value_date), "2011-05-27");
  EXPECT_EQ(t.booking_date, t.value_date);  // no entry date
  // Four :86: tags make one description; the padded 16-character customer reference is cut
  // from the name Rabobank writes after it.
  EXPECT_EQ(t.description,
            "Terugboeking NIET AKKOORD MET AFSCHRIJVING KOSTEN KINDEROPVANG JUNI 20095731");
  EXPECT_EQ(code(t, "customer_reference"), "0121470966");
  EXPECT_EQ(code(t, "supplementary_details"), "W.P. Jansen");
  EXPECT_EQ(code(sink.statements[2].transactions[1], "customer_reference"), "");  // NONREF
}

TEST(Mt940Fixture, JejikSns) {
  const CollectingSink sink = parse_fixture("jejik_sns.sta");
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.transaction_total(), 2u);
  EXPECT_EQ(sink.sum(), -2500);
  expect_balance(sink.statements[0].end, "opening", 123456, "EUR", day(2012, 6, 8));
  expect_balance(sink.statements[0].end, "closing", 120956, "EUR", day(2012, 6, 8));
  expect_balance(sink.statements[1].end, "opening", 120956, "EUR", day(2012, 6, 9));
  expect_balance(sink.statements[1].end, "closing", 120956, "EUR", day(2012, 6, 9));
  EXPECT_TRUE(sink.statements[1].transactions.empty());
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(format_iso_date(t.value_date), "2012-06-07");
  EXPECT_EQ(format_iso_date(t.booking_date), "2012-06-08");
  EXPECT_EQ(t.counterparty_account, "0987654321");  // :86: opens with account and name
  EXPECT_EQ(t.counterparty_name, "marechal s");
  EXPECT_EQ(t.description, "dit is een test");
  EXPECT_EQ(t.reference, "");  // the account is no payment reference
}

TEST(Mt940Fixture, JejikTriodos) {
  const CollectingSink sink = parse_fixture("jejik_triodos.sta");
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.transaction_total(), 2u);
  EXPECT_EQ(sink.sum(), -71570);
  const CollectedStatement& s = sink.statements[0];
  EXPECT_EQ(s.end.statement_id, "1308728725026/1");
  EXPECT_EQ(s.end.account, "TRIODOSBANK/0390123456");
  EXPECT_EQ(s.end.sequence, "1");
  expect_balance(s.end, "opening", 497509, "EUR", day(2011, 1, 1));
  expect_balance(s.end, "closing", 437079, "EUR", day(2011, 2, 1));
  EXPECT_FALSE(reconciles(s));
  // Triodos writes the German subfields with '>' instead of '?'.
  EXPECT_EQ(s.transactions[0].description,
            "ALGEMENE TUSSENREKENING KOSTEN VAN 01-10-2010 TOT EN MET 31-12-2010");
  EXPECT_EQ(s.transactions[0].counterparty_account, "0390123456");
  EXPECT_EQ(s.transactions[1].description, "HUUR KANTOOR - FEB 2010");
}

TEST(Mt940Fixture, Cmxl) {
  const CollectingSink sink = parse_fixture("cmxl_mt940.sta");
  ASSERT_EQ(sink.statements.size(), 3u);
  EXPECT_EQ(sink.transaction_total(), 16u);
  EXPECT_EQ(sink.sum(), 1232730);
  expect_balance(sink.statements[0].end, "opening", 8434974, "DEM", day(2013, 10, 16));
  expect_balance(sink.statements[0].end, "closing", 8443704, "DEM", day(2013, 10, 17));
  expect_balance(sink.statements[1].end, "opening", 218795, "EUR", day(2002, 11, 1));
  expect_balance(sink.statements[1].end, "closing", 438795, "EUR", day(2002, 11, 30));
  // The closing date precedes the opening date in the file; reported as it is.
  expect_balance(sink.statements[2].end, "opening", 4000000, "PLN", day(2003, 10, 2));
  expect_balance(sink.statements[2].end, "closing", 5004000, "PLN", day(2002, 3, 25));
  for (const CollectedStatement& s : sink.statements) EXPECT_TRUE(reconciles(s));
  EXPECT_EQ(sink.statements[0].end.sequence, "27/01");
  EXPECT_EQ(code(sink.statements[0].transactions[0], "customer_reference"), "16703074");
  EXPECT_EQ(sink.statements[0].transactions[1].amount_minor, -62030);  // "620,3"
  EXPECT_EQ(sink.statements[0].transactions[1].reference, "");         // customer reference "N"

  const Transaction& rent = sink.statements[1].transactions[0];
  EXPECT_EQ(format_iso_date(rent.value_date), "2002-11-01");
  EXPECT_EQ(format_iso_date(rent.booking_date), "2002-11-02");
  EXPECT_EQ(rent.counterparty_name, "MUELLER");
  EXPECT_EQ(rent.counterparty_account, "234567");
  EXPECT_EQ(rent.description, "Miete November");
  EXPECT_EQ(rent.transaction_id, "55555");
  EXPECT_EQ(code(rent, "booking_text"), "DAUERAUFTRAG");
  EXPECT_EQ(code(rent, "gvc"), "008");
  EXPECT_EQ(code(rent, "primanota"), "0599");
  EXPECT_EQ(code(rent, "counterparty_bank"), "10020030");
  EXPECT_EQ(code(rent, "text_key_extension"), "339");
  EXPECT_EQ(code(rent, "related_reference"), "9876543210");  // :21:
  EXPECT_EQ(sink.statements[1].transactions[1].counterparty_account, "0847564700");

  const Transaction& polish = sink.statements[2].transactions[0];
  EXPECT_EQ(polish.amount_minor, 2000000);
  EXPECT_EQ(code(polish, "supplementary_details"), "Card transaction");
  EXPECT_EQ(code(polish, "booking_text"), "Wyplata-(dysp/przel)");
  EXPECT_EQ(polish.counterparty_account, "PL08106000760000777777777777");  // ?38, the IBAN
  EXPECT_EQ(polish.reference, "333/2003");                                 // "FAKTURA 333/2003."
  EXPECT_EQ(code(sink.statements[2].transactions[1], "customer_reference"), "REF 25611247");
  const Transaction& interest = sink.statements[2].transactions[2];
  EXPECT_EQ(code(interest, "booking_text"), "Uznanie kwot\u0105 odsetek");
  EXPECT_EQ(interest.description, "Odsetki od lokaty nr 101000022086");
}

TEST(Mt940Fixture, BetterplaceSepa) {
  const CollectingSink sink = parse_fixture("betterplace_sepa_mt9401.sta");
  ASSERT_EQ(sink.statements.size(), 26u);
  EXPECT_EQ(sink.transaction_total(), 97u);
  // The golden sum is -9268316.38; the mt-940 parser keeps the two "RC" (reversal of credit)
  // entries of 204.88 positive, we book them negative as SWIFT means them, and with that every
  // statement of the file reconciles.
  EXPECT_EQ(sink.sum(), -926831638 - 2 * 2 * 20488);
  for (const CollectedStatement& s : sink.statements) EXPECT_TRUE(reconciles(s)) << s.end.line;
  const CollectedStatement& first = sink.statements[0];
  EXPECT_EQ(first.end.statement_id, "T089413946000001");
  EXPECT_EQ(first.end.account, "50880050/0194774600888");
  EXPECT_EQ(first.end.sequence, "00004/00001");
  expect_balance(first.end, "opening", -123471836, "EUR", day(2007, 9, 3));
  expect_balance(first.end, "closing", -123762823, "EUR", day(2007, 9, 4));
  expect_balance(first.end, "closing_available", -123762823, "EUR", day(2007, 9, 4));
  const CollectedStatement& last = sink.statements[25];
  EXPECT_EQ(last.end.account, "50880050/0194804000888");
  expect_balance(last.end, "opening", 0, "EUR", day(2007, 8, 22));
  expect_balance(last.end, "closing", 5005, "EUR", day(2007, 9, 4));

  const Transaction& retour = first.transactions[0];
  EXPECT_EQ(retour.amount_minor, 30000);
  EXPECT_EQ(retour.end_to_end_id, "TFNR 40005 00005");
  EXPECT_EQ(retour.transaction_id, "0724710345313905");
  EXPECT_EQ(retour.description,
            "MTLG:Grund nicht spezifiziert Reject aus SEPA-Ueberweisungsauftrag");
  EXPECT_EQ(code(retour, "booking_text"), "RETOURE");
  EXPECT_EQ(code(retour, "gvc"), "159");
  EXPECT_EQ(code(retour, "text_key_extension"), "914");
  const Transaction& storno = first.transactions[5];  // ":61:0709040904RCR204,88NRTINONREF"
  EXPECT_EQ(storno.amount_minor, -20488);
  EXPECT_TRUE(storno.reversal);
  EXPECT_EQ(code(storno, "booking_text"), "SAMMLER/STORNO");

  const Transaction& credit = sink.statements[1].transactions[0];
  EXPECT_EQ(credit.counterparty_name, "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx");
  EXPECT_EQ(credit.counterparty_account, "DE42100100100043921105");
  EXPECT_EQ(credit.end_to_end_id, "EndToEndIdTFNR2000400001");
  EXPECT_EQ(code(credit, "counterparty_bank"), "PBNKDEFF100");
  const Transaction& debit = sink.statements[1].transactions[1];  // "NTRFKREF+//BD7C..."
  EXPECT_EQ(code(debit, "customer_reference"), "KREF+");
  EXPECT_EQ(code(debit, "sepa_customer_reference"), "TFNr 01005 PayId CTSc-01 EBB");
  EXPECT_EQ(debit.reference, "TFNr 01005 PayId CTSc-01 EBB");
  EXPECT_EQ(debit.transaction_id, "BD7CFA74485E7E69");
}

TEST(Mt940Fixture, BetterplaceSepaSnippet) {
  const CollectingSink sink = parse_fixture("betterplace_sepa_snippet.sta");
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.transaction_total(), 11u);
  EXPECT_EQ(sink.sum(), -214332339);
  const StatementInfo& first = sink.statements[0].end;
  expect_balance(first, "opening", 76665649, "EUR", day(2007, 9, 3));
  expect_balance(first, "closing", 112525040, "EUR", day(2007, 9, 4));
  expect_balance(first, "closing_available", 55961451, "EUR", day(2007, 9, 4));
  const StatementInfo& second = sink.statements[1].end;
  expect_balance(second, "opening", -197043187, "EUR", day(2007, 9, 3));
  expect_balance(second, "closing", -447204909, "EUR", day(2007, 9, 4));
  EXPECT_FALSE(reconciles(sink.statements[1]));  // 300.08 apart in the file
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(format_iso_date(t.value_date), "2007-09-07");
  EXPECT_EQ(format_iso_date(t.booking_date), "2007-09-04");
  EXPECT_EQ(t.counterparty_name, "KARL KAUFMANN");
  EXPECT_EQ(t.counterparty_account, "DE14508800500194785000");
  EXPECT_EQ(t.end_to_end_id, "EndToEndId TFNR 22 004 00001");
  EXPECT_EQ(t.description, "Verw CTSc-01 BC-PPP TFNr 22 004");
  EXPECT_EQ(code(t, "counterparty_bank"), "DRESDEFF508");
  const Transaction& u = sink.statements[0].transactions[1];
  EXPECT_EQ(u.counterparty_name, "Quentin Quast");
  EXPECT_EQ(u.end_to_end_id, "TFNR 0300300004");
  EXPECT_EQ(u.description, "Strukturierter Verwendungszweck 30030004 DE");
}

TEST(Mt940Fixture, MBank) {
  const CollectingSink sink = parse_fixture("mBank_mt940.sta");  // SOH first, "-" ETX last
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.transaction_total(), 3u);
  EXPECT_EQ(sink.sum(), 3);
  const StatementInfo& s = sink.statements[0].end;
  EXPECT_EQ(s.statement_id, "ST170119CYC/1");
  EXPECT_EQ(s.account, "PL29114010810000267002001002");
  expect_balance(s, "opening", 40, "PLN", day(2017, 1, 19));
  expect_balance(s, "closing", 43, "PLN", day(2017, 1, 19));
  expect_balance(s, "closing_available", 43, "PLN", day(2017, 1, 19));
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, 1);  // "CN0,01": funds code N
  EXPECT_EQ(t.transaction_id, "MB170119012058");
  EXPECT_EQ(code(t, "supplementary_details"), "911-TRANSAKCJA IPH");
}

TEST(Mt940Fixture, Sberbank) {
  const CollectingSink sink = parse_fixture("sberbank_171011_01234945.sta");  // CR LF lines
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.transaction_total(), 3u);
  EXPECT_EQ(sink.sum(), -943700);
  const StatementInfo& s = sink.statements[0].end;
  EXPECT_EQ(s.statement_id, "STARTUMS");
  EXPECT_EQ(s.account, "1966315302010001");
  EXPECT_EQ(s.sequence, "00046");
  expect_balance(s, "opening", 62731130, "HUF", day(2017, 10, 11));
  expect_balance(s, "closing", 61787430, "HUF", day(2017, 10, 11));
  EXPECT_TRUE(reconciles(sink.statements[0]));
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.amount_minor, -240200);  // "DF2402,00": funds code F
  EXPECT_EQ(format_iso_date(t.value_date), "2017-10-11");
  EXPECT_EQ(code(t, "swift_code"), "S");
  EXPECT_EQ(t.description, "");  // the :NS: lines are not read
}

TEST(Mt940Fixture, February30) {
  const CollectingSink sink = parse_fixture("self-provided_february_30.sta");
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.sum(), -600);
  const StatementInfo& s = sink.statements[0].end;
  expect_balance(s, "opening", 120000, "EUR", day(2016, 2, 29));
  expect_balance(s, "closing", 119400, "EUR", day(2016, 3, 1));
  const Transaction& t = sink.statements[0].transactions[0];
  // ":61:1602300301": 30 February is read as the month's last day, as the golden has it.
  EXPECT_EQ(format_iso_date(t.value_date), "2016-02-29");
  EXPECT_EQ(format_iso_date(t.booking_date), "2016-03-01");
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_EQ(sink.warnings[0], "line 6: date '160230' does not exist; read as 2016-02-29");
  EXPECT_EQ(t.description, "Pauschalen");
  EXPECT_EQ(code(t, "booking_text"), "ENTGELTABSCHLUSS");
  EXPECT_EQ(code(t, "primanota"), "6666");
  EXPECT_EQ(code(t, "counterparty_bank"), "12345678");
}

TEST(Mt940Fixture, RaiffeisenCmi) {
  const CollectingSink sink = parse_fixture("self-provided_raiffeisen-cmi.sta");
  ASSERT_EQ(sink.statements.size(), 1u);
  EXPECT_EQ(sink.transaction_total(), 7u);
  EXPECT_EQ(sink.sum(), -101221350);
  const CollectedStatement& s = sink.statements[0];
  EXPECT_EQ(s.end.account, "UBRTHUHB/123456789150ABCDEF002/HUF");
  EXPECT_EQ(s.end.sequence, "0072");
  expect_balance(s.end, "opening", 2517063710, "HUF", day(2018, 4, 17));
  expect_balance(s.end, "closing", 2528168760, "HUF", day(2018, 4, 17));
  expect_balance(s.end, "closing_available", 2528168760, "HUF", day(2018, 4, 17));
  ASSERT_EQ(s.end.balances.size(), 6u);  // three :65: forward balances
  EXPECT_EQ(s.end.balances[5].type, "forward_available");
  EXPECT_EQ(format_iso_date(s.end.balances[5].date), "2018-04-20");
  EXPECT_FALSE(reconciles(s));
  // The file is in code page 852, not UTF-8: read as Windows-1252, with one warning.
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_EQ(sink.warnings[0], "line 7: the text is not UTF-8; read as Windows-1252");
  const Transaction& t = s.transactions[1];  // ":61:180417DF14790,00N031": no reference at all
  EXPECT_EQ(t.amount_minor, -1479000);
  EXPECT_EQ(code(t, "swift_code"), "N031");
  EXPECT_EQ(t.description, "BBK18D0000188142 123777040156667300100001 SPYMARKET S.R.O. 18175");
}

TEST(Mt940Fixture, Citi) {
  const CollectingSink sink = parse_fixture("citi_mt940.txt");
  ASSERT_EQ(sink.statements.size(), 1u);
  const CollectedStatement& s = sink.statements[0];
  EXPECT_EQ(s.end.account, "123456789");
  EXPECT_EQ(s.end.sequence, "1/1");
  expect_balance(s.end, "opening", 1737667, "USD", day(2024, 3, 12));
  expect_balance(s.end, "closing", 1623392, "USD", day(2024, 3, 12));
  ASSERT_EQ(s.transactions.size(), 5u);
  EXPECT_EQ(sink.sum(), -114275);
  EXPECT_TRUE(reconciles(s));
  // ":61:240312    DD212,39NMSCNONREF//": four spaces for the entry date, funds code D.
  EXPECT_EQ(format_iso_date(s.transactions[0].value_date), "2024-03-12");
  EXPECT_EQ(format_iso_date(s.transactions[0].booking_date), "2024-03-12");
  EXPECT_EQ(s.transactions[0].amount_minor, -21239);
  EXPECT_EQ(s.transactions[0].transaction_id, "");
  EXPECT_EQ(code(s.transactions[0], "supplementary_details"), "/ABC/DEF/MISCELLANEOUS");
  EXPECT_EQ(s.transactions[2].amount_minor, 0);
}

TEST(Mt940Fixture, Asnb) {
  const CollectingSink sink = parse_fixture("ASNB_mt940.txt");  // SWIFT blocks
  ASSERT_EQ(sink.statements.size(), 31u);
  EXPECT_EQ(sink.transaction_total(), 8u);
  EXPECT_EQ(sink.sum(), 50123 - 44429);
  for (const CollectedStatement& s : sink.statements) EXPECT_TRUE(reconciles(s));
  expect_balance(sink.statements[0].end, "opening", 44429, "EUR", day(2020, 1, 1));
  const CollectedStatement& last = sink.statements[30];
  EXPECT_EQ(last.end.account, "NL81ASNB9999999999");
  EXPECT_EQ(last.end.sequence, "31/1");
  expect_balance(last.end, "opening", 40481, "EUR", day(2020, 1, 31));
  expect_balance(last.end, "closing", 50123, "EUR", day(2020, 1, 31));
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(format_iso_date(t.booking_date), "2020-01-01");
  EXPECT_EQ(t.amount_minor, -6500);
  EXPECT_EQ(code(t, "customer_reference"), "NL47INGB9999999999");  // 18 characters, kept whole
  EXPECT_EQ(t.counterparty_account, "NL47INGB9999999999");
  EXPECT_EQ(t.counterparty_name, "hr gjlm paulissen");
  EXPECT_EQ(t.description, "Betaling sieraden");
  EXPECT_EQ(format_iso_date(last.transactions.back().booking_date), "2020-01-31");
}

// -------------------------------------------------------------------------------------------
// Recognising the format

TEST(Mt940Sniff, RecognisesBareBlockAndHeaderedFiles) {
  EXPECT_TRUE(
      looks_like_mt940(":20:REF\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n:60F:C240101EUR1,\r\n"));
  EXPECT_TRUE(looks_like_mt940("\xEF\xBB\xBF\n  :20:REF\n:25:1\n:28:1\n:60F:C240101EUR1,\n"));
  EXPECT_TRUE(
      looks_like_mt940("{1:F01ASNBNL21XXXX0000000000}{2:O940ASNBNL21XXXXN}{3:}{4:\r\n:20:X\r\n"));
  EXPECT_TRUE(looks_like_mt940("ABNANL2A\n940\nABNANL2A\n:20:ABN AMRO\n:25:1\n:28:1/1\n:60F:C1\n"));
  EXPECT_TRUE(looks_like_mt940("0000 01INGBNL2AXXXX00001\n940 00\n:20:X\n:25:1\n:28C:0\n:60F:C\n"));
  EXPECT_TRUE(looks_like_mt940(":940:\n:20:X\n:25:1\n:28C:0\n:60F:C\n"));
}

TEST(Mt940Sniff, RefusesOtherFormats) {
  // Recognised without its balances, so that parse_mt940 can say what is missing.
  EXPECT_TRUE(
      looks_like_mt940(":20:REF\r\n:25:NL91ABNA0417164300\r\n:61:240101C1,00NTRFNONREF\r\n"));
  EXPECT_FALSE(looks_like_mt940(""));
  EXPECT_FALSE(looks_like_mt940("date,amount,description\n2024-01-01,10.00,:20:x\n"));
  EXPECT_FALSE(looks_like_mt940("[{\"a\": 1}]"));
  EXPECT_FALSE(looks_like_mt940("<?xml version=\"1.0\"?><Document></Document>"));
  EXPECT_FALSE(looks_like_mt940("01,SENDR1,RECVR1,240101,0000,1,,,2/\n"));
  EXPECT_FALSE(looks_like_mt940("OFXHEADER:100\nDATA:OFXSGML\n<OFX>"));
  EXPECT_FALSE(looks_like_mt940(":20:REF\n:21:1\n"));  // no :25: account
  EXPECT_FALSE(looks_like_mt940("a\nb\nc\nd\ne\nf\n:20:X\n:25:1\n:28C:0\n:60F:C\n"));
  EXPECT_FALSE(looks_like_mt940("{1:F01X}{2:O940X}{4:\n:25:X\n"));  // no :20: first
}

// -------------------------------------------------------------------------------------------
// Statement lines

TEST(Mt940Parse, MarksGiveTheSignAndReversalsFlipIt) {
  const CollectingSink sink =
      parse_ok(statement(":61:2401020102C1,00NTRFNONREF\n"
                         ":61:2401020102D2,00NTRFNONREF\n"
                         ":61:2401020102RC3,00NTRFNONREF\n"
                         ":61:2401020102RD4,00NTRFNONREF\n"
                         ":61:2401020102EC5,00NTRFNONREF\n"
                         ":61:2401020102ED6,00NTRFNONREF\n"
                         ":61:2401020102CR7,00NTRFNONREF\n"));
  ASSERT_EQ(sink.transaction_total(), 7u);
  const auto& t = sink.statements[0].transactions;
  EXPECT_EQ(t[0].amount_minor, 100);
  EXPECT_EQ(t[1].amount_minor, -200);
  EXPECT_EQ(t[2].amount_minor, -300);  // reversal of a credit
  EXPECT_TRUE(t[2].reversal);
  EXPECT_EQ(t[3].amount_minor, 400);  // reversal of a debit
  EXPECT_TRUE(t[3].reversal);
  EXPECT_EQ(t[4].amount_minor, 500);
  EXPECT_FALSE(t[4].reversal);
  EXPECT_EQ(code(t[4], "debit_credit_mark"), "EC");
  EXPECT_EQ(t[5].amount_minor, -600);
  EXPECT_EQ(code(t[5], "debit_credit_mark"), "ED");
  EXPECT_EQ(t[6].amount_minor, 700);  // C with funds code R
  EXPECT_FALSE(t[6].reversal);
  EXPECT_EQ(code(t[0], "debit_credit_mark"), "");
}

TEST(Mt940Parse, EntryDateTakesItsYearAcrossTheYearEnd) {
  const CollectingSink sink = parse_ok(
      statement(":61:2312300102D1,00NTRFNONREF\n"  // value 30 Dec 2023, booked 2 Jan 2024
                ":61:2401021229D1,00NTRFNONREF\n"  // value 2 Jan 2024, booked 29 Dec 2023
                ":61:240615D1,00NTRFNONREF\n"));   // no entry date: booked on the value date
  ASSERT_EQ(sink.transaction_total(), 3u);
  const auto& t = sink.statements[0].transactions;
  EXPECT_EQ(format_iso_date(t[0].value_date), "2023-12-30");
  EXPECT_EQ(format_iso_date(t[0].booking_date), "2024-01-02");
  EXPECT_EQ(format_iso_date(t[1].value_date), "2024-01-02");
  EXPECT_EQ(format_iso_date(t[1].booking_date), "2023-12-29");
  EXPECT_EQ(t[2].booking_date, t[2].value_date);
  EXPECT_EQ(format_iso_date(t[2].value_date), "2024-06-15");
}

TEST(Mt940Parse, ReferencesTypeAndSupplementaryDetails) {
  const Transaction t = only_transaction(
      ":61:2401020102D12,50NTRFINV-778//BANKREF123\n"
      "extra details here\n"
      ":86:Payment\n");
  EXPECT_EQ(code(t, "swift_code"), "NTRF");
  EXPECT_EQ(code(t, "customer_reference"), "INV-778");
  EXPECT_EQ(code(t, "supplementary_details"), "extra details here");
  EXPECT_EQ(t.transaction_id, "BANKREF123");
  EXPECT_EQ(t.reference, "INV-778");  // no better reference: the customer's
  EXPECT_EQ(t.amount_minor, -1250);
  EXPECT_EQ(t.currency, "EUR");
  EXPECT_EQ(t.location, "line 5");
  EXPECT_EQ(t.line, 5u);
}

TEST(Mt940Parse, AmountsTakeTheCurrencysScale) {
  const CollectingSink sink = parse_ok(statement(":61:240102D1234,NMSCNONREF\n", "JPY"));
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].amount_minor, -1234);
  EXPECT_EQ(sink.statements[0].transactions[0].currency, "JPY");
  expect_balance(sink.statements[0].end, "opening", 100, "JPY", day(2024, 1, 1));
}

TEST(Mt940Parse, UnreadableStatementLinesAreRowProblems) {
  const CollectingSink sink =
      parse_ok(statement(":61:2401020102D8,855NTRFNONREF\n"
                         ":86:first\n"
                         ":61:2401020102D1,2,3NTRFNONREF\n"
                         ":61:2413020102D1,00NTRFNONREF\n"
                         ":61:2401020102X1,00NTRFNONREF\n"
                         ":61:2401020102D2,00NTRFNONREF\n"
                         ":86:the good one\n"));
  ASSERT_EQ(sink.statements.size(), 1u);
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].description, "the good one");
  ASSERT_EQ(sink.problems.size(), 4u);
  EXPECT_EQ(sink.problems[0].location, "line 5");
  EXPECT_EQ(sink.problems[0].line, 5u);
  EXPECT_EQ(sink.problems[0].value, "2401020102D8,855NTRFNONREF");
  EXPECT_EQ(sink.problems[0].reason,
            "the statement line (:61:) amount '8,855' has more decimals than EUR allows");
  EXPECT_EQ(sink.problems[1].location, "line 7");
  EXPECT_EQ(sink.problems[1].reason,
            "the statement line (:61:) amount '1,2,3' is not a decimal amount");
  EXPECT_EQ(sink.problems[2].reason,
            "the statement line (:61:) value date '241302' has no month 13");
  EXPECT_EQ(sink.problems[3].reason,
            "the statement line (:61:) has no debit/credit mark (C, D, RC or RD) after its dates");
  EXPECT_EQ(sink.statements[0].problems.size(), 4u);
}

TEST(Mt940Parse, DatesThatDoNotExistAreTheMonthsLastDayWithAWarning) {
  const CollectingSink sink = parse_ok(
      ":20:X\n:25:1\n:60F:C230229EUR1,00\n"
      ":61:2304310431D1,00NTRFNONREF\n"
      ":62F:C230431EUR0,00\n");
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(format_iso_date(t.value_date), "2023-04-30");
  EXPECT_EQ(format_iso_date(t.booking_date), "2023-04-30");
  expect_balance(sink.statements[0].end, "opening", 100, "EUR", day(2023, 2, 28));
  ASSERT_EQ(sink.warnings.size(), 4u);
  EXPECT_EQ(sink.warnings[0], "line 3: date '230229' does not exist; read as 2023-02-28");
  EXPECT_EQ(sink.warnings[1], "line 4: date '230431' does not exist; read as 2023-04-30");
  EXPECT_EQ(sink.warnings[2], "line 4: date '0431' does not exist; read as 2023-04-30");
  EXPECT_EQ(sink.warnings[3], "line 5: date '230431' does not exist; read as 2023-04-30");
}

TEST(Mt940Parse, LineEndsAndSeparatorsDoNotMatter) {
  const std::string lf = statement(":61:2401020102D1,00NTRFNONREF\n:86:text\n");
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const CollectingSink a = parse_ok(lf);
  const CollectingSink b = parse_ok(crlf);
  ASSERT_EQ(b.transaction_total(), 1u);
  EXPECT_EQ(a.statements[0].transactions[0].description,
            b.statements[0].transactions[0].description);
  EXPECT_EQ(a.sum(), b.sum());
  // "$" separators, blank lines, a last line without its line end.
  const CollectingSink c = parse_ok(
      ":20:A\n:25:1\n:60F:C240101EUR1,\n:62F:C240101EUR1,\n$\n\n:20:B\n:25:1\n:60F:C240101EUR1,"
      "\n:61:240101C1,NMSCNONREF\n:62F:C240101EUR2,");
  ASSERT_EQ(c.statements.size(), 2u);
  EXPECT_EQ(c.statements[1].end.statement_id, "B");
  EXPECT_EQ(c.transaction_total(), 1u);
}

TEST(Mt940Parse, SwiftBlocksAroundMessages) {
  const CollectingSink sink = parse_ok(
      "{1:F01BANKDEFFAXXX0000000000}{2:O9400000BANKDEFFXXXXN}{4::20:A\r\n"
      ":25:DE89370400440532013000\r\n:28C:7/1\r\n:60F:C240101EUR10,\r\n"
      ":61:2401010101D1,NTRFNONREF\r\n:62F:C240101EUR9,\r\n"
      "-}{5:}{1:F01BANKDEFFAXXX0000000000}{2:O9400000BANKDEFFXXXXN}{4:\r\n"
      ":20:B\r\n:25:DE89370400440532013000\r\n:28C:8/1\r\n:60F:C240102EUR9,\r\n"
      ":62F:C240102EUR9,\r\n-}\r\n");
  ASSERT_EQ(sink.statements.size(), 2u);
  EXPECT_EQ(sink.statements[0].end.statement_id, "A");
  EXPECT_EQ(sink.statements[0].end.sequence, "7/1");
  EXPECT_EQ(sink.statements[1].end.statement_id, "B");
  EXPECT_EQ(sink.transaction_total(), 1u);
  EXPECT_TRUE(sink.warnings.empty());
}

TEST(Mt940Parse, StatementInfoArrivesBeforeAndAfterItsTransactions) {
  const CollectingSink sink = parse_ok(
      ":20:STMT\n:21:RELATED\n:25:NL91 ABNA 0417 1643 00\n:28C:00001/001\n"
      ":60F:D240101EUR5,00\n:61:2401020102C10,00NTRFNONREF\n:62F:C240102EUR5,00\n"
      ":64:C240102EUR4,00\n:65:C240103EUR3,00\n-\n");
  ASSERT_EQ(sink.statements.size(), 1u);
  const CollectedStatement& s = sink.statements[0];
  EXPECT_EQ(s.begin.line, 1u);
  EXPECT_EQ(s.begin.account, "NL91ABNA0417164300");  // spaces removed
  EXPECT_EQ(s.begin.statement_id, "STMT");
  EXPECT_EQ(s.begin.sequence, "00001/001");
  EXPECT_EQ(s.begin.currency, "EUR");
  ASSERT_EQ(s.begin.balances.size(), 1u);  // only what came before the first transaction
  expect_balance(s.begin, "opening", -500, "EUR", day(2024, 1, 1));
  ASSERT_EQ(s.end.balances.size(), 4u);
  EXPECT_EQ(s.end.balances[0].code, "60F");
  expect_balance(s.end, "closing", 500, "EUR", day(2024, 1, 2));
  expect_balance(s.end, "closing_available", 400, "EUR", day(2024, 1, 2));
  expect_balance(s.end, "forward_available", 300, "EUR", day(2024, 1, 3));
  EXPECT_EQ(format_iso_date(s.end.period_start), "2024-01-01");
  EXPECT_EQ(format_iso_date(s.end.period_end), "2024-01-02");
  EXPECT_EQ(code(s.transactions[0], "related_reference"), "RELATED");
  EXPECT_FALSE(sink.open);
}

// -------------------------------------------------------------------------------------------
// The :86: dialects

TEST(Mt940Details, GermanSepaSubfields) {
  const Transaction t = only_transaction(
      ":61:2401020102DR99,95NDDTKREF+//ABC123\n"
      ":86:105?00SEPA-BASISLASTSCHRIFT?109310?20EREF+E2E-2024-0001?21MREF+\n"
      "MANDATE-77?22CRED+DE98ZZZ09999999999?23SVWZ+RF18539007547034?24ABWA+\n"
      "Ultimate Payer GmbH?30COBADEFFXXX?31DE89370400440532013000?32Stadtwerke Musterst\n"
      "adt GmbH?34992\n");
  EXPECT_EQ(t.amount_minor, -9995);
  EXPECT_EQ(code(t, "gvc"), "105");
  EXPECT_EQ(code(t, "booking_text"), "SEPA-BASISLASTSCHRIFT");
  EXPECT_EQ(code(t, "primanota"), "9310");
  EXPECT_EQ(t.end_to_end_id, "E2E-2024-0001");
  EXPECT_EQ(code(t, "mandate_id"), "MANDATE-77");
  EXPECT_EQ(code(t, "creditor_id"), "DE98ZZZ09999999999");
  EXPECT_EQ(code(t, "ultimate_debtor"), "Ultimate Payer GmbH");
  EXPECT_EQ(code(t, "counterparty_bank"), "COBADEFFXXX");
  EXPECT_EQ(code(t, "text_key_extension"), "992");
  EXPECT_EQ(t.counterparty_account, "DE89370400440532013000");
  EXPECT_EQ(t.counterparty_name, "Stadtwerke Musterstadt GmbH");
  EXPECT_EQ(t.description, "RF18539007547034");
  EXPECT_EQ(t.creditor_reference, "RF18539007547034");  // the remittance is an RF reference
  EXPECT_EQ(t.reference, "RF18539007547034");
  EXPECT_EQ(t.transaction_id, "ABC123");
}

TEST(Mt940Details, GermanSubfieldsWithoutSepaKeywords) {
  const Transaction t = only_transaction(
      ":61:2401020102CR50,00NTRFNONREF\n"
      ":86:051?00UEBERWEISUNG?20Rechnung 4711?21vom 1.1.?30DEUTDEFF?31123456789?32Max Muster\n");
  EXPECT_EQ(t.description, "Rechnung 4711 vom 1.1.");
  EXPECT_EQ(t.reference, "4711");
  EXPECT_EQ(t.counterparty_name, "Max Muster");
  EXPECT_EQ(t.counterparty_account, "123456789");
  EXPECT_EQ(t.end_to_end_id, "");
}

TEST(Mt940Details, IngSlashTags) {
  const Transaction t = only_transaction(
      ":61:2401020102C25,00NTRFNONREF//0201234567890123\n"
      ":86:/TRTP/SEPA OVERBOEKING/CNTP/NL08INGB0000000555/INGBNL2A/J. de Vries/AMSTE\n"
      "RDAM/REMI/USTD//Factuur 2024-017 dank u/EREF/NOTPROVIDED//PURP/SALA/\n");
  EXPECT_EQ(code(t, "transaction_type"), "SEPA OVERBOEKING");
  EXPECT_EQ(t.counterparty_account, "NL08INGB0000000555");
  EXPECT_EQ(code(t, "counterparty_bank"), "INGBNL2A");
  EXPECT_EQ(t.counterparty_name, "J. de Vries");
  EXPECT_EQ(t.description, "Factuur 2024-017 dank u");
  EXPECT_EQ(t.end_to_end_id, "");  // NOTPROVIDED
  EXPECT_EQ(t.reference, "2024-017");
  EXPECT_EQ(code(t, "purpose_code"), "SALA");
  EXPECT_EQ(t.transaction_id, "0201234567890123");
}

TEST(Mt940Details, AbnAmroSlashTagsWithAStructuredReference) {
  const Transaction t = only_transaction(
      ":61:2401020102D120,00N658NONREF\n"
      ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL44RABO0123456789/BIC/RABONL2U/NAME/\n"
      "ACME B.V./REMI/STRD/CUR/RF18539007547034/EREF/E2E-99\n");
  EXPECT_EQ(t.counterparty_account, "NL44RABO0123456789");
  EXPECT_EQ(code(t, "counterparty_bank"), "RABONL2U");
  EXPECT_EQ(t.counterparty_name, "ACME B.V.");
  EXPECT_EQ(t.creditor_reference, "RF18539007547034");
  EXPECT_EQ(t.end_to_end_id, "E2E-99");
  EXPECT_EQ(t.reference, "RF18539007547034");  // the creditor reference first
}

TEST(Mt940Details, RabobankPartiesMandateAndReturn) {
  const Transaction t = only_transaction(
      ":61:2401020102D15,00N108NONREF\n"
      ":86:/EREF/INC-2024-1/MARF/MANDAAT-9/CSID/NL11ZZZ123456780000/BENM//NAME/En\n"
      "ergie BV/ULTD//NAME/Jan Jansen/RTRN/MD06/REMI/Termijn januari\n");
  EXPECT_EQ(t.end_to_end_id, "INC-2024-1");
  EXPECT_EQ(code(t, "mandate_id"), "MANDAAT-9");
  EXPECT_EQ(code(t, "creditor_id"), "NL11ZZZ123456780000");
  EXPECT_EQ(t.counterparty_name, "Energie BV");  // BENM's, not the ultimate debtor's
  EXPECT_EQ(code(t, "ultimate_debtor"), "Jan Jansen");
  EXPECT_EQ(code(t, "return_reason"), "MD06");
  EXPECT_EQ(t.description, "Termijn januari");

  const Transaction ordering = only_transaction(
      ":61:2401020102C15,00N541NONREF\n:86:/ORDP//NAME/Klant BV/IBAN/NL91ABNA0417164300/\n");
  EXPECT_EQ(ordering.counterparty_name, "Klant BV");
  EXPECT_EQ(ordering.counterparty_account, "NL91ABNA0417164300");
}

TEST(Mt940Details, AbnAmroSepaText) {
  const Transaction t = only_transaction(
      ":61:2401020102D45,60N247NONREF\n"
      ":86:SEPA INCASSO ALGEMEEN DOORLOPEND INCASSANT: NL12ZZZ123456780000\n"
      "NAAM: VERZEKERAAR NV             MACHTIGING: POLIS-88\n"
      "OMSCHRIJVING: PREMIE JANUARI 2024 POLIS 88\n"
      "IBAN: NL02ABNA0123456789         KENMERK: 240102-0001\n");
  EXPECT_EQ(code(t, "transaction_type"), "SEPA INCASSO ALGEMEEN DOORLOPEND");
  EXPECT_EQ(code(t, "creditor_id"), "NL12ZZZ123456780000");
  EXPECT_EQ(code(t, "mandate_id"), "POLIS-88");
  EXPECT_EQ(t.counterparty_name, "VERZEKERAAR NV");
  EXPECT_EQ(t.counterparty_account, "NL02ABNA0123456789");
  EXPECT_EQ(t.description, "PREMIE JANUARI 2024 POLIS 88");
  EXPECT_EQ(t.end_to_end_id, "240102-0001");
}

TEST(Mt940Details, PlainTextIsTheDescription) {
  const Transaction t = only_transaction(
      ":61:2401020102C99,00NTRFNONREF\n"
      ":86:Payment for   invoice 12345\n"
      "thank you\n");
  EXPECT_EQ(t.description, "Payment for invoice 12345 thank you");
  EXPECT_EQ(t.reference, "12345");
  EXPECT_EQ(t.counterparty_name, "");

  const Transaction slashes = only_transaction(  // "/" first but no known tag: plain text
      ":61:2401020102C1,00NTRFNONREF\n:86:/PT/FT/PY/SOMETHING\n");
  EXPECT_EQ(slashes.description, "/PT/FT/PY/SOMETHING");
}

TEST(Mt940Details, StatementInformationBelongsToNoTransaction) {
  const CollectingSink sink = parse_ok(
      ":20:X\n:25:1\n:60F:C240101EUR1,\n:86:about the statement\n"
      ":61:240101C1,NMSCNONREF\n:62F:C240101EUR2,\n:86:about the statement too\n-\n");
  ASSERT_EQ(sink.transaction_total(), 1u);
  EXPECT_EQ(sink.statements[0].transactions[0].description, "");
}

TEST(Mt940Details, Windows1252TextBecomesUtf8) {
  const CollectingSink sink =
      parse_ok(statement(":61:2401020102C1,00NTRFNONREF\n:86:?00\xDC"
                         "BERWEISUNG?20Miete?32M\xFCller \x80\n"));
  ASSERT_EQ(sink.transaction_total(), 1u);
  const Transaction& t = sink.statements[0].transactions[0];
  EXPECT_EQ(t.counterparty_name, "M\u00FCller \u20AC");
  EXPECT_EQ(code(t, "booking_text"),
            "\u00DC"
            "BERWEISUNG");
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_EQ(sink.warnings[0], "line 6: the text is not UTF-8; read as Windows-1252");
}

// -------------------------------------------------------------------------------------------
// Files that are refused

TEST(Mt940Errors, AStatementWithoutItsTagsFailsNamingTheLine) {
  EXPECT_EQ(parse_error(":25:1\n:60F:C240101EUR1,\n"),
            "line 1: ':25:' is outside a statement: the ':20:' line that starts its statement is "
            "missing");
  EXPECT_EQ(parse_error(":20:A\n:25:1\n:60F:C240101EUR1,\n:62F:C240101EUR1,\n-\n:25:2\n"),
            "line 6: ':25:' is outside a statement: the ':20:' line that starts its statement is "
            "missing");
  EXPECT_EQ(parse_error(":20:A\n:60F:C240101EUR1,\n:61:240101C1,NMSCNONREF\n"),
            "line 3: the statement starting at line 1 (':20:A') has no ':25:' account line before "
            "its first transaction");
  EXPECT_EQ(parse_error(":20:A\n:25:1\n:61:240101C1,NMSCNONREF\n"),
            "line 3: the statement starting at line 1 (':20:A') has no ':60F:' opening balance "
            "before its first transaction");
  EXPECT_EQ(parse_error(":20:A\n:25:1\n:28C:1\n-\n"),
            "line 4: the statement starting at line 1 (':20:A') has no ':60F:' opening balance "
            "before its end");
}

TEST(Mt940Errors, ABalanceThatCannotBeReadFails) {
  EXPECT_EQ(parse_error(":20:A\n:25:1\n:60F:C240101EUR1.000,00\n"),
            "line 3: the opening balance (:60F:) 'C240101EUR1.000,00' cannot be read: amount "
            "'1.000,00' is not a decimal amount");
  EXPECT_EQ(parse_error(":20:A\n:25:1\n:60F:C240101EUR1,\n:62F:X240101EUR1,\n"),
            "line 4: the closing balance (:62F:) 'X240101EUR1,' cannot be read: does not start "
            "with C or D, a date (YYMMDD), a currency and an amount");
  EXPECT_EQ(parse_error(":20:A\n:25:1\n:60F:C241301EUR1,\n"),
            "line 3: the opening balance (:60F:) 'C241301EUR1,' cannot be read: date '241301' "
            "has no month 13");
  // An available balance is not worth the file: left out with a warning.
  CollectingSink sink;
  ASSERT_TRUE(
      parse(":20:A\n:25:1\n:60F:C240101EUR1,\n:62F:C240101EUR1,\n:64:C2401EUR\n-\n", sink).ok());
  EXPECT_EQ(sink.statements[0].end.balances.size(), 2u);
  ASSERT_EQ(sink.warnings.size(), 1u);
  EXPECT_EQ(sink.warnings[0],
            "line 5: the closing available balance (:64:) 'C2401EUR' cannot be read: does "
            "not start with C or D, a date (YYMMDD), a currency and an amount; it is left out");
}

TEST(Mt940Errors, OtherFilesAreRefused) {
  EXPECT_EQ(parse_error(""),
            "the file holds no MT940 statement: no line starts a statement with ':20:'");
  EXPECT_EQ(parse_error("ABNANL2A\n940\n"),
            "the file holds no MT940 statement: no line starts a statement with ':20:'");
  std::string csv = "date,amount,description\n";
  for (int i = 0; i < 100; ++i) csv += "2024-01-01,1.00,coffee\n";
  EXPECT_EQ(parse_error(csv),
            "line 11: not an MT940 statement: no ':20:' line starts a statement in the first lines "
            "of the file");
}

TEST(Mt940Errors, LinesAndFieldsAreBounded) {
  const std::string long_line =
      ":20:A\n:25:1\n:60F:C240101EUR1,\n:86:" + std::string(70 * 1024, 'x') + "\n";
  EXPECT_EQ(parse_error(long_line),
            "line 4 is longer than 64 KiB, far more than any MT940 line: the file is not an MT940 "
            "statement or is damaged");
  std::string many_lines = ":20:A\n:25:1\n:60F:C240101EUR1,\n:61:240101C1,NMSCNONREF\n:86:start\n";
  for (int i = 0; i < 2000; ++i) many_lines += std::string(60, 'y') + "\n";
  const std::string message = parse_error(many_lines);
  EXPECT_NE(message.find("the transaction at line 4 has more than 64 KiB of text"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.rfind("line ", 0), 0u) << message;
}

// -------------------------------------------------------------------------------------------
// Streaming

// `statements` statements of 200 transactions each; `sum` receives the total of their amounts.
std::string generated_file(int statements, std::int64_t& sum) {
  std::string file;
  sum = 0;
  for (int s = 0; s < statements; ++s) {
    file += ":20:S" + std::to_string(s) +
            "\r\n:25:NL91ABNA0417164300\r\n:28C:" + std::to_string(s) +
            "/1\r\n:60F:C240101EUR0,00\r\n";
    for (int i = 0; i < 200; ++i) {
      const int cents = (s * 200 + i) % 9973 + 1;
      file += ":61:2401020102" + std::string(i % 2 ? "D" : "C") + std::to_string(cents / 100) +
              "," + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100) + "NTRFNONREF//B" +
              std::to_string(i) + "\r\n:86:/EREF/E" + std::to_string(i) + "/REMI/USTD//line\r\n";
      sum += i % 2 ? -cents : cents;
    }
    file += ":62F:C240102EUR0,00\r\n-\r\n";
  }
  return file;
}

TEST(Mt940Stream, ManyStatementsReadInSmallPieces) {
  std::int64_t expected = 0;
  const std::string file = generated_file(20, expected);  // about 450 KB, 406 lines a statement
  CollectingSink sink;
  TrickleSource source(file, 1000);
  ASSERT_TRUE(parse_mt940(source, sink).ok());
  EXPECT_EQ(sink.statements.size(), 20u);
  EXPECT_EQ(sink.transaction_total(), 4000u);
  EXPECT_EQ(sink.sum(), expected);
  const Transaction& last = sink.statements[19].transactions[199];
  EXPECT_EQ(last.end_to_end_id, "E199");
  EXPECT_EQ(last.transaction_id, "B199");
  EXPECT_EQ(last.line, 20u * 406 - 3);
}

TEST(Mt940Stream, ByteByByteReadsTheSame) {
  std::int64_t expected = 0;
  const std::string file = generated_file(3, expected);
  CollectingSink whole = parse_ok(file);
  CollectingSink one_by_one;
  TrickleSource bytes(file, 1);
  ASSERT_TRUE(parse_mt940(bytes, one_by_one).ok());
  EXPECT_EQ(one_by_one.transaction_total(), 600u);
  EXPECT_EQ(one_by_one.sum(), expected);
  EXPECT_EQ(whole.sum(), expected);
  EXPECT_EQ(one_by_one.statements[2].transactions[5].description,
            whole.statements[2].transactions[5].description);
}

}  // namespace
}  // namespace oeuvre::bank
