#include "engine/subset_search.h"

#include <gtest/gtest.h>

namespace oeuvre::engine {
namespace {

const auto kAny = [](std::span<const std::uint32_t>) { return 1.0; };

TEST(SubsetSearch, FindsExactSums) {
  std::vector<std::int64_t> parts{500, 300, 200, 700, 150};
  auto best = best_subset_sum(parts, 1000, 0, {}, kAny);
  ASSERT_TRUE(best.has_value());
  std::int64_t sum = 0;
  for (auto p : *best) sum += parts[p];
  EXPECT_EQ(sum, 1000);
  EXPECT_EQ(best->size(), 2u);  // equal scores: the fewest parts (300 + 700)
}

TEST(SubsetSearch, RespectsSizeToleranceAndScore) {
  std::vector<std::int64_t> parts{100, 100, 100, 100};
  SubsetSearchLimits three;
  three.max_size = 3;
  EXPECT_FALSE(best_subset_sum(parts, 400, 0, three, kAny).has_value());
  SubsetSearchLimits four;
  four.max_size = 4;
  EXPECT_TRUE(best_subset_sum(parts, 400, 0, four, kAny).has_value());
  EXPECT_TRUE(best_subset_sum(parts, 395, 5, four, kAny).has_value());
  EXPECT_FALSE(best_subset_sum(parts, 395, 4, four, kAny).has_value());
  // A single part is never a group.
  EXPECT_FALSE(best_subset_sum(parts, 100, 0, four, kAny).has_value());
  // The scorer decides among equal sums and can veto.
  std::vector<std::int64_t> two_ways{60, 40, 70, 30};
  auto prefer_third = [](std::span<const std::uint32_t> positions) {
    for (auto p : positions) {
      if (p == 2) return 2.0;
    }
    return 1.0;
  };
  auto best = best_subset_sum(two_ways, 100, 0, {}, prefer_third);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(*best, (std::vector<std::uint32_t>{2, 3}));
  auto veto = [](std::span<const std::uint32_t>) { return -1.0; };
  EXPECT_FALSE(best_subset_sum(two_ways, 100, 0, {}, veto).has_value());
}

TEST(SubsetSearch, NamesTheRunnerUp) {
  // Two subsets make 300: {100, 200} at positions 0 and 1, and {200, 100} at 1 and 2.
  std::vector<std::int64_t> parts{100, 200, 100};
  auto prefer_first = [](std::span<const std::uint32_t> positions) {
    return positions[0] == 0 ? 0.9 : 0.85;
  };
  SubsetRunnerUp runner_up;
  auto best = best_subset_sum(parts, 300, 0, {}, prefer_first, &runner_up);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(*best, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(runner_up.positions, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_DOUBLE_EQ(runner_up.score, 0.85);
  // One way only: no runner-up.
  std::vector<std::int64_t> one_way{100, 200, 7};
  best = best_subset_sum(one_way, 300, 0, {}, prefer_first, &runner_up);
  ASSERT_TRUE(best.has_value());
  EXPECT_TRUE(runner_up.positions.empty());
}

TEST(SubsetSearch, BoundedWork) {
  std::vector<std::int64_t> parts(30, 7);
  SubsetSearchLimits limits;
  limits.node_budget = 100;
  int calls = 0;
  auto counting = [&](std::span<const std::uint32_t>) {
    ++calls;
    return 1.0;
  };
  (void)best_subset_sum(parts, 42, 0, limits, counting);
  EXPECT_LE(calls, 100);
}

}  // namespace
}  // namespace oeuvre::engine
