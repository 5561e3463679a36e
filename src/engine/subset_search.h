#pragma once
// Bounded subset-sum search for 1:N and N:1 groups: among a few candidate parts, the subsets of
// 2..max_size parts whose amounts sum to the target within a tolerance, each scored by the caller;
// the best one wins. The search visits at most node_budget subsets, so its cost is bounded whatever
// the input.
// Thread-safety: pure function, safe for concurrent use.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace oeuvre::engine {

struct SubsetSearchLimits {
  int max_size = 6;
  std::size_t node_budget = 50'000;
};

// The second-best subset of a search (empty positions when there was none).
struct SubsetRunnerUp {
  std::vector<std::uint32_t> positions;
  double score = 0;
};

// `magnitudes` are the parts' absolute amounts (> 0), `target` the target's absolute amount.
// `score(positions)` rates a subset (positions into `magnitudes`, ascending) and returns a value
// < 0 to reject it. Returns the positions (ascending) of the best subset: highest score, then
// smallest |sum - target|, then fewest parts, then lexicographically smallest positions. With
// `runner_up`, also the best of the other subsets visited, by the same order (a competing
// explanation of the target).
std::optional<std::vector<std::uint32_t>> best_subset_sum(
    std::span<const std::int64_t> magnitudes, std::int64_t target, std::int64_t tolerance,
    const SubsetSearchLimits& limits,
    const std::function<double(std::span<const std::uint32_t>)>& score,
    SubsetRunnerUp* runner_up = nullptr);

}  // namespace oeuvre::engine
