#include "engine/parallel_for.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace oeuvre::engine {
namespace {

TEST(ParallelSort, SameOrderAsStdSortForAnyThreadCount) {
  std::mt19937 rng(42);
  for (std::size_t n : {0u, 1u, 100u, 4095u, 4096u, 10007u, 100000u}) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> values(n);
    // Many equal keys; the index makes the order total.
    for (std::uint32_t i = 0; i < n; ++i) values[i] = {static_cast<std::uint32_t>(rng() % 97), i};
    std::shuffle(values.begin(), values.end(), rng);
    auto expected = values;
    std::sort(expected.begin(), expected.end());
    for (int threads : {1, 2, 3, 4, 7}) {
      auto sorted = values;
      parallel_sort(sorted, threads, std::less<>());
      EXPECT_EQ(sorted, expected) << "n " << n << ", threads " << threads;
    }
  }
}

TEST(ParallelSort, UsesTheGivenOrder) {
  std::vector<int> values(20000);
  for (int i = 0; i < 20000; ++i) values[static_cast<std::size_t>(i)] = (i * 7919) % 20000;
  parallel_sort(values, 2, [](int a, int b) { return a > b; });
  EXPECT_TRUE(std::is_sorted(values.begin(), values.end(), [](int a, int b) { return a > b; }));
  EXPECT_EQ(values.front(), 19999);
}

}  // namespace
}  // namespace oeuvre::engine
