#pragma once
// Counts failed logins per account and per client IP in a sliding window and refuses further attempts
// past a limit. In-process state: each node limits on its own (a shared Redis window comes with the
// cache issue). Safe for concurrent use.

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace oeuvre::services {

class LoginRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  LoginRateLimiter(int max_failures_per_account, int max_failures_per_ip, std::chrono::seconds window);

  // Seconds to wait when either key is over its limit; nullopt when an attempt may proceed.
  std::optional<int> retry_after(const std::string& account, const std::string& ip);
  void record_failure(const std::string& account, const std::string& ip);
  // A successful login clears the account's failures (not the IP's).
  void clear_account(const std::string& account);

 private:
  std::optional<int> check(std::unordered_map<std::string, std::deque<Clock::time_point>>& map,
                           const std::string& key, int limit, Clock::time_point now);
  void prune(Clock::time_point now);

  const int max_per_account_;
  const int max_per_ip_;
  const std::chrono::seconds window_;
  std::mutex mu_;
  // Guarded by mu_. Each deque holds failure times inside the window, oldest first.
  std::unordered_map<std::string, std::deque<Clock::time_point>> by_account_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> by_ip_;
  Clock::time_point last_prune_{};
};

}  // namespace oeuvre::services
