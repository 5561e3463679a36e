#pragma once
// Prometheus metrics of this process, served as text on /metrics. Metric names are stable API: alert
// rules (monitoring/) and dashboards depend on them. Every label has a bounded set of values: a value
// a client chooses (a method, a path) never becomes a label as sent, or each made-up one would add a
// series for good. Safe for concurrent use.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace oeuvre::obs {

// The `method` label of a request: the method's name for the methods of HTTP (RFC 9110 and PATCH),
// "other" for anything else (a view of static text).
std::string_view method_label(std::string_view method);

class Metrics {
 public:
  Metrics();

  // oeuvre_http_requests_total{method,route,status} and
  // oeuvre_http_request_duration_seconds{method,route}. `method` as the client sent it: labelled by
  // method_label. REQUIRES: `route` is a route's pattern or "unmatched", never the request's path.
  void observe_request(std::string_view method, std::string_view route, unsigned status,
                       double seconds);
  // oeuvre_http_requests_in_flight: a plain counter per request, read into the gauge at each scrape
  // (prometheus::Gauge changes by a compare-and-swap loop on a double).
  void request_started() { in_flight_count_.fetch_add(1, std::memory_order_relaxed); }
  void request_finished() { in_flight_count_.fetch_sub(1, std::memory_order_relaxed); }
  // oeuvre_http_rejected_total{reason}: requests refused before a handler ran (queue full, too large),
  // and connections refused at a connection limit.
  void count_rejected(const std::string& reason);
  // oeuvre_http_io_thread_attempts_total{outcome}: cache-backed reads tried on the I/O thread,
  // "answered" there or "handed_to_worker" because something would have waited (a cache miss).
  void count_io_thread_attempt(bool answered) { (answered ? io_answered_ : io_handed_over_)->Increment(); }
  // oeuvre_auth_events_total{event}: login_ok, login_failed, login_rate_limited, refresh_reuse, ...
  void count_auth_event(const std::string& event);
  // oeuvre_login_lockouts_total{scope}: lockouts started by failed logins; scope is account_address
  // (one address guessing one account), account (guessed from many addresses) or address (one
  // address guessing many accounts).
  void count_login_lockout(std::string_view scope);
  // oeuvre_store_unavailable_total: requests answered 503 because the store was down or the pool empty.
  prometheus::Counter& store_unavailable() { return *store_unavailable_; }
  // oeuvre_store_errors_total{kind,work}: writes of background work (work: file_parsing,
  // reconciliation) the store refused, by fault (kind: busy, unreachable, out_of_space, io_error,
  // corrupt, read_only). Both labels come from fixed sets.
  void count_store_error(std::string_view kind, std::string_view work);

  // oeuvre_ingest_files_total{outcome} (parsed | failed | handed_back | lost),
  // oeuvre_ingest_rows_total{result} (ok | failed) and oeuvre_ingest_duration_seconds: background
  // parsing of uploaded files.
  void observe_ingest(const std::string& outcome, std::int64_t rows_ok, std::int64_t rows_failed, double seconds);
  // oeuvre_jobs_total{outcome} (completed | failed | cancelled | handed_back | lost),
  // oeuvre_job_records_total and oeuvre_job_duration_seconds: reconciliation jobs run by this node.
  void observe_job(const std::string& outcome, std::int64_t records, double seconds);

  // Backups taken by this node (docs/backups.md): oeuvre_backup_last_success_timestamp_seconds,
  // oeuvre_backup_duration_seconds and oeuvre_backup_size_bytes (of the last successful backup),
  // oeuvre_backup_failures_total (backups or verifications that failed) and
  // oeuvre_backup_last_verified_timestamp_seconds (the last verification that passed).
  void observe_backup_success(double unix_seconds, double duration_seconds, double size_bytes);
  void count_backup_failure() { backup_failures_->Increment(); }
  // oeuvre_secret_refresh_failures_total{name}: background refreshes of a cached secret that failed
  // (the last good value was kept). `name` is the setting (JWT_SECRET), never a value.
  void count_secret_refresh_failure(const std::string& name);
  void observe_backup_verified(double unix_seconds) { backup_last_verified_->Set(unix_seconds); }

  // The last successful backup of any node, as read from the backups table: raises
  // oeuvre_backup_last_success_timestamp_seconds to `unix_seconds` when that is newer.
  void observe_backup_seen(double unix_seconds);
  // oeuvre_backup_interval_seconds: BACKUP_INTERVAL_SECONDS, exported only by a node whose automated
  // backups are on (so "no backup in two intervals" is only asked of such nodes).
  void set_backup_interval(double seconds);

  // The database pool, set by the sampler before each scrape (see on_scrape):
  // oeuvre_db_pool_connections{state="in_use"|"idle"} and oeuvre_db_pool_max_connections.
  void set_pool(int in_use, int idle, int max);
  // oeuvre_db_pool_wait_seconds: how long one acquisition waited for a free connection, also when it
  // gave up (then oeuvre_db_pool_timeouts_total counts it too).
  void observe_pool_wait(double seconds, bool timed_out);
  // oeuvre_db_query_duration_seconds{kind}: one statement's time, kind one of kStatementKinds (any
  // other string counts as "other").
  static constexpr std::array<std::string_view, 8> kStatementKinds = {
      "select", "insert", "update", "delete", "bulk", "transaction", "script", "other"};
  void observe_query(std::string_view kind, double seconds);

  // oeuvre_ready: 1 when the node's last readiness check (the store answered) passed, else 0.
  void set_ready(bool ready) { ready_->Set(ready ? 1 : 0); }
  // oeuvre_queue_depth{queue} (items waiting) and oeuvre_queue_oldest_age_seconds{queue} (how long the
  // oldest waiting item has waited; 0 when none waits). queue: "files" or "jobs".
  void set_queue(std::string_view queue, std::int64_t depth, double oldest_age_seconds);
  // oeuvre_worker_heartbeat_timestamp_seconds{work}: now, as Unix time. Called by a background worker
  // each turn of its loop and each heartbeat of the item it runs; work: "file_parsing" or
  // "reconciliation".
  void worker_alive(std::string_view work);

  // Runs `sample` at the start of every serialize(), to refresh gauges that are read, not pushed (the
  // pool). REQUIRES: called before serving starts (serialize() reads the list unguarded); `sample`
  // must be safe for concurrent use.
  void on_scrape(std::function<void()> sample);

  prometheus::Registry& registry() { return *registry_; }
  // Prometheus text exposition format 0.0.4: the registry, then the process metrics
  // (process_resident_memory_bytes, process_cpu_seconds_total, process_open_fds, ...: see
  // process_metrics.h).
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* durations_;
  prometheus::Family<prometheus::Counter>* rejected_;
  prometheus::Counter* io_answered_;
  prometheus::Counter* io_handed_over_;
  prometheus::Family<prometheus::Counter>* secret_refresh_failures_;
  prometheus::Family<prometheus::Counter>* auth_events_;
  prometheus::Family<prometheus::Counter>* login_lockouts_;
  prometheus::Family<prometheus::Counter>* ingest_files_;
  prometheus::Family<prometheus::Counter>* ingest_rows_;
  prometheus::Histogram* ingest_duration_;
  prometheus::Family<prometheus::Counter>* jobs_;
  prometheus::Counter* job_records_;
  prometheus::Histogram* job_duration_;
  prometheus::Gauge* in_flight_;
  std::atomic<std::int64_t> in_flight_count_{0};
  prometheus::Counter* store_unavailable_;
  prometheus::Family<prometheus::Counter>* store_errors_;
  prometheus::Gauge* backup_last_success_;
  prometheus::Gauge* backup_last_verified_;
  prometheus::Gauge* backup_duration_;
  prometheus::Gauge* backup_size_;
  prometheus::Counter* backup_failures_;
  prometheus::Gauge* backup_interval_ = nullptr;  // set once by set_backup_interval
  prometheus::Family<prometheus::Gauge>* pool_connections_;
  prometheus::Gauge* pool_in_use_;
  prometheus::Gauge* pool_idle_;
  prometheus::Gauge* pool_max_;
  prometheus::Histogram* pool_wait_;
  prometheus::Counter* pool_timeouts_;
  std::array<prometheus::Histogram*, kStatementKinds.size()> query_durations_{};
  prometheus::Gauge* ready_;
  prometheus::Family<prometheus::Gauge>* queue_depth_;
  prometheus::Family<prometheus::Gauge>* queue_oldest_age_;
  prometheus::Family<prometheus::Gauge>* worker_heartbeat_;
  std::vector<std::function<void()>> samplers_;
  // observe_request's series by "method route status": found under a shared lock, so a request does
  // not build label maps or take the families' locks (only a new combination does).
  struct RequestSeries {
    prometheus::Counter* count = nullptr;
    prometheus::Histogram* duration = nullptr;
  };
  std::shared_mutex request_series_mutex_;
  std::unordered_map<std::string, RequestSeries> request_series_;
  // Tells this instance's series apart in each thread's few most recent ones (observe_request),
  // also from those of an earlier instance at the same address.
  const std::uint64_t instance_id_;
};

}  // namespace oeuvre::obs
