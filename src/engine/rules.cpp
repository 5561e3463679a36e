#include "engine/rules.h"

#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "engine/match_model.h"
#include "engine/record_table.h"

namespace oeuvre::engine {
namespace json = boost::json;

std::string_view comparator_name(Comparator comparator) {
  switch (comparator) {
    case Comparator::kExact:
      return "exact";
    case Comparator::kAmount:
      return "amount";
    case Comparator::kDate:
      return "date";
    case Comparator::kText:
      return "text";
    case Comparator::kContains:
      return "contains";
  }
  return "exact";
}

std::string_view text_method_name(TextMethod method) {
  switch (method) {
    case TextMethod::kBest:
      return "best";
    case TextMethod::kJaroWinkler:
      return "jaro_winkler";
    case TextMethod::kLevenshtein:
      return "levenshtein";
    case TextMethod::kTokenSet:
      return "token_set";
    case TextMethod::kReference:
      return "reference";
  }
  return "best";
}

namespace {

std::string_view sign_name(SignMode sign) {
  switch (sign) {
    case SignMode::kSame:
      return "same";
    case SignMode::kOpposite:
      return "opposite";
    case SignMode::kAbsolute:
      return "absolute";
  }
  return "same";
}

FieldRule make_rule(std::string field, Comparator comparator, double weight) {
  FieldRule rule;
  rule.name = field;
  rule.left_field = field;
  rule.right_field = std::move(field);
  rule.comparator = comparator;
  rule.weight = weight;
  return rule;
}

// Collects field errors while reading one JSON object.
class ObjectReader {
 public:
  ObjectReader(const json::object& object, std::string path, std::vector<FieldError>& errors)
      : object_(object), path_(std::move(path)), errors_(errors) {}

  void reject_unknown(std::initializer_list<std::string_view> known) {
    for (const auto& entry : object_) {
      bool found = false;
      for (std::string_view k : known) found = found || entry.key() == k;
      if (!found) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        error(std::string(entry.key()), "unknown key (expected one of: " + list + ")");
      }
    }
  }

  const json::value* find(std::string_view key) const { return object_.if_contains(key); }

  void number(std::string_view key, double& out, double min, double max, bool min_exclusive) {
    const json::value* v = find(key);
    if (v == nullptr) return;
    if (!v->is_number()) {
      error(key, "must be a number");
      return;
    }
    double d = v->to_number<double>();
    bool below = min_exclusive ? d <= min : d < min;
    if (!std::isfinite(d) || below || d > max) {
      error(key, "must be a number " + std::string(min_exclusive ? "> " : ">= ") + format(min) +
                     " and <= " + format(max));
      return;
    }
    out = d;
  }

  template <class Int>
  void integer(std::string_view key, Int& out, std::int64_t min, std::int64_t max) {
    const json::value* v = find(key);
    if (v == nullptr) return;
    std::int64_t i = 0;
    if (v->is_int64()) {
      i = v->as_int64();
    } else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(max)) {
      i = static_cast<std::int64_t>(v->as_uint64());
    } else if (v->is_double() && std::floor(v->as_double()) == v->as_double() &&
               std::fabs(v->as_double()) < 1e15) {
      i = static_cast<std::int64_t>(v->as_double());
    } else {
      error(key, "must be a whole number between " + std::to_string(min) + " and " +
                     std::to_string(max));
      return;
    }
    if (i < min || i > max) {
      error(key, "must be a whole number between " + std::to_string(min) + " and " +
                     std::to_string(max));
      return;
    }
    out = static_cast<Int>(i);
  }

  void boolean(std::string_view key, bool& out) {
    const json::value* v = find(key);
    if (v == nullptr) return;
    if (!v->is_bool()) {
      error(key, "must be true or false");
      return;
    }
    out = v->as_bool();
  }

  bool string(std::string_view key, std::string& out) {
    const json::value* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 200) {
      error(key, "must be a non-empty string of at most 200 characters");
      return false;
    }
    out = std::string(v->as_string());
    return true;
  }

  void error(std::string_view key, std::string message) {
    errors_.push_back(
        {path_.empty() ? std::string(key) : path_ + "." + std::string(key), std::move(message)});
  }

 private:
  static std::string format(double d) {
    std::string s = std::to_string(d);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

  const json::object& object_;
  std::string path_;
  std::vector<FieldError>& errors_;
};

void read_field_rule(const json::object& object, const std::string& path, FieldRule& rule,
                     std::vector<FieldError>& errors) {
  ObjectReader in(object, path, errors);
  in.reject_unknown({"name", "field", "left", "right", "compare", "weight", "required", "block",
                     "tolerance_minor", "tolerance_percent", "sign", "window_days", "business_days",
                     "typos", "method", "min_similarity", "fallback"});
  std::string compare;
  if (!in.string("compare", compare)) {
    if (in.find("compare") == nullptr) {
      in.error("compare", "is required: one of exact, amount, date, text, contains");
    }
  } else if (compare == "exact") {
    rule.comparator = Comparator::kExact;
  } else if (compare == "amount") {
    rule.comparator = Comparator::kAmount;
  } else if (compare == "date") {
    rule.comparator = Comparator::kDate;
  } else if (compare == "text") {
    rule.comparator = Comparator::kText;
  } else if (compare == "contains") {
    rule.comparator = Comparator::kContains;
  } else {
    in.error("compare", "unknown comparator '" + compare +
                            "' (expected one of: exact, amount, date, text, contains)");
  }
  std::string field;
  bool has_field = in.string("field", field);
  bool has_left = in.string("left", rule.left_field);
  bool has_right = in.string("right", rule.right_field);
  if (has_field) {
    if (!has_left) rule.left_field = field;
    if (!has_right) rule.right_field = field;
  } else if (has_left && !has_right) {
    rule.right_field = rule.left_field;
  } else if (!has_left && in.find("field") == nullptr && in.find("left") == nullptr) {
    in.error("field", "is required (or \"left\" and \"right\")");
  }
  if (!in.string("name", rule.name)) rule.name = rule.left_field;
  in.number("weight", rule.weight, 0, 1000, true);
  in.boolean("required", rule.required);
  in.boolean("block", rule.blocking);
  in.integer("tolerance_minor", rule.tolerance_minor, 0, 1'000'000'000'000'000);
  in.number("tolerance_percent", rule.tolerance_percent, 0, 100, false);
  in.integer("window_days", rule.window_days, 0, kMaxWindowDays);
  in.boolean("business_days", rule.business_days);
  in.boolean("typos", rule.typos);
  in.number("min_similarity", rule.min_similarity, 0, 1, false);
  in.string("fallback", rule.fallback_field);
  std::string sign;
  if (in.string("sign", sign)) {
    if (sign == "same") {
      rule.sign = SignMode::kSame;
    } else if (sign == "opposite") {
      rule.sign = SignMode::kOpposite;
    } else if (sign == "absolute") {
      rule.sign = SignMode::kAbsolute;
    } else {
      in.error("sign", "must be one of: same, opposite, absolute");
    }
  }
  std::string method;
  if (in.string("method", method)) {
    if (method == "best") {
      rule.method = TextMethod::kBest;
    } else if (method == "jaro_winkler") {
      rule.method = TextMethod::kJaroWinkler;
    } else if (method == "levenshtein") {
      rule.method = TextMethod::kLevenshtein;
    } else if (method == "token_set") {
      rule.method = TextMethod::kTokenSet;
    } else if (method == "reference") {
      rule.method = TextMethod::kReference;
    } else {
      in.error("method", "must be one of: best, reference, jaro_winkler, levenshtein, token_set");
    }
  }
  // Keys that mean nothing for this comparator are mistakes worth reporting.
  auto only_for = [&](std::string_view key, std::initializer_list<Comparator> allowed) {
    if (in.find(key) == nullptr) return;
    for (Comparator c : allowed) {
      if (c == rule.comparator) return;
    }
    in.error(key,
             "does not apply to compare '" + std::string(comparator_name(rule.comparator)) + "'");
  };
  if (!compare.empty()) {
    only_for("tolerance_minor", {Comparator::kAmount});
    only_for("tolerance_percent", {Comparator::kAmount});
    only_for("sign", {Comparator::kAmount});
    only_for("window_days", {Comparator::kDate});
    only_for("business_days", {Comparator::kDate});
    only_for("typos", {Comparator::kDate});
    only_for("method", {Comparator::kText});
    only_for("min_similarity", {Comparator::kText});
    only_for("block",
             {Comparator::kExact, Comparator::kText, Comparator::kContains, Comparator::kDate});
    only_for("fallback", {Comparator::kExact, Comparator::kText});
    if (in.find("fallback") != nullptr) {
      if (rule.fallback_field.empty() || rule.fallback_field.size() > 200) {
        in.error("fallback", "must be a field name (1 to 200 characters)");
      } else if (rule.comparator == Comparator::kText && rule.method != TextMethod::kReference) {
        in.error("fallback", "applies to the reference method only");
      }
    }
  }
}

void collect_rule_set_errors(const RuleSet& rules, std::vector<FieldError>& errors) {
  if (rules.review_threshold > rules.confidence_threshold) {
    errors.push_back({"review_threshold", "must not be above confidence_threshold"});
  }
  if (rules.confidence_threshold <= 0 || rules.confidence_threshold > 1) {
    errors.push_back({"confidence_threshold", "must be > 0 and <= 1"});
  }
  if (rules.review_threshold <= 0 || rules.review_threshold > 1) {
    errors.push_back({"review_threshold", "must be > 0 and <= 1"});
  }
  if (rules.max_group_size < 1 || rules.max_group_size > kMaxGroupSize) {
    errors.push_back({"max_group_size", "must be between 1 and " + std::to_string(kMaxGroupSize)});
  }
  if (rules.max_candidates_per_record < 1 ||
      rules.max_candidates_per_record > kMaxCandidatesPerRecord) {
    errors.push_back({"max_candidates_per_record",
                      "must be between 1 and " + std::to_string(kMaxCandidatesPerRecord)});
  }
  if (rules.auto_confirm_tolerance_minor < 0)
    errors.push_back({"auto_confirm_tolerance_minor", "must be >= 0"});
  if (!(rules.auto_confirm_tolerance_percent >= 0) || rules.auto_confirm_tolerance_percent > 100)
    errors.push_back({"auto_confirm_tolerance_percent", "must be between 0 and 100"});
  if (!(rules.ambiguity_margin >= 0) || rules.ambiguity_margin > 1)
    errors.push_back({"ambiguity_margin", "must be between 0 and 1"});
  if (rules.offset_window_days < 0 || rules.offset_window_days > kMaxWindowDays) {
    errors.push_back(
        {"offset_window_days", "must be between 0 and " + std::to_string(kMaxWindowDays)});
  }
  if (rules.partial_window_days < 0 || rules.partial_window_days > kMaxWindowDays) {
    errors.push_back(
        {"partial_window_days", "must be between 0 and " + std::to_string(kMaxWindowDays)});
  }
  if (rules.batch_field.empty() || rules.batch_field.size() > 200) {
    errors.push_back({"batch_field", "must be a non-empty string of at most 200 characters"});
  } else if (is_standard_field(rules.batch_field)) {
    errors.push_back({"batch_field",
                      "must name an extra field of the records (such as \"batch_id\"), "
                      "not the standard field '" +
                          rules.batch_field + "'"});
  }
  if (rules.fields.empty()) {
    errors.push_back({"fields", "must hold at least one field rule"});
    return;
  }
  if (rules.fields.size() > kMaxFieldRules) {
    errors.push_back({"fields", "must hold at most " + std::to_string(kMaxFieldRules) + " rules"});
  }
  bool can_generate_candidates = false;
  std::set<std::string> names;
  for (std::size_t i = 0; i < rules.fields.size(); ++i) {
    const FieldRule& rule = rules.fields[i];
    std::string path = "fields[" + std::to_string(i) + "]";
    if (rule.comparator == Comparator::kAmount) can_generate_candidates = true;
    if (rule.blocking) can_generate_candidates = true;
    if (!(rule.weight > 0) || rule.weight > 1000)
      errors.push_back({path + ".weight", "must be > 0 and <= 1000"});
    if (!names.insert(rule.name).second) {
      errors.push_back(
          {path + ".name", "'" + rule.name + "' is used by two rules; give one a \"name\""});
    }
    if (rule.comparator == Comparator::kDate && rule.window_days > kMaxWindowDays) {
      errors.push_back(
          {path + ".window_days", "must be at most " + std::to_string(kMaxWindowDays)});
    }
    if (rule.tolerance_minor < 0) errors.push_back({path + ".tolerance_minor", "must be >= 0"});
    if (rule.tolerance_percent < 0 || rule.tolerance_percent > 100) {
      errors.push_back({path + ".tolerance_percent", "must be between 0 and 100"});
    }
    if (rule.comparator == Comparator::kAmount && rule.blocking) {
      errors.push_back(
          {path + ".block", "amount rules always generate candidates; remove \"block\""});
    }
  }
  if (!can_generate_candidates) {
    errors.push_back({"fields",
                      "need an 'amount' rule or a rule with \"block\": true, so candidates "
                      "can be found without comparing every pair"});
  }
}

}  // namespace

RuleSet default_rules() {
  RuleSet rules;
  FieldRule amount = make_rule("amount", Comparator::kAmount, 0.35);
  amount.required = true;
  amount.tolerance_minor = 500;
  amount.tolerance_percent = 3;
  FieldRule date = make_rule("date", Comparator::kDate, 0.15);
  date.required = true;
  date.window_days = 7;
  FieldRule reference = make_rule("reference", Comparator::kText, 0.25);
  reference.method = TextMethod::kReference;
  reference.blocking = true;
  // A payment without a reference often quotes the invoice number in its description.
  reference.fallback_field = "description";
  // Unrelated texts still score 0.3-0.5 on these measures; below the floor they count as no
  // likeness.
  FieldRule description = make_rule("description", Comparator::kText, 0.15);
  description.method = TextMethod::kTokenSet;
  description.min_similarity = 0.5;
  FieldRule counterparty = make_rule("counterparty", Comparator::kText, 0.10);
  counterparty.method = TextMethod::kBest;
  counterparty.min_similarity = 0.6;
  rules.fields = {amount, date, reference, description, counterparty};
  return rules;
}

Status validate_rules(const RuleSet& rules) {
  std::vector<FieldError> errors;
  collect_rule_set_errors(rules, errors);
  if (!errors.empty()) return Error::Validation(std::move(errors));
  return OkStatus();
}

Result<RuleSet> parse_rules(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  json::value root = json::parse(text, ec, {}, options);
  if (ec) return Error::Validation("rules", "is not valid JSON: " + ec.message());
  return rules_from_json(root);
}

Result<RuleSet> rules_from_json(const json::value& root) {
  if (!root.is_object()) return Error::Validation("rules", "must be a JSON object");
  std::vector<FieldError> errors;
  RuleSet rules = default_rules();
  ObjectReader in(root.as_object(), "", errors);
  in.reject_unknown({"confidence_threshold", "review_threshold", "max_group_size", "find_groups",
                     "group_tolerance", "max_candidates_per_record", "batch_field", "match_batches",
                     "auto_confirm_tolerance_minor", "auto_confirm_tolerance_percent",
                     "ambiguity_margin", "find_offsets", "offset_window_days",
                     "partial_window_days", "model", "learn_when_unfit", "fields"});
  in.number("confidence_threshold", rules.confidence_threshold, 0, 1, true);
  in.number("review_threshold", rules.review_threshold, 0, 1, true);
  in.integer("max_group_size", rules.max_group_size, 1, kMaxGroupSize);
  in.boolean("find_groups", rules.find_groups);
  in.boolean("group_tolerance", rules.group_tolerance);
  in.integer("max_candidates_per_record", rules.max_candidates_per_record, 1,
             kMaxCandidatesPerRecord);
  in.string("batch_field", rules.batch_field);
  in.boolean("match_batches", rules.match_batches);
  in.integer("auto_confirm_tolerance_minor", rules.auto_confirm_tolerance_minor, 0,
             1'000'000'000'000'000);
  in.number("auto_confirm_tolerance_percent", rules.auto_confirm_tolerance_percent, 0, 100, false);
  in.number("ambiguity_margin", rules.ambiguity_margin, 0, 1, false);
  in.boolean("find_offsets", rules.find_offsets);
  in.integer("offset_window_days", rules.offset_window_days, 0, kMaxWindowDays);
  in.integer("partial_window_days", rules.partial_window_days, 0, kMaxWindowDays);
  if (const json::value* model = in.find("model")) {
    if (model->is_string() && model->as_string() == "auto") {
      rules.weights = WeightMode::kAuto;
    } else if (model->is_string() && model->as_string() == "fixed") {
      rules.weights = WeightMode::kFixed;
    } else if (model->is_string() && model->as_string() == "learn") {
      rules.weights = WeightMode::kLearn;
    } else if (model->is_object()) {
      auto read = model_from_json(*model, "model");
      if (read.ok()) {
        rules.weights = WeightMode::kModel;
        rules.model = std::make_shared<const MatchModel>(std::move(read).value());
      } else {
        for (const FieldError& e : read.error().field_errors()) errors.push_back(e);
      }
    } else {
      in.error("model",
               "must be \"auto\", \"fixed\", \"learn\" or a model object (match "
               "weights per rule and level)");
    }
  }
  in.boolean("learn_when_unfit", rules.learn_when_unfit);
  if (rules.learn_when_unfit && !(in.find("model") && in.find("model")->is_object()))
    in.error("learn_when_unfit", "goes only with a model object in \"model\"");
  if (const json::value* fields = in.find("fields")) {
    if (!fields->is_array()) {
      in.error("fields", "must be an array of field rules");
    } else if (fields->as_array().size() > kMaxFieldRules) {
      in.error("fields", "must hold at most " + std::to_string(kMaxFieldRules) + " rules");
    } else {
      rules.fields.clear();
      const json::array& array = fields->as_array();
      for (std::size_t i = 0; i < array.size(); ++i) {
        std::string path = "fields[" + std::to_string(i) + "]";
        if (!array[i].is_object()) {
          errors.push_back({path, "must be an object"});
          continue;
        }
        FieldRule rule;
        read_field_rule(array[i].as_object(), path, rule, errors);
        rules.fields.push_back(std::move(rule));
      }
    }
  }
  if (errors.empty()) collect_rule_set_errors(rules, errors);
  if (errors.empty() && rules.model) {
    if (Status fits = check_model_fits(*rules.model, rules); !fits.ok())
      for (const FieldError& e : fits.error().field_errors()) errors.push_back(e);
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));
  return rules;
}

std::string rules_to_json(const RuleSet& rules) {
  json::object root;
  root["confidence_threshold"] = rules.confidence_threshold;
  root["review_threshold"] = rules.review_threshold;
  root["max_group_size"] = rules.max_group_size;
  root["find_groups"] = rules.find_groups;
  root["group_tolerance"] = rules.group_tolerance;
  root["max_candidates_per_record"] = rules.max_candidates_per_record;
  root["batch_field"] = rules.batch_field;
  root["match_batches"] = rules.match_batches;
  root["auto_confirm_tolerance_minor"] = rules.auto_confirm_tolerance_minor;
  root["auto_confirm_tolerance_percent"] = rules.auto_confirm_tolerance_percent;
  root["ambiguity_margin"] = rules.ambiguity_margin;
  root["find_offsets"] = rules.find_offsets;
  root["offset_window_days"] = rules.offset_window_days;
  root["partial_window_days"] = rules.partial_window_days;
  if (rules.weights == WeightMode::kFixed) root["model"] = "fixed";
  if (rules.weights == WeightMode::kLearn) root["model"] = "learn";
  if (rules.weights == WeightMode::kModel && rules.model) {
    root["model"] = model_to_json(*rules.model);
    if (rules.learn_when_unfit) root["learn_when_unfit"] = true;
  }
  json::array fields;
  for (const FieldRule& rule : rules.fields) {
    json::object f;
    f["name"] = rule.name;
    f["left"] = rule.left_field;
    f["right"] = rule.right_field;
    f["compare"] = comparator_name(rule.comparator);
    f["weight"] = rule.weight;
    f["required"] = rule.required;
    switch (rule.comparator) {
      case Comparator::kAmount:
        f["tolerance_minor"] = rule.tolerance_minor;
        f["tolerance_percent"] = rule.tolerance_percent;
        f["sign"] = sign_name(rule.sign);
        break;
      case Comparator::kDate:
        f["window_days"] = rule.window_days;
        f["business_days"] = rule.business_days;
        f["typos"] = rule.typos;
        f["block"] = rule.blocking;
        break;
      case Comparator::kText:
        f["method"] = text_method_name(rule.method);
        f["min_similarity"] = rule.min_similarity;
        f["block"] = rule.blocking;
        break;
      case Comparator::kExact:
      case Comparator::kContains:
        f["block"] = rule.blocking;
        break;
    }
    if (!rule.fallback_field.empty()) f["fallback"] = rule.fallback_field;
    fields.push_back(std::move(f));
  }
  root["fields"] = std::move(fields);
  return json::serialize(root);
}

}  // namespace oeuvre::engine
