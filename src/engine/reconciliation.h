#pragma once
// Internal: Reconciliation, the state of one reconcile() call and its steps (see reconciler.h for
// the passes). The steps live in rooms of their own:
//   reconciler.cpp        run(): the sequence of passes; recording accepted pairs
//   candidate_search.cpp  the amount and blocking-key indexes, candidates per left record, scoring
//                         a pass into edges
//   block_search.cpp      candidates from the blocking keys alone (no amount rule: person or
//                         customer records), common blocks intersected
//   batch_search.cpp      declared batches (records sharing the rules' batch_field) matched as one
//                         line against a record of the other side
//   group_search.cpp      1:N and N:1 groups by bounded subset sum over parts found through shared
//                         words (word_index.h); recording accepted groups
//   offsets.cpp           a record and its reversal on one side (an `offset` group), before the
//                         matching (the certain ones) and after it (the rest)
//   group_holds.cpp       the last step: a group whose sums differ beyond the auto-confirm
//                         tolerance, or that a competing explanation of its records scores close
//                         to, is held as suggested, with those alternatives
//   duplicates.h, reconcile_summary.h   the duplicates and the summary of the finished result
// Thread-safety: one Reconciliation per call; its steps use parallel_for internally.

#include <atomic>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "engine/assignment.h"
#include "engine/key_hash.h"
#include "engine/match_result.h"
#include "engine/pair_scorer.h"
#include "engine/reconciler.h"
#include "engine/record_table.h"
#include "engine/rules.h"

namespace oeuvre::engine {

class WordIndex;

// A blocking key that more right records share tells nobody apart alone: its block is not taken
// whole (candidate_search.cpp, block_search.cpp).
inline constexpr std::size_t kMaxKeyBlockSize = 64;

// A right record in the amount index: sorted by currency, then amount then date (exact pass) or
// date then amount (tolerance pass).
struct AmountEntry {
  std::int32_t currency;
  std::int32_t date;
  std::int64_t amount;
  std::uint32_t index;
};

// The date score of an instalment `days_after` its right record, beyond the date rule's `window`
// (in days) and at most `after` days (partial_window_days): 0.5 at the window's end, where the
// date rule leaves off, down to 0.25 at the last day (group_search.cpp).
double late_instalment_date_score(std::int32_t days_after, int window, int after);

class Reconciliation {
 public:
  // REQUIRES: the tables, rules and options outlive the Reconciliation; `scorer` is bound to the
  // tables and rules.
  Reconciliation(const RecordTable& left, const RecordTable& right, const RuleSet& rules,
                 const ReconcileOptions& options, PairScorer scorer)
      : left_(left), right_(right), rules_(rules), options_(options), scorer_(std::move(scorer)) {}

  // Runs the passes once. Fails with kUnavailable when cancelled.
  Result<ReconcileResult> run();

 private:
  enum class Pass { kExactAmount, kTolerance };
  struct GroupProposal;
  struct GroupSearchScratch;

  // Amounts and dates of the amount and date rules, materialised once (the hot loops read them).
  std::int64_t amount_of(bool left_side, std::uint32_t i) const {
    return (left_side ? left_amount_ : right_amount_)[i];
  }
  std::int32_t date_of(bool left_side, std::uint32_t i) const {
    return (left_side ? left_date_ : right_date_)[i];
  }

  void progress(std::string_view stage, double fraction) {
    if (options_.progress) options_.progress(stage, fraction);
  }
  bool cancelled() const {
    return options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed);
  }

  // reconciler.cpp: the steps of run(); accept_pairs records 1:1 groups.
  void load_values();
  std::vector<std::uint32_t> lefts_in_amount_order() const;
  void accept_confident(const std::vector<WeightedEdge>& edges);
  void match_within_tolerance();
  void suggest_from_review_band();
  void finish_groups();
  void accept_pairs(const std::vector<WeightedEdge>& chosen);

  // candidate_search.cpp
  std::vector<std::int64_t> partner_amounts(std::int64_t a) const;
  void build_indexes();
  void build_tolerance_index();
  // The rights worth scoring against left record l (with an amount rule), sorted, each once.
  void candidates_for(std::uint32_t l, Pass pass, std::vector<std::uint32_t>& out) const;

  // block_search.cpp: candidates without an amount rule.
  // One scoring thread's scratch: per right record, what the blocks of the left record being
  // searched say of it (valid where stamp is that left record + 1, so it is never cleared), and
  // the right records touched for that left record.
  struct BlockScratch {
    struct Tally {
      std::uint32_t evidence = 0;  // of the keys it shares
      bool small = false;          // in a block small enough to be taken whole
      std::uint8_t common = 0;     // in how many blocks too common alone
    };
    std::vector<std::uint32_t> stamp;
    std::vector<Tally> tally;
    std::vector<std::uint32_t> touched;
  };
  // The rights sharing a blocking key with left record l, each once (`out`), and the evidence of
  // the keys each shares (`evidence`, parallel): its small blocks whole, its common blocks
  // intersected (block_search.cpp).
  void block_candidates(std::uint32_t l, BlockScratch& scratch, std::vector<std::uint32_t>& out,
                        std::vector<std::uint32_t>& evidence) const;
  std::vector<WeightedEdge> score_pass(Pass pass, const std::vector<std::uint32_t>& lefts,
                                       double stage_begin, double stage_end);

  // batch_search.cpp: declared batches (rules_.batch_field) against one target each.
  void match_batches(bool batches_are_left);

  // group_search.cpp
  void find_groups(bool targets_are_left, bool exact_sums);
  bool propose_group(std::uint32_t target, bool targets_are_left, bool exact_sums,
                     const WordIndex& index, GroupSearchScratch& scratch,
                     GroupProposal& proposal) const;
  void add_group(std::vector<std::uint32_t> lefts, std::vector<std::uint32_t> rights,
                 GroupKind kind, double confidence, const std::vector<FieldScore>& scores);
  // For every open record, its best scored pair (review_edges_) whose other record is open too:
  // a group part that has one is also explained on its own, so a group taking it is doubtful.
  void note_open_rivals();

  // offsets.cpp
  // A record and a candidate reversal of it on one side: the positive and the negative record.
  struct OffsetEdge {
    std::uint32_t positive, negative;
    double confidence, support;
  };
  // Before the matching (confident_only): the offsets at or above confidence_threshold. After it:
  // every offset left at or above review_threshold. Each with its rivals noted for the holds.
  void match_offsets(bool confident_only);
  std::vector<OffsetEdge> offset_candidates(bool left_side) const;
  // Whether a text rule agrees (the same counterparty or reference) and no key rule disagrees.
  bool offset_evidence(const FieldScore* scores) const;

  // The rights whose key for blocking rule `b` (an index into scorer_.blocking_rules()) hashes as
  // `key`'s (the caller compares the keys), or none when more than a block's bound share it: a key
  // that common identifies nothing (candidate_search.cpp).
  std::span<const KeyEntry> key_block(std::size_t b, std::string_view key) const;
  // The rights whose key for blocking rule `b` hashes as `key`'s, however many.
  std::span<const KeyEntry> whole_block(std::size_t b, std::string_view key) const;
  // Appends the open and used rights that blocking rule `b` pairs with left record l: the same key,
  // or, under a reference rule, an identifying number in common (the same identifier written
  // another way: "Inv 105395" and INV-2025-105395). Blocks larger than kMaxKeyBlockSize are
  // skipped; a right may be appended twice.
  void key_partners(std::uint32_t l, std::size_t b, std::vector<std::uint32_t>& out) const;

  // partly_paid.cpp
  // Right records only partly paid: the open left records carrying one's blocking key (its
  // invoice number), in its date window up to partial_window_days after it, that together pay
  // less than it, suggested with it as one group held as partly_paid (its sums show the open
  // balance).
  void suggest_partly_paid();

  // group_holds.cpp
  // Notes a competing explanation of group `group`'s records, found while the group was formed
  // (the subset search's runner-up); hold_uncertain_groups weighs it with the others.
  void add_candidate_alternative(std::size_t group, std::span<const std::uint32_t> lefts,
                                 std::span<const std::uint32_t> rights, double confidence,
                                 double support, bool holds = false);
  // The evidence behind scores of every applied rule: sum of weight x similarity over the rules
  // present, divided by the weights of all rules (confidence divides by the present ones only, so
  // a pair with an empty reference can reach the confidence of one whose references agree; its
  // support stays lower). With a match model: the match weight (log-odds) of the scores, whose
  // match weights must be filled in (score_pair, combine_group, score_offset).
  double support_of(const FieldScore* scores) const;
  // An offset's support: support_of its scores, or with a model (offsets are scored by the rules'
  // weights) the log-odds of its confidence.
  double offset_support(double confidence, const FieldScore* scores) const;
  void hold_uncertain_groups();
  bool amount_difference_too_large(const MatchGroup& group) const;

  const RecordTable& left_;
  const RecordTable& right_;
  const RuleSet& rules_;
  const ReconcileOptions& options_;
  PairScorer scorer_;
  ReconcileResult result_;

  std::vector<std::uint8_t> left_used_, right_used_;
  std::vector<std::int64_t> left_amount_, right_amount_;
  std::vector<std::int32_t> left_date_, right_date_;
  std::vector<AmountEntry> by_amount_;          // all rights
  std::vector<AmountEntry> remaining_by_date_;  // unmatched rights, for the tolerance pass
  std::vector<std::vector<KeyEntry>> blocks_;   // per blocking rule, rights by key hash
  // Per blocking rule, rights by the hash of each identifying number (reference rules only).
  std::vector<std::vector<KeyEntry>> number_blocks_;
  std::vector<WeightedEdge> review_edges_;      // every scored pair >= review_threshold
  // note_open_rivals(): per record, its best open pair's other record (UINT32_MAX: none).
  struct OpenRival {
    std::uint32_t partner = UINT32_MAX;
    double score = 0;
  };
  std::vector<OpenRival> left_rival_, right_rival_;
  // Competing explanations noted while groups formed, their records in candidate_members_.
  struct CandidateAlternative {
    std::uint32_t group;
    Alternative alternative;
    double support;
    // A rival that holds the group whatever its support: the pair of a part found by its amount
    // alone that is also explained on its own.
    bool holds = false;
  };
  std::vector<CandidateAlternative> candidate_alternatives_;
  std::vector<std::uint32_t> candidate_members_;
};

}  // namespace oeuvre::engine
