#include "services/background_workers.h"

#include <exception>
#include <utility>

#include "observability/log.h"

namespace oeuvre::services {

BackgroundWorkers::BackgroundWorkers(std::string what, std::chrono::milliseconds poll_interval,
                                     std::function<Result<bool>()> step)
    : what_(std::move(what)), poll_interval_(poll_interval), step_(std::move(step)) {}

BackgroundWorkers::~BackgroundWorkers() { stop(); }

void BackgroundWorkers::start(int count) {
  std::lock_guard lock(mu_);
  if (!threads_.empty() || count <= 0) return;
  stopping_ = false;
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { run(); });
}

void BackgroundWorkers::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_one();
}

void BackgroundWorkers::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  stop_.notify_all();
  for (auto& t : threads) t.join();
}

void BackgroundWorkers::sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(mu_);
  stop_.wait_for(lock, duration, [&] { return stopping_.load(); });
}

void BackgroundWorkers::run() {
  while (!stopping_) {
    Result<bool> did = false;
    try {
      did = step_();
    } catch (const std::exception& e) {
      did = Error::Internal("unexpected exception in " + what_ + ": " + e.what());
    }
    if (did.ok() && *did) continue;
    if (!did.ok()) obs::log_warn(what_ + " paused", {{"error", did.error().message()}});
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, poll_interval_, [&] { return stopping_.load() || woken_; });
    woken_ = false;
  }
}

}  // namespace oeuvre::services
