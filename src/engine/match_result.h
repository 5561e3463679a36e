#pragma once
// The output of a reconciliation: match groups with per-field explanations, unmatched records,
// duplicates and a summary. Records are referred to by their index in the RecordTable they came
// from. Thread-safety: value types.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/rules.h"

namespace oeuvre::engine {

// kOffset: a record and its reversal on one side (left_count 2 and right_count 0, or the other
// way round); their amounts cancel out, and neither is matched to the other side.
enum class GroupKind { kOneToOne, kOneToMany, kManyToOne, kOffset };
enum class MatchStatus { kMatched, kSuggested };

std::string_view group_kind_name(GroupKind kind);        // "1:1", "1:N", "N:1", "offset"
std::string_view match_status_name(MatchStatus status);  // "matched", "suggested"

// How one rule scored one group. contribution = weight * similarity / (sum of the weights of the
// rules present for this group); the contributions of a group sum to its confidence. A rule is
// absent (present == false, contribution 0) when a value it needs is empty on either side.
struct FieldScore {
  std::uint16_t rule = 0;  // index into ReconcileResult::rules
  bool present = false;
  double similarity = 0;
  double contribution = 0;
  // With a Fellegi–Sunter model (match_model.h): log2(m / u) of the level the similarity falls
  // in, 0 when absent. The contributions then share the confidence among the rules in proportion
  // to their positive match weights.
  double match_weight = 0;
};

// Why a group that scores as matched is only suggested.
enum class HoldReason : std::uint8_t {
  kNone,
  kAmountDifference,  // its sums differ by more than the rules' auto-confirm tolerance
  kAmbiguous,         // a competing explanation of its records scores within ambiguity_margin
  kPartlyPaid,        // records carrying a right record's key pay part of it; the rest is open
  kSumOnly,           // a group resting on its exact sum and its customer's name alone
};

// "", "amount_difference", "ambiguous", "partly_paid", "sum_only".
std::string_view hold_reason_name(HoldReason reason);

struct MatchGroup {
  GroupKind kind = GroupKind::kOneToOne;
  MatchStatus status = MatchStatus::kMatched;
  HoldReason held = HoldReason::kNone;
  double confidence = 0;
  // Slices of ReconcileResult::members and ::scores.
  std::uint32_t left_begin = 0, left_count = 0;
  std::uint32_t right_begin = 0, right_count = 0;
  std::uint32_t score_begin = 0, score_count = 0;
  // Slice of ReconcileResult::alternatives: the competing explanations of this group's records
  // that score within the rules' ambiguity_margin of it, best first (at most kMaxAlternatives).
  std::uint32_t alternative_begin = 0, alternative_count = 0;
};

// A competing explanation: other records that the group's records could be matched with instead,
// and how that pairing scores. Its records are slices of ReconcileResult::members.
struct Alternative {
  std::uint32_t left_begin = 0, left_count = 0;
  std::uint32_t right_begin = 0, right_count = 0;
  double confidence = 0;
};

// The rules actually applied (those whose fields both sources have), in scoring order.
struct AppliedRule {
  FieldRule rule;
};

struct CurrencyTotals {
  std::string currency;                                  // "" when the sources carry no currency
  std::int64_t matched_left = 0, matched_right = 0;      // in groups with status matched
  std::int64_t suggested_left = 0, suggested_right = 0;  // in groups with status suggested
  std::int64_t unmatched_left = 0, unmatched_right = 0;
  // (all left) - (all right); saturates at the int64 limits.
  std::int64_t net_difference = 0;
};

struct ReconcileSummary {
  std::uint64_t left_records = 0, right_records = 0;
  std::uint64_t matched_groups = 0, suggested_groups = 0;
  std::uint64_t one_to_one = 0, one_to_many = 0, many_to_one = 0;
  // Offset groups (counted in matched_groups / suggested_groups by their status too), and their
  // records on each side (counted in left_matched ... right_suggested too).
  std::uint64_t offsets = 0, left_offset = 0, right_offset = 0;
  std::uint64_t left_matched = 0, right_matched = 0;      // records in matched groups
  std::uint64_t left_suggested = 0, right_suggested = 0;  // records in suggested groups
  std::uint64_t left_unmatched = 0, right_unmatched = 0;
  std::uint64_t left_duplicates = 0, right_duplicates = 0;
  std::vector<CurrencyTotals> totals;  // one per currency, sorted by code
};

struct ReconcileResult {
  std::vector<AppliedRule> rules;
  // The Fellegi–Sunter model the confidences come from (learned or given), or null with the
  // rules' fixed weights.
  std::shared_ptr<const MatchModel> model;
  // Sorted by first left index, then first right index (a group without left records last).
  std::vector<MatchGroup> groups;
  std::vector<std::uint32_t> members;
  std::vector<FieldScore> scores;
  std::vector<Alternative> alternatives;
  std::vector<std::uint32_t> unmatched_left, unmatched_right;  // ascending
  // For each record: the index of an earlier record on the same side with the same date, amount,
  // currency, reference and description, or -1.
  std::vector<std::int64_t> left_duplicate_of, right_duplicate_of;
  ReconcileSummary summary;

  std::span<const std::uint32_t> left_of(const MatchGroup& g) const {
    return std::span(members).subspan(g.left_begin, g.left_count);
  }
  std::span<const std::uint32_t> right_of(const MatchGroup& g) const {
    return std::span(members).subspan(g.right_begin, g.right_count);
  }
  std::span<const FieldScore> scores_of(const MatchGroup& g) const {
    return std::span(scores).subspan(g.score_begin, g.score_count);
  }
  std::span<const Alternative> alternatives_of(const MatchGroup& g) const {
    return std::span(alternatives).subspan(g.alternative_begin, g.alternative_count);
  }
  std::span<const std::uint32_t> left_of(const Alternative& a) const {
    return std::span(members).subspan(a.left_begin, a.left_count);
  }
  std::span<const std::uint32_t> right_of(const Alternative& a) const {
    return std::span(members).subspan(a.right_begin, a.right_count);
  }
};

}  // namespace oeuvre::engine
