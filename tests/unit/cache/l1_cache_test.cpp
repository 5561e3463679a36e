#include "cache/l1_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <latch>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace oeuvre::cache {
namespace {

using namespace std::chrono_literals;
using Clock = L1Cache::Clock;

// A clock the test (or a loader on another thread) moves by hand.
class FakeClock {
 public:
  Clock::time_point now() const { return Clock::time_point(Clock::duration(ticks_.load())); }
  void advance(Clock::duration by) { ticks_.fetch_add(by.count()); }
  std::function<Clock::time_point()> source() {
    return [this] { return now(); };
  }

 private:
  std::atomic<Clock::rep> ticks_{Clock::duration(1000h).count()};
};

// A random source that always draws the smallest number above zero: every hit of an entry with a
// known load time refreshes it early (-ln of it is about 708).
std::function<double()> always_refresh() {
  return [] { return std::numeric_limits<double>::min(); };
}
// A random source that draws 1: ln(1) = 0, so no hit refreshes early.
std::function<double()> never_refresh() {
  return [] { return 1.0; };
}

L1CacheOptions options(std::size_t shard_count, std::size_t byte_budget,
                       Policy policy = Policy::kTinyLfu) {
  L1CacheOptions o;
  o.shard_count = shard_count;
  o.byte_budget = byte_budget;
  o.policy = policy;
  return o;
}

// What an entry of `key` and `value` is charged.
std::size_t charge(const std::string& key, const std::string& value) {
  return key.size() + value.size() + kEntryOverheadBytes;
}

// Spins (yielding) until `done` holds: for a thread to reach a point the cache counts.
template <class Condition>
void wait_until(Condition done) {
  while (!done()) std::this_thread::yield();
}

// A loader that stops until released, for loads that must be in flight while the test acts.
class BlockingLoader {
 public:
  explicit BlockingLoader(Result<std::string> result) : result_(std::move(result)) {}

  L1Cache::Loader loader() {
    return [this]() -> Result<std::string> {
      ++calls_;
      started_.count_down();
      released_.wait();
      return result_;
    };
  }
  void wait_started() { started_.wait(); }
  void release() { released_.count_down(); }
  int calls() const { return calls_.load(); }

 private:
  Result<std::string> result_;
  std::atomic<int> calls_{0};
  std::latch started_{1};
  std::latch released_{1};
};

TEST(L1CacheTest, ReturnsWhatWasPutAndNothingForOtherKeys) {
  FakeClock clock;
  L1Cache cache(options(4, 1 << 20), clock.source());
  cache.put("a", "alpha", 1min);
  cache.put("b", "beta", 1min);
  EXPECT_EQ(cache.get("a"), "alpha");
  EXPECT_EQ(cache.get("b"), "beta");
  EXPECT_EQ(cache.get("c"), std::nullopt);
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().bytes, charge("a", "alpha") + charge("b", "beta"));
}

TEST(L1CacheTest, AnEntryExpiresWhenItsOwnTimeToLivePasses) {
  FakeClock clock;
  L1Cache cache(options(4, 1 << 20), clock.source());
  cache.put("short", "s", 10s);
  cache.put("long", "l", 60s);
  clock.advance(9s);
  EXPECT_EQ(cache.get("short"), "s");
  clock.advance(1s);
  EXPECT_EQ(cache.get("short"), std::nullopt);
  EXPECT_EQ(cache.get("long"), "l");
  clock.advance(50s);
  EXPECT_EQ(cache.get("long"), std::nullopt);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.expirations, 2u);
  EXPECT_EQ(stats.entries, 0u);
  EXPECT_EQ(stats.bytes, 0u);
}

TEST(L1CacheTest, AnExpiredEntryIsLoadedAgain) {
  FakeClock clock;
  L1Cache cache(options(1, 1 << 20), clock.source(), never_refresh());
  int calls = 0;
  auto loader = [&]() -> Result<std::string> { return "v" + std::to_string(++calls); };
  EXPECT_EQ(cache.get_or_load("k", 5s, loader).value(), "v1");
  clock.advance(4s);
  EXPECT_EQ(cache.get_or_load("k", 5s, loader).value(), "v1");
  clock.advance(1s);
  EXPECT_EQ(cache.get_or_load("k", 5s, loader).value(), "v2");
}

TEST(L1CacheTest, NothingIsStoredWithoutATimeToLive) {
  FakeClock clock;
  L1Cache cache(options(1, 1 << 20), clock.source());
  cache.put("k", "old", 1min);
  cache.put("k", "new", 0s);
  EXPECT_EQ(cache.get("k"), std::nullopt);
  EXPECT_EQ(cache.stats().rejections, 1u);
}

TEST(L1CacheTest, HeldBytesNeverExceedTheBudgetWhileInserting) {
  for (const Policy policy : {Policy::kTinyLfu, Policy::kLru}) {
    FakeClock clock;
    const std::size_t budget = 16 * 1024;
    L1Cache cache(options(4, budget, policy), clock.source());
    std::mt19937 random(7);
    std::uniform_int_distribution<int> key_number(0, 300);
    std::uniform_int_distribution<int> value_size(0, 250);
    std::size_t largest_entries = 0;
    for (int i = 0; i < 5000; ++i) {
      const std::string key = "key:" + std::to_string(key_number(random));
      if (i % 3 == 0) {
        (void)cache.get(key);  // some keys become frequent
      } else {
        cache.put(key, std::string(static_cast<std::size_t>(value_size(random)), 'x'), 1h);
      }
      const auto stats = cache.stats();
      ASSERT_LE(stats.bytes, budget) << "after operation " << i;
      largest_entries = std::max<std::size_t>(largest_entries, stats.entries);
    }
    EXPECT_GT(cache.stats().evictions, 0u);
    EXPECT_GT(largest_entries, 20u);  // the budget is used, not just respected
  }
}

TEST(L1CacheTest, AValueOverAnEighthOfItsShardIsReturnedButNotCached) {
  FakeClock clock;
  L1Cache cache(options(2, 64 * 1024), clock.source());
  ASSERT_EQ(cache.max_entry_charge(), 4096u);
  const std::string fits(4096 - kEntryOverheadBytes - 3, 'f');
  const std::string too_large(fits.size() + 1, 't');
  cache.put("fit", fits, 1min);
  EXPECT_EQ(cache.get("fit"), fits);
  auto loaded = cache.get_or_load("big", 1min, [&]() -> Result<std::string> { return too_large; });
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value(), too_large);
  EXPECT_EQ(cache.get("big"), std::nullopt);
  EXPECT_EQ(cache.stats().rejections, 1u);
}

TEST(L1CacheTest, PutReplacesTheValueAndItsCharge) {
  FakeClock clock;
  L1Cache cache(options(1, 1 << 20), clock.source());
  cache.put("k", "short", 1min);
  cache.put("k", "a much longer value", 1min);
  EXPECT_EQ(cache.get("k"), "a much longer value");
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_EQ(cache.stats().bytes, charge("k", "a much longer value"));
}

// Budgets of eight entries of one size below: an entry may take at most an eighth of its shard.
TEST(L1CacheTest, LruEvictsTheLeastRecentlyUsedEntryFirst) {
  FakeClock clock;
  L1Cache cache(options(1, 8 * charge("k0", "v"), Policy::kLru), clock.source());
  for (int i = 0; i < 8; ++i) cache.put("k" + std::to_string(i), "v", 1h);
  EXPECT_EQ(cache.get("k0"), "v");  // k1 is now the least recent
  cache.put("k8", "v", 1h);
  EXPECT_EQ(cache.get("k1"), std::nullopt);
  for (const char* kept : {"k0", "k2", "k3", "k4", "k5", "k6", "k7", "k8"}) {
    EXPECT_EQ(cache.get(kept), "v") << kept;
  }
  EXPECT_EQ(cache.stats().evictions, 1u);
}

// The same accesses under both policies: an entry used twice, seven used once after it, then a
// newcomer asked for three times. LRU evicts the twice-used entry (the least recent); the segmented
// LRU evicts the oldest once-used entry, because the second use moved the first to protected.
TEST(L1CacheTest, SegmentedLruKeepsAFrequentlyUsedEntryOverOnceUsedOnes) {
  for (const Policy policy : {Policy::kTinyLfu, Policy::kLru}) {
    SCOPED_TRACE(policy == Policy::kTinyLfu ? "TinyLFU" : "LRU");
    FakeClock clock;
    L1Cache cache(options(1, 8 * charge("hot", "v"), policy), clock.source());
    cache.put("hot", "v", 1h);
    EXPECT_EQ(cache.get("hot"), "v");
    for (int i = 1; i <= 7; ++i) cache.put("on" + std::to_string(i), "v", 1h);
    EXPECT_EQ(cache.get("new"), std::nullopt);
    EXPECT_EQ(cache.get("new"), std::nullopt);
    cache.put("new", "v", 1h);

    EXPECT_EQ(cache.get("new"), "v");
    if (policy == Policy::kTinyLfu) {
      EXPECT_EQ(cache.get("hot"), "v");
      EXPECT_EQ(cache.get("on1"), std::nullopt);
    } else {
      EXPECT_EQ(cache.get("hot"), std::nullopt);
      EXPECT_EQ(cache.get("on1"), "v");
    }
    EXPECT_EQ(cache.stats().evictions, 1u);
  }
}

TEST(L1CacheTest, TinyLfuAdmitsANewcomerOnlyWhenSeenMoreOftenThanItsVictim) {
  FakeClock clock;
  L1Cache cache(options(1, 8 * charge("k0", "v")), clock.source());
  for (int i = 0; i < 8; ++i) cache.put("k" + std::to_string(i), "v", 1h);
  // Seen once, like the victim: refused, and nothing is evicted for it.
  cache.put("kn", "v", 1h);
  EXPECT_EQ(cache.get("kn"), std::nullopt);
  EXPECT_EQ(cache.stats().rejections, 1u);
  EXPECT_EQ(cache.stats().evictions, 0u);
  // The miss above counted: put again, it has been seen three times, the victim (k0) once.
  cache.put("kn", "v", 1h);
  EXPECT_EQ(cache.get("kn"), "v");
  EXPECT_EQ(cache.get("k0"), std::nullopt);
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().entries, 8u);
}

TEST(L1CacheTest, AnExpiredVictimMakesRoomWhateverItsFrequency) {
  FakeClock clock;
  L1Cache cache(options(1, 8 * charge("k0", "v")), clock.source());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(cache.get("k0"), std::nullopt);  // a frequent key
  cache.put("k0", "v", 1s);
  for (int i = 1; i < 8; ++i) cache.put("k" + std::to_string(i), "v", 1h);
  clock.advance(2s);
  cache.put("kn", "v", 1h);  // seen once; its victim k0 has expired
  EXPECT_EQ(cache.get("kn"), "v");
  EXPECT_EQ(cache.stats().expirations, 1u);
  EXPECT_EQ(cache.stats().evictions, 0u);
}

TEST(L1CacheTest, OneLoaderRunsWhenManyThreadsMissTheSameKey) {
  constexpr int kThreads = 32;
  L1Cache cache(options(8, 1 << 20));
  std::atomic<int> calls{0};
  auto loader = [&]() -> Result<std::string> {
    ++calls;
    // Every thread has missed (and so is waiting on this load) before it ends.
    wait_until([&] { return cache.stats().misses == kThreads; });
    return std::string("loaded");
  };
  std::vector<std::string> values(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto result = cache.get_or_load("shared", 1min, loader);
      values[i] = result.ok() ? result.value() : "error: " + result.error().message();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(calls.load(), 1);
  for (const auto& value : values) EXPECT_EQ(value, "loaded");
  EXPECT_EQ(cache.get("shared"), "loaded");
  EXPECT_EQ(cache.stats().loads, 1u);
}

TEST(L1CacheTest, ALoadersErrorReachesEveryWaiterAndIsNotCached) {
  constexpr int kThreads = 32;
  L1Cache cache(options(8, 1 << 20));
  std::atomic<int> calls{0};
  auto failing = [&]() -> Result<std::string> {
    ++calls;
    wait_until([&] { return cache.stats().misses == kThreads; });
    return Error::Unavailable("the store is down");
  };
  std::vector<std::optional<Error>> errors(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto result = cache.get_or_load("shared", 1min, failing);
      if (!result.ok()) errors[i] = result.error();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(calls.load(), 1);
  for (const auto& error : errors) {
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code(), ErrorCode::kUnavailable);
    EXPECT_EQ(error->message(), "the store is down");
  }
  EXPECT_EQ(cache.get("shared"), std::nullopt);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.load_errors, 1u);
  EXPECT_EQ(stats.entries, 0u);
  // The next miss loads again.
  auto retried = cache.get_or_load("shared", 1min, [] { return Result<std::string>("back"); });
  EXPECT_EQ(retried.value(), "back");
}

TEST(L1CacheTest, ALoaderThatThrowsFailsItsWaitersAndThrowsToItsCaller) {
  L1Cache cache(options(1, 1 << 20));
  auto throwing = [&]() -> Result<std::string> {
    wait_until([&] { return cache.stats().misses == 2; });
    throw std::runtime_error("loader bug");
  };
  std::optional<Error> waiter_error;
  std::atomic<bool> leader_threw{false};
  std::thread leader([&] {
    try {
      (void)cache.get_or_load("k", 1min, throwing);
    } catch (const std::runtime_error&) {
      leader_threw = true;
    }
  });
  // Starts once the leader's miss is counted, so it waits on the leader's load.
  wait_until([&] { return cache.stats().misses == 1; });
  std::thread waiter([&] {
    auto result = cache.get_or_load("k", 1min, throwing);
    if (!result.ok()) waiter_error = result.error();
  });
  leader.join();
  waiter.join();
  EXPECT_TRUE(leader_threw.load());
  ASSERT_TRUE(waiter_error.has_value());
  EXPECT_EQ(waiter_error->code(), ErrorCode::kInternal);
  EXPECT_EQ(cache.get("k"), std::nullopt);
}

TEST(L1CacheTest, AHitRefreshesEarlyOnlyNearExpiry) {
  FakeClock clock;
  // u = 1/e: a hit refreshes once the expiry is within one load time (delta * beta * 1).
  L1Cache cache(options(1, 1 << 20), clock.source(), [] { return std::exp(-1.0); });
  int calls = 0;
  auto loader = [&]() -> Result<std::string> {
    clock.advance(2s);  // each load takes 2 s
    return "v" + std::to_string(++calls);
  };
  ASSERT_EQ(cache.get_or_load("k", 60s, loader).value(), "v1");  // expires 60 s after it loaded
  clock.advance(57s);
  EXPECT_EQ(cache.get_or_load("k", 60s, loader).value(), "v1");  // 3 s left > 2 s
  EXPECT_EQ(calls, 1);
  clock.advance(2s);
  EXPECT_EQ(cache.get_or_load("k", 60s, loader).value(), "v2");  // 1 s left: this hit reloads
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.get("k"), "v2");
  const auto stats = cache.stats();
  EXPECT_EQ(stats.early_refreshes, 1u);
  EXPECT_EQ(stats.loads, 2u);
  EXPECT_EQ(stats.hits, 3u);
}

TEST(L1CacheTest, EntriesThatWerePutAreNotRefreshedEarly) {
  FakeClock clock;
  L1Cache cache(options(1, 1 << 20), clock.source(), always_refresh());
  cache.put("k", "put", 10s);
  clock.advance(9s);
  int calls = 0;
  auto loader = [&]() -> Result<std::string> { return "v" + std::to_string(++calls); };
  EXPECT_EQ(cache.get_or_load("k", 10s, loader).value(), "put");
  EXPECT_EQ(calls, 0);
}

TEST(L1CacheTest, AnEarlyRefreshRunsOnceAndOtherReadersGetTheCurrentValueMeanwhile) {
  constexpr int kReaders = 16;
  FakeClock clock;
  L1Cache cache(options(4, 1 << 20), clock.source(), always_refresh());
  // A load time of 1 s and 30 s to live: always_refresh() draws a lead of about 708 s.
  auto first = [&]() -> Result<std::string> {
    clock.advance(1s);
    return std::string("old");
  };
  ASSERT_EQ(cache.get_or_load("k", 30s, first).value(), "old");

  BlockingLoader reload(std::string("new"));
  std::string refresher_value;
  std::thread refresher(
      [&] { refresher_value = cache.get_or_load("k", 30s, reload.loader()).value(); });
  reload.wait_started();

  // The reload is blocked: each of these hits would refresh too, but one is in flight, so each is
  // answered at once with the current value (joined here, before the reload is released).
  std::atomic<int> other_loads{0};
  auto counting = [&]() -> Result<std::string> {
    ++other_loads;
    return std::string("unexpected");
  };
  std::vector<std::string> values(kReaders);
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] { values[i] = cache.get_or_load("k", 30s, counting).value(); });
  }
  for (auto& reader : readers) reader.join();
  for (const auto& value : values) EXPECT_EQ(value, "old");
  EXPECT_EQ(cache.get("k"), "old");

  reload.release();
  refresher.join();
  EXPECT_EQ(refresher_value, "new");  // the winner pays for the reload and gets its value
  EXPECT_EQ(reload.calls(), 1);
  EXPECT_EQ(other_loads.load(), 0);
  EXPECT_EQ(cache.get("k"), "new");
  EXPECT_EQ(cache.stats().early_refreshes, 1u);
}

TEST(L1CacheTest, AFailedEarlyRefreshKeepsServingTheCurrentValue) {
  FakeClock clock;
  L1Cache cache(options(1, 1 << 20), clock.source(), always_refresh());
  auto first = [&]() -> Result<std::string> {
    clock.advance(1s);
    return std::string("current");
  };
  ASSERT_EQ(cache.get_or_load("k", 30s, first).value(), "current");
  auto failing = []() -> Result<std::string> { return Error::Unavailable("down"); };
  auto refreshed = cache.get_or_load("k", 30s, failing);
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed.value(), "current");
  EXPECT_EQ(cache.get("k"), "current");
  EXPECT_EQ(cache.stats().load_errors, 1u);
}

TEST(L1CacheTest, ALoadStartedBeforeAnEraseIsReturnedButNotCached) {
  L1Cache cache(options(4, 1 << 20));
  BlockingLoader slow(std::string("stale"));
  std::string slow_value;
  std::thread loading([&] { slow_value = cache.get_or_load("k", 1h, slow.loader()).value(); });
  slow.wait_started();

  cache.erase("k");
  // A miss after the erase does not join the stale load: it loads afresh.
  auto fresh = cache.get_or_load("k", 1h, [] { return Result<std::string>("fresh"); });
  EXPECT_EQ(fresh.value(), "fresh");

  slow.release();
  loading.join();
  EXPECT_EQ(slow_value, "stale");
  EXPECT_EQ(cache.get("k"), "fresh");
  EXPECT_EQ(cache.stats().loads, 2u);
}

TEST(L1CacheTest, ALoadStartedBeforeAClearIsNotCached) {
  L1Cache cache(options(4, 1 << 20));
  cache.put("other", "o", 1h);
  BlockingLoader slow(std::string("stale"));
  std::thread loading([&] { (void)cache.get_or_load("k", 1h, slow.loader()); });
  slow.wait_started();
  cache.clear();
  slow.release();
  loading.join();
  EXPECT_EQ(cache.get("k"), std::nullopt);
  EXPECT_EQ(cache.get("other"), std::nullopt);
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(L1CacheTest, APutDuringALoadWinsOverTheLoadedValue) {
  L1Cache cache(options(4, 1 << 20));
  BlockingLoader slow(std::string("loaded before the put"));
  std::thread loading([&] { (void)cache.get_or_load("k", 1h, slow.loader()); });
  slow.wait_started();
  cache.put("k", "put", 1h);
  slow.release();
  loading.join();
  EXPECT_EQ(cache.get("k"), "put");
}

TEST(L1CacheTest, ErasePrefixRemovesOnlyThatFamilyOfKeys) {
  L1Cache cache(options(4, 1 << 20));
  cache.put("project:1:job:1", "a", 1h);
  cache.put("project:1:job:2", "b", 1h);
  cache.put("project:12:job:1", "c", 1h);
  cache.put("project:2:job:1", "d", 1h);
  EXPECT_EQ(cache.erase_prefix("project:1:"), 2u);
  EXPECT_EQ(cache.get("project:1:job:1"), std::nullopt);
  EXPECT_EQ(cache.get("project:1:job:2"), std::nullopt);
  EXPECT_EQ(cache.get("project:12:job:1"), "c");
  EXPECT_EQ(cache.get("project:2:job:1"), "d");
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().bytes, charge("project:12:job:1", "c") + charge("project:2:job:1", "d"));
  EXPECT_TRUE(cache.erase("project:2:job:1"));
  EXPECT_FALSE(cache.erase("project:2:job:1"));
}

TEST(L1CacheTest, StatsCountWhatHappened) {
  FakeClock clock;
  L1Cache cache(options(1, 8 * charge("a", "v"), Policy::kLru), clock.source(), never_refresh());
  auto value = [] { return Result<std::string>("v"); };
  auto failing = [] { return Result<std::string>(Error::Unavailable("down")); };
  (void)cache.get_or_load("a", 1h, value);    // miss, load
  (void)cache.get_or_load("a", 1h, value);    // hit
  (void)cache.get("b");                       // miss
  (void)cache.get_or_load("b", 1h, failing);  // miss, load error
  cache.put("b", "v", 1s);
  for (const char* key : {"c", "d", "e", "f", "g", "h", "i"}) cache.put(key, "v", 2h);  // evicts a
  cache.put("too large", std::string(cache.max_entry_charge(), 'x'), 1h);  // a rejection
  clock.advance(1h);
  (void)cache.get("b");  // expired: a miss and an expiration
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 4u);
  EXPECT_EQ(stats.loads, 2u);
  EXPECT_EQ(stats.load_errors, 1u);
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.expirations, 1u);
  EXPECT_EQ(stats.early_refreshes, 0u);
  EXPECT_EQ(stats.rejections, 1u);
  EXPECT_EQ(stats.entries, 7u);
  EXPECT_EQ(stats.bytes, 7 * charge("c", "v"));
}

// A Zipf-like trace (rank r asked for in proportion to 1 / r^0.9, 10,000 keys) with a scan of 3,000
// keys asked for once each every 20,000 accesses, through caches holding 500 entries: the hit rates
// of both policies are printed (docs/cache.md records them).
TEST(L1CacheTest, TinyLfuHitRateIsNotWorseThanLruOnASkewedTraceWithScans) {
  constexpr int kKeys = 10'000;
  constexpr int kAccesses = 100'000;
  constexpr int kScanEvery = 20'000;
  constexpr int kScanLength = 3'000;
  constexpr int kCapacity = 500;
  const std::string value(64, 'v');

  std::vector<double> cumulative(kKeys);
  double total = 0;
  for (int rank = 0; rank < kKeys; ++rank) {
    total += 1.0 / std::pow(rank + 1, 0.9);
    cumulative[rank] = total;
  }
  std::mt19937_64 random(16);
  std::vector<std::string> trace;
  trace.reserve(kAccesses + (kAccesses / kScanEvery) * kScanLength);
  int scanned = 0;
  for (int i = 0; i < kAccesses; ++i) {
    if (i % kScanEvery == kScanEvery / 2) {
      for (int s = 0; s < kScanLength; ++s) trace.push_back("scan:" + std::to_string(scanned++));
    }
    const double u = static_cast<double>(random() >> 11) * 0x1.0p-53 * total;
    const auto rank =
        std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
    trace.push_back("key:" + std::to_string(std::min<std::ptrdiff_t>(rank, kKeys - 1)));
  }

  auto hit_rate = [&](Policy policy) {
    FakeClock clock;
    const std::size_t entry_charge = charge("key:0000", value);
    L1CacheOptions o = options(4, kCapacity * entry_charge, policy);
    o.expected_entry_bytes = entry_charge;
    L1Cache cache(o, clock.source(), never_refresh());
    const auto loader = [&]() -> Result<std::string> { return value; };
    for (const auto& key : trace) (void)cache.get_or_load(key, 1h, loader);
    const auto stats = cache.stats();
    return static_cast<double>(stats.hits) / static_cast<double>(stats.hits + stats.misses);
  };
  const double lru = hit_rate(Policy::kLru);
  const double tiny_lfu = hit_rate(Policy::kTinyLfu);
  std::cout << "hit rate over " << trace.size() << " accesses, " << kCapacity << " entries: LRU "
            << lru * 100 << "%, TinyLFU " << tiny_lfu * 100 << "%\n";
  EXPECT_GE(tiny_lfu, lru);
}

}  // namespace
}  // namespace oeuvre::cache
