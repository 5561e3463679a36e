#include "services/explanation_format.h"

#include <gtest/gtest.h>

#include <vector>

#include "services/record_fields.h"

namespace oeuvre::services {
namespace {

std::vector<ExplanationEntry> read_all(std::string_view text) {
  std::vector<ExplanationEntry> out;
  read_compact_explanation(text, [&](const ExplanationEntry& e) { out.push_back(e); });
  return out;
}

TEST(CompactExplanation, WhatIsWrittenReadsBack) {
  const std::vector<engine::FieldScore> scores = {{0, true, 1.0, 0.4}, {3, false, 0.0, 0.0},
                                                  {2, true, 0.123456789, 1.0 / 3}};
  const std::string text = write_compact_explanation(scores);
  EXPECT_EQ(text, "[[0,1,1,0.4],[3,0,0,0],[2,1,0.123457,0.333333]]");
  const auto entries = read_all(text);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].rule, 3u);
  EXPECT_FALSE(entries[1].present);
  EXPECT_TRUE(entries[2].present);
  EXPECT_DOUBLE_EQ(entries[2].similarity, 0.123457);
  EXPECT_DOUBLE_EQ(entries[2].contribution, 0.333333);
  EXPECT_EQ(write_compact_explanation({}), "[]");
}

TEST(CompactExplanation, SkipsWhatIsNotAnEntry) {
  EXPECT_TRUE(read_all("not json").empty());
  EXPECT_TRUE(read_all("{}").empty());
  const auto entries = read_all(R"([[1,1,0.5],[-1,1,1,1],["a",1,1,1],[2,"x",0.5,0.25],7])");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].rule, 2u);
  EXPECT_FALSE(entries[0].present);  // a non-number reads as 0
  EXPECT_DOUBLE_EQ(entries[0].contribution, 0.25);
}

TEST(RecordFields, RulesNameStandardFieldsCaseInsensitivelyAndReadExtras) {
  ASSERT_NE(find_standard_field("Reference"), nullptr);
  EXPECT_EQ(find_standard_field("id")->api_name, "external_id");
  EXPECT_EQ(find_standard_field("invoice"), nullptr);
  store::Record r;
  r.external_id = "X1";
  r.amount_minor = -1250;
  r.currency = "EUR";
  r.extra = R"({"Invoice":"INV-7","Count":3})";
  EXPECT_EQ(rule_field_value(r, "id"), "X1");
  EXPECT_EQ(rule_field_value(r, "amount"), "-12.50");
  EXPECT_EQ(rule_field_value(r, "date"), "");
  EXPECT_EQ(rule_field_value(r, "invoice"), "INV-7");
  EXPECT_EQ(rule_field_value(r, "count"), "3");
  EXPECT_EQ(rule_field_value(r, "missing"), "");
}

}  // namespace
}  // namespace oeuvre::services
