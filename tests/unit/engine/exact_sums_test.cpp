#include "engine/exact_sums.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>

namespace oeuvre::engine {
namespace {

int decoys(std::vector<std::int64_t> parts, std::int64_t target, int max_size = 6) {
  std::vector<std::int64_t> scratch;
  return exact_sum_decoys_met(parts, target, max_size, scratch);
}

// Invoices of odd cents meet the payment's total and nothing beside it.
TEST(ExactSumDecoys, AnOddCentTotalAmongFewPartsMeetsNone) {
  EXPECT_EQ(decoys({123712, 234848, 9999999}, 358560), 0);
  EXPECT_EQ(decoys({}, 358560), 0);
  EXPECT_EQ(decoys({358560}, 358560), 0);  // one part is no group
}

// Round invoices meet round totals by chance: 800.00 is 300 + 500, and every hundred from 300.00
// to 1,800.00 but 800.00 is met by others of them as well (grain 100.00): 15 decoys.
TEST(ExactSumDecoys, RoundPartsMeetTheRoundTotalsBesideTheirTarget) {
  const std::vector<std::int64_t> parts{10000, 20000, 30000, 50000, 70000};
  EXPECT_EQ(decoys(parts, 80000), 15);
  // The grain is the target's: 800.37 has odd cents, and no round part meets 800.36 or 800.38.
  EXPECT_EQ(decoys(parts, 80037), 0);
}

TEST(ExactSumDecoys, CountsEachDecoyOnceAndKeepsToTheGroupSize) {
  // 1 .. 14 meet every total from 3 to 27 in twos: the decoys beside 10 are 1 .. 26 but 10, so
  // all but 1 and 2 are met.
  std::vector<std::int64_t> small;
  for (std::int64_t v = 1; v <= 14; ++v) small.push_back(v);
  EXPECT_EQ(decoys(small, 10), 23);
  // 26 is 10 + 16 grains, the farthest decoy.
  static_assert(kExactSumDecoys == 32);
  // Three ones: 2 in twos; 4 would take four of them.
  EXPECT_EQ(decoys({1, 1, 1}, 3, 2), 1);
  EXPECT_EQ(decoys({1, 1, 1}, 3, 3), 1);
  EXPECT_EQ(decoys({1, 1, 1, 1, 1}, 3, 6), 3);  // 2, 4 and 5
}

// Many parts stay bounded: the walk stops after kMaxDecoySubsets subsets.
TEST(ExactSumDecoys, ManyPartsAreBounded) {
  std::vector<std::int64_t> parts(64, 100);
  EXPECT_LE(decoys(parts, 1000000, 8), kExactSumDecoys);
}

// The one pair of a customer's records meeting a payment's amount, with no pair meeting a total
// beside it.
bool lone_pair(const std::vector<std::int64_t>& pool, std::int64_t target, std::uint32_t* first,
               std::uint32_t* second) {
  CompletionSearch search;
  search.start(pool.size());
  for (std::uint32_t i = 0; i < pool.size(); ++i) {
    if (search.take(i)) search.add(pool[i], i);
  }
  std::uint32_t a = 0, b = 0;
  const bool found = search.lone_pair(target, a, b);
  if (found && first != nullptr) {
    *first = std::min(a, b);
    *second = std::max(a, b);
  }
  return found;
}

TEST(LonePair, FindsTheOnePairMeetingTheTotal) {
  std::uint32_t a = 0, b = 0;
  ASSERT_TRUE(lone_pair({2500000, 600000, 90000, 400037}, 1000037, &a, &b));
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 3u);
  // Two equal halves are one pair.
  ASSERT_TRUE(lone_pair({500000, 700, 500000}, 1000000, &a, &b));
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 2u);
}

TEST(LonePair, NoneWhereSeveralPairsOrADecoyTotalAreMet) {
  // Two records of 4,000.37: two pairs.
  EXPECT_FALSE(lone_pair({600000, 400037, 400037}, 1000037, nullptr, nullptr));
  // Three halves: three pairs.
  EXPECT_FALSE(lone_pair({500000, 500000, 500000}, 1000000, nullptr, nullptr));
  // 6,000.00 + 4,000.36 meets 10,000.36, a cent beside the total.
  EXPECT_FALSE(lone_pair({600000, 400037, 400036}, 1000037, nullptr, nullptr));
  // A round total, and round records meeting 9,900.00 beside it (grain 100.00); 7,000.00 is too far
  // from it to be a decoy.
  EXPECT_FALSE(lone_pair({600000, 400000, 390000}, 1000000, nullptr, nullptr));
  EXPECT_TRUE(lone_pair({600000, 400000, 100000}, 1000000, nullptr, nullptr));
  EXPECT_FALSE(lone_pair({600000}, 1000000, nullptr, nullptr));
  EXPECT_FALSE(lone_pair({}, 1000000, nullptr, nullptr));
}

// Against every subset, on random small pools: amounts of a few grains (so sums meet the decoys
// often), whole, round and odd-cent targets, group sizes 2 to 5.
TEST(ExactSumDecoys, AgreesWithEverySubsetOnRandomPools) {
  std::mt19937_64 random(17);
  int with_decoys = 0;
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = 2 + random() % 9;
    const int max_size = 2 + static_cast<int>(random() % 4);
    const std::int64_t unit = std::array<std::int64_t, 4>{1, 100, 1000, 10000}[random() % 4];
    std::vector<std::int64_t> parts;
    for (std::size_t i = 0; i < n; ++i)
      parts.push_back(unit * (1 + static_cast<std::int64_t>(random() % 40)));
    const std::int64_t target =
        unit * (2 + static_cast<std::int64_t>(random() % 60)) + (random() % 3 == 0 ? 7 : 0);
    const std::int64_t grain = total_grain(target);
    std::vector<bool> met(kExactSumDecoys, false);
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
      const int size = __builtin_popcount(mask);
      if (size < 2 || size > max_size) continue;
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < n; ++i) sum += (mask >> i & 1u) ? parts[i] : 0;
      const std::int64_t off = sum - target;
      if (off == 0 || off % grain != 0) continue;
      const std::int64_t step = off / grain;
      if (step < -kExactSumDecoys / 2 || step > kExactSumDecoys / 2) continue;
      met[static_cast<std::size_t>(step < 0 ? kExactSumDecoys / 2 + step
                                            : kExactSumDecoys / 2 + step - 1)] = true;
    }
    const int expected = static_cast<int>(std::count(met.begin(), met.end(), true));
    ASSERT_EQ(decoys(parts, target, max_size), expected) << "round " << round;
    with_decoys += expected > 0;
  }
  EXPECT_GT(with_decoys, 100);
  EXPECT_LT(with_decoys, 1900);
}

// lone_pair against every pair and the decoys, on random small pools.
TEST(LonePair, AgreesWithEveryPairOnRandomPools) {
  std::mt19937_64 random(29);
  int found_some = 0;
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = 2 + random() % 12;
    const std::int64_t unit = std::array<std::int64_t, 3>{1, 100, 10000}[random() % 3];
    std::vector<std::int64_t> pool;
    for (std::size_t i = 0; i < n; ++i)
      pool.push_back(unit * (1 + static_cast<std::int64_t>(random() % 300)) +
                     static_cast<std::int64_t>(random() % 2) * 37);
    const std::int64_t target =
        pool[0] + pool[1 + random() % (n - 1)] + (random() % 4 == 0 ? 1 : 0);
    const std::int64_t grain = total_grain(target);
    auto pairs_meeting = [&](std::int64_t total) {
      int count = 0;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) count += pool[i] + pool[j] == total;
      return count;
    };
    bool expected = pairs_meeting(target) == 1;
    for (int k = 1; expected && k <= kExactSumDecoys / 2; ++k) {
      for (const std::int64_t decoy : {target - grain * k, target + grain * k})
        expected = expected && (decoy <= 0 || pairs_meeting(decoy) == 0);
    }
    std::uint32_t a = 0, b = 0;
    const bool found = lone_pair(pool, target, &a, &b);
    ASSERT_EQ(found, expected) << "round " << round;
    if (found) {
      EXPECT_EQ(pool[a] + pool[b], target) << "round " << round;
      ++found_some;
    }
  }
  // Both outcomes occur.
  EXPECT_GT(found_some, 100);
  EXPECT_LT(found_some, 1900);
}

}  // namespace
}  // namespace oeuvre::engine
