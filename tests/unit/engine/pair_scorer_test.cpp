#include "engine/pair_scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "engine/field_value_renderer.h"
#include "engine/similarity.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

// 2025-03-07 is a Friday.
const std::int32_t kFriday = days_from_civil(2025, 3, 7);

// A record for table_of, built by chaining: Row("1").on(kFriday).amount(100).reference("INV-1").
class Row {
 public:
  explicit Row(std::string id) : id_(std::move(id)) {}
  Row& on(std::int32_t date) {
    date_ = date;
    return *this;
  }
  Row& amount(std::int64_t amount) {
    amount_ = amount;
    return *this;
  }
  Row& currency(std::string text) { return set(currency_, std::move(text)); }
  Row& reference(std::string text) { return set(reference_, std::move(text)); }
  Row& description(std::string text) { return set(description_, std::move(text)); }
  Row& counterparty(std::string text) { return set(counterparty_, std::move(text)); }

 private:
  friend RecordTable table_of(const std::vector<Row>& rows);
  Row& set(std::string& field, std::string text) {
    field = std::move(text);
    return *this;
  }

  std::string id_;
  std::int32_t date_ = kNoDate;
  std::int64_t amount_ = 0;
  std::string currency_, reference_, description_, counterparty_;
};

RecordTable table_of(const std::vector<Row>& rows) {
  RecordTable t;
  t.has_date = t.has_amount = t.has_currency = t.has_reference = t.has_description =
      t.has_counterparty = true;
  for (const Row& r : rows) {
    t.ids.push_back(r.id_);
    t.dates.push_back(r.date_);
    t.amounts.push_back(r.amount_);
    t.currencies.push_back(r.currency_);
    t.references.push_back(r.reference_);
    t.descriptions.push_back(r.description_);
    t.counterparties.push_back(r.counterparty_);
  }
  return t;
}

ExtraColumn extra(std::string name, ExtraKind kind) {
  ExtraColumn column;
  column.name = std::move(name);
  column.kind = kind;
  return column;
}

FieldRule rule_on(std::string field, Comparator comparator, double weight = 1.0) {
  FieldRule rule;
  rule.name = field;
  rule.left_field = field;
  rule.right_field = std::move(field);
  rule.comparator = comparator;
  rule.weight = weight;
  return rule;
}

RuleSet rules_of(std::vector<FieldRule> fields) {
  RuleSet rules;
  rules.fields = std::move(fields);
  return rules;
}

PairScorer must_create(const RecordTable& left, const RecordTable& right, const RuleSet& rules) {
  auto scorer = PairScorer::create(left, right, rules, 1);
  EXPECT_TRUE(scorer.ok()) << (scorer.ok() ? "" : scorer.error().message());
  return std::move(scorer).value();
}

// The rule scores of the pair (left l, right r); the confidence goes to `confidence`.
std::vector<FieldScore> scores_of(const PairScorer& scorer, std::uint32_t l, std::uint32_t r,
                                  double* confidence = nullptr) {
  std::vector<FieldScore> out(scorer.rule_count());
  const double c = scorer.score_pair(l, r, out.data());
  if (confidence != nullptr) *confidence = c;
  return out;
}

// The similarity `rule` (over "description", blocking so it can stand alone) gives two texts.
double text_similarity(FieldRule rule, std::string_view left, std::string_view right) {
  rule.blocking = true;
  const RecordTable l = table_of({Row("L").description(std::string(left))});
  const RecordTable r = table_of({Row("R").description(std::string(right))});
  const PairScorer scorer = must_create(l, r, rules_of({rule}));
  const std::vector<FieldScore> scores = scores_of(scorer, 0, 0);
  EXPECT_TRUE(scores[0].present);
  return scores[0].similarity;
}

FieldRule text_rule(TextMethod method) {
  FieldRule rule = rule_on("description", Comparator::kText);
  rule.method = method;
  return rule;
}

// --- Binding rules to columns ---------------------------------------------------------------

TEST(PairScorerBinding, OrdersRulesAmountThenDateThenRequiredAndIndexesThem) {
  const RecordTable t = table_of({Row("1").on(kFriday).amount(100)});
  FieldRule reference = rule_on("reference", Comparator::kText);
  reference.required = true;
  FieldRule counterparty = rule_on("counterparty", Comparator::kExact);
  counterparty.blocking = true;
  const PairScorer scorer =
      must_create(t, t,
                  rules_of({counterparty, rule_on("date", Comparator::kDate), reference,
                            rule_on("amount", Comparator::kAmount)}));
  ASSERT_EQ(scorer.rule_count(), 4u);
  std::vector<std::string> order;
  for (const AppliedRule& applied : scorer.applied_rules()) order.push_back(applied.rule.name);
  EXPECT_EQ(order, (std::vector<std::string>{"amount", "date", "reference", "counterparty"}));
  EXPECT_EQ(scorer.amount_rule(), 0);
  EXPECT_EQ(scorer.date_rule(), 1);
  EXPECT_EQ(scorer.blocking_rules(), (std::vector<int>{3}));
}

TEST(PairScorerBinding, ResolvesFieldsCaseInsensitivelyBySourceColumnAndExtraColumn) {
  RecordTable left = table_of({Row("1").amount(100).reference("INV-7")});
  left.column_names = {{"Invoice No", "reference"}};
  ExtraColumn cost_centre = extra("Cost Centre", ExtraKind::kText);
  cost_centre.text.push_back("CC-1");
  left.extras.push_back(std::move(cost_centre));
  RecordTable right = table_of({Row("2").amount(100).reference("inv 7")});
  ExtraColumn memo = extra("memo", ExtraKind::kText);
  memo.text.push_back("cc 1");
  right.extras.push_back(std::move(memo));

  const FieldRule amount = rule_on("AMOUNT", Comparator::kAmount);
  FieldRule by_column = rule_on("x", Comparator::kExact);
  by_column.left_field = "invoice no";
  by_column.right_field = "Reference";
  FieldRule by_extra = rule_on("y", Comparator::kExact);
  by_extra.left_field = "cost centre";
  by_extra.right_field = "MEMO";
  const PairScorer scorer = must_create(left, right, rules_of({amount, by_column, by_extra}));
  ASSERT_EQ(scorer.rule_count(), 3u);
  double confidence = 0;
  const std::vector<FieldScore> scores = scores_of(scorer, 0, 0, &confidence);
  EXPECT_EQ(scores[1].similarity, 1.0);  // "INV-7" and "inv 7" share the key "inv7"
  EXPECT_EQ(scores[2].similarity, 1.0);
  EXPECT_EQ(confidence, 1.0);
}

TEST(PairScorerBinding, UnknownFieldsAndWrongKindsAreValidationErrors) {
  const RecordTable t = table_of({Row("1").amount(100)});
  FieldRule unknown = rule_on("amount", Comparator::kAmount);
  unknown.left_field = "nothing";
  unknown.right_field = "nowhere";
  auto result = PairScorer::create(t, t, rules_of({unknown}), 1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
  ASSERT_EQ(result.error().field_errors().size(), 2u);
  EXPECT_EQ(result.error().field_errors()[0].field, "fields[0].left");
  EXPECT_EQ(result.error().field_errors()[1].field, "fields[0].right");

  for (const auto& [field, comparator, needs] :
       std::vector<std::tuple<std::string, Comparator, std::string>>{
           {"description", Comparator::kAmount, "needs amount (numeric) fields"},
           {"amount", Comparator::kDate, "needs date fields"},
           {"date", Comparator::kText, "needs text fields"}}) {
    FieldRule blocking = rule_on("reference", Comparator::kExact);
    blocking.blocking = true;
    auto wrong = PairScorer::create(t, t, rules_of({rule_on(field, comparator), blocking}), 1);
    ASSERT_FALSE(wrong.ok()) << field;
    EXPECT_EQ(wrong.error().field_errors()[0].field, "fields[0].compare");
    EXPECT_NE(wrong.error().field_errors()[0].message.find(needs), std::string::npos)
        << wrong.error().field_errors()[0].message;
  }
}

TEST(PairScorerBinding, DropsRulesOverAColumnOneSideLacks) {
  const RecordTable left = table_of({Row("1").amount(100).counterparty("Acme")});
  RecordTable right = table_of({Row("2").amount(100)});
  right.has_counterparty = false;
  const PairScorer scorer = must_create(left, right,
                                        rules_of({rule_on("amount", Comparator::kAmount),
                                                  rule_on("counterparty", Comparator::kText)}));
  ASSERT_EQ(scorer.rule_count(), 1u);
  EXPECT_EQ(scorer.applied_rules()[0].rule.name, "amount");

  // Nothing left that can find candidates: the amount rule dropped, no blocking rule.
  RecordTable no_amounts = table_of({Row("3")});
  no_amounts.has_amount = false;
  auto result = PairScorer::create(left, no_amounts,
                                   rules_of({rule_on("amount", Comparator::kAmount),
                                             rule_on("counterparty", Comparator::kText)}),
                                   1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field_errors()[0].field, "fields");
}

// The words group search finds parts by: a key quoting several identifiers gives each of them,
// so a payment quoting two invoices shares a word with each.
TEST(PairScorerBinding, AKeyQuotingSeveralIdentifiersGivesEachAsAWord) {
  const RecordTable left =
      table_of({Row("1").amount(100).reference("INV-2025-105840 INV-2025-105166"),
                Row("2").amount(100).reference("INV-2025-105840")});
  const RecordTable right = table_of({Row("3").amount(100).reference("INV-2025-105840")});
  FieldRule reference = rule_on("reference", Comparator::kText);
  reference.method = TextMethod::kReference;
  const PairScorer scorer =
      must_create(left, right, rules_of({rule_on("amount", Comparator::kAmount), reference}));
  std::vector<std::string_view> words;
  // Each key, then each identifying number as written (which "Inv 105840" would share).
  scorer.words(true, 0, words);
  EXPECT_EQ(words, (std::vector<std::string_view>{"inv2025105840", "inv2025105166", "105840",
                                                  "105166"}));
  scorer.words(true, 1, words);
  EXPECT_EQ(words, (std::vector<std::string_view>{"inv2025105840", "105840"}));
  scorer.words(false, 0, words);
  EXPECT_EQ(words, (std::vector<std::string_view>{"inv2025105840", "105840"}));
}

TEST(PairScorerBinding, CurrenciesCompareCaseInsensitivelyWhenBothSidesHaveThem) {
  const RecordTable left = table_of({Row("1").currency("eur"), Row("2").currency("USD")});
  const RecordTable right = table_of({Row("3").currency("EUR")});
  const PairScorer scorer =
      must_create(left, right, rules_of({rule_on("amount", Comparator::kAmount)}));
  EXPECT_EQ(scorer.currency(true, 0), scorer.currency(false, 0));
  EXPECT_NE(scorer.currency(true, 1), scorer.currency(false, 0));
  EXPECT_EQ(scorer.currency_codes(), (std::vector<std::string>{"", "EUR", "USD"}));
}

// --- Amounts ---------------------------------------------------------------------------------

// The amount similarity of (a, b) under `rule`, the only rule.
double amount_similarity_of(const FieldRule& rule, std::int64_t a, std::int64_t b) {
  const RecordTable l = table_of({Row("L").amount(a)});
  const RecordTable r = table_of({Row("R").amount(b)});
  const PairScorer scorer = must_create(l, r, rules_of({rule}));
  double confidence = 0;
  const std::vector<FieldScore> scores = scores_of(scorer, 0, 0, &confidence);
  EXPECT_TRUE(scores[0].present);
  EXPECT_DOUBLE_EQ(confidence, scores[0].similarity);  // one rule: its similarity is the confidence
  return scores[0].similarity;
}

TEST(PairScorerAmount, FallsFromOneToAFifthAtTheToleranceAndIsZeroBeyond) {
  FieldRule rule = rule_on("amount", Comparator::kAmount);
  rule.tolerance_minor = 500;
  EXPECT_EQ(amount_similarity_of(rule, 10000, 10000), 1.0);
  EXPECT_DOUBLE_EQ(amount_similarity_of(rule, 10000, 10250), 0.6);
  EXPECT_DOUBLE_EQ(amount_similarity_of(rule, 10000, 9500), 0.2);
  EXPECT_EQ(amount_similarity_of(rule, 10000, 9499), 0.0);
  EXPECT_EQ(amount_similarity_of(rule, 10000, -10000), 0.0);  // sign "same" by default
}

TEST(PairScorerAmount, PercentToleranceIsTakenOfTheLargerAmount) {
  FieldRule rule = rule_on("amount", Comparator::kAmount);
  rule.tolerance_minor = 100;
  rule.tolerance_percent = 10;
  EXPECT_DOUBLE_EQ(amount_similarity_of(rule, 10000, 9000), 0.2);  // 10% of 10000 = 1000
  EXPECT_EQ(amount_similarity_of(rule, 10000, 8999), 0.0);
  EXPECT_DOUBLE_EQ(amount_similarity_of(rule, 500, 600), 0.2);  // 10% of 600 < 100: the minimum
  EXPECT_EQ(amount_similarity_of(rule, 500, 601), 0.0);

  const RecordTable t = table_of({Row("1").amount(1)});
  const PairScorer scorer = must_create(t, t, rules_of({rule}));
  EXPECT_EQ(scorer.amount_tolerance(10000, 9000), 1000);
  EXPECT_EQ(scorer.amount_tolerance(500, 600), 100);
  // The search range around 9000 reaches every partner within tolerance, such as 10000.
  EXPECT_GE(scorer.amount_search_tolerance(9000), 1000);
  EXPECT_EQ(scorer.group_tolerance(), 100);  // a group's sum may lose a fee, not a percentage
}

TEST(PairScorerAmount, SignModes) {
  FieldRule rule = rule_on("amount", Comparator::kAmount);
  rule.sign = SignMode::kOpposite;
  EXPECT_EQ(amount_similarity_of(rule, 10000, -10000), 1.0);
  EXPECT_EQ(amount_similarity_of(rule, 10000, 10000), 0.0);
  rule.sign = SignMode::kAbsolute;
  EXPECT_EQ(amount_similarity_of(rule, -10000, 10000), 1.0);
  EXPECT_EQ(amount_similarity_of(rule, 10000, 10000), 1.0);
  // Extreme amounts neither overflow nor match.
  rule.sign = SignMode::kSame;
  EXPECT_EQ(amount_similarity_of(rule, INT64_MAX, INT64_MIN), 0.0);
}

// --- Dates -----------------------------------------------------------------------------------

// The date rule's score for a left record dated `a` and a right one dated `b`.
FieldScore date_score_of(const FieldRule& date_rule, std::int32_t a, std::int32_t b) {
  const RecordTable l = table_of({Row("L").on(a).amount(1)});
  const RecordTable r = table_of({Row("R").on(b).amount(1)});
  const PairScorer scorer =
      must_create(l, r, rules_of({rule_on("amount", Comparator::kAmount), date_rule}));
  return scores_of(scorer, 0, 0)[static_cast<std::size_t>(scorer.date_rule())];
}

TEST(PairScorerDate, FallsFromOneToAHalfAtTheWindowAndIsZeroBeyond) {
  FieldRule rule = rule_on("date", Comparator::kDate);
  rule.window_days = 4;
  EXPECT_EQ(date_score_of(rule, kFriday, kFriday).similarity, 1.0);
  EXPECT_DOUBLE_EQ(date_score_of(rule, kFriday, kFriday + 2).similarity, 0.75);
  EXPECT_DOUBLE_EQ(date_score_of(rule, kFriday, kFriday - 4).similarity, 0.5);
  EXPECT_EQ(date_score_of(rule, kFriday, kFriday + 5).similarity, 0.0);
  EXPECT_FALSE(date_score_of(rule, kFriday, kNoDate).present);
  rule.window_days = 0;
  EXPECT_EQ(date_score_of(rule, kFriday, kFriday).similarity, 1.0);
  EXPECT_EQ(date_score_of(rule, kFriday, kFriday + 1).similarity, 0.0);
}

TEST(PairScorerDate, BusinessDaysSkipWeekends) {
  FieldRule rule = rule_on("date", Comparator::kDate);
  rule.window_days = 1;
  rule.business_days = true;
  const std::int32_t monday = kFriday + 3, tuesday = kFriday + 4;
  EXPECT_DOUBLE_EQ(date_score_of(rule, kFriday, monday).similarity, 0.5);  // one business day
  EXPECT_EQ(date_score_of(rule, tuesday, kFriday).similarity, 0.0);        // two
  rule.business_days = false;
  EXPECT_EQ(date_score_of(rule, kFriday, monday).similarity, 0.0);  // three calendar days

  rule.business_days = true;
  rule.window_days = 5;
  rule.required = true;
  const RecordTable t = table_of({Row("1").on(kFriday).amount(1)});
  const PairScorer scorer =
      must_create(t, t, rules_of({rule_on("amount", Comparator::kAmount), rule}));
  EXPECT_TRUE(scorer.date_required());
  // The calendar window searched holds five weekdays and the weekends between them.
  EXPECT_EQ(scorer.date_window(), 9);
  EXPECT_TRUE(scorer.date_in_window(kFriday, kFriday + 7));    // next Friday: 5 business days
  EXPECT_FALSE(scorer.date_in_window(kFriday, kFriday + 10));  // Monday after: 6
  EXPECT_TRUE(scorer.date_in_window(kFriday, kNoDate));        // an undated record is not out
}

// A table of records without amounts or dates, one per value of each named text column
// (person records: names, birth dates, identifiers).
RecordTable people_of(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& columns) {
  RecordTable t;
  const std::size_t n = columns.empty() ? 0 : columns[0].second.size();
  for (std::size_t i = 0; i < n; ++i) {
    t.ids.push_back("P" + std::to_string(i + 1));
    t.dates.push_back(kNoDate);
    t.amounts.push_back(0);
    t.currencies.push_back("");
    t.references.push_back("");
    t.descriptions.push_back("");
    t.counterparties.push_back("");
  }
  for (const auto& [name, values] : columns) {
    ExtraColumn column = extra(name, ExtraKind::kText);
    for (const std::string& v : values) column.text.push_back(v);
    t.extras.push_back(std::move(column));
  }
  return t;
}

TEST(PairScorerDate, ADateRuleReadsYearFirstDatesFromATextColumnWithTypos) {
  const RecordTable left = people_of({{"dob", {"19870305", "19870305", "1990-01-02", ""}}});
  const RecordTable right =
      people_of({{"date_of_birth", {"1987-03-05", "19870503", "19900112", "19870305"}}});
  FieldRule rule = rule_on("dob", Comparator::kDate);
  rule.right_field = "date_of_birth";
  rule.typos = true;
  rule.blocking = true;
  const PairScorer scorer = must_create(left, right, rules_of({rule}));
  EXPECT_EQ(scorer.date_rule(), 0);
  EXPECT_EQ(scorer.blocking_rules(), std::vector<int>{0});
  EXPECT_EQ(scores_of(scorer, 0, 0)[0].similarity, 1.0);
  EXPECT_EQ(scores_of(scorer, 1, 1)[0].similarity, kDateTypoSimilarity);  // day and month swapped
  EXPECT_EQ(scores_of(scorer, 2, 2)[0].similarity, kDateTypoSimilarity);  // one digit
  EXPECT_EQ(scores_of(scorer, 0, 2)[0].similarity, 0.0);
  EXPECT_FALSE(scores_of(scorer, 3, 3)[0].present);
  // Blocking keys are the eight digits; the day numbers serve the candidate search.
  EXPECT_EQ(scorer.key(true, 0, 2), "19900102");
  EXPECT_EQ(scorer.key(false, 0, 1), "19870503");
  EXPECT_EQ(scorer.key(true, 0, 3), "");
  EXPECT_EQ(scorer.date(true, 0), days_from_civil(1987, 3, 5));
  EXPECT_EQ(scorer.date(true, 3), kNoDate);

  // A record date against a text column, typos on.
  RecordTable dated = table_of({Row("D").on(days_from_civil(1987, 5, 3))});
  dated.has_amount = false;
  FieldRule mixed = rule_on("date", Comparator::kDate);
  mixed.right_field = "date_of_birth";
  mixed.typos = true;
  mixed.blocking = true;
  const PairScorer mixed_scorer = must_create(dated, right, rules_of({mixed}));
  EXPECT_EQ(scores_of(mixed_scorer, 0, 0)[0].similarity, kDateTypoSimilarity);
  EXPECT_EQ(scores_of(mixed_scorer, 0, 1)[0].similarity, 1.0);
  EXPECT_EQ(mixed_scorer.key(true, 0, 0), "19870503");
}

// --- Text ------------------------------------------------------------------------------------

TEST(PairScorerText, ExactAndContainsCompareNormalisedKeys) {
  FieldRule exact = rule_on("description", Comparator::kExact);
  EXPECT_EQ(text_similarity(exact, "INV-000123", "inv 123"), 1.0);
  EXPECT_EQ(text_similarity(exact, "INV-000123", "inv 124"), 0.0);
  FieldRule contains = rule_on("description", Comparator::kContains);
  EXPECT_EQ(text_similarity(contains, "Paid INV-123, thanks", "inv 123"), 1.0);
  EXPECT_EQ(text_similarity(contains, "Paid 12 today", "12"), 0.0);  // under 3 characters
}

TEST(PairScorerText, MethodsUseTheirMeasureOnNormalisedText) {
  const std::string a = "ACME Corp., Ltd", b = "Acme Corporation";
  EXPECT_DOUBLE_EQ(text_similarity(text_rule(TextMethod::kJaroWinkler), a, b),
                   jaro_winkler(normalize_text(a), normalize_text(b)));
  EXPECT_DOUBLE_EQ(text_similarity(text_rule(TextMethod::kLevenshtein), a, b),
                   levenshtein_ratio(normalize_text(a), normalize_text(b)));
  EXPECT_DOUBLE_EQ(text_similarity(text_rule(TextMethod::kTokenSet), a, b), token_set_ratio(a, b));
  EXPECT_EQ(text_similarity(text_rule(TextMethod::kTokenSet), "Payment ACME invoice",
                            "invoice acme payment"),
            1.0);
}

TEST(PairScorerText, BestTakesEqualKeysTruncatedReferencesAndTheBetterMeasure) {
  const FieldRule best = text_rule(TextMethod::kBest);
  EXPECT_EQ(text_similarity(best, "INV-0001", "inv 1"), 1.0);  // equal keys
  // A truncated reference: one key a prefix of the other, otherwise little alike.
  EXPECT_DOUBLE_EQ(text_similarity(best, "abcd", "abcdwxyz-qrstuv"), 0.9);
  const std::string a = "northwind trading ltd", b = "trading northwind";
  EXPECT_DOUBLE_EQ(text_similarity(best, a, b),
                   std::max(jaro_winkler(a, b), token_set_ratio(a, b)));
}

TEST(PairScorerText, ReferenceMethodTellsIdentifiersApart) {
  const FieldRule reference = text_rule(TextMethod::kReference);
  EXPECT_EQ(text_similarity(reference, "INV-2025-100495", "inv2025100495"), 1.0);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "Payment INV-1234 thanks", "INV-1234"), 0.9);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "inv2025100495", "inv2025100496"), 0.9);  // 1 edit
  EXPECT_DOUBLE_EQ(text_similarity(reference, "inv2025100495", "inv2025100406"), 0.8);  // 2
  // A transposed pair of digits is one typo; two digits changed in a run of sequential invoice
  // numbers (another invoice of the same days) stay two edits.
  EXPECT_DOUBLE_EQ(text_similarity(reference, "INV-2025-014049", "INV-2025-014094"), 0.9);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "INV-2025-014049", "INV-2025-104049"), 0.9);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "INV-2025-008648", "INV-2025-002647"), 0.8);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "INV-2025-014049", "INV-2025-024059"), 0.8);
  // The same identifier written another way agrees by its numbers; another year's does not.
  EXPECT_EQ(text_similarity(reference, "Inv 105395", "INV-2025-105395"), 1.0);
  EXPECT_EQ(text_similarity(reference, "2025/105395", "INV-2025-105395"), 1.0);
  EXPECT_EQ(text_similarity(reference, "INVOICE NO 000044", "INV-2025-000044"), 1.0);
  EXPECT_LT(text_similarity(reference, "INV-2024-000044", "INV-2025-000044"), 1.0);
  // Written another way and mistyped: one edit, as the same typo written alike is.
  EXPECT_DOUBLE_EQ(text_similarity(reference, "INVOICE NO 024763", "INV-2025-024663"), 0.9);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "INV-2025-024763", "INV-2025-024663"), 0.9);
  const double ratio = levenshtein_ratio("inv2025100495", "inv20251063064");
  EXPECT_DOUBLE_EQ(text_similarity(reference, "inv2025100495", "inv20251063064"),
                   ratio * ratio * ratio * ratio);
}

TEST(PairScorerText, PersonIdentifiersWithOneEditAndNamesByJaroWinkler) {
  // A seven-digit social security number typed with one digit wrong, one missing or one more.
  const FieldRule reference = text_rule(TextMethod::kReference);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "4512783", "4512783"), 1.0);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "4512783", "4512788"), 0.9);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "4512783", "451783"), 0.9);
  EXPECT_DOUBLE_EQ(text_similarity(reference, "4512783", "45127830"), 0.9);
  // Two neighbouring digits swapped: one typo, as one edit.
  EXPECT_DOUBLE_EQ(text_similarity(reference, "4512783", "4521783"), 0.9);
  EXPECT_LT(text_similarity(reference, "4512783", "9034617"), 0.1);
  // Names: Jaro-Winkler forgives a typo, most of all late in the name.
  const FieldRule names = text_rule(TextMethod::kJaroWinkler);
  EXPECT_GT(text_similarity(names, "Katherine", "Katherien"), 0.95);
  EXPECT_GT(text_similarity(names, "MCDONALD", "mcdonnald"), 0.95);
  EXPECT_LT(text_similarity(names, "katherine", "joshua"), 0.6);
}

TEST(PairScorerText, BelowMinSimilarityCountsAsZeroAndEmptyIsAbsent) {
  FieldRule rule = text_rule(TextMethod::kJaroWinkler);
  rule.min_similarity = 0.99;
  EXPECT_EQ(text_similarity(rule, "acme corp", "acme corporation"), 0.0);
  rule.blocking = true;
  const RecordTable l = table_of({Row("L").description("acme")});
  const RecordTable r = table_of({Row("R")});
  const PairScorer scorer = must_create(l, r, rules_of({rule}));
  double confidence = 0;
  const std::vector<FieldScore> scores = scores_of(scorer, 0, 0, &confidence);
  EXPECT_FALSE(scores[0].present);
  EXPECT_EQ(confidence, -1);  // no rule present: no confidence at all
}

// --- Required rules and confidence -----------------------------------------------------------

TEST(PairScorerConfidence, ARequiredRuleAtZeroRejectsThePair) {
  const RecordTable l = table_of({Row("L").amount(100).reference("INV-1")});
  const RecordTable r = table_of({Row("R").amount(100).reference("PO-99")});
  FieldRule reference = rule_on("reference", Comparator::kExact);
  const PairScorer optional =
      must_create(l, r, rules_of({rule_on("amount", Comparator::kAmount), reference}));
  EXPECT_DOUBLE_EQ(optional.score_pair(0, 0, nullptr), 0.5);
  reference.required = true;
  const PairScorer required =
      must_create(l, r, rules_of({rule_on("amount", Comparator::kAmount), reference}));
  EXPECT_EQ(required.score_pair(0, 0, nullptr), -1);
  // A required rule with an empty value is absent, not failed.
  const RecordTable no_reference = table_of({Row("R").amount(100)});
  const PairScorer absent =
      must_create(l, no_reference, rules_of({rule_on("amount", Comparator::kAmount), reference}));
  EXPECT_EQ(absent.score_pair(0, 0, nullptr), 1.0);
}

TEST(PairScorerConfidence, IsTheSumOfTheContributionsOfThePresentRules) {
  const RecordTable l = table_of(
      {Row("L").on(kFriday).amount(10000).reference("INV-1").description("ACME invoice 1")});
  const RecordTable r = table_of(
      {Row("R").on(kFriday + 2).amount(10100).reference("INV-1").description("Acme inv 1")});
  FieldRule amount = rule_on("amount", Comparator::kAmount, 0.4);
  amount.tolerance_minor = 200;
  FieldRule date = rule_on("date", Comparator::kDate, 0.2);
  date.window_days = 4;
  const FieldRule reference = rule_on("reference", Comparator::kExact, 0.3);
  FieldRule description = text_rule(TextMethod::kTokenSet);
  description.weight = 0.1;
  FieldRule counterparty = rule_on("counterparty", Comparator::kText, 0.5);  // empty: absent
  const PairScorer scorer =
      must_create(l, r, rules_of({amount, date, reference, description, counterparty}));
  double confidence = 0;
  const std::vector<FieldScore> scores = scores_of(scorer, 0, 0, &confidence);
  ASSERT_EQ(scores.size(), 5u);
  double sum = 0, weights = 0, weighted = 0;
  for (std::size_t k = 0; k < scores.size(); ++k) {
    EXPECT_EQ(scores[k].rule, k);
    sum += scores[k].contribution;
    if (!scores[k].present) {
      EXPECT_EQ(scores[k].contribution, 0);
      continue;
    }
    weights += scorer.applied_rules()[k].rule.weight;
    weighted += scorer.applied_rules()[k].rule.weight * scores[k].similarity;
  }
  EXPECT_FALSE(scores[4].present);
  EXPECT_DOUBLE_EQ(scores[0].similarity, 0.6);   // 100 off of 200
  EXPECT_DOUBLE_EQ(scores[1].similarity, 0.75);  // 2 days of 4
  EXPECT_EQ(scores[2].similarity, 1.0);
  EXPECT_DOUBLE_EQ(weights, 1.0);  // the absent rule's 0.5 is not counted
  EXPECT_NEAR(sum, confidence, 1e-12);
  EXPECT_NEAR(confidence, weighted / weights, 1e-12);
  EXPECT_DOUBLE_EQ(scores[0].contribution, 0.4 * 0.6 / weights);
}

TEST(PairScorerConfidence, GroupsSumAmountsTakeTheWorstDateAndAverageText) {
  const RecordTable l =
      table_of({Row("L").on(kFriday).amount(10000).description("northwind invoices")});
  const RecordTable r = table_of({Row("R1").on(kFriday).amount(6000).description("northwind"),
                                  Row("R2").on(kFriday + 2).amount(4000).description("invoices")});
  FieldRule date = rule_on("date", Comparator::kDate);
  date.window_days = 4;
  FieldRule description = text_rule(TextMethod::kTokenSet);
  const PairScorer scorer =
      must_create(l, r, rules_of({rule_on("amount", Comparator::kAmount), date, description}));
  const std::vector<std::uint32_t> target{0}, parts{0, 1};
  std::vector<FieldScore> group(scorer.rule_count());
  const double confidence = scorer.score_group(target, parts, group.data());
  EXPECT_EQ(group[0].similarity, 1.0);          // 6000 + 4000 = 10000
  EXPECT_DOUBLE_EQ(group[1].similarity, 0.75);  // the part two days off
  EXPECT_DOUBLE_EQ(group[2].similarity, 1.0);   // each part's words are all in the target
  EXPECT_NEAR(confidence, group[0].contribution + group[1].contribution + group[2].contribution,
              1e-12);

  // combine_group over rule_similarities gives the same as score_group.
  std::vector<FieldScore> first(scorer.rule_count()), second(scorer.rule_count());
  scorer.rule_similarities(0, 0, first.data());
  scorer.rule_similarities(0, 1, second.data());
  const std::vector<const FieldScore*> pairs{first.data(), second.data()};
  EXPECT_EQ(scorer.combine_group(pairs, 10000, 10000, nullptr), confidence);
  EXPECT_EQ(scorer.score_group(target, {}, nullptr), -1);
}

// --- Rendering values --------------------------------------------------------------------------

RecordTable rendering_table() {
  RecordTable t = table_of({Row("1").on(kFriday).amount(1000).reference("INV-1"),
                            Row("2").on(kFriday + 3).amount(250).reference("INV-2"),
                            Row("3").on(kFriday).amount(-5).reference("INV-1")});
  t.column_names = {{"Invoice No", "reference"}};
  ExtraColumn quantity = extra("quantity", ExtraKind::kNumber);
  quantity.numbers = {3, 4, 5};
  ExtraColumn due = extra("due", ExtraKind::kDate);
  due.numbers = {kFriday + 30, kNoDate, kFriday + 30};
  ExtraColumn memo = extra("memo", ExtraKind::kText);
  for (const char* m : {"b", "a", "b"}) memo.text.push_back(m);
  t.extras = {std::move(quantity), std::move(due), std::move(memo)};
  return t;
}

TEST(FieldValueRenderer, AmountsAndNumbersAreSummed) {
  const RecordTable t = rendering_table();
  const std::vector<std::uint32_t> all{0, 1, 2}, first{0};
  EXPECT_EQ(render_field_value(t, "amount", first), "10.00");
  EXPECT_EQ(render_field_value(t, "amount", all), "12.45");
  EXPECT_EQ(render_field_value(t, "quantity", all), "12");
}

TEST(FieldValueRenderer, DatesAreDistinctAndSorted) {
  const RecordTable t = rendering_table();
  const std::vector<std::uint32_t> all{1, 0, 2}, first{0};
  EXPECT_EQ(render_field_value(t, "date", first), "2025-03-07");
  EXPECT_EQ(render_field_value(t, "date", all), "2025-03-07; 2025-03-10");
  EXPECT_EQ(render_field_value(t, "Due", std::vector<std::uint32_t>{0}), "2025-04-06");
}

TEST(FieldValueRenderer, TextIsDistinctInFirstSeenOrder) {
  const RecordTable t = rendering_table();
  const std::vector<std::uint32_t> all{0, 1, 2}, second{1};
  EXPECT_EQ(render_field_value(t, "reference", all), "INV-1; INV-2");
  EXPECT_EQ(render_field_value(t, "Invoice No", second), "INV-2");  // by source column name
  EXPECT_EQ(render_field_value(t, "memo", all), "b; a");
  EXPECT_EQ(render_field_value(t, "id", all), "1; 2; 3");
}

TEST(FieldValueRenderer, UnknownOrAbsentFieldsRenderEmpty) {
  RecordTable t = rendering_table();
  const std::vector<std::uint32_t> first{0};
  EXPECT_EQ(render_field_value(t, "nothing", first), "");
  t.has_reference = false;
  EXPECT_EQ(render_field_value(t, "reference", first), "");
}

TEST(FieldValueRenderer, ViewPointsIntoTheTableForOneText) {
  const RecordTable t = rendering_table();
  const FieldValueRenderer reference(t, "reference");
  std::string scratch = "old";
  const std::vector<std::uint32_t> first{0}, both{0, 1};
  const std::string_view one = reference.render_view(first, scratch);
  EXPECT_EQ(one, "INV-1");
  EXPECT_EQ(one.data(), t.references[0].data());
  EXPECT_EQ(reference.render_view(both, scratch), "INV-1; INV-2");
  EXPECT_EQ(scratch, "INV-1; INV-2");
  const FieldValueRenderer amount(t, "amount");
  EXPECT_EQ(amount.render_view(first, scratch), "10.00");
  std::string out = "old";
  amount.render(both, out);
  EXPECT_EQ(out, "12.50");
}

}  // namespace
}  // namespace oeuvre::engine
