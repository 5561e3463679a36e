#pragma once
// L1Cache: the in-process cache (issue 16, item 1). Keys and values are strings (callers encode and
// decode their objects); each entry has its own time to live, and the cache holds at most a byte
// budget: the sum over entries of key size + value size + kEntryOverheadBytes.
//
// - Sharded: a key's hash picks one of `shard_count` shards, each with its own mutex, budget
//   (byte_budget / shard_count), eviction lists and frequency sketch. A value whose charge exceeds
//   1/8 of its shard's budget is never stored (a load of it is returned, not cached).
// - Policy::kTinyLfu (the default): a segmented LRU (a probation and a protected segment, the main
//   space of Caffeine's W-TinyLFU, without its admission window) behind a TinyLFU admission filter.
//   A new entry lands in probation; a hit there promotes it to protected (at most 80% of the
//   shard); protected's least recent entries fall back to probation. When a new entry needs room,
//   the victims are probation's least recent entries (then protected's), and the new entry is
//   admitted only if its estimated recent frequency (a FrequencySketch of the shard's accesses)
//   exceeds every live victim's; otherwise it is not stored and nothing is evicted. One-off keys (a
//   scan) thus cannot flush out a frequently used working set. Policy::kLru: one LRU list and no
//   admission filter, for comparison.
// - Single flight: when several threads miss the same key in get_or_load, one of them runs the
//   loader and the others wait for its result. A successful result is cached and returned to all;
//   an error reaches all and is not cached. Loaders run without any lock of the cache held.
// - Early refresh (XFetch: Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic Cache Stampede
//   Prevention"): a get_or_load hit refreshes the entry before it expires when
//   now - delta * beta * ln(u) >= expiry, where delta is how long the entry's last load took, u is
//   uniform in (0, 1] and beta is `early_refresh_beta`; the closer the expiry and the slower the
//   load, the likelier. The refresh is single flight too, and the winner pays: the thread whose hit
//   decides to refresh runs the loader itself and returns the new value (or, if the reload fails,
//   the value it hit), while every other reader of the key keeps getting the current value without
//   waiting. So one request pays one load time early instead of every reader of a hot key paying
//   it at expiry, and the cache owns no thread. A miss of the key while its refresh is in flight
//   (the entry was evicted meanwhile) waits for that refresh like any single-flight waiter. Entries
//   stored by put() have no load time, so they are never refreshed early.
// - Invalidation: erase, erase_prefix and clear detach the loads in flight of the keys they remove.
//   A detached load still answers its callers with what it loaded but stores nothing, since it may
//   have read the data before the change that caused the invalidation; the next caller starts a new
//   load. put() detaches the key's load in flight the same way (the value put is the newer one).
//
// Thread-safety: safe for concurrent use. The clock and the random source are called under a
// shard's mutex, possibly from several threads at once. REQUIRES: no call is in progress when the
// cache is destroyed.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cache/frequency_sketch.h"
#include "core/result.h"

namespace oeuvre::cache {

// What an entry costs beyond its key and value bytes: the list node with the entry's fields, the
// index's node and bucket, and the allocator's headers (about 190 bytes on x86-64 libstdc++).
inline constexpr std::size_t kEntryOverheadBytes = 192;

enum class Policy {
  kLru,      // plain LRU, every new entry admitted
  kTinyLfu,  // segmented LRU with TinyLFU admission
};

struct L1CacheOptions {
  std::size_t shard_count = 16;
  // Key bytes + value bytes + kEntryOverheadBytes over all entries, at most.
  std::size_t byte_budget = std::size_t{64} << 20;
  Policy policy = Policy::kTinyLfu;
  // XFetch's beta: above 1 refreshes earlier, below 1 later; 0 turns early refresh off.
  double early_refresh_beta = 1.0;
  // Sizes the frequency sketch: each shard expects its budget / this many entries.
  std::size_t expected_entry_bytes = 512;
};

// A snapshot of the cache's counters (each counted since construction) and of its size.
struct L1CacheStats {
  std::uint64_t hits = 0;             // lookups that found a live entry
  std::uint64_t misses = 0;           // lookups that did not (get_or_load waiters included)
  std::uint64_t loads = 0;            // loader calls, early refreshes included
  std::uint64_t load_errors = 0;      // loader calls that returned an error
  std::uint64_t evictions = 0;        // live entries removed to make room
  std::uint64_t expirations = 0;      // entries removed because their time to live had passed
  std::uint64_t early_refreshes = 0;  // hits that decided to reload before expiry
  std::uint64_t rejections = 0;  // values not stored: too large, no time to live, or not admitted
  std::uint64_t bytes = 0;       // charged bytes held now
  std::uint64_t entries = 0;     // entries held now (expired ones not yet removed included)
};

class L1Cache {
 public:
  using Clock = std::chrono::steady_clock;
  using Stats = L1CacheStats;
  using Loader = std::function<Result<std::string>()>;

  // `now` is the clock (tests pass a fake one); `uniform_random` returns numbers uniform in (0, 1]
  // for early refresh decisions (tests pass a fixed one; empty: a per-thread generator seeded from
  // std::random_device). REQUIRES: options.shard_count >= 1.
  explicit L1Cache(L1CacheOptions options, std::function<Clock::time_point()> now = Clock::now,
                   std::function<double()> uniform_random = {});
  ~L1Cache();
  L1Cache(const L1Cache&) = delete;
  L1Cache& operator=(const L1Cache&) = delete;

  // The live value of `key`, or nullopt (absent or expired). Never loads, never waits. With
  // `count_miss` false a miss leaves no trace (neither counted nor in the frequency sketch): for a
  // lookup that another one, which counts, will repeat (the HTTP server's attempt on its I/O
  // thread, redone on a worker).
  std::optional<std::string> get(std::string_view key, bool count_miss = true);

  // The live value of `key`, else the loader's result: see the header comment for single flight and
  // early refresh. A loaded value is stored for `ttl` unless invalidated meanwhile, too large or
  // not admitted. A loader that throws: its exception reaches its own caller, and the callers
  // waiting on it get a kInternal error; nothing is stored. Loaders should bound their own time:
  // waiters wait as long as the loader runs. A loader must not ask for its own key (it would wait
  // for itself).
  Result<std::string> get_or_load(std::string_view key, Clock::duration ttl, const Loader& loader);

  // Stores `value` for `ttl`, replacing any value of `key`. Not stored (and any old value removed)
  // when ttl <= 0 or the entry is too large; a new key may also be refused admission (kTinyLfu).
  void put(std::string_view key, std::string value, Clock::duration ttl);

  // Removes `key`; true if an entry was removed. Detaches its load in flight.
  bool erase(std::string_view key);
  // Removes every key starting with `prefix`, in O(entries); the number of entries removed.
  // Detaches those keys' loads in flight.
  std::size_t erase_prefix(std::string_view prefix);
  // Removes every entry and forgets the access frequencies. Detaches every load in flight.
  void clear();

  Stats stats() const;

  // The largest charge (key + value + kEntryOverheadBytes) an entry may have and be stored.
  std::size_t max_entry_charge() const { return shard_budget_ / 8; }

 private:
  enum class Segment : std::uint8_t { kProbation, kProtected };

  struct Entry {
    std::string key;
    std::string value;
    Clock::time_point expiry{};
    Clock::duration load_time{};  // how long the loader took; zero for put()
    std::size_t charge = 0;       // key.size() + value.size() + kEntryOverheadBytes
    std::uint64_t hash = 0;
    Segment segment = Segment::kProbation;
  };
  using EntryList = std::list<Entry>;

  // A load in progress for a key: its leader's result, shared with the callers waiting on it.
  struct Flight;
  // A slice of the cache with its own mutex, budget, segments, sketch and counters.
  struct Shard;

  static std::uint64_t hash_key(std::string_view key);
  Shard& shard_for(std::uint64_t hash);

  // The following REQUIRE the shard's mutex held.
  // The live entry of `key`; removes it (an expiration) if it has expired.
  std::optional<EntryList::iterator> find_live(Shard& shard, std::string_view key,
                                               Clock::time_point now);
  void touch(Shard& shard, EntryList::iterator entry);
  bool should_refresh_early(const Entry& entry, Clock::time_point now) const;
  // Stores `key` → `value`; `count_access`: also counts the access in the frequency sketch.
  void store(Shard& shard, std::string_view key, std::uint64_t hash, std::string value,
             Clock::duration ttl, Clock::duration load_time, Clock::time_point now,
             bool count_access);
  // Evicts least recent entries until `charge` more bytes fit.
  void make_room(Shard& shard, std::size_t charge, Clock::time_point now);
  // Moves protected's least recent entries to probation until protected is within its share.
  void rebalance(Shard& shard);
  void remove(Shard& shard, EntryList::iterator entry);
  void detach_flight(Shard& shard, std::string_view key);

  // Runs the loader of a flight this thread leads, then stores (unless detached) and publishes its
  // result.
  Result<std::string> lead(Shard& shard, std::string_view key, std::uint64_t hash,
                           Clock::duration ttl, const Loader& loader,
                           const std::shared_ptr<Flight>& flight);

  const L1CacheOptions options_;
  const std::size_t shard_budget_;
  const std::size_t protected_budget_;
  const std::function<Clock::time_point()> now_;
  const std::function<double()> uniform_random_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace oeuvre::cache
