#include "engine/assignment.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace oeuvre::engine {
namespace {

double total(const std::vector<WeightedEdge>& edges) {
  double sum = 0;
  for (const auto& e : edges) sum += e.score;
  return sum;
}

TEST(Assignment, BeatsGreedyWhereGreedyIsWorse) {
  // Greedy takes L0-R0 (0.9) and strands L1; the optimum pairs L0-R1 and L1-R0.
  std::vector<WeightedEdge> edges{{0, 0, 0.90}, {0, 1, 0.80}, {1, 0, 0.85}};
  auto chosen = assign_one_to_one(edges);
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen[0].left, 0u);
  EXPECT_EQ(chosen[0].right, 1u);
  EXPECT_EQ(chosen[1].left, 1u);
  EXPECT_EQ(chosen[1].right, 0u);
}

TEST(Assignment, OneToOneAndDeterministicTies) {
  std::vector<WeightedEdge> edges{{3, 7, 0.5}, {3, 8, 0.5}, {4, 9, 0.7}};
  auto chosen = assign_one_to_one(edges);
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen[0].right, 7u);  // tie: the lower right index
  std::vector<WeightedEdge> reversed(edges.rbegin(), edges.rend());
  auto again = assign_one_to_one(reversed);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].right, 7u);
  EXPECT_TRUE(assign_one_to_one({}).empty());
}

TEST(Assignment, ExactMatchesBruteForceOnSmallRandomGraphs) {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<WeightedEdge> edges;
    for (std::uint32_t l = 0; l < 5; ++l) {
      for (std::uint32_t r = 0; r < 5; ++r) {
        if (rng() % 2)
          edges.push_back({l, r, 0.5 + 0.5 * static_cast<double>(rng() % 1000) / 1000.0});
      }
    }
    // Brute force over every partial one-to-one map of the 5 lefts.
    double score[5][5] = {};
    for (const auto& e : edges) score[e.left][e.right] = e.score;
    std::function<double(std::uint32_t, unsigned)> best_from = [&](std::uint32_t l,
                                                                   unsigned used) -> double {
      if (l == 5) return 0.0;
      double best = best_from(l + 1, used);  // l stays unassigned
      for (std::uint32_t r = 0; r < 5; ++r) {
        if (score[l][r] > 0 && !(used & (1u << r)))
          best = std::max(best, score[l][r] + best_from(l + 1, used | (1u << r)));
      }
      return best;
    };
    const double best = best_from(0, 0);
    auto chosen = assign_one_to_one(edges);
    EXPECT_NEAR(total(chosen), best, 1e-6) << "round " << round;
    std::vector<bool> left_used(5), right_used(5);
    for (const auto& e : chosen) {
      EXPECT_FALSE(left_used[e.left]);
      EXPECT_FALSE(right_used[e.right]);
      left_used[e.left] = right_used[e.right] = true;
    }
  }
}

TEST(Assignment, LargeComponentsFallBackToGreedy) {
  std::vector<WeightedEdge> edges;
  for (std::uint32_t i = 0; i < 50; ++i) {
    edges.push_back({i, i, 0.9});
    edges.push_back({i, i + 1, 0.8});
  }
  auto chosen = assign_one_to_one(edges, /*exact_component_limit=*/10);
  EXPECT_EQ(chosen.size(), 50u);
  EXPECT_NEAR(total(chosen), 45.0, 1e-9);
}

}  // namespace
}  // namespace oeuvre::engine
