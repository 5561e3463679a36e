#pragma once
// Internal to group search (group_search.cpp): a target's proposed group, and the buffers one
// worker reuses across the targets it handles.

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/exact_sums.h"
#include "engine/reconciliation.h"
#include "engine/word_index.h"

namespace oeuvre::engine {

struct Reconciliation::GroupProposal {
  std::uint32_t item = 0;  // the target
  std::vector<std::uint32_t> parts;
  double confidence = 0;
  std::vector<FieldScore> scores;
  // The next best subset for the same target (empty when there was none): a competing
  // explanation, weighed in hold_uncertain_groups.
  std::vector<std::uint32_t> runner_up_parts;
  double runner_up_confidence = 0;
  double runner_up_support = 0;
  // Parts found by their amount alone (no rare word shared with the target) that also have an
  // open pair of their own: (part, its pair's other record, that pair's score). Each holds the
  // group as ambiguous, with that pair as its alternative.
  struct Doubt {
    std::uint32_t part, rival;
    double score;
  };
  std::vector<Doubt> doubts;
  // The group completes an anchor's exact sum with a part found by its amount alone, and another
  // record of that amount would complete it as well: held as ambiguous, with the runner-up as
  // its alternative.
  bool completion_ambiguous = false;
  // The parts are the one pair of the customer's many open records meeting the target's amount
  // (CompletionSearch::lone_pair): no identifier speaks for them, so the group is suggested, held
  // as sum_only, whatever its confidence.
  bool sum_only = false;
};

// Buffers reused across the targets one worker handles.
struct Reconciliation::GroupSearchScratch {
  std::vector<RankedPart> ranked;
  std::vector<std::string_view> words;
  std::vector<std::uint32_t> found;
  std::vector<double> found_weight;
  std::vector<std::pair<std::uint32_t, double>> shared;  // (part, weight of the shared words)
  std::vector<FieldScore> pair_similarities;
  std::vector<std::uint8_t> part_state;
  std::vector<std::span<const WordPosting>> word_postings;
  std::vector<std::pair<std::uint64_t, double>> common_words;
  std::vector<std::span<const WordPosting>> common_lists;    // the common words' postings
  std::vector<std::pair<std::int64_t, std::uint32_t>> sums;  // mark_exact_sums'
  std::vector<std::int64_t> magnitudes;                      // of the ranked parts
  ChanceScratch chance;                                      // exact_sum_by_chance's
  // Per part record: 1 + its index in `shared` while one target's parts are gathered, else 0
  // (sized on first use, and set back to 0 for the parts gathered).
  std::vector<std::uint32_t> shared_slot;
  CompletionSearch completion;
};

}  // namespace oeuvre::engine
