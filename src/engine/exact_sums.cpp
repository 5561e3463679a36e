#include "engine/exact_sums.h"

#include <algorithm>

#include "core/mix.h"

namespace oeuvre::engine {

void mark_exact_sums(std::vector<RankedPart>& ranked, const std::vector<std::int64_t>& magnitudes,
                     std::int64_t target, int max_size,
                     std::vector<std::pair<std::int64_t, std::uint32_t>>& sorted) {
  sorted.clear();
  for (std::uint32_t i = 0; i < ranked.size(); ++i) {
    ranked[i].in_sum = false;
    const std::int64_t m = magnitudes[i];
    if (m > 0 && m < target) sorted.push_back({m, i});
  }
  std::sort(sorted.begin(), sorted.end());
  // The entries whose magnitude is `need`.
  auto equal = [&](std::int64_t need) {
    return std::equal_range(sorted.begin(), sorted.end(),
                            std::pair<std::int64_t, std::uint32_t>{need, 0},
                            [](const auto& a, const auto& b) { return a.first < b.first; });
  };
  for (const auto& [anchor_magnitude, anchor] : sorted) {
    if (ranked[anchor].weight < kMinAnchorWeight) continue;
    const std::int64_t rest = target - anchor_magnitude;
    if (max_size >= 2) {
      const auto [first, last] = equal(rest);
      for (auto it = first; it != last; ++it) {
        if (it->second == anchor) continue;
        ranked[anchor].in_sum = ranked[it->second].in_sum = true;
      }
    }
    if (max_size < 3) continue;
    for (const auto& [second_magnitude, second] : sorted) {
      const std::int64_t need = rest - second_magnitude;
      if (need < second_magnitude) break;  // ascending: each sum is met once, third >= second
      if (second == anchor) continue;
      const auto [first, last] = equal(need);
      for (auto it = first; it != last; ++it) {
        if (it->second == anchor || it->second == second) continue;
        ranked[anchor].in_sum = ranked[second].in_sum = ranked[it->second].in_sum = true;
      }
    }
  }
}

void CompletionSearch::start(std::size_t part_count) {
  anchors.clear();
  pool_.clear();
  completing.clear();
  ambiguous_anchors.clear();
  if (seen_.size() < part_count) seen_.assign(part_count, 0);
  if (++seen_stamp_ == 0) {  // wrapped: forget every old stamp
    std::fill(seen_.begin(), seen_.end(), 0);
    seen_stamp_ = 1;
  }
}

void CompletionSearch::run(std::int64_t target, int max_size) {
  // The pool's magnitudes in an open-addressing set, so each anchor's rest is met by one candidate
  // (rest) or by two (x and rest - x) in O(n), without sorting the pool.
  std::size_t capacity = 16;
  while (capacity < 2 * pool_.size()) capacity *= 2;
  if (set_.size() < capacity) set_.resize(capacity);
  if (++set_stamp_ == 0) {
    std::fill(set_.begin(), set_.end(), Slot{});
    set_stamp_ = 1;
  }
  const std::uint32_t stamp = set_stamp_;
  auto slot = [&](std::int64_t m) {
    std::size_t i =
        static_cast<std::size_t>(splitmix64(static_cast<std::uint64_t>(m))) & (capacity - 1);
    while (set_[i].stamp == stamp && set_[i].magnitude != m) i = (i + 1) & (capacity - 1);
    return i;
  };
  auto contains = [&](std::int64_t m) {
    const Slot& e = set_[slot(m)];
    return e.stamp == stamp && e.magnitude == m;
  };
  for (const auto& [m, part] : pool_) set_[slot(m)] = {m, stamp};
  // An anchor whose rest more than one record meets alone (two 150.00 payments of the customer
  // for the rest of a 300.00 invoice) leaves the choice between them to chance. (Pairs meeting a
  // rest are many in dense data; the evidence of their texts and dates tells them apart, weighed
  // by the holds as for any runner-up.)
  for (const auto& [anchor_magnitude, anchor] : anchors) {
    const std::int64_t rest = target - anchor_magnitude;
    if (rest <= 0) continue;
    // The pool holds each record once (take()), so the records meeting the rest alone are counted
    // as found.
    std::size_t ones = 0;
    for (const auto& [m, part] : pool_) {
      if (part == anchor) continue;
      if (m == rest) {
        completing.push_back(part);
        ++ones;
      } else if (max_size >= 3 && m < rest && contains(rest - m)) {
        completing.push_back(part);
      }
    }
    if (ones >= 2) ambiguous_anchors.push_back(anchor);
  }
  std::sort(completing.begin(), completing.end());
  completing.erase(std::unique(completing.begin(), completing.end()), completing.end());
}

std::int64_t total_grain(std::int64_t total) {
  std::int64_t grain = 1;
  for (const std::int64_t g : {std::int64_t{100}, std::int64_t{1000}, std::int64_t{10000}}) {
    if (total % g == 0) grain = g;
  }
  return grain;
}

bool CompletionSearch::lone_pair(std::int64_t target, std::uint32_t& first, std::uint32_t& second) {
  if (pool_.size() < 2 || target <= 0) return false;
  std::sort(pool_.begin(), pool_.end());
  const std::int64_t grain = total_grain(target);
  // Pairs meeting `total`, counted up to two (two pointers over the sorted pool).
  auto pairs_meeting = [&](std::int64_t total, std::size_t* a, std::size_t* b) {
    std::size_t count = 0;
    std::size_t lo = 0, hi = pool_.size() - 1;
    while (lo < hi && count < 2) {
      const std::int64_t sum = pool_[lo].first + pool_[hi].first;
      if (sum < total) {
        ++lo;
      } else if (sum > total) {
        --hi;
      } else {
        // Equal magnitudes on either side are as many pairs.
        std::size_t lo_end = lo, hi_begin = hi;
        while (lo_end + 1 < hi && pool_[lo_end + 1].first == pool_[lo].first) ++lo_end;
        while (hi_begin - 1 > lo_end && pool_[hi_begin - 1].first == pool_[hi].first) --hi_begin;
        const std::size_t here = pool_[lo].first == pool_[hi].first
                                     ? (hi - lo + 1) * (hi - lo) / 2
                                     : (lo_end - lo + 1) * (hi - hi_begin + 1);
        if (a != nullptr) {
          *a = lo;
          *b = hi;
        }
        count += here;
        lo = lo_end + 1;
        hi = hi_begin - 1;
      }
    }
    return count;
  };
  std::size_t a = 0, b = 0;
  if (pairs_meeting(target, &a, &b) != 1) return false;
  for (int k = 1; k <= kExactSumDecoys / 2; ++k) {
    for (const std::int64_t decoy : {target - grain * k, target + grain * k}) {
      if (decoy > 0 && pairs_meeting(decoy, nullptr, nullptr) > 0) return false;
    }
  }
  first = pool_[a].second;
  second = pool_[b].second;
  return true;
}

int exact_sum_decoys_met(const std::vector<std::int64_t>& magnitudes, std::int64_t target,
                         int max_size, std::vector<std::int64_t>& sorted) {
  const std::size_t n = magnitudes.size();
  if (n < 2 || max_size < 2 || target <= 0) return 0;
  const std::int64_t grain = total_grain(target);
  constexpr int kSteps = kExactSumDecoys / 2;
  const std::int64_t reach = target + grain * kSteps;
  sorted.assign(magnitudes.begin(), magnitudes.end());
  std::sort(sorted.begin(), sorted.end());
  // Depth first over subsets in ascending order of parts: a sum beyond the largest decoy ends
  // its branch and the branches after it.
  std::uint32_t met = 0;  // bit per decoy
  std::size_t visited = 0;
  struct Frame {
    std::size_t next;
    std::int64_t sum;
    int size;
  };
  Frame frames[kMaxDecoyDepth + 1];
  const int depth_limit = std::min(max_size, kMaxDecoyDepth);
  int top = 0;
  frames[0] = {0, 0, 0};
  while (top >= 0 && visited < kMaxDecoySubsets) {
    Frame& f = frames[top];
    if (f.next >= n || f.size >= depth_limit) {
      --top;
      continue;
    }
    const std::int64_t sum = f.sum + sorted[f.next];
    ++f.next;
    ++visited;
    if (sum > reach) {
      --top;  // every later part is at least as large
      continue;
    }
    const int size = f.size + 1;
    if (size >= 2 && sum != target && sum >= target - grain * kSteps && (sum - target) % grain == 0) {
      const std::int64_t step = (sum - target) / grain;  // -kSteps .. kSteps, not 0
      met |= 1u << static_cast<unsigned>(step < 0 ? kSteps + step : kSteps + step - 1);
    }
    frames[++top] = {f.next, sum, size};
  }
  return __builtin_popcount(met);
}

bool exact_sum_by_chance(std::span<const std::uint32_t> subset,
                         std::span<const std::pair<std::uint32_t, double>> candidates,
                         const std::vector<std::int64_t>& magnitudes, std::int64_t target,
                         int max_size, ChanceScratch& scratch) {
  const auto anchor = [&](std::uint32_t pos) { return candidates[pos].second >= kMinAnchorWeight; };
  if (std::none_of(subset.begin(), subset.end(), anchor))
    return exact_sum_decoys_met(magnitudes, target, max_size, scratch.sums) >= kMaxDecoysMet;
  std::int64_t anchored = 0;
  std::size_t anchors = 0;
  scratch.free.clear();
  for (std::uint32_t pos = 0; pos < candidates.size(); ++pos) {
    if (!anchor(pos)) {
      scratch.free.push_back(magnitudes[pos]);
    } else if (std::find(subset.begin(), subset.end(), pos) != subset.end()) {
      anchored += magnitudes[pos];
      ++anchors;
    }
  }
  if (subset.size() < anchors + kMinFreeParts || anchored >= target) return false;
  return exact_sum_decoys_met(scratch.free, target - anchored, max_size - static_cast<int>(anchors),
                              scratch.sums) >= kMaxDecoysMet;
}

}  // namespace oeuvre::engine
