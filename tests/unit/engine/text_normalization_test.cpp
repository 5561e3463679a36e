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
