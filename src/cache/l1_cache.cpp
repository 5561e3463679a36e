#include "cache/l1_cache.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <future>
#include <limits>
#include <random>
#include <utility>

namespace oeuvre::cache {
namespace {

using Counter = std::atomic<std::uint64_t>;

void add(Counter& counter, std::uint64_t n = 1) { counter.fetch_add(n, std::memory_order_relaxed); }
void subtract(Counter& counter, std::uint64_t n) {
  counter.fetch_sub(n, std::memory_order_relaxed);
}
std::uint64_t read(const Counter& counter) { return counter.load(std::memory_order_relaxed); }

// 53 random bits of a per-thread generator, as a double uniform in (0, 1].
double default_uniform_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return 1.0 - static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

}  // namespace

struct L1Cache::Flight {
  explicit Flight(std::string flight_key)
      : key(std::move(flight_key)), result(promise.get_future().share()) {}

  const std::string key;
  std::promise<Result<std::string>> promise;  // set once, by the thread that runs the loader
  const std::shared_future<Result<std::string>> result;
  bool detached = false;  // guarded by the shard's mutex: invalidated, so its result is not stored
};

// Padded to a cache line of its own so shards' mutexes and counters do not share one.
struct alignas(64) L1Cache::Shard {
  explicit Shard(std::size_t expected_keys) : sketch(expected_keys) {}

  EntryList& segment(Segment s) { return s == Segment::kProtected ? protected_segment : probation; }

  std::mutex mu;
  // Guarded by mu. Each segment has its most recent entry first; Policy::kLru uses probation only.
  EntryList probation;
  EntryList protected_segment;
  std::size_t protected_bytes = 0;
  std::unordered_map<std::string_view, EntryList::iterator> index;  // views of the entries' keys
  std::unordered_map<std::string_view, std::shared_ptr<Flight>> flights;  // views of Flight::key
  FrequencySketch sketch;

  // Changed under mu, read by stats() without it.
  Counter hits{0};
  Counter misses{0};
  Counter loads{0};
  Counter load_errors{0};
  Counter evictions{0};
  Counter expirations{0};
  Counter early_refreshes{0};
  Counter rejections{0};
  Counter bytes{0};
  Counter entries{0};
};

L1Cache::L1Cache(L1CacheOptions options, std::function<Clock::time_point()> now,
                 std::function<double()> uniform_random)
    : options_(options),
      shard_budget_(options.byte_budget / std::max<std::size_t>(options.shard_count, 1)),
      protected_budget_(shard_budget_ / 5 * 4),
      now_(std::move(now)),
      uniform_random_(uniform_random ? std::move(uniform_random)
                                     : std::function<double()>(default_uniform_random)) {
  assert(options.shard_count >= 1);
  const std::size_t shard_count = std::max<std::size_t>(options.shard_count, 1);
  // Policy::kLru never consults the sketch: the smallest one will do.
  const std::size_t expected_keys =
      options.policy == Policy::kTinyLfu
          ? shard_budget_ / std::max<std::size_t>(options.expected_entry_bytes, 1)
          : 0;
  shards_.reserve(shard_count);
  for (std::size_t i = 0; i < shard_count; ++i) {
    shards_.push_back(std::make_unique<Shard>(expected_keys));
  }
}

L1Cache::~L1Cache() = default;

std::uint64_t L1Cache::hash_key(std::string_view key) { return std::hash<std::string_view>{}(key); }

L1Cache::Shard& L1Cache::shard_for(std::uint64_t hash) { return *shards_[hash % shards_.size()]; }

std::optional<std::string> L1Cache::get(std::string_view key, bool count_miss) {
  const std::uint64_t hash = hash_key(key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mu);
  const auto entry = find_live(shard, key, now_());
  if (!entry && !count_miss) return std::nullopt;
  if (options_.policy == Policy::kTinyLfu) shard.sketch.increment(hash);
  if (!entry) {
    add(shard.misses);
    return std::nullopt;
  }
  add(shard.hits);
  touch(shard, *entry);
  return (*entry)->value;
}

Result<std::string> L1Cache::get_or_load(std::string_view key, Clock::duration ttl,
                                         const Loader& loader) {
  const std::uint64_t hash = hash_key(key);
  Shard& shard = shard_for(hash);
  std::shared_ptr<Flight> led;  // the flight this thread leads, if any
  std::shared_future<Result<std::string>> awaited;
  std::optional<std::string> current;  // the value an early refresh falls back on
  {
    std::lock_guard lock(shard.mu);
    const Clock::time_point now = now_();
    if (options_.policy == Policy::kTinyLfu) shard.sketch.increment(hash);
    if (const auto entry = find_live(shard, key, now)) {
      add(shard.hits);
      touch(shard, *entry);
      if (shard.flights.contains(key) || !should_refresh_early(**entry, now)) {
        return (*entry)->value;
      }
      add(shard.early_refreshes);
      current = (*entry)->value;
    } else {
      add(shard.misses);
      if (const auto flight = shard.flights.find(key); flight != shard.flights.end()) {
        awaited = flight->second->result;
      }
    }
    if (!awaited.valid()) {
      led = std::make_shared<Flight>(std::string(key));
      shard.flights.emplace(led->key, led);
    }
  }
  if (!led) return awaited.get();
  Result<std::string> result = lead(shard, key, hash, ttl, loader, led);
  if (!result.ok() && current) return std::move(*current);
  return result;
}

Result<std::string> L1Cache::lead(Shard& shard, std::string_view key, std::uint64_t hash,
                                  Clock::duration ttl, const Loader& loader,
                                  const std::shared_ptr<Flight>& flight) {
  // Ends the flight: stores a success unless the flight was detached, then wakes the waiters.
  auto finish = [&](const Result<std::string>& result, Clock::duration load_time) {
    {
      std::lock_guard lock(shard.mu);
      add(shard.loads);
      if (!result.ok()) add(shard.load_errors);
      if (!flight->detached) {
        shard.flights.erase(flight->key);
        if (result.ok()) {
          store(shard, key, hash, result.value(), ttl, load_time, now_(), /*count_access=*/false);
        }
      }
    }
    flight->promise.set_value(result);
  };

  const Clock::time_point started = now_();
  std::optional<Result<std::string>> result;
  try {
    result.emplace(loader());
  } catch (...) {
    finish(Error::Internal("the loader of a cached value threw an exception"),
           Clock::duration::zero());
    throw;
  }
  finish(*result, now_() - started);
  return std::move(*result);
}

void L1Cache::put(std::string_view key, std::string value, Clock::duration ttl) {
  const std::uint64_t hash = hash_key(key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mu);
  detach_flight(shard, key);
  store(shard, key, hash, std::move(value), ttl, Clock::duration::zero(), now_(),
        /*count_access=*/true);
}

bool L1Cache::erase(std::string_view key) {
  Shard& shard = shard_for(hash_key(key));
  std::lock_guard lock(shard.mu);
  detach_flight(shard, key);
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) return false;
  remove(shard, found->second);
  return true;
}

std::size_t L1Cache::erase_prefix(std::string_view prefix) {
  std::size_t removed = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (auto flight = shard->flights.begin(); flight != shard->flights.end();) {
      if (flight->first.starts_with(prefix)) {
        flight->second->detached = true;
        flight = shard->flights.erase(flight);
      } else {
        ++flight;
      }
    }
    std::vector<EntryList::iterator> matching;
    for (const auto& [entry_key, entry] : shard->index) {
      if (entry_key.starts_with(prefix)) matching.push_back(entry);
    }
    for (const auto& entry : matching) remove(*shard, entry);
    removed += matching.size();
  }
  return removed;
}

void L1Cache::clear() {
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (const auto& [flight_key, flight] : shard->flights) flight->detached = true;
    shard->flights.clear();
    shard->index.clear();
    shard->probation.clear();
    shard->protected_segment.clear();
    shard->protected_bytes = 0;
    shard->sketch.clear();
    shard->bytes.store(0, std::memory_order_relaxed);
    shard->entries.store(0, std::memory_order_relaxed);
  }
}

L1CacheStats L1Cache::stats() const {
  Stats total;
  for (const auto& shard : shards_) {
    total.hits += read(shard->hits);
    total.misses += read(shard->misses);
    total.loads += read(shard->loads);
    total.load_errors += read(shard->load_errors);
    total.evictions += read(shard->evictions);
    total.expirations += read(shard->expirations);
    total.early_refreshes += read(shard->early_refreshes);
    total.rejections += read(shard->rejections);
    total.bytes += read(shard->bytes);
    total.entries += read(shard->entries);
  }
  return total;
}

std::optional<L1Cache::EntryList::iterator> L1Cache::find_live(Shard& shard, std::string_view key,
                                                               Clock::time_point now) {
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) return std::nullopt;
  const EntryList::iterator entry = found->second;
  if (entry->expiry <= now) {
    add(shard.expirations);
    remove(shard, entry);
    return std::nullopt;
  }
  return entry;
}

void L1Cache::touch(Shard& shard, EntryList::iterator entry) {
  if (options_.policy == Policy::kLru || entry->segment == Segment::kProtected) {
    EntryList& list = shard.segment(entry->segment);
    list.splice(list.begin(), list, entry);
    return;
  }
  // A second access while on probation: promoted.
  shard.protected_segment.splice(shard.protected_segment.begin(), shard.probation, entry);
  entry->segment = Segment::kProtected;
  shard.protected_bytes += entry->charge;
  rebalance(shard);
}

void L1Cache::rebalance(Shard& shard) {
  while (shard.protected_bytes > protected_budget_ && !shard.protected_segment.empty()) {
    const auto demoted = std::prev(shard.protected_segment.end());
    shard.probation.splice(shard.probation.begin(), shard.protected_segment, demoted);
    demoted->segment = Segment::kProbation;
    shard.protected_bytes -= demoted->charge;
  }
}

bool L1Cache::should_refresh_early(const Entry& entry, Clock::time_point now) const {
  const double beta = options_.early_refresh_beta;
  if (!(beta > 0.0) || entry.load_time <= Clock::duration::zero()) return false;
  const double u =
      std::clamp(uniform_random_(), std::numeric_limits<double>::min(), 1.0);  // log(0) is -inf
  const double lead_seconds =
      -std::chrono::duration<double>(entry.load_time).count() * beta * std::log(u);
  return lead_seconds >= std::chrono::duration<double>(entry.expiry - now).count();
}

void L1Cache::store(Shard& shard, std::string_view key, std::uint64_t hash, std::string value,
                    Clock::duration ttl, Clock::duration load_time, Clock::time_point now,
                    bool count_access) {
  const bool tiny_lfu = options_.policy == Policy::kTinyLfu;
  if (count_access && tiny_lfu) shard.sketch.increment(hash);
  const std::size_t charge = key.size() + value.size() + kEntryOverheadBytes;
  const auto existing = shard.index.find(key);
  if (ttl <= Clock::duration::zero() || charge > max_entry_charge()) {
    if (existing != shard.index.end()) remove(shard, existing->second);
    add(shard.rejections);
    return;
  }
  const Clock::time_point expiry =
      ttl < Clock::time_point::max() - now ? now + ttl : Clock::time_point::max();

  if (existing != shard.index.end()) {
    // Replaced in place: held aside while room is made, so it cannot be its own victim.
    const EntryList::iterator entry = existing->second;
    EntryList held;
    held.splice(held.begin(), shard.segment(entry->segment), entry);
    subtract(shard.bytes, entry->charge);
    if (entry->segment == Segment::kProtected) shard.protected_bytes -= entry->charge;
    entry->value = std::move(value);
    entry->expiry = expiry;
    entry->load_time = load_time;
    entry->charge = charge;
    make_room(shard, charge, now);
    EntryList& list = shard.segment(entry->segment);
    list.splice(list.begin(), held, entry);
    add(shard.bytes, charge);
    if (entry->segment == Segment::kProtected) {
      shard.protected_bytes += charge;
      rebalance(shard);
    }
    return;
  }

  // The entries that would have to go, least recent first: probation's, then protected's. Under
  // TinyLFU the newcomer must be seen more often than each live one of them, or it stays out.
  const std::size_t held_bytes = read(shard.bytes);
  const std::size_t needed =
      held_bytes + charge > shard_budget_ ? held_bytes + charge - shard_budget_ : 0;
  const int candidate_frequency = tiny_lfu ? shard.sketch.estimate(hash) : 0;
  std::vector<EntryList::iterator> victims;
  std::size_t freed = 0;
  bool admitted = true;
  for (EntryList* list : {&shard.probation, &shard.protected_segment}) {
    for (auto it = list->end(); admitted && freed < needed && it != list->begin();) {
      --it;
      if (tiny_lfu && it->expiry > now && shard.sketch.estimate(it->hash) >= candidate_frequency) {
        admitted = false;
      } else {
        victims.push_back(it);
        freed += it->charge;
      }
    }
  }
  if (!admitted) {
    add(shard.rejections);
    return;
  }
  for (const EntryList::iterator victim : victims) {
    add(victim->expiry <= now ? shard.expirations : shard.evictions);
    remove(shard, victim);
  }
  shard.probation.push_front(Entry{.key = std::string(key),
                                   .value = std::move(value),
                                   .expiry = expiry,
                                   .load_time = load_time,
                                   .charge = charge,
                                   .hash = hash,
                                   .segment = Segment::kProbation});
  shard.index.emplace(shard.probation.front().key, shard.probation.begin());
  add(shard.bytes, charge);
  add(shard.entries);
}

void L1Cache::make_room(Shard& shard, std::size_t charge, Clock::time_point now) {
  while (read(shard.bytes) + charge > shard_budget_) {
    EntryList& list = shard.probation.empty() ? shard.protected_segment : shard.probation;
    if (list.empty()) return;
    const auto victim = std::prev(list.end());
    add(victim->expiry <= now ? shard.expirations : shard.evictions);
    remove(shard, victim);
  }
}

void L1Cache::remove(Shard& shard, EntryList::iterator entry) {
  shard.index.erase(std::string_view(entry->key));
  subtract(shard.bytes, entry->charge);
  subtract(shard.entries, 1);
  if (entry->segment == Segment::kProtected) shard.protected_bytes -= entry->charge;
  shard.segment(entry->segment).erase(entry);
}

void L1Cache::detach_flight(Shard& shard, std::string_view key) {
  const auto found = shard.flights.find(key);
  if (found == shard.flights.end()) return;
  found->second->detached = true;
  shard.flights.erase(found);
}

}  // namespace oeuvre::cache
