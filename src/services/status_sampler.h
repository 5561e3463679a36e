#pragma once
// StatusSampler: a thread that, every `interval`, measures what a scrape must not wait for (it would
// hold a database connection, or hang with the store): the node's readiness (Database::ping(), as
// GET /health/ready does: oeuvre_ready) and the work queues (oeuvre_queue_depth and
// oeuvre_queue_oldest_age_seconds for "files" and "jobs"). While the store is down the queue gauges
// keep their last values and oeuvre_ready is 0.
// Thread-safety: start() and stop() from one thread; sample_once() is safe for concurrent use.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "observability/metrics.h"
#include "store/database.h"

namespace oeuvre::services {

class StatusSampler {
 public:
  StatusSampler(store::Database& db, obs::Metrics& metrics, std::chrono::milliseconds interval);
  ~StatusSampler();  // stops
  StatusSampler(const StatusSampler&) = delete;
  StatusSampler& operator=(const StatusSampler&) = delete;

  // Samples once now, then every interval on a thread of its own.
  void start();
  // Wakes the thread and joins it.
  void stop();
  // One sample: readiness, then the queues (skipped when the store is not ready).
  void sample_once();

 private:
  store::Database& db_;
  obs::Metrics& metrics_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace oeuvre::services
