#include "services/login_rate_limiter.h"

#include <algorithm>

namespace oeuvre::services {

std::string_view to_string(LockoutScope scope) {
  switch (scope) {
    case LockoutScope::kAccountAddress:
      return "account_address";
    case LockoutScope::kAccount:
      return "account";
    case LockoutScope::kAddress:
      return "address";
  }
  return "account";
}

LoginRateLimiter::LoginRateLimiter(LoginLimits limits, std::function<Clock::time_point()> now)
    : limits_(limits), now_(std::move(now)) {}

std::string LoginRateLimiter::pair_key(const std::string& account, const std::string& address) {
  return account + '\n' + address;  // an email never holds a newline
}

std::optional<int> LoginRateLimiter::retry_after(const std::string& account,
                                                 const std::string& address) {
  std::lock_guard lock(mu_);
  const auto now = now_();
  Clock::time_point until = now;
  auto later = [&](const Counters& counters, const std::string& key) {
    if (auto it = counters.find(key); it != counters.end())
      until = std::max(until, it->second.locked_until);
  };
  later(by_account_address_, pair_key(account, address));
  later(by_account_, account);
  later(by_address_, address);
  if (until <= now) return std::nullopt;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(until - now).count();
  return static_cast<int>(std::max<long long>(1, wait));
}

std::optional<std::chrono::seconds> LoginRateLimiter::count(Counter& counter, int limit,
                                                            Clock::time_point now) const {
  if (now - counter.last_failure >= limits_.failure_window) counter = Counter{};
  ++counter.failures;
  counter.last_failure = now;
  if (counter.failures < limit) return std::nullopt;
  // The first lockout at the limit, doubled by each failure after it, capped.
  auto lockout = limits_.first_lockout;
  for (int beyond = counter.failures - limit; beyond > 0 && lockout < limits_.max_lockout; --beyond)
    lockout *= 2;
  lockout = std::min(lockout, limits_.max_lockout);
  counter.locked_until = now + lockout;
  return lockout;
}

std::vector<Lockout> LoginRateLimiter::record_failure(const std::string& account,
                                                      const std::string& address) {
  std::lock_guard lock(mu_);
  const auto now = now_();
  prune(now);
  std::vector<Lockout> started;
  auto add = [&](Counters& counters, const std::string& key, int limit, LockoutScope scope) {
    if (auto lockout = count(counters[key], limit, now)) started.push_back({scope, *lockout});
  };
  add(by_account_address_, pair_key(account, address), limits_.failures_per_account_address,
      LockoutScope::kAccountAddress);
  add(by_account_, account, limits_.failures_per_account, LockoutScope::kAccount);
  add(by_address_, address, limits_.failures_per_address, LockoutScope::kAddress);
  return started;
}

void LoginRateLimiter::record_success(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  by_account_address_.erase(pair_key(account, address));
}

void LoginRateLimiter::unlock_account(const std::string& account) {
  std::lock_guard lock(mu_);
  by_account_.erase(account);
  const std::string prefix = account + '\n';
  std::erase_if(by_account_address_,
                [&](const auto& entry) { return entry.first.starts_with(prefix); });
}

// Drops counters that are neither locked nor remembered, at most once a minute.
void LoginRateLimiter::prune(Clock::time_point now) {
  if (now - last_prune_ < std::chrono::minutes(1)) return;
  last_prune_ = now;
  for (Counters* counters : {&by_account_address_, &by_account_, &by_address_}) {
    std::erase_if(*counters, [&](const auto& entry) {
      return entry.second.locked_until <= now &&
             now - entry.second.last_failure >= limits_.failure_window;
    });
  }
}

}  // namespace oeuvre::services
