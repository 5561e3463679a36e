#pragma once
// reconcile(): the engine's entry point. Matches the records of a left and a right RecordTable
// under a RuleSet and returns match groups (1:1, 1:N, N:1) with per-field explanations, the
// unmatched records, duplicates and a summary.
//
// How it works, in passes, each bounded (never all n x m pairs):
//   1. Candidates with equal amounts in the date window (sorted index); when many share an amount,
//      the most alike by a word sketch. Pairs >= confidence_threshold are assigned one-to-one by
//      maximum total score.
//   2. Declared batches (records of one side sharing the rules' batch_field, such as a bank's batch
//      booking) against one record of the other side whose amount is their sum; then
//      1:N then N:1 groups with exact sums among what is left: parts that share words with the
//      target (rare words count more), lie in its date window, have the right sign and resemble it,
//      found by bounded subset-sum (at most max_group_size parts); best proposals accepted first.
//   3. Candidates with amounts within tolerance (per-day sorted sweep) or equal blocking keys,
//      scored and assigned the same way.
//   4. Declared batches and exact-sum groups again; with group_tolerance, groups whose sum is off
//      by at most the amount rule's tolerance_minor.
//   5. Pairs in the review band among what is left, assigned one-to-one, become "suggested".
// Equal input gives equal output, whatever the thread count.
// The steps live in rooms of their own; reconciliation.h (internal) is the map.
//
// Thread-safety: safe for concurrent use on distinct or shared const inputs.

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/result.h"
#include "engine/match_model.h"
#include "engine/match_result.h"
#include "engine/record_table.h"
#include "engine/rules.h"

namespace oeuvre::engine {

struct ReconcileOptions {
  // Worker threads for preparation, candidate generation and scoring (>= 1).
  int threads = 1;
  // Called on the calling thread with a stage name and the overall fraction done in [0, 1].
  std::function<void(std::string_view stage, double fraction)> progress;
  // When set and it becomes true, reconcile() stops at its next check (between stages, and every
  // record of a scoring pass, and the steps of binding the rules and learning a model) and fails
  // with kUnavailable "the reconciliation was cancelled".
  const std::atomic<bool>* cancel = nullptr;
};

// Fails with kValidation when the rules are invalid or do not fit the records (unknown field,
// comparator on the wrong kind of field, nothing left to generate candidates).
Result<ReconcileResult> reconcile(const RecordTable& left, const RecordTable& right,
                                  const RuleSet& rules, const ReconcileOptions& options = {});

// One line of a group's explanation.
struct Explanation {
  std::string rule;        // the rule's name
  std::string comparison;  // e.g. "amount (tolerance 5.00 or 3%)", "text (best)"
  std::string left_value, right_value;
  bool present = false;  // false: a value was empty, the rule did not count
  double similarity = 0;
  double weight = 0;
  double contribution = 0;
  // With a Fellegi–Sunter model (match_model.h): the level the similarity fell in, its m and u,
  // and the match weight log2(m / u) (0 when the rule was absent).
  bool modelled = false;
  std::string level;
  double m = 0, u = 0, match_weight = 0;
};

// Fills the model's part of `line` for a rule's similarity and match weight: the level, its m,
// and the u that gives that weight (the level's u, or the frequency of the pair's value when the
// weight was adjusted for it).
void explain_level(const RuleModel& rule, bool present, double similarity, double match_weight,
                   Explanation& line);

// How `rule` compares, for explanations: "amount (tolerance 5.00 or 3%)", "text (best)", ...; amounts
// shown with `amount_scale` decimals.
std::string describe(const FieldRule& rule, int amount_scale);

// The explanation of `group` of `result`, whose records come from `left` and `right`.
// REQUIRES: result was produced by reconcile() on these tables.
std::vector<Explanation> explain(const ReconcileResult& result, const MatchGroup& group,
                                 const RecordTable& left, const RecordTable& right);

// One explanation line as the API and `oeuvre reconcile` both show it: an object with "rule",
// "comparison", "left_value", "right_value", "present", "similarity", "weight", "contribution",
// and with a model "level", "m", "u", "match_weight".
void write_json(JsonWriter& w, const Explanation& line);

}  // namespace oeuvre::engine
