#include "engine/match_model.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <set>

namespace oeuvre::engine {
namespace json = boost::json;

const RuleModel* MatchModel::find(std::string_view rule) const {
  for (const RuleModel& r : rules) {
    if (r.rule == rule) return &r;
  }
  return nullptr;
}

std::vector<ModelLevel> default_levels(const FieldRule& rule) {
  // Bounds follow each comparator's similarity scale (pair_scorer.cpp, amount_similarity.cpp).
  switch (rule.comparator) {
    case Comparator::kAmount:
      // 1 when equal, 1 - 0.8 x (difference / tolerance) within the tolerance, 0 beyond it.
      return {{"exact", 1.0},
              {"within half the tolerance", 0.6},
              {"within tolerance", 1e-9},
              {"beyond tolerance", 0}};
    case Comparator::kDate: {
      // 1 on the same day, 1 - 0.5 x (days / window) within the window, 0 beyond it: a day's
      // similarity depends on the window, so the bounds do too (a hair below each day's value).
      std::vector<ModelLevel> levels{{"same day", 1.0}};
      // A birth date (no window) whose digits a typo changed: a level of its own.
      if (rule.typos && rule.window_days == 0)
        levels.push_back({"a typo apart", kDateTypoSimilarity - 1e-9});
      const double window = rule.window_days;
      auto within = [&](int days) { return 1.0 - 0.5 * days / window - 1e-9; };
      if (rule.window_days > 1 && !rule.business_days) levels.push_back({"1 day apart", within(1)});
      if (rule.window_days > 3 && !rule.business_days)
        levels.push_back({"2-3 days apart", within(3)});
      if (rule.window_days > 0) levels.push_back({"within the window", 1e-9});
      levels.push_back({"beyond the window", 0});
      return levels;
    }
    case Comparator::kExact:
    case Comparator::kContains:
      return {{"equal", 1.0}, {"different", 0}};
    case Comparator::kText:
      if (rule.method == TextMethod::kTokenSet)
        return {{"equal", 0.999}, {"very close", 0.88}, {"different", 0}};
      // The reference method gives 0.9 for one edit and 0.8 for two; Jaro–Winkler and the
      // token-set ratio give names with a typo about 0.9 and unrelated words under 0.7.
      return {
          {"equal", 0.999}, {"one edit or very close", 0.88}, {"similar", 0.7}, {"different", 0}};
  }
  return {{"different", 0}};
}

std::size_t level_of(const std::vector<ModelLevel>& levels, double similarity) {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (similarity >= levels[i].min_similarity) return i;
  }
  return levels.empty() ? 0 : levels.size() - 1;
}

double level_weight(const ModelLevel& level) { return std::log2(level.m / level.u); }

double prior_weight(double prior) { return std::log2(prior / (1.0 - prior)); }

double weight_to_probability(double weight) { return 1.0 / (1.0 + std::exp2(-weight)); }

namespace {

bool is_probability(const json::value* v) {
  if (v == nullptr || !v->is_number()) return false;
  const double d = v->to_number<double>();
  return std::isfinite(d) && d > 0 && d < 1;
}

}  // namespace

Result<MatchModel> model_from_json(const json::value& value, const std::string& path) {
  std::vector<FieldError> errors;
  const json::object* root = value.if_object();
  if (root == nullptr)
    return Error::Validation(path, "must be \"learn\", \"fixed\" or a model object");
  MatchModel model;
  for (const auto& entry : *root) {
    if (entry.key() != "prior" && entry.key() != "rules" && entry.key() != "estimate")
      errors.push_back({path + "." + std::string(entry.key()),
                        "unknown key (expected one of: prior, rules, estimate)"});
  }
  const json::value* prior = root->if_contains("prior");
  if (!is_probability(prior)) {
    errors.push_back({path + ".prior", "must be a number > 0 and < 1"});
  } else {
    model.prior = prior->to_number<double>();
  }
  // How it was estimated: kept as read (for the record), whatever its numbers.
  if (const json::object* estimate =
          root->contains("estimate") ? root->at("estimate").if_object() : nullptr) {
    auto count = [&](const char* key) -> std::uint64_t {
      const json::value* v = estimate->if_contains(key);
      return v != nullptr && v->is_uint64() ? v->as_uint64()
             : v != nullptr && v->is_int64() && v->as_int64() >= 0
                 ? static_cast<std::uint64_t>(v->as_int64())
                 : 0;
    };
    model.estimate.u_pairs = count("u_pairs");
    model.estimate.em_pairs = count("em_pairs");
    model.estimate.em_sessions =
        static_cast<int>(std::min<std::uint64_t>(count("em_sessions"), 1000));
    model.estimate.em_iterations =
        static_cast<int>(std::min<std::uint64_t>(count("em_iterations"), 1'000'000));
  }
  const json::value* rules = root->if_contains("rules");
  if (rules == nullptr || !rules->is_array() || rules->as_array().empty() ||
      rules->as_array().size() > kMaxFieldRules) {
    errors.push_back({path + ".rules", "must be an array of 1 to " +
                                           std::to_string(kMaxFieldRules) + " rule models"});
    return Error::Validation(std::move(errors));
  }
  std::set<std::string> names;
  const json::array& array = rules->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string at = path + ".rules[" + std::to_string(i) + "]";
    const json::object* r = array[i].if_object();
    const json::value* name = r == nullptr ? nullptr : r->if_contains("rule");
    const json::value* levels = r == nullptr ? nullptr : r->if_contains("levels");
    if (name == nullptr || !name->is_string() || name->as_string().empty() ||
        name->as_string().size() > 200) {
      errors.push_back({at + ".rule", "must name a rule (a non-empty string)"});
      continue;
    }
    RuleModel rule_model;
    rule_model.rule = std::string(name->as_string());
    if (!names.insert(rule_model.rule).second)
      errors.push_back({at + ".rule", "'" + rule_model.rule + "' has two rule models"});
    if (levels == nullptr || !levels->is_array() || levels->as_array().empty() ||
        levels->as_array().size() > kMaxModelLevels) {
      errors.push_back({at + ".levels",
                        "must be an array of 1 to " + std::to_string(kMaxModelLevels) + " levels"});
      continue;
    }
    const json::array& list = levels->as_array();
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string level_path = at + ".levels[" + std::to_string(k) + "]";
      const json::object* l = list[k].if_object();
      if (l == nullptr) {
        errors.push_back({level_path, "must be an object with label, min_similarity, m and u"});
        continue;
      }
      ModelLevel level;
      if (const json::value* label = l->if_contains("label");
          label != nullptr && label->is_string() && label->as_string().size() <= 200) {
        level.label = std::string(label->as_string());
      }
      const json::value* bound = l->if_contains("min_similarity");
      if (bound == nullptr || !bound->is_number() || !(bound->to_number<double>() >= 0) ||
          bound->to_number<double>() > 1) {
        errors.push_back({level_path + ".min_similarity", "must be a number between 0 and 1"});
      } else {
        level.min_similarity = bound->to_number<double>();
      }
      for (const char* key : {"m", "u"}) {
        const json::value* p = l->if_contains(key);
        if (!is_probability(p)) {
          errors.push_back({level_path + "." + key, "must be a number > 0 and < 1"});
        } else {
          (key[0] == 'm' ? level.m : level.u) = p->to_number<double>();
        }
      }
      if (!rule_model.levels.empty() &&
          level.min_similarity >= rule_model.levels.back().min_similarity) {
        errors.push_back({level_path + ".min_similarity",
                          "must be below the level before it (levels go from the highest "
                          "similarity down)"});
      }
      rule_model.levels.push_back(std::move(level));
    }
    if (!rule_model.levels.empty() && rule_model.levels.back().min_similarity != 0) {
      errors.push_back({at + ".levels",
                        "the last level must have min_similarity 0 (it takes "
                        "every similarity below the others)"});
    }
    model.rules.push_back(std::move(rule_model));
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));
  return model;
}

json::object model_to_json(const MatchModel& model) {
  json::object root;
  root["prior"] = model.prior;
  json::array rules;
  for (const RuleModel& r : model.rules) {
    json::array levels;
    for (const ModelLevel& l : r.levels) {
      levels.push_back(json::object{
          {"label", l.label}, {"min_similarity", l.min_similarity}, {"m", l.m}, {"u", l.u}});
    }
    rules.push_back(json::object{{"rule", r.rule}, {"levels", std::move(levels)}});
  }
  root["rules"] = std::move(rules);
  root["estimate"] = json::object{{"u_pairs", model.estimate.u_pairs},
                                  {"em_pairs", model.estimate.em_pairs},
                                  {"em_sessions", model.estimate.em_sessions},
                                  {"em_iterations", model.estimate.em_iterations}};
  return root;
}

Status check_model_fits(const MatchModel& model, const RuleSet& rules) {
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < model.rules.size(); ++i) {
    const std::string& name = model.rules[i].rule;
    const bool known = std::any_of(rules.fields.begin(), rules.fields.end(),
                                   [&](const FieldRule& f) { return f.name == name; });
    if (!known) {
      errors.push_back({"model.rules[" + std::to_string(i) + "].rule",
                        "no rule is named '" + name +
                            "' (a model belongs to the rules it was "
                            "estimated for)"});
    }
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));
  return OkStatus();
}

}  // namespace oeuvre::engine
