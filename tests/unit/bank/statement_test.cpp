#include "bank/statement.h"

#include <gtest/gtest.h>

namespace oeuvre::bank {
namespace {

TEST(DecimalToMinor, ReadsExactAmountsAtTheCurrencysScale) {
  EXPECT_EQ(decimal_to_minor("18.15", '.', "EUR").minor, 1815);
  EXPECT_EQ(decimal_to_minor("18.150", '.', "EUR").minor, 1815);  // a zero beyond the scale
  EXPECT_EQ(decimal_to_minor("18", '.', "EUR").minor, 1800);
  EXPECT_EQ(decimal_to_minor("18,5", ',', "EUR").minor, 1850);
  EXPECT_EQ(decimal_to_minor("212,", ',', "EUR").minor, 21200);  // MT940 writes "212,"
  EXPECT_EQ(decimal_to_minor("1234", '.', "JPY").minor, 1234);
  EXPECT_EQ(decimal_to_minor("1.234", '.', "KWD").minor, 1234);
  EXPECT_EQ(decimal_to_minor(",5", ',', "EUR").minor, 50);
}

TEST(DecimalToMinor, RefusesWhatIsNotAnExactAmount) {
  EXPECT_EQ(decimal_to_minor("8.855", '.', "EUR").error, "has more decimals than EUR allows");
  EXPECT_EQ(decimal_to_minor("1.5", '.', "JPY").error, "has more decimals than JPY allows");
  EXPECT_EQ(decimal_to_minor("", '.', "EUR").error, "is empty");
  EXPECT_EQ(decimal_to_minor(".", '.', "EUR").error, "has no digits");
  EXPECT_EQ(decimal_to_minor("-1.00", '.', "EUR").error, "is not a decimal amount");
  EXPECT_EQ(decimal_to_minor("1,000.00", '.', "EUR").error, "is not a decimal amount");
  EXPECT_EQ(decimal_to_minor("1.00", ',', "EUR").error, "is not a decimal amount");
  EXPECT_EQ(decimal_to_minor("99999999999999999999", '.', "EUR").error, "is too large");
}

TEST(FindInvoiceReference, FindsTheNumberAfterAWordForInvoice) {
  EXPECT_EQ(find_invoice_reference("Payment Invoice 12345 thanks"), "12345");
  EXPECT_EQ(find_invoice_reference("INV-2024-001 March"), "INV-2024-001");
  EXPECT_EQ(find_invoice_reference("Rechnung Nr. 4711"), "4711");
  EXPECT_EQ(find_invoice_reference("invoice no: A-778."), "A-778");
  EXPECT_EQ(find_invoice_reference("/RF18539007547034/"), "RF18539007547034");
}

TEST(FindInvoiceReference, FindsNothingInPlainText) {
  EXPECT_EQ(find_invoice_reference("Groceries at the corner shop"), "");
  EXPECT_EQ(find_invoice_reference("inventory costs 12"), "");
  EXPECT_EQ(find_invoice_reference("invoice abc"), "");
  EXPECT_EQ(find_invoice_reference(""), "");
}

TEST(BestReference, PrefersStructuredReferencesThenTheTextThenTheFallback) {
  Transaction t;
  t.description = "Invoice 12345";
  EXPECT_EQ(best_reference(t, "FALLBACK"), "12345");
  t.end_to_end_id = "E2E-1";
  EXPECT_EQ(best_reference(t, "FALLBACK"), "E2E-1");
  t.creditor_reference = "RF18539007547034";
  EXPECT_EQ(best_reference(t, "FALLBACK"), "RF18539007547034");
  EXPECT_EQ(best_reference(Transaction{}, "FALLBACK"), "FALLBACK");
  EXPECT_EQ(best_reference(Transaction{}, ""), "");
}

}  // namespace
}  // namespace oeuvre::bank
