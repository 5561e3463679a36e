#include "services/login_rate_limiter.h"

#include <gtest/gtest.h>

namespace oeuvre::services {
namespace {

TEST(LoginRateLimiterTest, BlocksAnAccountAfterTheLimitAndClearsOnSuccess) {
  LoginRateLimiter limiter(3, 100, std::chrono::seconds(60));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.retry_after("a@x.io", "1.1.1.1").has_value());
    limiter.record_failure("a@x.io", "1.1.1.1");
  }
  auto wait = limiter.retry_after("a@x.io", "2.2.2.2");
  ASSERT_TRUE(wait.has_value());
  EXPECT_GE(*wait, 1);
  EXPECT_LE(*wait, 61);
  EXPECT_FALSE(limiter.retry_after("b@x.io", "1.1.1.1").has_value());
  limiter.clear_account("a@x.io");
  EXPECT_FALSE(limiter.retry_after("a@x.io", "3.3.3.3").has_value());
}

TEST(LoginRateLimiterTest, BlocksAnIpAcrossAccounts) {
  LoginRateLimiter limiter(100, 2, std::chrono::seconds(60));
  limiter.record_failure("a@x.io", "9.9.9.9");
  limiter.record_failure("b@x.io", "9.9.9.9");
  EXPECT_TRUE(limiter.retry_after("c@x.io", "9.9.9.9").has_value());
  EXPECT_FALSE(limiter.retry_after("c@x.io", "8.8.8.8").has_value());
}

TEST(LoginRateLimiterTest, FailuresExpireWithTheWindow) {
  LoginRateLimiter limiter(1, 100, std::chrono::seconds(0));
  limiter.record_failure("a@x.io", "1.1.1.1");
  EXPECT_FALSE(limiter.retry_after("a@x.io", "1.1.1.1").has_value());
}

}  // namespace
}  // namespace oeuvre::services
