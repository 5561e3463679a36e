#include "services/login_rate_limiter.h"

#include <gtest/gtest.h>

namespace oeuvre::services {
namespace {

using std::chrono::seconds;

// A clock the test moves by hand.
struct FakeClock {
  LoginRateLimiter::Clock::time_point now =
      LoginRateLimiter::Clock::time_point() + std::chrono::hours(1000);
  std::function<LoginRateLimiter::Clock::time_point()> source() {
    return [this] { return now; };
  }
};

LoginLimits limits(int per_pair, int per_account, int per_address) {
  LoginLimits l;
  l.failures_per_account_address = per_pair;
  l.failures_per_account = per_account;
  l.failures_per_address = per_address;
  l.first_lockout = seconds(60);
  l.max_lockout = seconds(900);
  l.failure_window = seconds(3600);
  return l;
}

// Issue 21 item 4: one address's failures lock that address out of the account, not the account's
// owner elsewhere.
TEST(LoginRateLimiterTest, FailuresLockTheAccountForThatAddressOnly) {
  FakeClock clock;
  LoginRateLimiter limiter(limits(3, 100, 100), clock.source());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.retry_after("a@x.io", "1.1.1.1").has_value());
    limiter.record_failure("a@x.io", "1.1.1.1");
  }
  auto wait = limiter.retry_after("a@x.io", "1.1.1.1");
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 60);
  EXPECT_FALSE(limiter.retry_after("a@x.io", "2.2.2.2").has_value())
      << "the owner elsewhere is locked out";
  EXPECT_FALSE(limiter.retry_after("b@x.io", "1.1.1.1").has_value());
}

TEST(LoginRateLimiterTest, TheAccountCeilingCountsEveryAddress) {
  FakeClock clock;
  LoginRateLimiter limiter(limits(3, 5, 100), clock.source());
  std::vector<Lockout> last;
  for (int i = 0; i < 5; ++i)
    last = limiter.record_failure("a@x.io", "10.0.0." + std::to_string(i));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].scope, LockoutScope::kAccount);
  EXPECT_TRUE(limiter.retry_after("a@x.io", "9.9.9.9").has_value());
  limiter.unlock_account("a@x.io");
  EXPECT_FALSE(limiter.retry_after("a@x.io", "9.9.9.9").has_value());
}

TEST(LoginRateLimiterTest, BlocksAnAddressAcrossAccounts) {
  FakeClock clock;
  LoginRateLimiter limiter(limits(100, 100, 2), clock.source());
  limiter.record_failure("a@x.io", "9.9.9.9");
  auto started = limiter.record_failure("b@x.io", "9.9.9.9");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].scope, LockoutScope::kAddress);
  EXPECT_TRUE(limiter.retry_after("c@x.io", "9.9.9.9").has_value());
  EXPECT_FALSE(limiter.retry_after("c@x.io", "8.8.8.8").has_value());
}

// Issue 21 item 4: each failure after a lockout doubles the next one, up to the longest.
TEST(LoginRateLimiterTest, LockoutsGrowWithEachFurtherFailure) {
  FakeClock clock;
  LoginRateLimiter limiter(limits(2, 100, 100), clock.source());
  limiter.record_failure("a@x.io", "1.1.1.1");
  std::vector<int> lockouts;
  for (int i = 0; i < 6; ++i) {
    auto started = limiter.record_failure("a@x.io", "1.1.1.1");
    ASSERT_EQ(started.size(), 1u);
    lockouts.push_back(static_cast<int>(started[0].duration.count()));
    EXPECT_EQ(limiter.retry_after("a@x.io", "1.1.1.1"), lockouts.back());
    clock.now += started[0].duration;  // wait the lockout out
    EXPECT_FALSE(limiter.retry_after("a@x.io", "1.1.1.1").has_value());
  }
  EXPECT_EQ(lockouts, (std::vector<int>{60, 120, 240, 480, 900, 900}));
}

TEST(LoginRateLimiterTest, FailuresAreForgottenAfterTheWindowAndOnSuccess) {
  FakeClock clock;
  LoginRateLimiter limiter(limits(2, 100, 100), clock.source());
  limiter.record_failure("a@x.io", "1.1.1.1");
  clock.now += seconds(3600);
  EXPECT_TRUE(limiter.record_failure("a@x.io", "1.1.1.1").empty())
      << "an hour-old failure still counted";
  limiter.record_success("a@x.io", "1.1.1.1");
  EXPECT_TRUE(limiter.record_failure("a@x.io", "1.1.1.1").empty())
      << "a success did not clear the failures";
}

}  // namespace
}  // namespace oeuvre::services
