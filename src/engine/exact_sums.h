#pragma once
// Internal: the exact sums of group search (group_search.cpp). An anchor is a candidate part that
// shares a rare word with the group's target (an invoice number). In dense data the sums of a
// customer's records that merely share its name hit many totals by chance, so an exact sum
// without an anchor counts only when it tells more than that.
// - mark_exact_sums: which of a target's ranked candidates are in an anchored exact sum of two or
//   three of them (they go first to the bounded subset search).
// - exact_sum_decoys_met, exact_sum_by_chance: whether the candidates meet totals beside the
//   target's as well (decoys), which makes their exact sum chance.
// - CompletionSearch: the records that complete an anchor's exact sum among many more candidates
//   (a customer's records found only through its name), in O(n) per anchor; lone_pair, the one
//   pair of them meeting a target without an anchor.
// Thread-safety: plain data and functions; one CompletionSearch per thread.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace oeuvre::engine {

// The weight of shared words (1 / records holding a word in the window, summed) that makes a part
// an anchor: a word at most four open parts in the window hold.
inline constexpr double kMinAnchorWeight = 0.25;

struct RankedPart {
  double weight;
  int date_gap;
  std::uint32_t part;
  bool in_sum = false;  // part of an exact sum of two or three candidates (mark_exact_sums)
};

// Marks the parts among `ranked` (magnitudes[i] is ranked[i]'s) that are in some exact sum of two
// or (max_size >= 3) three of them equal to `target`, one of them an anchor (weight >=
// kMinAnchorWeight). `sorted` is scratch. O(n log n) per anchor.
void mark_exact_sums(std::vector<RankedPart>& ranked, const std::vector<std::int64_t>& magnitudes,
                     std::int64_t target, int max_size,
                     std::vector<std::pair<std::int64_t, std::uint32_t>>& sorted);

// How telling an exact sum is among these parts: how many decoy totals beside `target`, at its
// own grain, some subset of 2 .. max_size of `magnitudes` meets exactly as well. The grain is the
// largest of 100, 1,000 and 10,000 minor units dividing the target (a whole, ten or hundred of a
// 2-digit currency), else 1; the decoys are target +- grain, +- 2 grain, ... +- 16 grain
// (kExactSumDecoys; two met of 32 is a chance rate of 1 in 16 per total).
// Where whole or round amounts abound, the parts meet many round totals by chance and the decoys
// show it; a total of odd cents met among few parts leaves them unmet. Subsets of at most
// kMaxDecoyDepth parts, at most kMaxDecoySubsets of them visited (then a lower bound). `sorted`
// is scratch.
inline constexpr int kExactSumDecoys = 32;
inline constexpr int kMaxDecoyDepth = 8;
inline constexpr std::size_t kMaxDecoySubsets = std::size_t{1} << 16;
int exact_sum_decoys_met(const std::vector<std::int64_t>& magnitudes, std::int64_t target,
                         int max_size, std::vector<std::int64_t>& sorted);
// The grain of a total: the largest of 100, 1,000 and 10,000 minor units dividing it, else 1.
std::int64_t total_grain(std::int64_t total);

// Decoy totals met (exact_sum_decoys_met) that make an exact sum chance.
inline constexpr int kMaxDecoysMet = 2;
// Parts beyond its anchors from which an anchored group's completion is tested against decoys.
inline constexpr std::size_t kMinFreeParts = 3;

struct ChanceScratch {
  std::vector<std::int64_t> sums;  // exact_sum_decoys_met's
  std::vector<std::int64_t> free;  // magnitudes of the candidates that are no anchor
};

// Whether `subset` (positions into `candidates`, each a (part, weight of the words it shares with
// the target) with its magnitude in `magnitudes`) meets `target` by chance: kMaxDecoysMet or more
// decoys are met as well. Without an anchor (a part of weight >= kMinAnchorWeight), by subsets of
// all the candidates against the target: the sum is the group's main evidence. With anchors and
// kMinFreeParts or more parts beyond them, by subsets of the candidates that are no anchor against
// the rest the subset's anchors leave: a real anchor completed by chance.
bool exact_sum_by_chance(std::span<const std::uint32_t> subset,
                         std::span<const std::pair<std::uint32_t, double>> candidates,
                         const std::vector<std::int64_t>& magnitudes, std::int64_t target,
                         int max_size, ChanceScratch& scratch);

// One target's search for completions. start(), then fill `anchors` and offer the other
// candidates through take() / add(), then run(). Buffers and stamps are kept across searches, so
// nothing is cleared per target.
class CompletionSearch {
 public:
  // Begins a search over parts numbered below part_count.
  void start(std::size_t part_count);
  // (magnitude, part) of the anchors.
  std::vector<std::pair<std::int64_t, std::uint32_t>> anchors;
  // True the first time `part` is offered in this search (a record found through several words).
  bool take(std::uint32_t part) {
    if (seen_[part] == seen_stamp_) return false;
    seen_[part] = seen_stamp_;
    return true;
  }
  void add(std::int64_t magnitude, std::uint32_t part) { pool_.push_back({magnitude, part}); }
  // Finds, for each anchor with target - its magnitude > 0 (its rest), the candidates meeting the
  // rest alone or (max_size >= 3) with one other.
  void run(std::int64_t target, int max_size);

  // After run(): the completing parts (sorted, each once), and the anchors whose rest more than
  // one candidate meets alone (which of them completes the sum is chance).
  std::vector<std::uint32_t> completing;
  std::vector<std::uint32_t> ambiguous_anchors;

  // Without an anchor: the two candidates of the pool that sum to `target`, when exactly one pair
  // does and no pair meets a decoy total beside it (those of exact_sum_decoys_met). Else false. O(n
  // log n); the pool is reordered.
  bool lone_pair(std::int64_t target, std::uint32_t& first, std::uint32_t& second);
  // Candidates offered so far.
  std::size_t pool_size() const { return pool_.size(); }

 private:
  struct Slot {
    std::int64_t magnitude = 0;
    std::uint32_t stamp = 0;
  };
  std::vector<std::pair<std::int64_t, std::uint32_t>> pool_;
  std::vector<Slot> set_;  // open addressing; a slot is in use where its stamp is set_stamp_
  std::uint32_t set_stamp_ = 0;
  std::vector<std::uint32_t> seen_;  // per part: the search that took it last
  std::uint32_t seen_stamp_ = 0;
};

}  // namespace oeuvre::engine
