#pragma once
// PairScorer: rules bound to two RecordTables, with every text value normalised once up front,
// scoring a left-right pair (or a 1:N / N:1 group) into a confidence and per-rule FieldScores.
// Where it lives: create() in rule_binding.cpp, the amount comparison in amount_similarity.h, the
// other comparisons and the scoring in pair_scorer.cpp; field values for explanations are rendered
// by FieldValueRenderer (field_value_renderer.h).
// Thread-safety: after construction, const methods are safe for concurrent use.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "engine/date_similarity.h"
#include "engine/key_hash.h"
#include "engine/match_model.h"
#include "engine/match_result.h"
#include "engine/record_fields.h"
#include "engine/record_table.h"
#include "engine/rules.h"

namespace oeuvre::engine {

// Text values longer than this many bytes are compared on their first kMaxComparedBytes (cut at a
// code-point boundary), which bounds the cost of one comparison on hostile input.
inline constexpr std::size_t kMaxComparedBytes = 256;

// The record a 1:N or N:1 group's parts add up to (none: index UINT32_MAX). With a model, an
// exact sum counts as the pair agreeing on the target's amount (its value's frequency).
struct GroupTarget {
  bool left_side = true;
  std::uint32_t index = UINT32_MAX;
};

// Every record's equality_key for each rule, sorted by key (then record), one vector per rule and
// side (a record without a value is left out): what a model's estimation and its value
// frequencies both count from, built once.
struct ValueKeys {
  std::vector<std::vector<KeyEntry>> left, right;
};

class PairScorer {
 public:
  // Binds `rules` to the tables and prepares normalised values using up to `threads` threads.
  // Rules over a field one side lacks are dropped (a present-but-empty value is kept and treated as
  // absent per record). Fails with kValidation when a field is unknown, a comparator does not fit
  // its field (amount on text, date on amount, ...), or no rule is left that can generate
  // candidates. REQUIRES: the tables outlive the scorer.
  static Result<PairScorer> create(const RecordTable& left, const RecordTable& right,
                                   const RuleSet& rules, int threads);

  // Scores with a Fellegi–Sunter model instead of the rules' weights from now on. Fails with
  // kValidation when an applied rule has no levels in the model. `keys` (value_keys()) saves
  // building them again for the frequencies of values.
  Status use_model(std::shared_ptr<const MatchModel> model, const ValueKeys* keys = nullptr,
                   int threads = 1);
  // True when `model` has levels for every applied rule (use_model would take it).
  bool model_fits(const MatchModel& model) const;
  // The sorted equality keys of every rule, built with up to `threads` threads.
  ValueKeys value_keys(int threads) const;
  const std::shared_ptr<const MatchModel>& model() const { return model_; }
  // log2(prior / (1 - prior)) of the model in use (0 without one).
  double model_prior_weight() const { return model_weights_.prior_weight; }

  const std::vector<AppliedRule>& applied_rules() const { return applied_; }
  // A text rule other than a key (reference) rule was dropped because a side lacks its column (a
  // bank export without a counterparty column): no name can speak for a group's parts.
  bool name_rule_dropped() const { return name_rule_dropped_; }
  std::size_t rule_count() const { return bound_.size(); }

  // The first amount rule and date rule, used for candidate generation (-1 when absent).
  int amount_rule() const { return amount_rule_; }
  int date_rule() const { return date_rule_; }
  // Rules with blocking on; their normalised keys (key(side, rule, i)) feed blocking.
  const std::vector<int>& blocking_rules() const { return blocking_rules_; }

  // Scores the pair (left l, right r). Returns the confidence in [0, 1], or -1 when a required rule
  // fails or no rule is present. When `out` is non-null it receives rule_count() FieldScores.
  double score_pair(std::uint32_t l, std::uint32_t r, FieldScore* out) const;

  // Scores a group: `lefts` x `rights` where one side has exactly one record. Amounts are summed;
  // dates take the worst pair; text rules average over the pairs where both values are present.
  double score_group(std::span<const std::uint32_t> lefts, std::span<const std::uint32_t> rights,
                     FieldScore* out) const;

  // Scores records a and b of one side as a record and its reversal (offsets.cpp): the amount rule
  // asks for amounts that cancel out exactly (and are not zero), the date rule for dates at most
  // `window_days` apart (similarity 1 down to 0.5 across the window), every other rule compares
  // the two records as it compares a pair. Returns the confidence, or -1 when the amounts do not
  // cancel, the dates lie too far apart or a required rule fails; `out` as for score_pair. Always
  // by the rules' weights, with or without a model.
  double score_offset(bool left_side, std::uint32_t a, std::uint32_t b, int window_days,
                      FieldScore* out) const;

  // Fills out[k] with the presence and similarity of every rule k for the pair (l, r), without
  // rejecting anything (contributions left 0). Used to score many groups over the same pairs.
  void rule_similarities(std::uint32_t l, std::uint32_t r, FieldScore* out) const;

  // How combine_group counts the rules other than amount and date over a group's pairs: their
  // mean (each part of a group found by its sum must resemble the target), or their best (a
  // declared batch, whose parts are known to belong together: one that resembles the target
  // speaks for the batch).
  enum class PartText { kMean, kBest };

  // The confidence of similarities already in out[0, rule_count()) (present, similarity), as
  // score_pair turns them into one but without the required rules' veto; fills in the
  // contributions and match weights.
  double confidence_of(FieldScore* out) const;

  // Combines per-pair similarities (from rule_similarities, one array of rule_count() per pair of
  // the group) into a group score like score_group: the amount rule compares left_sum with
  // right_sum, the date rule takes the worst pair.
  double combine_group(std::span<const FieldScore* const> pairs, std::int64_t left_sum,
                       std::int64_t right_sum, FieldScore* out, PartText text = PartText::kMean,
                       GroupTarget target = GroupTarget()) const;

  // The allowed difference between a group's sum and its target: the amount rule's absolute
  // tolerance only (a split payment may lose one fee, not a percentage).
  std::int64_t group_tolerance() const;

  // Similarity of the text rules only (weighted mean over present ones, 0 when none), used to rank
  // group parts.
  double text_affinity(std::uint32_t l, std::uint32_t r) const;

  // With a model, the match weights (bits) of the rules other than amount and date for the pair
  // (l, r), from similarities already in out[0, rule_count()) (rule_similarities): their sum (below
  // 0, the pair's texts look more like two unrelated records than a match), the largest of them
  // (-infinity when none is present), and whether a key rule disagrees. All 0 without a model.
  struct TextWeights {
    double sum = 0, best = 0;
    // A key rule (exact, a reference, or blocking) present with a negative match weight: the two
    // records quote different identifiers.
    bool key_disagrees = false;
  };
  TextWeights text_match_weights(std::uint32_t l, std::uint32_t r,
                                 const FieldScore* similarities) const;

  // Values used by candidate generation.
  std::int64_t amount(bool left_side, std::uint32_t i) const;
  std::int32_t date(bool left_side, std::uint32_t i) const;
  std::int32_t currency(bool left_side, std::uint32_t i) const {
    return (left_side ? left_currency_ : right_currency_)[i];
  }
  const std::vector<std::string>& currency_codes() const { return currency_codes_; }
  // A 64-bit key of the value rule `rule` compares for record i, equal for two records whose
  // values the rule finds equal (similarity 1): the normalised text, the amount under the rule's
  // sign mode (with its currency), the date. nullopt when the record has no value.
  std::optional<std::uint64_t> equality_key(bool left_side, int rule, std::uint32_t i) const;
  // The normalised key of rule `rule` for record i ("" when empty).
  std::string_view key(bool left_side, int rule, std::uint32_t i) const;
  // The numbers of record i's identifier under a rule by the reference method
  // (identifier_numbers_into; those of the fallback field when its own value is empty); empty for
  // other rules.
  std::string_view identifier_numbers(bool left_side, int rule, std::uint32_t i) const;
  // Normalised words (2+ bytes) of every text-like rule for record i, and the whole key of
  // key-only rules (for group-part lookup and word sketches).
  void words(bool left_side, std::uint32_t i, std::vector<std::string_view>& out) const;

  // A 64-bit sketch of record i's words (text rules only): popcount(sketch_l & sketch_r) is a cheap
  // likeness used to rank candidates before scoring them. 0 when there are no text rules.
  std::uint64_t word_sketch(bool left_side, std::uint32_t i) const {
    const auto& sketches = left_side ? left_sketch_ : right_sketch_;
    return sketches.empty() ? 0 : sketches[i];
  }

  // Allowed amount difference for amounts a and b under the amount rule.
  std::int64_t amount_tolerance(std::int64_t a, std::int64_t b) const;
  // The widest amount tolerance any partner of an amount `a` could get (for range searches).
  std::int64_t amount_search_tolerance(std::int64_t a) const;
  SignMode amount_sign() const;
  int date_window() const;
  bool date_required() const;
  bool date_in_window(std::int32_t a, std::int32_t b) const {
    if (a == kNoDate || b == kNoDate) return true;
    if (date_business_days_) return business_days_between(a, b) <= date_window_days_;
    return std::llabs(static_cast<std::int64_t>(a) - b) <= date_window_days_;
  }

 private:
  struct PreparedColumn {
    StringColumn text;    // normalize_text (kText)
    StringColumn tokens;  // sorted_token_set (kText token_set / best)
    StringColumn keys;    // normalize_key (kExact, kContains, blocking, best); a blocking date
                          // rule's yyyymmdd
    std::vector<DateValue> dates;  // kDate rules with needs_dates
    // The rule's fallback field as normalised keys, for the records whose key is empty (an empty
    // column: the side has no such field).
    StringColumn fallback;
    // identifier_numbers_into of the value and of the fallback field (kText by the reference
    // method): an identifier written another way ("Inv 105395") still agrees by its numbers.
    StringColumn numbers;
    StringColumn fallback_numbers;
  };
  struct BoundRule {
    FieldRule rule;
    FieldRef left, right;
    PreparedColumn left_prepared, right_prepared;
    bool needs_text = false, needs_tokens = false, needs_keys = false, needs_numbers = false;
    // A date rule over a text field, with typos or blocking: its values read once into dates (a
    // plain date rule over record dates reads the day numbers as they are).
    bool needs_dates = false;
  };

  // One side of a comparison: the table, the rule's field in it and its normalised values.
  struct Operand {
    const RecordTable& table;
    const FieldRef& field;
    const PreparedColumn& prepared;
  };
  Operand operand(const BoundRule& rule, bool left_side) const {
    return left_side ? Operand{*left_, rule.left, rule.left_prepared}
                     : Operand{*right_, rule.right, rule.right_prepared};
  }

  PairScorer(const RecordTable& left, const RecordTable& right) : left_(&left), right_(&right) {}
  // Fills the dates (and, when it blocks, the yyyymmdd keys) of date rule `b` on both sides.
  static void prepare_dates(BoundRule& b, const RecordTable& left, const RecordTable& right,
                            int threads);
  // Rule `rule` over record l of x and record r of y (a left-right pair, or two records of a side).
  double similarity(const BoundRule& rule, const Operand& x, std::uint32_t l, const Operand& y,
                    std::uint32_t r, bool& present) const;
  // A rule whose value is empty on a side: 1 when that side's fallback field holds the other
  // side's key (present), else absent.
  struct Operand;
  static double fallback_similarity(const Operand& x, std::uint32_t l, std::string_view a,
                                    const Operand& y, std::uint32_t r, std::string_view c,
                                    bool& present);
  double similarity(const BoundRule& rule, std::uint32_t l, std::uint32_t r, bool& present) const {
    return similarity(rule, operand(rule, true), l, operand(rule, false), r, present);
  }
  struct WeightedSum;
  // Per record of each side, the share of both sides' records (with a value) holding its value
  // of a rule (0 without one), from that rule's sorted keys. Returns the mean frequency of the
  // value over the left-right pairs that agree on one (0 when none do).
  static double value_frequencies(const std::vector<KeyEntry>& left_keys,
                                  const std::vector<KeyEntry>& right_keys, std::vector<float>& left,
                                  std::vector<float>& right);
  double finish(const WeightedSum& sum, FieldScore* out) const;
  WeightedSum start_sum() const;

  // A bound Fellegi–Sunter model: per rule, its levels' lower bounds and match weights, and for
  // the rules whose top level is equality (amount, exact, contains, text) the frequency of each
  // record's value among both sides' records (term-frequency adjustment, as Splink's): two records
  // agreeing on a value twice as common as the values random pairs agree on have twice the top
  // level's u, one half as common half of it. So a recurring amount or a common name counts for
  // less than a rare one, and the top level's u stays what it is on average over agreements (a
  // model estimated on many records keeps its meaning on a small file where every value is rare).
  struct ModelWeights {
    double prior_weight = 0;
    std::vector<std::vector<double>> bounds, weights;
    std::vector<double> top_m;
    std::vector<std::vector<float>> left_frequency, right_frequency;  // per rule; empty: none
    // Per rule: the top level's u divided by the mean frequency of agreeing values.
    std::vector<double> u_per_frequency;
    double frequency_weight(std::size_t k, double f) const {
      return std::log2(top_m[k] / std::clamp(u_per_frequency[k] * f, kMinProbability, 1.0));
    }
    // The match weight of rule k for the pair (l, r) at similarity s.
    double pair_weight(std::size_t k, double s, std::uint32_t l, std::uint32_t r) const {
      if (!left_frequency[k].empty() && s >= bounds[k][0]) {
        const double f = std::max(left_frequency[k][l], right_frequency[k][r]);
        if (f > 0) return frequency_weight(k, f);
      }
      return weight(k, s);
    }
    // The same for a group's sum that equals its target's amount: the frequency of the target's.
    double target_weight(std::size_t k, double s, bool left_side, std::uint32_t i) const {
      const std::vector<float>& frequency = left_side ? left_frequency[k] : right_frequency[k];
      if (!frequency.empty() && s >= bounds[k][0] && frequency[i] > 0)
        return frequency_weight(k, frequency[i]);
      return weight(k, s);
    }
    double weight(std::size_t rule, double similarity) const {
      const std::vector<double>& b = bounds[rule];
      for (std::size_t i = 0; i < b.size(); ++i) {
        if (similarity >= b[i]) return weights[rule][i];
      }
      return weights[rule].back();
    }
  };
  std::shared_ptr<const MatchModel> model_;
  ModelWeights model_weights_;
  // Record i's value of date rule `rule` on the side of `x`.
  DateValue date_value(const BoundRule& rule, const Operand& x, std::uint32_t i) const {
    if (rule.needs_dates) return x.prepared.dates[i];
    return DateValue{static_cast<std::int32_t>(number_of(x.table, x.field, i)), 0};
  }

  const RecordTable* left_;
  const RecordTable* right_;
  std::vector<BoundRule> bound_;
  std::vector<AppliedRule> applied_;
  bool name_rule_dropped_ = false;
  int amount_rule_ = -1;
  int date_rule_ = -1;
  // The date rule's window_days and business_days (date_in_window is in hot loops).
  std::int64_t date_window_days_ = 0;
  bool date_business_days_ = false;
  std::vector<int> blocking_rules_;
  std::vector<std::int32_t> left_currency_, right_currency_;
  std::vector<std::uint64_t> left_sketch_, right_sketch_;
  std::vector<std::string> currency_codes_;
};

}  // namespace oeuvre::engine
