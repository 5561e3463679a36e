#include "engine/text_normalization.h"

#include <gtest/gtest.h>

namespace oeuvre::engine {
namespace {

TEST(NormalizeText, CaseSpacesAndPunctuation) {
  EXPECT_EQ(normalize_text("  ACME Corp., Ltd "), "acme corp ltd");
  EXPECT_EQ(normalize_text("INV-2024/001"), "inv 2024 001");
  EXPECT_EQ(normalize_text(""), "");
  EXPECT_EQ(normalize_text("---"), "");
  EXPECT_EQ(normalize_text("ÉCOLE Ærø ΑΒΓ ДОМ"), "école ærø αβγ дом");
  EXPECT_EQ(normalize_text("a\xC2\xA0"
                           "b\xE2\x80\x94"
                           "c"),
            "a b c");  // NBSP and em dash separate
  EXPECT_EQ(normalize_text("日本 語"), "日本 語");
}

TEST(NormalizeKey, DropsSeparatorsAndLeadingZeros) {
  EXPECT_EQ(normalize_key("INV-000123"), "inv123");
  EXPECT_EQ(normalize_key("inv 123"), "inv123");
  EXPECT_EQ(normalize_key("0042"), "42");
  EXPECT_EQ(normalize_key("000"), "0");
  EXPECT_EQ(normalize_key("12 0034"), "120034");
  EXPECT_EQ(normalize_key("INV-2025-000482"), normalize_key("INV2025000482"));
  EXPECT_EQ(normalize_key("A0B00C"), "a0b0c");
  EXPECT_EQ(normalize_key(""), "");
}

TEST(IdentifierNumbers, RunsOfFourDigitsOrMoreAsWritten) {
  std::string out = "stale";
  identifier_numbers_into("INV-2025-000044", out);
  EXPECT_EQ(out, "2025 000044");
  identifier_numbers_into("Inv 000044", out);
  EXPECT_EQ(out, "000044");
  identifier_numbers_into("2025/105395 PO 12", out);  // 12 is too short to say anything
  EXPECT_EQ(out, "2025 105395");
  identifier_numbers_into("ACME", out);
  EXPECT_EQ(out, "");
  identifier_numbers_into("1111 2222 3333 4444 5555 6666 7777 8888 9999", out);
  EXPECT_EQ(out, "1111 2222 3333 4444 5555 6666 7777 8888");  // kMaxNumbers
}

// `compare` applied to the numbers of two texts.
bool on_numbers(bool (*compare)(std::string_view, std::string_view), std::string_view a,
                std::string_view b) {
  std::string x, y;
  identifier_numbers_into(a, x);
  identifier_numbers_into(b, y);
  return compare(x, y);
}

TEST(IdentifierNumbers, AgreeWhenOnesNumbersAreAllAmongTheOthersAndOneIdentifies) {
  auto agree = [](std::string_view a, std::string_view b) {
    return on_numbers(identifier_numbers_agree, a, b);
  };
  EXPECT_TRUE(agree("Inv 105395", "INV-2025-105395"));
  EXPECT_TRUE(agree("INV-2025-105395", "105395"));
  EXPECT_TRUE(agree("2025/105395", "INV 2025 105395"));
  EXPECT_TRUE(agree("INV-2025-105395 INV-2025-105166", "INV-2025-105166"));
  EXPECT_FALSE(agree("INV-2024-000044", "INV-2025-000044"));  // another year's invoice 44
  EXPECT_FALSE(agree("Inv 2025", "INV-2025-105395"));         // a year identifies nothing
  EXPECT_FALSE(agree("Inv 105359", "INV-2025-105395"));
  EXPECT_FALSE(agree("", "INV-2025-105395"));
  // A typo in the identifying number (one digit changed, two neighbours swapped) is a typo apart.
  auto typo = [](std::string_view a, std::string_view b) {
    return on_numbers(identifier_numbers_a_typo_apart, a, b);
  };
  EXPECT_TRUE(typo("INVOICE NO 024763", "INV-2025-024663"));
  EXPECT_TRUE(typo("Inv 105359", "INV-2025-105395"));
  EXPECT_TRUE(typo("Inv 105395", "INV-2025-105395"));  // agreeing is closer still
  EXPECT_FALSE(typo("Inv 105593", "INV-2025-105395"));  // two digits changed
  EXPECT_FALSE(typo("INV-2024-105359", "INV-2025-105395"));  // and another year

  auto in_text = [](std::string_view identifier, std::string_view text) {
    return on_numbers(identifier_numbers_in_text, identifier, text);
  };
  EXPECT_TRUE(in_text("INV-2025-105395", "PAYMENT INV 105395 ACME 1250.00"));
  EXPECT_FALSE(in_text("INV-2025-105395", "PAYMENT ACME 2025"));
  EXPECT_FALSE(in_text("INV-7001", "PAYMENT 7001"));  // no number long enough to identify

  auto another = [](std::string_view identifier, std::string_view text) {
    return on_numbers(text_quotes_another_identifier, identifier, text);
  };
  EXPECT_TRUE(another("INV-2025-011536", "INV-2025-007842 UMBRELLA PHARMA"));
  EXPECT_FALSE(another("INV-2025-011536", "PAYMENT INV 011536"));    // this one
  EXPECT_FALSE(another("INV-2025-011536", "INV-2025-011563 UMBRELLA"));  // it, mistyped
  EXPECT_FALSE(another("INV-2025-011536", "INV-2025-011537 UMBRELLA"));  // one digit off
  EXPECT_FALSE(another("INV-2025-011536", "TRANSFER 20250117093412 UMBRELLA"));  // not its kind
  EXPECT_FALSE(another("INV-2025-011536", "GIRO CREDIT UMBRELLA"));
  EXPECT_FALSE(another("INV-7001", "PAYMENT 8002"));  // nothing identifying to compare
  // A number of the same length is another identifier of the kind only beside the same year.
  EXPECT_FALSE(another("INV-2025-011536", "CARD 123456 UMBRELLA"));
  EXPECT_FALSE(another("INV-011536", "INV-007842 UMBRELLA"));
  EXPECT_TRUE(another("INV-2025-011536", "ORDER 2025 123456"));
}

TEST(SortedTokenSet, UniqueSorted) {
  EXPECT_EQ(sorted_token_set("b a b c"), "a b c");
  EXPECT_EQ(sorted_token_set(""), "");
}

TEST(NormalizeInto, SameAsTheReturningFormsAndReplacesTheBuffer) {
  std::string out = "left over from an earlier value";
  for (std::string_view text : {"  ACME Corp., Ltd ", "INV-000123", "ÉCOLE Ærø b a b", "", "000"}) {
    normalize_text_into(text, out);
    EXPECT_EQ(out, normalize_text(text)) << text;
    normalize_key_into(text, out);
    EXPECT_EQ(out, normalize_key(text)) << text;
    const std::string normalized = normalize_text(text);
    sorted_token_set_into(normalized, out);
    EXPECT_EQ(out, sorted_token_set(normalized)) << text;
  }
}

}  // namespace
}  // namespace oeuvre::engine
