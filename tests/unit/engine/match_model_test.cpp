// The Fellegi–Sunter model: reading and writing it, scoring with it (match weights, value
// frequencies, explanations), and estimating it from records whose true matches are known.
#include "engine/match_model.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <random>

#include "engine/model_estimation.h"
#include "engine/pair_scorer.h"
#include "engine/reconciler.h"

namespace oeuvre::engine {
namespace {

namespace json = boost::json;

struct Row {
  std::string id;
  int day;
  std::int64_t amount;
  std::string reference, counterparty;
};

RecordTable table_of(const std::vector<Row>& rows) {
  RecordTable t;
  t.has_date = t.has_amount = t.has_reference = t.has_counterparty = true;
  for (const Row& r : rows) {
    t.ids.push_back(r.id);
    t.dates.push_back(days_from_civil(2025, 3, 1) + r.day);
    t.amounts.push_back(r.amount);
    t.currencies.push_back("");
    t.references.push_back(r.reference);
    t.descriptions.push_back("");
    t.counterparties.push_back(r.counterparty);
  }
  return t;
}

// amount (required, 5.00 or 3%), date (required, 7 days), reference (blocking), counterparty.
RuleSet four_rules() {
  RuleSet rules = default_rules();
  rules.fields.erase(rules.fields.begin() + 3);  // description
  return rules;
}

// A model over four_rules() with round numbers: match weights are easy to add up by hand.
MatchModel hand_model() {
  MatchModel m;
  m.prior = 1.0 / 1025;  // log-odds -10
  auto rule = [](std::string name, std::vector<ModelLevel> levels) {
    return RuleModel{std::move(name), std::move(levels)};
  };
  m.rules = {
      rule("amount",
           {{"exact", 1, 0.8, 0.0125}, {"within", 1e-9, 0.1, 0.05}, {"beyond", 0, 0.1, 0.9375}}),
      rule("date", {{"same day", 1, 0.5, 0.015625},
                    {"within", 1e-9, 0.5, 0.0625},
                    {"beyond", 0, 0.0001, 0.921875}}),
      rule("reference", {{"equal", 0.999, 0.5, 0.5 / 1024}, {"different", 0, 0.5, 0.5}}),
      rule("counterparty", {{"equal", 0.999, 0.8, 0.1}, {"different", 0, 0.2, 0.9}})};
  return m;
}

TEST(MatchModel, WritesAndReadsBackEveryLevel) {
  const MatchModel m = hand_model();
  const json::object written = model_to_json(m);
  auto read = model_from_json(written, "model");
  ASSERT_TRUE(read.ok()) << read.error().message();
  ASSERT_EQ(read->rules.size(), m.rules.size());
  EXPECT_DOUBLE_EQ(read->prior, m.prior);
  for (std::size_t k = 0; k < m.rules.size(); ++k) {
    EXPECT_EQ(read->rules[k].rule, m.rules[k].rule);
    ASSERT_EQ(read->rules[k].levels.size(), m.rules[k].levels.size());
    for (std::size_t l = 0; l < m.rules[k].levels.size(); ++l) {
      EXPECT_EQ(read->rules[k].levels[l].label, m.rules[k].levels[l].label);
      EXPECT_DOUBLE_EQ(read->rules[k].levels[l].min_similarity,
                       m.rules[k].levels[l].min_similarity);
      EXPECT_DOUBLE_EQ(read->rules[k].levels[l].m, m.rules[k].levels[l].m);
      EXPECT_DOUBLE_EQ(read->rules[k].levels[l].u, m.rules[k].levels[l].u);
    }
  }
}

TEST(MatchModel, RefusesWhatIsNotAModelWithAFieldErrorEach) {
  auto error_fields = [](std::string_view text) {
    auto read = model_from_json(json::parse(text), "model");
    std::vector<std::string> fields;
    if (!read.ok())
      for (const FieldError& e : read.error().field_errors()) fields.push_back(e.field);
    return fields;
  };
  EXPECT_EQ(error_fields(R"([1])"), std::vector<std::string>{"model"});
  EXPECT_EQ(error_fields(R"({"prior": 0, "rules": []})"),
            (std::vector<std::string>{"model.prior", "model.rules"}));
  EXPECT_EQ(error_fields(R"({"prior": 0.1, "rules": [{"rule": "a", "levels": [
      {"min_similarity": 1, "m": 1.5, "u": 0.1}, {"min_similarity": 0, "m": 0.5, "u": 0}]}],
      "extra": 1})"),
            (std::vector<std::string>{"model.extra", "model.rules[0].levels[0].m",
                                      "model.rules[0].levels[1].u"}));
  // Levels go down; the last takes the rest.
  EXPECT_EQ(error_fields(R"({"prior": 0.1, "rules": [{"rule": "a", "levels": [
      {"min_similarity": 0.5, "m": 0.5, "u": 0.5}, {"min_similarity": 0.9, "m": 0.5, "u": 0.5}]}]})"),
            (std::vector<std::string>{"model.rules[0].levels[1].min_similarity",
                                      "model.rules[0].levels"}));
  EXPECT_EQ(error_fields(R"({"prior": 0.1, "rules": [
      {"rule": "a", "levels": [{"min_similarity": 0, "m": 0.5, "u": 0.5}]},
      {"rule": "a", "levels": [{"min_similarity": 0, "m": 0.5, "u": 0.5}]}]})"),
            std::vector<std::string>{"model.rules[1].rule"});
}

TEST(MatchModel, RulesTakeLearnFixedOrAModelThatFitsThem) {
  auto learn = parse_rules(R"({"model": "learn"})");
  ASSERT_TRUE(learn.ok());
  EXPECT_EQ(learn->weights, WeightMode::kLearn);
  EXPECT_NE(rules_to_json(*learn).find("\"model\":\"learn\""), std::string::npos);
  auto fixed = parse_rules(R"({"model": "fixed"})");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->weights, WeightMode::kFixed);
  EXPECT_NE(rules_to_json(*fixed).find("\"model\":\"fixed\""), std::string::npos);
  // The default, "auto", is not written: rules stored before models existed read the same.
  auto by_default = parse_rules(R"({})");
  ASSERT_TRUE(by_default.ok());
  EXPECT_EQ(by_default->weights, WeightMode::kAuto);
  EXPECT_EQ(parse_rules(R"({"model": "auto"})")->weights, WeightMode::kAuto);
  EXPECT_EQ(rules_to_json(*by_default).find("model"), std::string::npos);

  RuleSet with_model = four_rules();
  with_model.weights = WeightMode::kModel;
  with_model.model = std::make_shared<const MatchModel>(hand_model());
  auto again = parse_rules(rules_to_json(with_model));
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->weights, WeightMode::kModel);
  ASSERT_TRUE(again->model);
  EXPECT_EQ(again->model->rules.size(), 4u);

  auto bad = parse_rules(R"({"model": "guess"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field_errors().at(0).field, "model");
  // A model for rules the rule set does not have belongs to other rules.
  json::object stranger = model_to_json(hand_model());
  stranger["rules"].as_array()[0].as_object()["rule"] = "iban";
  auto other = parse_rules(json::serialize(json::object{{"model", stranger}}));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().field_errors().at(0).field, "model.rules[0].rule");
}

TEST(MatchModel, APairScoresTheSumOfItsMatchWeightsAsAProbability) {
  // Amounts 1,000.00 and 250.00 appear once each side; 49.00 is on six records of each side.
  std::vector<Row> lefts = {{"B1", 0, 100000, "INV-1", "ACME"}, {"B2", 3, 25000, "", "GLOBEX"}};
  std::vector<Row> rights = {{"L1", 0, 100000, "INV-1", "ACME"}, {"L2", 0, 25000, "", "GLOBEX"}};
  for (int i = 0; i < 6; ++i) {
    const std::string n = std::to_string(i);
    lefts.push_back({"BS" + n, 40 + 30 * i, 4900, "S-" + n, "HOOLI"});
    rights.push_back({"LS" + n, 40 + 30 * i, 4900, "S-" + n, "HOOLI"});
  }
  const RecordTable left = table_of(lefts), right = table_of(rights);
  auto scorer = PairScorer::create(left, right, four_rules(), 1);
  ASSERT_TRUE(scorer.ok());
  ASSERT_TRUE(scorer->use_model(std::make_shared<const MatchModel>(hand_model())).ok());
  std::vector<FieldScore> scores(scorer->rule_count());
  auto score_of = [&](std::string_view rule) {
    for (const FieldScore& s : scores)
      if (scorer->applied_rules()[s.rule].rule.name == rule) return s;
    return FieldScore{0, false, 0, 0, -999};
  };
  auto weight_of = [&](std::string_view rule) { return score_of(rule).match_weight; };
  // B1-L1: every rule at its top level. For the amount and the counterparty the top level's u is
  // scaled by how common the pair's value is against the mean over agreeing pairs: 1,000.00 and
  // ACME are held by 2 of 16 records, while 36 of the 38 agreeing pairs share 49.00 and HOOLI
  // (12 of 16). Every reference is held by 2 of 14: its u stays the level's.
  const double mean = (2.0 / 16 + 2.0 / 16 + 36 * 12.0 / 16) / 38;
  const double c = scorer->score_pair(0, 0, scores.data());
  EXPECT_NEAR(weight_of("amount"), std::log2(0.8 / (0.0125 * (2.0 / 16) / mean)), 1e-5);
  EXPECT_NEAR(weight_of("date"), 5.0, 1e-9);
  EXPECT_NEAR(weight_of("reference"), 10.0, 1e-5);
  EXPECT_NEAR(weight_of("counterparty"), std::log2(0.8 / (0.1 * (2.0 / 16) / mean)), 1e-5);
  const double unique_amount = weight_of("amount");
  double bits = -10;
  for (const FieldScore& s : scores) bits += s.match_weight;
  EXPECT_NEAR(c, 1.0 / (1.0 + std::exp2(-bits)), 1e-9);
  double contributions = 0;
  for (const FieldScore& s : scores) contributions += s.contribution;
  EXPECT_NEAR(contributions, c, 1e-9);

  // B2-L2: no reference on either side adds nothing; the date three days apart is "within".
  scorer->score_pair(1, 1, scores.data());
  EXPECT_FALSE(score_of("reference").present);
  EXPECT_EQ(weight_of("reference"), 0.0);
  EXPECT_NEAR(weight_of("date"), 3.0, 1e-9);

  // A recurring amount: 49.00 is six times as common as 1,000.00, so agreeing on it weighs
  // log2(6) bits less.
  scorer->score_pair(2, 2, scores.data());
  EXPECT_NEAR(weight_of("amount"), unique_amount - std::log2(6.0), 1e-5);
}

TEST(MatchModel, AModelWithoutARuleOfTheRulesIsRefused) {
  const RecordTable left = table_of({{"B1", 0, 100, "X", "A"}});
  const RecordTable right = table_of({{"L1", 0, 100, "X", "A"}});
  auto scorer = PairScorer::create(left, right, four_rules(), 1);
  ASSERT_TRUE(scorer.ok());
  MatchModel partial = hand_model();
  partial.rules.pop_back();
  Status used = scorer->use_model(std::make_shared<const MatchModel>(partial));
  ASSERT_FALSE(used.ok());
  EXPECT_NE(used.error().field_errors().at(0).message.find("counterparty"), std::string::npos);
}

// A job stores the model it learned with learn_when_unfit: run again on records that now fill a
// column the model has no levels for, it learns anew instead of failing; a model that fits is kept.
TEST(MatchModel, AStoredModelThatNoLongerFitsTheRecordsIsLearnedAnew) {
  RuleSet rules = four_rules();
  rules.weights = WeightMode::kModel;
  MatchModel partial = hand_model();
  partial.rules.pop_back();  // learned while the counterparty column was empty
  rules.model = std::make_shared<const MatchModel>(partial);
  rules.learn_when_unfit = true;
  auto again = parse_rules(rules_to_json(rules));
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_TRUE(again->learn_when_unfit);
  RuleSet plain = rules;
  plain.learn_when_unfit = false;
  const std::string plain_text = rules_to_json(plain);
  EXPECT_EQ(plain_text.find("learn_when_unfit"), std::string::npos);
  EXPECT_FALSE(parse_rules(plain_text)->learn_when_unfit);
  json::object not_a_boolean = json::parse(plain_text).as_object();
  not_a_boolean["learn_when_unfit"] = 1;
  for (const std::string& text : {std::string(R"({"learn_when_unfit": true})"),
                                  std::string(R"({"model": "learn", "learn_when_unfit": true})"),
                                  json::serialize(not_a_boolean)}) {
    auto bad = parse_rules(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().field_errors().at(0).field, "learn_when_unfit") << text;
  }

  const RecordTable left = table_of({{"B1", 0, 10000, "INV-1", "ACME"},
                                     {"B2", 3, 25000, "INV-2", "GLOBEX"}});
  const RecordTable right = table_of({{"L1", 0, 10000, "INV-1", "ACME"},
                                      {"L2", 3, 25000, "INV-2", "GLOBEX"}});
  RuleSet refusing = rules;
  refusing.learn_when_unfit = false;
  auto refused = reconcile(left, right, refusing, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().field_errors().at(0).message.find("counterparty"), std::string::npos);

  auto relearned = reconcile(left, right, rules, {});
  ASSERT_TRUE(relearned.ok()) << relearned.error().message();
  ASSERT_TRUE(relearned->model);
  EXPECT_NE(relearned->model, rules.model);
  EXPECT_NE(relearned->model->find("counterparty"), nullptr);
  EXPECT_EQ(relearned->summary.matched_groups, 2u);

  RuleSet fitting = rules;
  fitting.model = std::make_shared<const MatchModel>(hand_model());
  auto kept = reconcile(left, right, fitting, {});
  ASSERT_TRUE(kept.ok()) << kept.error().message();
  EXPECT_EQ(kept->model, fitting.model);
}

// Left records and their corrupted copies on the right, with known rates: the reference is kept
// on 70% of pairs (and present on 80% of records), the amount exact on 90% (else 1% off), the
// date the same day on 40%, 1 day later on 30%, 2-3 on 20%, 4-7 on 10%; the counterparty is one
// of 12 names, kept on 95%. One left record in five has no partner, one right in six neither.
struct Synthetic {
  RecordTable left, right;
};

Synthetic synthetic(std::size_t n, unsigned seed) {
  std::mt19937 random(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(random) < p; };
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<>(lo, hi)(random); };
  const std::vector<std::string> names = {"ACME",     "GLOBEX",   "HOOLI",  "INITECH",
                                          "UMBRELLA", "STARK",    "WAYNE",  "TYRELL",
                                          "SOYLENT",  "VANDELAY", "CYBERD", "WEYLAND"};
  std::vector<Row> lefts, rights;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    Row l{"B" + id, pick(0, 300), static_cast<std::int64_t>(pick(1000, 500000)),
          chance(0.8) ? "INV-" + std::to_string(100000 + i) : "", names[pick(0, 11)]};
    lefts.push_back(l);
    if (i % 5 == 4) continue;  // no partner
    Row r = l;
    r.id = "L" + id;
    if (!chance(0.7)) r.reference = chance(0.5) ? "" : "INV-" + std::to_string(900000 + i);
    if (!chance(0.9)) r.amount += r.amount / 100;
    const double d = std::uniform_real_distribution<>(0, 1)(random);
    r.day -= d < 0.4 ? 0 : d < 0.7 ? 1 : d < 0.9 ? pick(2, 3) : pick(4, 7);
    if (!chance(0.95)) r.counterparty = names[pick(0, 11)];
    rights.push_back(r);
    if (i % 6 == 0)
      rights.push_back({"LX" + id, pick(0, 300), static_cast<std::int64_t>(pick(1000, 500000)), "",
                        names[pick(0, 11)]});
  }
  return {table_of(lefts), table_of(rights)};
}

TEST(ModelEstimation, RecoversTheRatesItWasGeneratedWith) {
  const Synthetic data = synthetic(6000, 7);
  auto scorer = PairScorer::create(data.left, data.right, four_rules(), 2);
  ASSERT_TRUE(scorer.ok());
  const ValueKeys keys = scorer->value_keys(2);
  const MatchModel m = estimate_model(*scorer, keys, data.left.size(), data.right.size(), 2);
  EXPECT_EQ(m.estimate.em_sessions, 2);  // the reference and the amount
  auto level = [&](std::string_view rule, std::size_t k) { return m.find(rule)->levels.at(k); };
  EXPECT_NEAR(level("amount", 0).m, 0.9, 0.03);
  EXPECT_NEAR(level("date", 0).m, 0.4, 0.04);
  EXPECT_NEAR(level("date", 1).m, 0.3, 0.04);
  EXPECT_NEAR(level("counterparty", 0).m, 0.95 + 0.05 / 12, 0.03);
  // The reference agrees on 70% of pairs and is absent on one side of 0.2 + 0.8 x 0.15 of them:
  // among pairs where both have one, 0.7 / 0.8 ... (0.7 x 0.8) / (0.8 x 0.85).
  EXPECT_NEAR(level("reference", 0).m, 0.56 / 0.68, 0.05);
  // u: random pairs share a counterparty 1 time in 12 and an amount almost never.
  EXPECT_NEAR(level("counterparty", 0).u, 1.0 / 12, 0.01);
  EXPECT_LT(level("amount", 0).u, 1e-3);
  EXPECT_LT(level("reference", 0).u, 1e-3);
  // The prior: 4,800 true pairs among 6,000 x 5,600.
  const double expected = 4800.0 / (6000.0 * 5600.0);
  EXPECT_GT(m.prior, expected / 1.5);
  EXPECT_LT(m.prior, expected * 1.5);
}

TEST(ModelEstimation, AutoLearnsOnlyWhenBothSidesHoldEnoughRecords) {
  const Synthetic big = synthetic(2600, 13);  // 2,600 left records, 2,426 right ones
  ASSERT_GE(big.right.size(), kLearnMinRecords);
  const RuleSet rules = four_rules();  // "model" not given: auto
  ASSERT_EQ(rules.weights, WeightMode::kAuto);
  auto learned = reconcile(big.left, big.right, rules, {});
  ASSERT_TRUE(learned.ok());
  EXPECT_TRUE(learned->model);

  // One record short on one side: the rules' weights.
  RecordTable fewer;
  fewer.has_date = fewer.has_amount = fewer.has_reference = fewer.has_counterparty = true;
  for (std::size_t i = 0; i + 1 < kLearnMinRecords; ++i) {
    fewer.ids.push_back(big.right.ids[i]);
    fewer.dates.push_back(big.right.dates[i]);
    fewer.amounts.push_back(big.right.amounts[i]);
    fewer.currencies.push_back(big.right.currencies[i]);
    fewer.references.push_back(big.right.references[i]);
    fewer.descriptions.push_back(big.right.descriptions[i]);
    fewer.counterparties.push_back(big.right.counterparties[i]);
  }
  auto weighed = reconcile(big.left, fewer, rules, {});
  ASSERT_TRUE(weighed.ok()) << weighed.error().message();
  EXPECT_FALSE(weighed->model);
  for (const FieldScore& s : weighed->scores) EXPECT_EQ(s.match_weight, 0.0);

  RuleSet fixed = rules;
  fixed.weights = WeightMode::kFixed;
  auto forced = reconcile(big.left, big.right, fixed, {});
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced->model);
}

TEST(ModelEstimation, LearnsTheSameModelWithAnyNumberOfThreads) {
  const Synthetic data = synthetic(5000, 11);
  RuleSet rules = four_rules();
  rules.weights = WeightMode::kLearn;
  ReconcileOptions one, four;
  one.threads = 1;
  four.threads = 4;
  auto a = reconcile(data.left, data.right, rules, one);
  auto b = reconcile(data.left, data.right, rules, four);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->model && b->model);
  EXPECT_EQ(json::serialize(model_to_json(*a->model)), json::serialize(model_to_json(*b->model)));
  ASSERT_EQ(a->groups.size(), b->groups.size());
  for (std::size_t g = 0; g < a->groups.size(); ++g)
    EXPECT_EQ(a->groups[g].confidence, b->groups[g].confidence);
}

TEST(ModelEstimation, ALearnedModelMatchesTheTruePairsAndExplainsEachWeight) {
  const Synthetic data = synthetic(3000, 3);
  RuleSet rules = four_rules();
  rules.weights = WeightMode::kLearn;
  auto result = reconcile(data.left, data.right, rules, {});
  ASSERT_TRUE(result.ok()) << result.error().message();
  ASSERT_TRUE(result->model);
  std::size_t right = 0, wrong = 0;
  for (const MatchGroup& g : result->groups) {
    if (g.status != MatchStatus::kMatched) continue;
    const std::string_view l = data.left.ids[result->left_of(g)[0]];
    const std::string_view r = data.right.ids[result->right_of(g)[0]];
    (l.substr(1) == r.substr(1) && r[1] != 'X' ? right : wrong)++;
  }
  EXPECT_GT(right, 2000u);  // of 2,400 true pairs
  EXPECT_LE(wrong, right / 200) << right;
  // Each explanation line names its level and the m and u behind its match weight.
  const MatchGroup& first = result->groups.front();
  for (const Explanation& line : explain(*result, first, data.left, data.right)) {
    ASSERT_TRUE(line.modelled);
    if (!line.present) {
      EXPECT_EQ(line.level, "absent");
      continue;
    }
    EXPECT_FALSE(line.level.empty());
    EXPECT_NEAR(line.match_weight, std::log2(line.m / line.u), 1e-9) << line.rule;
  }
}

}  // namespace
}  // namespace oeuvre::engine
