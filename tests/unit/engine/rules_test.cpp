#include "engine/rules.h"

#include <gtest/gtest.h>

namespace oeuvre::engine {
namespace {

std::vector<FieldError> errors_of(std::string_view json) {
  auto rules = parse_rules(json);
  EXPECT_FALSE(rules.ok()) << json;
  if (rules.ok()) return {};
  EXPECT_EQ(rules.error().code(), ErrorCode::kValidation);
  return rules.error().field_errors();
}

bool has_error(const std::vector<FieldError>& errors, std::string_view field,
               std::string_view text) {
  for (const FieldError& e : errors) {
    if (e.field == field && e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Rules, DefaultsAreValid) {
  EXPECT_TRUE(validate_rules(default_rules()).ok());
  auto round_trip = parse_rules(rules_to_json(default_rules()));
  ASSERT_TRUE(round_trip.ok()) << round_trip.error().message();
  EXPECT_EQ(round_trip->fields.size(), default_rules().fields.size());
  EXPECT_EQ(round_trip->fields[2].method, TextMethod::kReference);
}

TEST(Rules, AReferenceRuleMayFallBackToAnotherField) {
  EXPECT_EQ(default_rules().fields[2].fallback_field, "description");
  auto round_trip = parse_rules(rules_to_json(default_rules()));
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(round_trip->fields[2].fallback_field, "description");
  auto rules = parse_rules(R"({"fields": [
    {"field": "amount", "compare": "amount"},
    {"field": "reference", "compare": "exact", "fallback": "memo"}]})");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  EXPECT_EQ(rules->fields[1].fallback_field, "memo");
  // Without one, none.
  auto plain =
      parse_rules(R"({"fields": [{"field": "reference", "compare": "exact", "block": true}]})");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->fields[0].fallback_field.empty());

  auto errors = errors_of(R"({"fields": [
    {"field": "amount", "compare": "amount", "fallback": "description"},
    {"field": "description", "compare": "text", "method": "token_set", "fallback": "memo"},
    {"field": "reference", "compare": "exact", "fallback": ""},
    {"field": "id", "compare": "exact", "fallback": 3}]})");
  EXPECT_TRUE(has_error(errors, "fields[0].fallback", "does not apply to compare 'amount'"));
  EXPECT_TRUE(has_error(errors, "fields[1].fallback", "reference method only"));
  EXPECT_TRUE(has_error(errors, "fields[2].fallback", "a field name"));
  EXPECT_FALSE(
      errors_of(R"({"fields": [{"field": "id", "compare": "exact", "fallback": 3}]})").empty());
}

TEST(Rules, EmptyObjectMeansDefaults) {
  auto rules = parse_rules("{}");
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->fields.size(), default_rules().fields.size());
}

TEST(Rules, ParsesEveryOption) {
  auto rules = parse_rules(R"({
    "confidence_threshold": 0.9, "review_threshold": 0.5, "max_group_size": 3, "find_groups": false,
    "group_tolerance": true,
    "max_candidates_per_record": 4,
    "fields": [
      {"field": "amount", "compare": "amount", "weight": 2, "required": true, "tolerance_minor": 100,
       "tolerance_percent": 1.5, "sign": "opposite"},
      {"left": "date", "right": "value_date", "compare": "date", "window_days": 3, "business_days": true},
      {"name": "ref", "left": "reference", "right": "memo", "compare": "text", "method": "token_set",
       "min_similarity": 0.4, "block": true},
      {"field": "invoice", "compare": "exact", "block": true},
      {"left": "reference", "right": "description", "compare": "contains"}
    ]})");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  EXPECT_DOUBLE_EQ(rules->confidence_threshold, 0.9);
  EXPECT_EQ(rules->max_group_size, 3);
  EXPECT_FALSE(rules->find_groups);
  EXPECT_TRUE(rules->group_tolerance);
  ASSERT_EQ(rules->fields.size(), 5u);
  EXPECT_EQ(rules->fields[0].sign, SignMode::kOpposite);
  EXPECT_EQ(rules->fields[0].tolerance_minor, 100);
  EXPECT_EQ(rules->fields[1].right_field, "value_date");
  EXPECT_TRUE(rules->fields[1].business_days);
  EXPECT_EQ(rules->fields[2].name, "ref");
  EXPECT_EQ(rules->fields[2].method, TextMethod::kTokenSet);
  EXPECT_TRUE(rules->fields[3].blocking);
  EXPECT_EQ(rules->fields[4].comparator, Comparator::kContains);
  EXPECT_EQ(rules->fields[4].name, "reference");
}

TEST(Rules, BatchFieldNamesAnExtraField) {
  auto defaults = parse_rules("{}");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->batch_field, "batch_id");
  EXPECT_TRUE(defaults->match_batches);
  auto rules = parse_rules(R"({"batch_field": "payout_id", "match_batches": false})");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  EXPECT_EQ(rules->batch_field, "payout_id");
  EXPECT_FALSE(rules->match_batches);
  auto again = parse_rules(rules_to_json(*rules));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->batch_field, "payout_id");
  EXPECT_FALSE(again->match_batches);

  auto standard = parse_rules(R"({"batch_field": "Reference"})");
  ASSERT_FALSE(standard.ok());
  ASSERT_EQ(standard.error().field_errors().size(), 1u);
  EXPECT_EQ(standard.error().field_errors()[0].field, "batch_field");
  EXPECT_NE(standard.error().field_errors()[0].message.find("extra field"), std::string::npos);
  EXPECT_FALSE(parse_rules(R"({"batch_field": ""})").ok());
  EXPECT_FALSE(parse_rules(R"({"match_batches": "yes"})").ok());
}

TEST(Rules, AutoConfirmToleranceAndAmbiguityMargin) {
  auto defaults = parse_rules("{}");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->auto_confirm_tolerance_minor, 0);
  EXPECT_EQ(defaults->auto_confirm_tolerance_percent, 0);
  EXPECT_DOUBLE_EQ(defaults->ambiguity_margin, 0.05);
  auto rules = parse_rules(
      R"({"auto_confirm_tolerance_minor": 100, "auto_confirm_tolerance_percent": 0.5,
          "ambiguity_margin": 0})");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  auto again = parse_rules(rules_to_json(*rules));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->auto_confirm_tolerance_minor, 100);
  EXPECT_DOUBLE_EQ(again->auto_confirm_tolerance_percent, 0.5);
  EXPECT_DOUBLE_EQ(again->ambiguity_margin, 0);

  EXPECT_TRUE(has_error(errors_of(R"({"auto_confirm_tolerance_minor": -1})"),
                        "auto_confirm_tolerance_minor", "whole number"));
  EXPECT_TRUE(has_error(errors_of(R"({"auto_confirm_tolerance_minor": 1.5})"),
                        "auto_confirm_tolerance_minor", "whole number"));
  EXPECT_TRUE(has_error(errors_of(R"({"auto_confirm_tolerance_percent": 101})"),
                        "auto_confirm_tolerance_percent", "<= 100"));
  EXPECT_TRUE(has_error(errors_of(R"({"ambiguity_margin": 1.5})"), "ambiguity_margin", "<= 1"));
  EXPECT_TRUE(has_error(errors_of(R"({"ambiguity_margin": "small"})"), "ambiguity_margin",
                        "must be a number"));
  RuleSet negative = default_rules();
  negative.ambiguity_margin = -0.1;
  EXPECT_FALSE(validate_rules(negative).ok());
}

TEST(Rules, Offsets) {
  auto defaults = parse_rules("{}");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->find_offsets);
  EXPECT_EQ(defaults->offset_window_days, 14);
  auto rules = parse_rules(R"({"find_offsets": false, "offset_window_days": 30})");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  auto again = parse_rules(rules_to_json(*rules));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->find_offsets);
  EXPECT_EQ(again->offset_window_days, 30);

  EXPECT_TRUE(has_error(errors_of(R"({"offset_window_days": 400})"), "offset_window_days", "366"));
  EXPECT_TRUE(has_error(errors_of(R"({"offset_window_days": -1})"), "offset_window_days", ""));
  EXPECT_TRUE(has_error(errors_of(R"({"find_offsets": "yes"})"), "find_offsets", ""));
  RuleSet wide = default_rules();
  wide.offset_window_days = 1000;
  EXPECT_FALSE(validate_rules(wide).ok());
}

TEST(Rules, BadJsonIsAClearError) {
  auto errors = errors_of("{\"fields\": [");
  EXPECT_TRUE(has_error(errors, "rules", "not valid JSON"));
  EXPECT_TRUE(has_error(errors_of("[1]"), "rules", "must be a JSON object"));
}

TEST(Rules, EveryMistakeIsReportedWithItsPath) {
  auto errors = errors_of(R"({
    "confidence_threshold": 1.5, "treshold": 1,
    "fields": [
      {"field": "amount", "compare": "amount", "weight": -1, "window_days": 3},
      {"field": "date", "compare": "fuzzy"},
      {"compare": "text", "method": "soundex"},
      "oops"
    ]})");
  EXPECT_TRUE(has_error(errors, "confidence_threshold", "<= 1"));
  EXPECT_TRUE(has_error(errors, "treshold", "unknown key"));
  EXPECT_TRUE(has_error(errors, "fields[0].weight", "> 0"));
  EXPECT_TRUE(has_error(errors, "fields[0].window_days", "does not apply"));
  EXPECT_TRUE(has_error(errors, "fields[1].compare", "unknown comparator 'fuzzy'"));
  EXPECT_TRUE(has_error(errors, "fields[2].field", "is required"));
  EXPECT_TRUE(has_error(errors, "fields[2].method", "must be one of"));
  EXPECT_TRUE(has_error(errors, "fields[3]", "must be an object"));
}

TEST(Rules, CrossFieldChecks) {
  EXPECT_TRUE(has_error(errors_of(R"({"confidence_threshold": 0.5, "review_threshold": 0.7})"),
                        "review_threshold", "must not be above"));
  EXPECT_TRUE(has_error(errors_of(R"({"fields": [{"field": "description", "compare": "text"}]})"),
                        "fields", "need an 'amount' rule"));
  EXPECT_TRUE(has_error(errors_of(R"({"fields": []})"), "fields", "at least one"));
  EXPECT_TRUE(
      has_error(errors_of(R"({"max_group_size": 9})"), "max_group_size", "between 1 and 6"));
  EXPECT_TRUE(has_error(
      errors_of(
          R"({"fields": [{"field": "amount", "compare": "amount"}, {"field": "amount", "compare": "amount"}]})"),
      "fields[1].name", "used by two rules"));
}

TEST(Rules, PartialWindowDays) {
  auto defaults = parse_rules("{}");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->partial_window_days, 30);
  auto rules = parse_rules(R"({"partial_window_days": 45})");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  EXPECT_EQ(rules->partial_window_days, 45);
  auto again = parse_rules(rules_to_json(*rules));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->partial_window_days, 45);
  EXPECT_TRUE(
      has_error(errors_of(R"({"partial_window_days": 400})"), "partial_window_days", "366"));
  EXPECT_TRUE(has_error(errors_of(R"({"partial_window_days": -1})"), "partial_window_days", ""));
  EXPECT_TRUE(has_error(errors_of(R"({"partial_window_days": 1.5})"), "partial_window_days", ""));
  RuleSet wide = default_rules();
  wide.partial_window_days = 1000;
  EXPECT_FALSE(validate_rules(wide).ok());
}

TEST(Rules, PersonRulesNeedNoAmountNorDateAndDatesMayTolerateTypos) {
  auto rules = parse_rules(R"({"fields": [
      {"field": "surname", "compare": "text", "method": "jaro_winkler", "block": true},
      {"field": "date_of_birth", "compare": "date", "typos": true, "block": true},
      {"field": "soc_sec_id", "compare": "text", "method": "reference", "block": true}]})");
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  ASSERT_EQ(rules->fields.size(), 3u);
  EXPECT_TRUE(rules->fields[1].typos);
  EXPECT_TRUE(rules->fields[1].blocking);
  EXPECT_FALSE(default_rules().fields[1].typos);
  auto again = parse_rules(rules_to_json(*rules));
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_TRUE(again->fields[1].typos);
  EXPECT_TRUE(again->fields[1].blocking);

  auto errors = errors_of(R"({"fields": [
      {"field": "surname", "compare": "text", "typos": true, "block": true},
      {"field": "date_of_birth", "compare": "date", "typos": "yes"},
      {"field": "amount", "compare": "amount", "typos": false}]})");
  EXPECT_TRUE(has_error(errors, "fields[0].typos", "does not apply to compare 'text'"));
  EXPECT_TRUE(has_error(errors, "fields[1].typos", "must be true or false"));
  EXPECT_TRUE(has_error(errors, "fields[2].typos", "does not apply to compare 'amount'"));
  // A date rule alone, not blocking, finds no candidates.
  EXPECT_TRUE(has_error(
      errors_of(R"({"fields": [{"field": "date_of_birth", "compare": "date", "typos": true}]})"),
      "fields", "need an 'amount' rule or a rule with \"block\": true"));
}

}  // namespace
}  // namespace oeuvre::engine
