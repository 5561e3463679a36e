#pragma once
// Throttles failed logins with three counters, tightest first: one account from one address, one
// account from every address (a higher ceiling, so an attacker elsewhere cannot lock its owner out
// quickly), and one address across accounts. A counter that reaches its limit locks its key for the
// first lockout, doubled by each further failure up to the longest lockout; a counter forgets its
// failures after a failure window without one. In-process state: each node limits on its own (a
// shared window comes with the cache issue). Safe for concurrent use.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace oeuvre::services {

struct LoginLimits {
  int failures_per_account_address = 5;
  int failures_per_account = 20;
  int failures_per_address = 50;
  std::chrono::seconds first_lockout{60};
  std::chrono::seconds max_lockout{900};
  std::chrono::seconds failure_window{3600};
};

// The counter that locked.
enum class LockoutScope { kAccountAddress, kAccount, kAddress };
// "account_address" | "account" | "address": the label of oeuvre_login_lockouts_total.
std::string_view to_string(LockoutScope scope);

struct Lockout {
  LockoutScope scope;
  std::chrono::seconds duration;
};

class LoginRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `now` is the clock (tests pass a fake one).
  explicit LoginRateLimiter(LoginLimits limits,
                            std::function<Clock::time_point()> now = Clock::now);

  // Seconds (at least 1) until an attempt for `account` from `address` may proceed; nullopt when it
  // may now.
  std::optional<int> retry_after(const std::string& account, const std::string& address);
  // Counts a failure; returns the lockouts it started (for logs and metrics), usually none.
  std::vector<Lockout> record_failure(const std::string& account, const std::string& address);
  // A successful login forgets the account's failures from that address only.
  void record_success(const std::string& account, const std::string& address);
  // Forgets every failure and lockout of `account` (an admin's unlock); address counters stay.
  void unlock_account(const std::string& account);

 private:
  struct Counter {
    int failures = 0;
    Clock::time_point last_failure{};
    Clock::time_point locked_until{};
  };
  using Counters = std::unordered_map<std::string, Counter>;

  static std::string pair_key(const std::string& account, const std::string& address);
  std::optional<std::chrono::seconds> count(Counter& counter, int limit,
                                            Clock::time_point now) const;
  void prune(Clock::time_point now);

  const LoginLimits limits_;
  const std::function<Clock::time_point()> now_;
  std::mutex mu_;
  // Guarded by mu_.
  Counters by_account_address_;
  Counters by_account_;
  Counters by_address_;
  Clock::time_point last_prune_{};
};

}  // namespace oeuvre::services
