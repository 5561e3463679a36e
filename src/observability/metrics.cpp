#include "observability/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "observability/process_metrics.h"

namespace oeuvre::obs {

std::string_view method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kMethods = {"GET",    "HEAD",    "POST",    "PUT",  "PATCH",
                                                                "DELETE", "OPTIONS", "CONNECT", "TRACE"};
  const auto it = std::find(kMethods.begin(), kMethods.end(), method);
  return it == kMethods.end() ? std::string_view("other") : *it;
}

namespace {
std::atomic<std::uint64_t> g_next_instance_id{1};
}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()), instance_id_(g_next_instance_id++) {
  requests_ = &prometheus::BuildCounter()
                   .Name("oeuvre_http_requests_total")
                   .Help("HTTP requests served, by method, route pattern and status")
                   .Register(*registry_);
  durations_ = &prometheus::BuildHistogram()
                    .Name("oeuvre_http_request_duration_seconds")
                    .Help("HTTP request latency from first byte parsed to response ready")
                    .Register(*registry_);
  rejected_ = &prometheus::BuildCounter()
                   .Name("oeuvre_http_rejected_total")
                   .Help("Requests refused before a handler ran, by reason")
                   .Register(*registry_);
  auto& io_attempts = prometheus::BuildCounter()
                          .Name("oeuvre_http_io_thread_attempts_total")
                          .Help("Cache-backed reads tried on the I/O thread: answered there, or handed to a worker "
                                "thread because something would have waited")
                          .Register(*registry_);
  io_answered_ = &io_attempts.Add({{"outcome", "answered"}});
  io_handed_over_ = &io_attempts.Add({{"outcome", "handed_to_worker"}});
  secret_refresh_failures_ = &prometheus::BuildCounter()
                                  .Name("oeuvre_secret_refresh_failures_total")
                                  .Help("Background refreshes of a cached secret that failed (the last good value is kept)")
                                  .Register(*registry_);
  auth_events_ = &prometheus::BuildCounter()
                      .Name("oeuvre_auth_events_total")
                      .Help("Authentication events, by kind")
                      .Register(*registry_);
  login_lockouts_ = &prometheus::BuildCounter()
                         .Name("oeuvre_login_lockouts_total")
                         .Help("Lockouts started by failed logins, by scope")
                         .Register(*registry_);
  in_flight_ = &prometheus::BuildGauge()
                    .Name("oeuvre_http_requests_in_flight")
                    .Help("HTTP requests being handled now")
                    .Register(*registry_)
                    .Add({});
  store_unavailable_ = &prometheus::BuildCounter()
                            .Name("oeuvre_store_unavailable_total")
                            .Help("Requests answered 503 because the store was unreachable or busy")
                            .Register(*registry_)
                            .Add({});
  store_errors_ = &prometheus::BuildCounter()
                       .Name("oeuvre_store_errors_total")
                       .Help("Writes of background work the store refused, by fault and work")
                       .Register(*registry_);
  ingest_files_ = &prometheus::BuildCounter()
                       .Name("oeuvre_ingest_files_total")
                       .Help("Uploaded files whose parsing ended, by outcome")
                       .Register(*registry_);
  ingest_rows_ = &prometheus::BuildCounter()
                      .Name("oeuvre_ingest_rows_total")
                      .Help("Rows read from uploaded files, by result")
                      .Register(*registry_);
  ingest_duration_ = &prometheus::BuildHistogram()
                          .Name("oeuvre_ingest_duration_seconds")
                          .Help("Time from claiming an uploaded file to its end state")
                          .Register(*registry_)
                          .Add({}, prometheus::Histogram::BucketBoundaries{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900});
  jobs_ = &prometheus::BuildCounter()
               .Name("oeuvre_jobs_total")
               .Help("Reconciliation jobs whose run on this node ended, by outcome")
               .Register(*registry_);
  job_records_ = &prometheus::BuildCounter()
                      .Name("oeuvre_job_records_total")
                      .Help("Records reconciled by completed jobs")
                      .Register(*registry_)
                      .Add({});
  job_duration_ = &prometheus::BuildHistogram()
                       .Name("oeuvre_job_duration_seconds")
                       .Help("Time from claiming a reconciliation job to its end state")
                       .Register(*registry_)
                       .Add({}, prometheus::Histogram::BucketBoundaries{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900});
  auto gauge = [this](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(*registry_).Add({});
  };
  backup_last_success_ = gauge("oeuvre_backup_last_success_timestamp_seconds",
                               "Unix time of the last backup this node completed (0: none yet)");
  backup_last_verified_ = gauge("oeuvre_backup_last_verified_timestamp_seconds",
                                "Unix time of the last backup this node proved by restoring it (0: none yet)");
  backup_duration_ = gauge("oeuvre_backup_duration_seconds", "How long the last completed backup took");
  backup_size_ = gauge("oeuvre_backup_size_bytes", "Archive size of the last completed backup");
  backup_failures_ = &prometheus::BuildCounter()
                          .Name("oeuvre_backup_failures_total")
                          .Help("Scheduled backups or their verifications that failed on this node")
                          .Register(*registry_)
                          .Add({});
  pool_connections_ = &prometheus::BuildGauge()
                           .Name("oeuvre_db_pool_connections")
                           .Help("Database connections of this node's pool, by state (in_use, idle)")
                           .Register(*registry_);
  pool_in_use_ = &pool_connections_->Add({{"state", "in_use"}});
  pool_idle_ = &pool_connections_->Add({{"state", "idle"}});
  pool_max_ = gauge("oeuvre_db_pool_max_connections", "The most connections the pool opens (DB_POOL_SIZE)");
  pool_wait_ = &prometheus::BuildHistogram()
                    .Name("oeuvre_db_pool_wait_seconds")
                    .Help("Time an acquisition waited for a free database connection (gave up ones included)")
                    .Register(*registry_)
                    .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25,
                                                                     0.5, 1, 2.5, 5, 10});
  pool_timeouts_ = &prometheus::BuildCounter()
                        .Name("oeuvre_db_pool_timeouts_total")
                        .Help("Acquisitions that gave up waiting for a free connection (DB_WAIT_TIMEOUT_MS)")
                        .Register(*registry_)
                        .Add({});
  auto& queries = prometheus::BuildHistogram()
                      .Name("oeuvre_db_query_duration_seconds")
                      .Help("Time of one database statement, by kind")
                      .Register(*registry_);
  for (std::size_t i = 0; i < kStatementKinds.size(); ++i) {
    query_durations_[i] =
        &queries.Add({{"kind", std::string(kStatementKinds[i])}},
                     prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                             0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  }
  ready_ = gauge("oeuvre_ready", "1 when this node's last readiness check (the store answers) passed, else 0");
  queue_depth_ = &prometheus::BuildGauge()
                      .Name("oeuvre_queue_depth")
                      .Help("Items waiting in a work queue (files to parse, jobs to run)")
                      .Register(*registry_);
  queue_oldest_age_ = &prometheus::BuildGauge()
                           .Name("oeuvre_queue_oldest_age_seconds")
                           .Help("How long the oldest waiting item of a work queue has waited (0: none waits)")
                           .Register(*registry_);
  worker_heartbeat_ = &prometheus::BuildGauge()
                           .Name("oeuvre_worker_heartbeat_timestamp_seconds")
                           .Help("Unix time a background worker of this node last showed it is alive, by work")
                           .Register(*registry_);
  prometheus::BuildGauge()
      .Name("oeuvre_build_info")
      .Help("Build information")
      .Register(*registry_)
      .Add({{"version", OEUVRE_VERSION}})
      .Set(1);
}

void Metrics::observe_request(std::string_view method, std::string_view route, unsigned status,
                              double seconds) {
  const std::string_view label = method_label(method);
  // The thread's last few combinations first: a server answers the same few routes over and over,
  // and this finds their series without building the key or touching the shared lock.
  struct Recent {
    std::uint64_t owner = 0;
    std::string_view method;
    unsigned status = 0;
    std::string route;
    RequestSeries series;
  };
  thread_local std::array<Recent, 8> recent;
  thread_local std::size_t next_slot = 0;
  for (const Recent& r : recent) {
    if (r.owner == instance_id_ && r.status == status && r.method == label && r.route == route) {
      r.series.count->Increment();
      r.series.duration->Observe(seconds);
      return;
    }
  }
  thread_local std::string key;  // reused: no allocation once it has grown
  key.assign(label).append(" ").append(route).append(" ").append(std::to_string(status));
  RequestSeries series;
  {
    std::shared_lock lock(request_series_mutex_);
    const auto it = request_series_.find(key);
    if (it != request_series_.end()) series = it->second;
  }
  if (series.count == nullptr) {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    const std::string method_text(label);
    const std::string route_text(route);
    series.count = &requests_->Add(
        {{"method", method_text}, {"route", route_text}, {"status", std::to_string(status)}});
    series.duration = &durations_->Add({{"method", method_text}, {"route", route_text}}, kBuckets);
    std::unique_lock lock(request_series_mutex_);
    request_series_.emplace(key, series);  // Add returned the same series to a racing thread
  }
  Recent& slot = recent[next_slot++ % recent.size()];
  slot = {instance_id_, label, status, std::string(route), series};
  series.count->Increment();
  series.duration->Observe(seconds);
}

void Metrics::count_secret_refresh_failure(const std::string& name) {
  secret_refresh_failures_->Add({{"name", name}}).Increment();
}

void Metrics::count_rejected(const std::string& reason) {
  rejected_->Add({{"reason", reason}}).Increment();
}

void Metrics::count_auth_event(const std::string& event) {
  auth_events_->Add({{"event", event}}).Increment();
}

void Metrics::count_login_lockout(std::string_view scope) {
  login_lockouts_->Add({{"scope", std::string(scope)}}).Increment();
}

std::string Metrics::serialize() const {
  in_flight_->Set(static_cast<double>(in_flight_count_.load(std::memory_order_relaxed)));
  for (const auto& sample : samplers_) sample();
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  append_process_metrics(read_process_stats(), families);
  return prometheus::TextSerializer().Serialize(families);
}

void Metrics::on_scrape(std::function<void()> sample) { samplers_.push_back(std::move(sample)); }

void Metrics::observe_backup_seen(double unix_seconds) {
  if (unix_seconds > backup_last_success_->Value()) backup_last_success_->Set(unix_seconds);
}

void Metrics::set_backup_interval(double seconds) {
  if (backup_interval_ == nullptr) {
    backup_interval_ = &prometheus::BuildGauge()
                            .Name("oeuvre_backup_interval_seconds")
                            .Help("BACKUP_INTERVAL_SECONDS of a node whose automated backups are on")
                            .Register(*registry_)
                            .Add({});
  }
  backup_interval_->Set(seconds);
}

void Metrics::set_pool(int in_use, int idle, int max) {
  pool_in_use_->Set(in_use);
  pool_idle_->Set(idle);
  pool_max_->Set(max);
}

void Metrics::observe_pool_wait(double seconds, bool timed_out) {
  pool_wait_->Observe(seconds);
  if (timed_out) pool_timeouts_->Increment();
}

void Metrics::observe_query(std::string_view kind, double seconds) {
  std::size_t i = 0;
  while (i + 1 < kStatementKinds.size() && kStatementKinds[i] != kind) ++i;  // the last one is "other"
  query_durations_[i]->Observe(seconds);
}

void Metrics::set_queue(std::string_view queue, std::int64_t depth, double oldest_age_seconds) {
  const prometheus::Labels labels{{"queue", std::string(queue)}};
  queue_depth_->Add(labels).Set(static_cast<double>(depth));
  queue_oldest_age_->Add(labels).Set(oldest_age_seconds);
}

void Metrics::worker_alive(std::string_view work) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  worker_heartbeat_->Add({{"work", std::string(work)}}).Set(now);
}

void Metrics::count_store_error(std::string_view kind, std::string_view work) {
  store_errors_->Add({{"kind", std::string(kind)}, {"work", std::string(work)}}).Increment();
}

void Metrics::observe_ingest(const std::string& outcome, std::int64_t rows_ok, std::int64_t rows_failed,
                             double seconds) {
  ingest_files_->Add({{"outcome", outcome}}).Increment();
  ingest_rows_->Add({{"result", "ok"}}).Increment(static_cast<double>(rows_ok));
  ingest_rows_->Add({{"result", "failed"}}).Increment(static_cast<double>(rows_failed));
  ingest_duration_->Observe(seconds);
}

void Metrics::observe_backup_success(double unix_seconds, double duration_seconds, double size_bytes) {
  backup_last_success_->Set(unix_seconds);
  backup_duration_->Set(duration_seconds);
  backup_size_->Set(size_bytes);
}

void Metrics::observe_job(const std::string& outcome, std::int64_t records, double seconds) {
  jobs_->Add({{"outcome", outcome}}).Increment();
  job_records_->Increment(static_cast<double>(records));
  job_duration_->Observe(seconds);
}

}  // namespace oeuvre::obs
