#include "ingest/record_table_builder.h"

#include <gtest/gtest.h>

#include "engine/rules.h"

namespace oeuvre::ingest {
namespace {

RecordFields record(std::string_view id, std::string_view extra_json) {
  RecordFields fields;
  fields.id = id;
  fields.amount_minor = 100;
  fields.extra_json = extra_json;
  return fields;
}

TEST(RecordTableBuilder, ExtraFieldsAreFoundIgnoringCaseAndAbsentOnesAreEmpty) {
  RecordTableBuilder builder({"batch_id", "invoice", "a\"b"});
  builder.add(record("1", R"({"Batch_ID":"NTRY-7","INVOICE":42,"a\"b":"quoted"})"));
  builder.add(record("2", R"({"value_date":"2025-03-01"})"));
  builder.add(record("3", ""));
  builder.add(record("4", R"({"batch_id":{"nested":true}})"));
  const engine::RecordTable table = std::move(builder).finish();
  ASSERT_EQ(table.extras.size(), 3u);
  const engine::StringColumn& batch = table.extras[0].text;
  const engine::StringColumn& invoice = table.extras[1].text;
  const engine::StringColumn& quoted = table.extras[2].text;
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch[0], "NTRY-7");
  EXPECT_EQ(invoice[0], "42");  // any other JSON value as its compact text
  EXPECT_EQ(quoted[0], "quoted");
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(batch[i], "");
    EXPECT_EQ(invoice[i], "");
    EXPECT_EQ(quoted[i], "");
  }
  EXPECT_EQ(batch[3], R"({"nested":true})");
  EXPECT_TRUE(table.check_consistent().ok());
}

TEST(RecordTableBuilder, TheRulesBatchFieldIsReadWhenBatchesAreMatched) {
  engine::RuleSet rules = engine::default_rules();
  EXPECT_EQ(extra_fields_read_by(rules, true), (std::vector<std::string>{"batch_id"}));
  rules.batch_field = "Payout_ID";
  rules.fields.push_back(rules.fields.back());
  rules.fields.back().name = "payout";
  rules.fields.back().left_field = rules.fields.back().right_field = "payout_id";
  EXPECT_EQ(extra_fields_read_by(rules, false), (std::vector<std::string>{"payout_id"}));
  rules.match_batches = false;
  rules.fields.pop_back();
  EXPECT_TRUE(extra_fields_read_by(rules, true).empty());
}

}  // namespace
}  // namespace oeuvre::ingest
