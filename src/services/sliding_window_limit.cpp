#include "services/sliding_window_limit.h"

#include <algorithm>

namespace oeuvre::services {

SlidingWindowLimit::SlidingWindowLimit(int limit, std::chrono::seconds window,
                                       std::function<Clock::time_point()> now)
    : limit_(std::max(1, limit)), window_(window), now_(std::move(now)) {}

std::optional<int> SlidingWindowLimit::try_acquire(const std::string& key) {
  std::lock_guard lock(mu_);
  const auto now = now_();
  prune(now);
  auto& times = events_[key];
  while (!times.empty() && now - times.front() >= window_) times.pop_front();
  if (static_cast<int>(times.size()) < limit_) {
    times.push_back(now);
    return std::nullopt;
  }
  const auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + window_ - now).count();
  return static_cast<int>(std::max<long long>(1, wait));
}

// Drops keys without an event inside the window, at most once a minute.
void SlidingWindowLimit::prune(Clock::time_point now) {
  if (now - last_prune_ < std::chrono::minutes(1)) return;
  last_prune_ = now;
  std::erase_if(events_, [&](const auto& entry) {
    return entry.second.empty() || now - entry.second.back() >= window_;
  });
}

}  // namespace oeuvre::services
