#include "services/login_rate_limiter.h"

namespace oeuvre::services {

LoginRateLimiter::LoginRateLimiter(int max_failures_per_account, int max_failures_per_ip,
                                   std::chrono::seconds window)
    : max_per_account_(max_failures_per_account), max_per_ip_(max_failures_per_ip), window_(window) {}

std::optional<int> LoginRateLimiter::check(std::unordered_map<std::string, std::deque<Clock::time_point>>& map,
                                           const std::string& key, int limit, Clock::time_point now) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  auto& times = it->second;
  while (!times.empty() && now - times.front() >= window_) times.pop_front();
  if (static_cast<int>(times.size()) < limit) return std::nullopt;
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(times.front() + window_ - now).count();
  return static_cast<int>(std::max<long long>(1, wait + 1));
}

std::optional<int> LoginRateLimiter::retry_after(const std::string& account, const std::string& ip) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  auto a = check(by_account_, account, max_per_account_, now);
  auto b = check(by_ip_, ip, max_per_ip_, now);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void LoginRateLimiter::record_failure(const std::string& account, const std::string& ip) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  prune(now);
  // Bounded per key: only the last `limit` failures matter.
  auto push = [&](auto& map, const std::string& key, int limit) {
    auto& times = map[key];
    times.push_back(now);
    while (static_cast<int>(times.size()) > limit) times.pop_front();
  };
  push(by_account_, account, max_per_account_);
  push(by_ip_, ip, max_per_ip_);
}

void LoginRateLimiter::clear_account(const std::string& account) {
  std::lock_guard lock(mu_);
  by_account_.erase(account);
}

void LoginRateLimiter::prune(Clock::time_point now) {
  if (now - last_prune_ < window_) return;
  last_prune_ = now;
  for (auto* map : {&by_account_, &by_ip_}) {
    for (auto it = map->begin(); it != map->end();) {
      if (it->second.empty() || now - it->second.back() >= window_) it = map->erase(it);
      else ++it;
    }
  }
}

}  // namespace oeuvre::services
