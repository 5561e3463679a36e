#pragma once
// Cache: the two-level cache the services read through (cache-aside; docs/cache.md).
//
// Each kind of cached object (users, projects, ...) has its own L1Cache (its share of the byte
// budget, its own eviction and counters) and time to live. A read asks L1, then L2 (Redis, when
// REDIS_URL is set and its circuit breaker is closed), then runs the loader (the database) and
// stores what it loaded in both. A write calls invalidate() after its transaction commits: the keys
// leave this node's L1 and L2, and a message on Redis's channel makes every other node drop its L1
// copies. Since a reader on another node may have loaded the old row just before the commit and
// store it in L2 just after the deletion, every invalidation is repeated once, a second later.
//
// Never stale across nodes: while Redis is configured but this node's subscription is not live
// (Redis down, or not yet reconnected), L1 is neither read nor filled, since invalidations may be
// missed; the subscription's loss also clears L1 whole. Reads then go to L2 (if it answers) or to
// the database. Never an outage: a Redis error is counted, logged at most once per interval by the
// client, and the read goes on to the database; a write's invalidation does its L1 part whatever
// Redis does.
//
// Keys are built by the callers from ids only (and the actor's id where a result depends on who
// asks): authorization is never cached, it runs on the cached object on every request.
//
// Thread-safety: safe for concurrent use. REQUIRES: the Metrics registry outlives the cache.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cache/l1_cache.h"
#include "core/result.h"

namespace oeuvre::obs {
class Metrics;
}

namespace oeuvre::cache {

class RedisClient;
class RedisSubscriber;

// The kinds of cached object. Their names label the metrics and prefix the keys.
enum class Kind : std::uint8_t {
  kUsers,            // the fields authentication needs (never the password hash)
  kProjects,         // an active project by id
  kProjectLists,     // a page of a user's (or an admin's) project list: L1 only
  kDataSources,      // a data source by id
  kDataSourceLists,  // a page of a project's data sources: L1 only
  kJobs,             // a job that has finished (a running job is never cached)
  kJobSummaries,     // a finished job's summary
  kProjectStats,     // GET /projects/{id}/stats
};
inline constexpr std::size_t kKindCount = 8;
std::string_view kind_name(Kind kind);

struct CacheSettings {
  bool enabled = true;                           // CACHE_ENABLED
  std::size_t l1_bytes = std::size_t{64} << 20;  // CACHE_L1_BYTES: all kinds together
  std::chrono::seconds users_ttl{300};           // CACHE_USERS_TTL_SECONDS
  std::chrono::seconds projects_ttl{600};  // CACHE_PROJECTS_TTL_SECONDS (data sources, jobs, lists)
  std::chrono::seconds stats_ttl{1800};    // CACHE_STATS_TTL_SECONDS
  std::string redis_url;                   // REDIS_URL (a secret: it may hold a password)
  std::chrono::milliseconds redis_timeout{100};  // REDIS_TIMEOUT_MS: connect and each command
  std::chrono::milliseconds repeat_invalidation_after{1000};
};

// What a read found, for the debug access log and the tests.
enum class Outcome : std::uint8_t { kL1Hit, kL2Hit, kLoaded, kBypassed };

class Cache {
 public:
  using Loader = std::function<Result<std::string>()>;

  // Builds the L1s; connects to Redis (lazily, in the background) when settings.redis_url is set.
  // parse_redis_url's error for a REDIS_URL that does not parse.
  static Result<std::unique_ptr<Cache>> create(const CacheSettings& settings,
                                               obs::Metrics& metrics);
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // The value of `key` (of kind `kind`) from L1, L2 or `loader`; a loaded value is stored in both.
  // A loader error is returned and nothing is stored. With the cache disabled: the loader's result.
  // Inside a NonBlockingScope (core/blocking.h) this and get() look in L1 only and throw WouldBlock
  // on a miss, which is then neither counted nor loaded: the caller asks again where it may wait.
  Result<std::string> get_or_load(Kind kind, const std::string& key, const Loader& loader);

  // For values that may be cached only in some states (a job once it has ended): the value of `key`
  // from L1 or L2, or nullopt; and put() to store one (L1 and L2). No single flight.
  std::optional<std::string> get(Kind kind, const std::string& key);
  void put(Kind kind, const std::string& key, std::string value);

  // Drops `keys` of `kind` from every node's L1 and from L2 (now, and once more a second later).
  void invalidate(Kind kind, std::vector<std::string> keys);
  // Drops every key of `kind` starting with `prefix` from every node's L1 (kinds kept in L1 only).
  void invalidate_prefix(Kind kind, std::string prefix);

  // True while L1 may be used: no Redis configured, or this node's subscription is live.
  bool l1_usable() const;
  std::chrono::seconds ttl(Kind kind) const;

 private:
  // What the metrics sampler reads the cache through; the destructor empties it.
  struct SamplerState;
  // An invalidation to do again: a second later, or every 100 ms while Redis does not take it.
  struct Repeat {
    std::chrono::steady_clock::time_point at;
    Kind kind;
    std::vector<std::string> keys;
    bool prefix = false;
    bool undelivered = false;
  };
  static constexpr std::size_t kMaxRepeats = 100'000;
  using Counters = std::array<std::atomic<std::uint64_t>, kKindCount>;

  Cache(const CacheSettings& settings, obs::Metrics& metrics);

  // `key`'s value in L2 (nullopt: no Redis, a kind kept in L1 only, absent, or a Redis error),
  // counted as an L2 hit or miss.
  std::optional<std::string> from_l2(Kind kind, const std::string& key);
  // Inside a NonBlockingScope: `key`'s value in L1 (kind index k), counted as a hit, else throws
  // WouldBlock.
  std::string l1_only(std::size_t k, const std::string& key);
  void drop_local(Kind kind, const std::string& key, bool prefix);
  // Deletes the keys from L2 and tells the other nodes; false when Redis did not take both.
  bool publish_and_delete(Kind kind, const std::vector<std::string>& keys, bool prefix);
  void schedule_repeat(Kind kind, std::vector<std::string> keys, bool prefix, bool delivered);
  void repeat_loop();
  void on_message(std::string_view message);
  void register_metrics();

  const CacheSettings settings_;
  obs::Metrics& metrics_;
  const std::string node_id_;  // tells this node's invalidation messages from other nodes'
  std::array<std::unique_ptr<L1Cache>, kKindCount> l1_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisSubscriber> subscriber_;
  std::atomic<bool> subscribed_{false};
  Counters l2_hits_{};
  Counters l2_misses_{};
  Counters loads_{};
  Counters load_errors_{};
  Counters invalidations_{};
  Counters remote_invalidations_{};
  std::shared_ptr<SamplerState> sampler_;

  std::mutex repeat_mutex_;
  std::condition_variable repeat_wake_;
  std::vector<Repeat> repeats_;
  bool stopping_ = false;
  std::thread repeater_;
};

}  // namespace oeuvre::cache
