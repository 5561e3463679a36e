#pragma once
// RuleSet: how two sources are compared. Parsed from JSON with every mistake reported as a field
// error
// ("fields[2].weight: must be a number > 0"), or taken from default_rules(), which reconciles a
// bank statement against a ledger with no configuration.
//
// JSON shape (every key optional except "compare" and "field"/"left" of each field rule):
//   {
//     "confidence_threshold": 0.8,   // >= this: status "matched"
//     "review_threshold": 0.55,      // >= this (and below the former): status "suggested"
//     "max_group_size": 6,           // 1:N and N:1 groups hold at most this many records on the N
//     side "find_groups": true, "max_candidates_per_record": 8,
//     "batch_field": "batch_id", "match_batches": true,
//     "auto_confirm_tolerance_minor": 0, "auto_confirm_tolerance_percent": 0,
//     "ambiguity_margin": 0.05, "model": "auto|fixed|learn|{...}" (match_model.h), "fields": [
//       {"field": "amount", "compare": "amount", "weight": 0.4, "required": true,
//        "tolerance_minor": 500, "tolerance_percent": 3, "sign": "same|opposite|absolute"},
//       {"field": "date", "compare": "date", "weight": 0.2, "window_days": 7, "business_days":
//       false},
//       {"field": "date_of_birth", "compare": "date", "typos": true, "block": true},
//       {"left": "reference", "right": "memo", "compare": "text", "weight": 0.25,
//        "method": "best|reference|jaro_winkler|levenshtein|token_set", "min_similarity": 0.5,
//        "block": true},
//       {"field": "invoice", "compare": "exact", "block": true},
//       {"left": "reference", "right": "description", "compare": "contains"}
//     ]
//   }
// Field names: id, date, amount, currency, reference, description, counterparty, or an extra column
// of the records (matched case-insensitively).
//
// Rules need no amount rule and no date rule: customer, supplier or person records (names,
// addresses, birth dates, identifiers) reconcile on text rules alone, their candidates coming from
// the blocking rules (engine.md). A date rule may compare the record date or a text field (an extra
// column) holding year-first dates: yyyymmdd, yyyy-mm-dd, yyyy/mm/dd or yyyy.mm.dd (a time after
// them ignored); a text value written otherwise counts as empty. "typos": true (date rules only)
// tolerates the mistakes people make typing a date, a birth date above all: equal dates score 1;
// the day and month swapped (1987-03-05 against 1987-05-03), one digit wrong, or two neighbouring
// digits swapped score kDateTypoSimilarity (0.8) -- also when the mistake makes no calendar date
// (month 25) --; anything else the window rule as without it. "block": true on a date rule makes
// records with the same date candidates.
// Thread-safety: value types.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace oeuvre::engine {

enum class Comparator { kExact, kAmount, kDate, kText, kContains };
// kReference is meant for identifiers (invoice numbers, payment references): equal keys score 1, a
// truncated key found inside the other 0.9, one or two edits 0.9 / 0.8, anything else the fourth
// power of the Levenshtein ratio, so "INV-2025-100584" and "INV-2025-104148" do not look alike just
// because they share a prefix.
enum class TextMethod { kBest, kJaroWinkler, kLevenshtein, kTokenSet, kReference };
enum class SignMode { kSame, kOpposite, kAbsolute };
// How the rules' evidence is combined into a confidence: kFixed, the weighted mean of the rules'
// similarities by their hand-set weights; kLearn, a Fellegi–Sunter model estimated from the
// records being reconciled (model_estimation.h); kModel, the Fellegi–Sunter model given; kAuto
// (the default), kLearn when both sides hold at least kLearnMinRecords records (enough for the
// estimates to have something to count), else kFixed.
enum class WeightMode { kAuto, kFixed, kLearn, kModel };
inline constexpr std::size_t kLearnMinRecords = 2000;
struct MatchModel;  // match_model.h

std::string_view comparator_name(Comparator comparator);
std::string_view text_method_name(TextMethod method);

// One comparison between a field of the left records and a field of the right records.
struct FieldRule {
  std::string name;  // label in explanations; defaults to the left field name
  std::string left_field;
  std::string right_field;
  Comparator comparator = Comparator::kExact;
  double weight = 1.0;
  // A pair whose similarity on this rule is 0 (outside tolerance / window) is never matched.
  bool required = false;
  // exact/text/contains/date: records whose normalised values are equal become candidates.
  bool blocking = false;
  // amount: tolerated difference = max(tolerance_minor, tolerance_percent% of the larger amount).
  std::int64_t tolerance_minor = 0;
  double tolerance_percent = 0;
  SignMode sign = SignMode::kSame;
  // date: tolerated distance in days (or Monday-Friday days when business_days).
  int window_days = 0;
  bool business_days = false;
  // date: a swapped day and month, one wrong digit or two neighbouring digits swapped score
  // kDateTypoSimilarity instead of 0 (header comment).
  bool typos = false;
  // text: similarity measure, and the level below which the similarity counts as 0.
  TextMethod method = TextMethod::kBest;
  double min_similarity = 0;
  // text (reference method) and exact: a field of both sides to look in when a side's value is
  // empty. The other side's key (at least kMinFallbackKey characters) written anywhere in it, as
  // normalised keys compare, counts as equal (an invoice number in a payment's description);
  // otherwise the rule stays absent. Ignored on a side without that field.
  std::string fallback_field;
};

// The shortest key a fallback field is searched for: shorter ones occur in text by chance.
inline constexpr std::size_t kMinFallbackKey = 6;

struct RuleSet {
  std::vector<FieldRule> fields;
  double confidence_threshold = 0.8;
  double review_threshold = 0.55;
  int max_group_size = 6;
  bool find_groups = true;
  // Let a group's sum differ from its target by up to the amount rule's tolerance_minor (one fee
  // deducted from a split payment). Off by default: exact sums are the strong evidence.
  bool group_tolerance = false;
  int max_candidates_per_record = 8;
  // Declared batches: records of one side that share a value of this extra field (a bank's batch
  // booking, a payment processor's payout id) are one line on their own statement. Together they
  // match one record of the other side whose amount is their sum (reconciler.h, pass 2), whatever
  // their size. Off with match_batches false.
  std::string batch_field = "batch_id";
  bool match_batches = true;
  // An amount difference is auto-confirmed (status matched) only up to max(minor, percent% of the
  // larger side); beyond it, within the amount rule's wider tolerance, the group is at most
  // suggested. Default none: only exact sums are matched without a person looking.
  std::int64_t auto_confirm_tolerance_minor = 0;
  double auto_confirm_tolerance_percent = 0;
  // A group is matched only when it beats every competing explanation of its records (another
  // pair or subset for one of them that is not itself clearly better explained elsewhere) by at
  // least this much support (the evidence over all rules, group_holds.cpp); otherwise it is
  // suggested and carries those alternatives.
  double ambiguity_margin = 0.05;
  // Offsets within one side: a record and its reversal (amounts exactly opposite, dates at most
  // offset_window_days apart, agreeing on the text rules: the same counterparty or reference) form
  // an `offset` group on their side and are never matched to the other side (offsets.cpp).
  bool find_offsets = true;
  int offset_window_days = 14;
  // N:1 groups (several left records for one right record: the instalments of one invoice) may
  // spread their parts from the date rule's window before the right record to this many days
  // after it; a part beyond the date rule's window scores lower on the date the later it is
  // (group_search.cpp). 0 keeps them in the date rule's window, as 1:N groups always are.
  int partial_window_days = 30;
  // JSON "model": absent or "auto" (kAuto), "fixed" (kFixed), "learn" (kLearn) or a model object
  // (kModel, with `model` set; match_model.h).
  WeightMode weights = WeightMode::kAuto;
  std::shared_ptr<const MatchModel> model;
  // With a model object: when the model has no levels for a rule these records apply (its column
  // was empty when the model was learned, and holds values now), a new model is learned from them
  // instead of the reconciliation being refused. A job that learned its model stores it with this
  // set, so that running it again after its data gained a column learns anew (JSON
  // "learn_when_unfit"; only with a model object).
  bool learn_when_unfit = false;
};

// Limits that keep the search bounded whatever the rules say.
inline constexpr int kMaxGroupSize = 6;
inline constexpr int kMaxCandidatesPerRecord = 64;
inline constexpr int kMaxWindowDays = 366;
inline constexpr std::size_t kMaxFieldRules = 64;
// The similarity of two dates a typo apart under a date rule with typos (header comment).
inline constexpr double kDateTypoSimilarity = 0.8;
// Competing explanations kept with a group (MatchGroup's alternatives).
inline constexpr std::size_t kMaxAlternatives = 3;

// A rule over identifiers (blocking, exact, or text by the reference method): two records whose
// values it finds apart quote different things.
inline bool is_key_rule(const FieldRule& rule) {
  return rule.blocking || rule.comparator == Comparator::kExact ||
         (rule.comparator == Comparator::kText && rule.method == TextMethod::kReference);
}

// The rules used when none are given: amount (required, 5.00 or 3%), date (required, 7 days),
// reference (text, reference method, blocking), description (token set), counterparty (text). Rules
// over a field that a source lacks are dropped when the rules are bound to the records.
RuleSet default_rules();

// Parses and validates rules JSON. Errors: kValidation with one FieldError per problem, the field
// being a path such as "fields[1].window_days" ("rules" for a syntax error).
Result<RuleSet> parse_rules(std::string_view json);
// The same for rules already parsed as JSON (a request body's "rules"); errors as parse_rules.
Result<RuleSet> rules_from_json(const boost::json::value& root);

// Validates a RuleSet built in code (parse_rules calls it too).
Status validate_rules(const RuleSet& rules);

// The rules as JSON (parse_rules(to_json(r)) gives back r).
std::string rules_to_json(const RuleSet& rules);

}  // namespace oeuvre::engine
