#pragma once
// At most `limit` events per key in any sliding window of `window` (registrations per client
// address). In-process state: each node limits on its own. Safe for concurrent use.

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace oeuvre::services {

class SlidingWindowLimit {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: limit >= 1. `now` is the clock (tests pass a fake one).
  SlidingWindowLimit(int limit, std::chrono::seconds window,
                     std::function<Clock::time_point()> now = Clock::now);

  // Counts an event for `key` and returns nullopt when it is within the limit; otherwise counts
  // nothing and returns the seconds (at least 1) until one is allowed again.
  std::optional<int> try_acquire(const std::string& key);

 private:
  void prune(Clock::time_point now);

  const int limit_;
  const std::chrono::seconds window_;
  const std::function<Clock::time_point()> now_;
  std::mutex mu_;
  // Guarded by mu_. Each deque holds the times of the key's events inside the window, oldest first.
  std::unordered_map<std::string, std::deque<Clock::time_point>> events_;
  Clock::time_point last_prune_{};
};

}  // namespace oeuvre::services
