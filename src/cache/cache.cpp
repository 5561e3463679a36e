#include "cache/cache.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <algorithm>

#include "cache/redis_client.h"
#include "core/blocking.h"
#include "core/uuid.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "observability/request_phases.h"

namespace oeuvre::cache {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kChannel = "oeuvre:cache:invalidate";
// Prefix of every key in Redis; the version changes when the encoding of values does.
constexpr std::string_view kL2Prefix = "oeuvre:v1:";

constexpr std::array<std::string_view, kKindCount> kKindNames = {
    "users", "projects",      "project_lists", "data_sources", "data_source_lists",
    "jobs",  "job_summaries", "project_stats"};
// Each kind's share of CACHE_L1_BYTES (sums to 1).
constexpr std::array<double, kKindCount> kBudgetShares = {0.10, 0.15, 0.10, 0.15,
                                                          0.10, 0.15, 0.10, 0.15};

// Lists are kept in L1 only: their keys are many per change (every page, filter and reader) and are
// dropped by prefix, which Redis cannot do cheaply.
bool kept_in_l2(Kind kind) { return kind != Kind::kProjectLists && kind != Kind::kDataSourceLists; }

std::size_t index_of(Kind kind) { return static_cast<std::size_t>(kind); }

std::string l2_key(Kind kind, std::string_view key) {
  std::string out(kL2Prefix);
  out.append(kKindNames[index_of(kind)]).push_back(':');
  out.append(key);
  return out;
}

// An invalidation message: "<node id>\n<k|p>\n<kind index>\n<key>[\n<key>...]" (keys never hold a
// newline: they are made of ids and enum names).
std::string encode_message(std::string_view node_id, Kind kind,
                           const std::vector<std::string>& keys, bool prefix) {
  std::string message(node_id);
  message.append(prefix ? "\np\n" : "\nk\n");
  message.append(std::to_string(index_of(kind)));
  for (const std::string& key : keys) message.append("\n").append(key);
  return message;
}

}  // namespace

std::string_view kind_name(Kind kind) { return kKindNames[index_of(kind)]; }

struct Cache::SamplerState {
  std::mutex mutex;
  Cache* cache = nullptr;
};

Result<std::unique_ptr<Cache>> Cache::create(const CacheSettings& settings, obs::Metrics& metrics) {
  std::unique_ptr<Cache> cache(new Cache(settings, metrics));
  if (!settings.enabled || settings.redis_url.empty()) return cache;
  ASSIGN_OR_RETURN(RedisEndpoint endpoint, parse_redis_url(settings.redis_url));
  RedisOptions options;
  options.endpoint = std::move(endpoint);
  options.connect_timeout = settings.redis_timeout;
  options.command_timeout = settings.redis_timeout;
  cache->redis_ = std::make_unique<RedisClient>(options);
  Cache* self = cache.get();
  cache->subscriber_ = std::make_unique<RedisSubscriber>(
      options, std::string(kChannel),
      [self](std::string_view message) { self->on_message(message); },
      [self] {
        // Whatever was published while this node was not listening is lost: start L1 afresh.
        for (auto& l1 : self->l1_) l1->clear();
        self->subscribed_ = true;
      },
      [self] {
        self->subscribed_ = false;
        for (auto& l1 : self->l1_) l1->clear();
      });
  return cache;
}

Cache::Cache(const CacheSettings& settings, obs::Metrics& metrics)
    : settings_(settings), metrics_(metrics), node_id_(Uuid::generate_v4().to_string()) {
  for (std::size_t i = 0; i < kKindCount; ++i) {
    L1CacheOptions options;
    options.byte_budget =
        static_cast<std::size_t>(static_cast<double>(settings.l1_bytes) * kBudgetShares[i]);
    options.shard_count = 8;
    l1_[i] = std::make_unique<L1Cache>(options);
  }
  repeater_ = std::thread([this] { repeat_loop(); });
  register_metrics();
}

Cache::~Cache() {
  {
    std::lock_guard lock(repeat_mutex_);
    stopping_ = true;
  }
  repeat_wake_.notify_all();
  repeater_.join();
  subscriber_.reset();  // its thread calls back into this cache
  if (sampler_) {
    std::lock_guard lock(sampler_->mutex);
    sampler_->cache = nullptr;
  }
}

std::chrono::seconds Cache::ttl(Kind kind) const {
  switch (kind) {
    case Kind::kUsers:
      return settings_.users_ttl;
    case Kind::kProjectStats:
      return settings_.stats_ttl;
    default:
      return settings_.projects_ttl;
  }
}

bool Cache::l1_usable() const {
  return redis_ == nullptr || subscribed_.load(std::memory_order_acquire);
}

Result<std::string> Cache::get_or_load(Kind kind, const std::string& key, const Loader& loader) {
  if (!settings_.enabled) return loader();
  const std::size_t k = index_of(kind);
  obs::PhaseScope phase(obs::Phase::kCache);
  if (blocking_forbidden()) return l1_only(k, key);
  bool went_past_l1 = false;
  bool l2_hit = false;
  auto load_through = [&]() -> Result<std::string> {
    went_past_l1 = true;
    if (std::optional<std::string> found = from_l2(kind, key)) {
      l2_hit = true;
      return std::move(*found);
    }
    loads_[k].fetch_add(1, std::memory_order_relaxed);
    Result<std::string> loaded = loader();
    if (!loaded.ok()) {
      load_errors_[k].fetch_add(1, std::memory_order_relaxed);
      return loaded;
    }
    if (redis_ && kept_in_l2(kind)) (void)redis_->set(l2_key(kind, key), *loaded, ttl(kind));
    return loaded;
  };
  Result<std::string> value =
      l1_usable() ? l1_[k]->get_or_load(key, ttl(kind), load_through) : load_through();
  obs::note_cache_lookup(!went_past_l1 || l2_hit);
  return value;
}

std::optional<std::string> Cache::get(Kind kind, const std::string& key) {
  if (!settings_.enabled) return std::nullopt;
  const std::size_t k = index_of(kind);
  obs::PhaseScope phase(obs::Phase::kCache);
  if (blocking_forbidden()) return l1_only(k, key);
  if (l1_usable()) {
    if (std::optional<std::string> hit = l1_[k]->get(key)) {
      obs::note_cache_lookup(true);
      return hit;
    }
  }
  if (std::optional<std::string> found = from_l2(kind, key)) {
    obs::note_cache_lookup(true);
    if (l1_usable()) l1_[k]->put(key, *found, ttl(kind));
    return found;
  }
  obs::note_cache_lookup(false);
  loads_[k].fetch_add(1, std::memory_order_relaxed);  // the caller loads it
  return std::nullopt;
}

void Cache::put(Kind kind, const std::string& key, std::string value) {
  require_may_block();  // Redis, and a put after a load that could not have run here
  if (!settings_.enabled) return;
  const std::size_t k = index_of(kind);
  if (redis_ && kept_in_l2(kind)) (void)redis_->set(l2_key(kind, key), value, ttl(kind));
  if (l1_usable()) l1_[k]->put(key, std::move(value), ttl(kind));
}

std::string Cache::l1_only(std::size_t k, const std::string& key) {
  if (l1_usable()) {
    if (std::optional<std::string> hit = l1_[k]->get(key, /*count_miss=*/false)) {
      obs::note_cache_lookup(true);
      return std::move(*hit);
    }
  }
  throw WouldBlock{};  // the lookup is done again, and counted, on a worker thread
}

std::optional<std::string> Cache::from_l2(Kind kind, const std::string& key) {
  if (!redis_ || !kept_in_l2(kind)) return std::nullopt;
  const std::size_t k = index_of(kind);
  Result<std::optional<std::string>> found = redis_->get(l2_key(kind, key));
  if (!found.ok()) return std::nullopt;  // counted and logged by the client
  (*found ? l2_hits_ : l2_misses_)[k].fetch_add(1, std::memory_order_relaxed);
  return std::move(*found);
}

void Cache::drop_local(Kind kind, const std::string& key, bool prefix) {
  L1Cache& l1 = *l1_[index_of(kind)];
  if (prefix) {
    l1.erase_prefix(key);
  } else {
    l1.erase(key);
  }
}

void Cache::invalidate(Kind kind, std::vector<std::string> keys) {
  require_may_block();  // it talks to Redis
  if (!settings_.enabled || keys.empty()) return;
  for (const std::string& key : keys) drop_local(kind, key, false);
  invalidations_[index_of(kind)].fetch_add(keys.size(), std::memory_order_relaxed);
  const bool delivered = publish_and_delete(kind, keys, false);
  schedule_repeat(kind, std::move(keys), false, delivered);
}

void Cache::invalidate_prefix(Kind kind, std::string prefix) {
  require_may_block();  // it talks to Redis
  if (!settings_.enabled) return;
  drop_local(kind, prefix, true);
  invalidations_[index_of(kind)].fetch_add(1, std::memory_order_relaxed);
  std::vector<std::string> keys{std::move(prefix)};
  const bool delivered = publish_and_delete(kind, keys, true);
  schedule_repeat(kind, std::move(keys), true, delivered);
}

bool Cache::publish_and_delete(Kind kind, const std::vector<std::string>& keys, bool prefix) {
  if (!redis_) return true;
  bool ok = true;
  if (!prefix && kept_in_l2(kind)) {
    std::vector<std::string> remote;
    remote.reserve(keys.size());
    for (const std::string& key : keys) remote.push_back(l2_key(kind, key));
    ok = redis_->del(remote).ok();
  }
  return redis_->publish(kChannel, encode_message(node_id_, kind, keys, prefix)).ok() && ok;
}

void Cache::schedule_repeat(Kind kind, std::vector<std::string> keys, bool prefix, bool delivered) {
  if (!redis_) return;  // one node, no L2: nothing can reload the old value after the drop
  {
    std::lock_guard lock(repeat_mutex_);
    if (repeats_.size() >= kMaxRepeats) {
      obs::log_error("cache invalidations dropped: too many waiting for Redis",
                     {{"cache", std::string(kind_name(kind))}});
      return;
    }
    repeats_.push_back({std::chrono::steady_clock::now() + settings_.repeat_invalidation_after,
                        kind, std::move(keys), prefix, !delivered});
  }
  repeat_wake_.notify_all();
}

void Cache::repeat_loop() {
  std::unique_lock lock(repeat_mutex_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<Repeat> due;
    auto next = now + 1s;
    for (auto it = repeats_.begin(); it != repeats_.end();) {
      // One not delivered yet is retried every 100 ms until Redis takes it.
      const auto at = it->undelivered ? std::min(it->at, now) : it->at;
      if (at <= now) {
        due.push_back(std::move(*it));
        it = repeats_.erase(it);
      } else {
        next = std::min(next, at);
        ++it;
      }
    }
    if (!due.empty()) {
      lock.unlock();
      std::vector<Repeat> again;
      for (Repeat& r : due) {
        for (const std::string& key : r.keys) drop_local(r.kind, key, r.prefix);
        const bool delivered = publish_and_delete(r.kind, r.keys, r.prefix);
        if (r.undelivered && delivered) {
          // Delivered now: repeat once more a second later, like a fresh invalidation.
          r.undelivered = false;
          r.at = std::chrono::steady_clock::now() + settings_.repeat_invalidation_after;
          again.push_back(std::move(r));
        } else if (!delivered) {
          r.undelivered = true;
          again.push_back(std::move(r));
        }
      }
      lock.lock();
      for (Repeat& r : again) repeats_.push_back(std::move(r));
      continue;
    }
    const bool waiting_for_redis = std::any_of(repeats_.begin(), repeats_.end(),
                                               [](const Repeat& r) { return r.undelivered; });
    repeat_wake_.wait_until(lock, waiting_for_redis ? now + 100ms : next);
  }
}

void Cache::on_message(std::string_view message) {
  // "<node id>\n<k|p>\n<kind>\n<key>..." (see encode_message); anything else is ignored.
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= message.size()) {
    const std::size_t end = std::min(message.find('\n', start), message.size());
    parts.push_back(message.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() < 4 || parts[0] == node_id_ || (parts[1] != "k" && parts[1] != "p")) return;
  std::size_t kind = kKindCount;
  if (parts[2].size() == 1 && parts[2][0] >= '0' &&
      parts[2][0] < static_cast<char>('0' + kKindCount)) {
    kind = static_cast<std::size_t>(parts[2][0] - '0');
  }
  if (kind == kKindCount) return;
  for (std::size_t i = 3; i < parts.size(); ++i) {
    drop_local(static_cast<Kind>(kind), std::string(parts[i]), parts[1] == "p");
  }
  remote_invalidations_[kind].fetch_add(parts.size() - 3, std::memory_order_relaxed);
}

void Cache::register_metrics() {
  sampler_ = std::make_shared<SamplerState>();
  sampler_->cache = this;
  prometheus::Registry& registry = metrics_.registry();
  auto& requests = prometheus::BuildCounter()
                       .Name("oeuvre_cache_requests_total")
                       .Help("Cache lookups by cache, level (l1, l2) and result (hit, miss)")
                       .Register(registry);
  auto& loads = prometheus::BuildCounter()
                    .Name("oeuvre_cache_loads_total")
                    .Help("Values loaded from the database after missing L1 and L2")
                    .Register(registry);
  auto& load_errors = prometheus::BuildCounter()
                          .Name("oeuvre_cache_load_errors_total")
                          .Help("Loads that failed (nothing was cached)")
                          .Register(registry);
  auto& evictions = prometheus::BuildCounter()
                        .Name("oeuvre_cache_evictions_total")
                        .Help("L1 entries removed to make room")
                        .Register(registry);
  auto& invalidations =
      prometheus::BuildCounter()
          .Name("oeuvre_cache_invalidations_total")
          .Help(
              "Keys invalidated, by cache and origin (local: a write here; remote: "
              "a message from another node)")
          .Register(registry);
  auto& bytes = prometheus::BuildGauge()
                    .Name("oeuvre_cache_bytes")
                    .Help("Bytes charged to L1 entries (key, value and per-entry overhead)")
                    .Register(registry);
  auto& entries = prometheus::BuildGauge()
                      .Name("oeuvre_cache_entries")
                      .Help("Entries held in L1")
                      .Register(registry);
  auto& l2_errors = prometheus::BuildCounter()
                        .Name("oeuvre_cache_l2_errors_total")
                        .Help("Redis calls that failed or were refused by the open circuit breaker")
                        .Register(registry)
                        .Add({});
  auto& breaker = prometheus::BuildGauge()
                      .Name("oeuvre_cache_l2_breaker_open")
                      .Help("1 while the circuit breaker in front of Redis is open")
                      .Register(registry)
                      .Add({});
  auto& subscribed = prometheus::BuildGauge()
                         .Name("oeuvre_cache_l2_subscribed")
                         .Help("1 while this node receives other nodes' invalidations (L1 in use)")
                         .Register(registry)
                         .Add({});
  struct Series {
    prometheus::Counter* l1_hits;
    prometheus::Counter* l1_misses;
    prometheus::Counter* l2_hits;
    prometheus::Counter* l2_misses;
    prometheus::Counter* loads;
    prometheus::Counter* load_errors;
    prometheus::Counter* evictions;
    prometheus::Counter* local_invalidations;
    prometheus::Counter* remote_invalidations;
    prometheus::Gauge* bytes;
    prometheus::Gauge* entries;
  };
  auto series = std::make_shared<std::array<Series, kKindCount>>();
  for (std::size_t i = 0; i < kKindCount; ++i) {
    const std::string name(kKindNames[i]);
    (*series)[i] = {&requests.Add({{"cache", name}, {"level", "l1"}, {"result", "hit"}}),
                    &requests.Add({{"cache", name}, {"level", "l1"}, {"result", "miss"}}),
                    &requests.Add({{"cache", name}, {"level", "l2"}, {"result", "hit"}}),
                    &requests.Add({{"cache", name}, {"level", "l2"}, {"result", "miss"}}),
                    &loads.Add({{"cache", name}}),
                    &load_errors.Add({{"cache", name}}),
                    &evictions.Add({{"cache", name}, {"level", "l1"}}),
                    &invalidations.Add({{"cache", name}, {"origin", "local"}}),
                    &invalidations.Add({{"cache", name}, {"origin", "remote"}}),
                    &bytes.Add({{"cache", name}, {"level", "l1"}}),
                    &entries.Add({{"cache", name}, {"level", "l1"}})};
  }
  // Counters are pushed as the difference since the last scrape (the cache counts with atomics; a
  // Prometheus counter per lookup would cost a second atomic on the hot path).
  auto advance = [](prometheus::Counter* counter, double now) {
    if (now > counter->Value()) counter->Increment(now - counter->Value());
  };
  metrics_.on_scrape([state = sampler_, series, advance, &l2_errors, &breaker, &subscribed] {
    std::lock_guard lock(state->mutex);
    Cache* cache = state->cache;
    if (cache == nullptr) return;
    for (std::size_t i = 0; i < kKindCount; ++i) {
      const L1CacheStats l1 = cache->l1_[i]->stats();
      Series& s = (*series)[i];
      advance(s.l1_hits, static_cast<double>(l1.hits));
      advance(s.l1_misses, static_cast<double>(l1.misses));
      advance(s.l2_hits, static_cast<double>(cache->l2_hits_[i].load(std::memory_order_relaxed)));
      advance(s.l2_misses,
              static_cast<double>(cache->l2_misses_[i].load(std::memory_order_relaxed)));
      advance(s.loads, static_cast<double>(cache->loads_[i].load(std::memory_order_relaxed)));
      advance(s.load_errors,
              static_cast<double>(cache->load_errors_[i].load(std::memory_order_relaxed)));
      advance(s.evictions, static_cast<double>(l1.evictions));
      advance(s.local_invalidations,
              static_cast<double>(cache->invalidations_[i].load(std::memory_order_relaxed)));
      advance(s.remote_invalidations,
              static_cast<double>(cache->remote_invalidations_[i].load(std::memory_order_relaxed)));
      s.bytes->Set(static_cast<double>(l1.bytes));
      s.entries->Set(static_cast<double>(l1.entries));
    }
    if (cache->redis_) {
      const RedisClientStats redis = cache->redis_->stats();
      advance(&l2_errors, static_cast<double>(redis.errors));
      breaker.Set(redis.breaker_open ? 1 : 0);
    }
    subscribed.Set(cache->redis_ && cache->subscribed_ ? 1 : 0);
  });
}

}  // namespace oeuvre::cache
