#include "engine/subset_search.h"

#include <algorithm>
#include <numeric>

namespace oeuvre::engine {
namespace {

struct Search {
  std::span<const std::int64_t> magnitudes;
  std::vector<std::uint32_t> order;          // positions sorted by magnitude, largest first
  std::vector<std::int64_t> prefix_largest;  // sum of the sorted magnitudes [0, i)
  std::int64_t low = 0, high = 0;            // accepted sum range
  std::int64_t target = 0;
  int max_size = 0;
  std::size_t budget = 0;
  const std::function<double(std::span<const std::uint32_t>)>* score = nullptr;

  std::vector<std::uint32_t> chosen;  // indices into order
  std::vector<std::uint32_t> positions;
  bool found = false;
  double best_score = 0;
  std::int64_t best_gap = 0;
  std::vector<std::uint32_t> best;
  // The best subset other than `best` (by the same order), when asked for.
  bool want_runner_up = false;
  bool runner_up_found = false;
  double runner_up_score = 0;
  std::int64_t runner_up_gap = 0;
  std::vector<std::uint32_t> runner_up;

  static bool beats(double s, std::int64_t gap, const std::vector<std::uint32_t>& positions,
                    double other_score, std::int64_t other_gap,
                    const std::vector<std::uint32_t>& other) {
    if (s != other_score) return s > other_score;
    if (gap != other_gap) return gap < other_gap;
    if (positions.size() != other.size()) return positions.size() < other.size();
    return positions < other;
  }

  void consider(std::int64_t sum) {
    positions.clear();
    for (std::uint32_t k : chosen) positions.push_back(order[k]);
    std::sort(positions.begin(), positions.end());
    double s = (*score)(positions);
    if (s < 0) return;
    std::int64_t gap = sum > target ? sum - target : target - sum;
    const bool better = !found || beats(s, gap, positions, best_score, best_gap, best);
    if (better) {
      if (found && want_runner_up) keep_runner_up(best_score, best_gap, best);
      found = true;
      best_score = s;
      best_gap = gap;
      best = positions;
    } else if (want_runner_up) {
      keep_runner_up(s, gap, positions);
    }
  }

  void keep_runner_up(double s, std::int64_t gap, const std::vector<std::uint32_t>& positions) {
    if (runner_up_found && !beats(s, gap, positions, runner_up_score, runner_up_gap, runner_up))
      return;
    runner_up_found = true;
    runner_up_score = s;
    runner_up_gap = gap;
    runner_up = positions;
  }

  void visit(std::size_t start, std::int64_t sum) {
    if (budget == 0) return;
    --budget;
    const int size = static_cast<int>(chosen.size());
    if (size >= 2 && sum >= low && sum <= high) consider(sum);
    if (size == max_size) return;
    const std::size_t n = order.size();
    for (std::size_t i = start; i < n && budget > 0; ++i) {
      const std::int64_t value = magnitudes[order[i]];
      if (sum + value > high) continue;  // too big; smaller ones follow
      // Even the largest remaining parts cannot reach the target: stop (later ones are smaller).
      const std::size_t take =
          std::min<std::size_t>(static_cast<std::size_t>(max_size - size), n - i);
      if (sum + (prefix_largest[i + take] - prefix_largest[i]) < low) break;
      chosen.push_back(static_cast<std::uint32_t>(i));
      visit(i + 1, sum + value);
      chosen.pop_back();
    }
  }
};

}  // namespace

std::optional<std::vector<std::uint32_t>> best_subset_sum(
    std::span<const std::int64_t> magnitudes, std::int64_t target, std::int64_t tolerance,
    const SubsetSearchLimits& limits,
    const std::function<double(std::span<const std::uint32_t>)>& score, SubsetRunnerUp* runner_up) {
  if (runner_up != nullptr) *runner_up = {};
  if (magnitudes.size() < 2 || limits.max_size < 2 || target <= 0 || tolerance < 0)
    return std::nullopt;
  Search search;
  search.magnitudes = magnitudes;
  search.order.resize(magnitudes.size());
  std::iota(search.order.begin(), search.order.end(), 0u);
  std::stable_sort(search.order.begin(), search.order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return magnitudes[a] > magnitudes[b]; });
  search.prefix_largest.assign(magnitudes.size() + 1, 0);
  for (std::size_t i = 0; i < magnitudes.size(); ++i) {
    search.prefix_largest[i + 1] = search.prefix_largest[i] + magnitudes[search.order[i]];
  }
  search.target = target;
  search.low = target - tolerance;
  search.high = target + tolerance;
  search.max_size = limits.max_size;
  search.budget = limits.node_budget;
  search.score = &score;
  search.want_runner_up = runner_up != nullptr;
  search.visit(0, 0);
  if (!search.found) return std::nullopt;
  if (runner_up != nullptr && search.runner_up_found) {
    runner_up->positions = std::move(search.runner_up);
    runner_up->score = search.runner_up_score;
  }
  return search.best;
}

}  // namespace oeuvre::engine
