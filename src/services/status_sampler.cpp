#include "services/status_sampler.h"

#include <algorithm>

#include "core/time.h"
#include "observability/log.h"
#include "store/file_repository.h"
#include "store/job_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

// Reads one queue's depth into the metrics; false when the store refused.
bool sample_queue(store::Database& db, obs::Metrics& metrics, store::ClaimQueue& queue, std::string_view name) {
  auto depth = store::with_connection(db, [&](store::Connection& conn) { return queue.depth(conn); });
  if (!depth.ok()) return false;
  double age = 0;
  if (depth->oldest) age = std::max(0.0, std::chrono::duration<double>(now_utc() - *depth->oldest).count());
  metrics.set_queue(name, depth->waiting, age);
  return true;
}

}  // namespace

StatusSampler::StatusSampler(store::Database& db, obs::Metrics& metrics, std::chrono::milliseconds interval)
    : db_(db), metrics_(metrics), interval_(interval) {}

StatusSampler::~StatusSampler() { stop(); }

void StatusSampler::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    do {
      lock.unlock();
      sample_once();
      lock.lock();
    } while (!wake_.wait_for(lock, interval_, [this] { return stopping_; }));
  });
}

void StatusSampler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatusSampler::sample_once() {
  const Status ready = db_.ping();
  metrics_.set_ready(ready.ok());
  if (!ready.ok()) return;
  store::FileQueue files;
  store::JobQueue jobs("");
  if (!sample_queue(db_, metrics_, files, "files") || !sample_queue(db_, metrics_, jobs, "jobs")) {
    obs::log(obs::LogLevel::kDebug, "queue depths not sampled: the store refused");
  }
}

}  // namespace oeuvre::services
