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

  void consider(std::int64_t sum) {
    positions.clear();
    for (std::uint32_t k : chosen) positions.push_back(order[k]);
    std::sort(positions.begin(), positions.end());
    double s = (*score)(positions);
    if (s < 0) return;
    std::int64_t gap = sum > target ? sum - target : target - sum;
    bool better = !found || s > best_score ||
                  (s == best_score &&
                   (gap < best_gap ||
                    (gap == best_gap && (positions.size() < best.size() ||
                                         (positions.size() == best.size() && positions < best)))));
    if (better) {
      found = true;
      best_score = s;
      best_gap = gap;
      best = positions;
    }
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
    const std::function<double(std::span<const std::uint32_t>)>& score) {
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
  search.visit(0, 0);
  if (!search.found) return std::nullopt;
  return search.best;
}

}  // namespace oeuvre::engine
