#include "services/sliding_window_limit.h"

#include <gtest/gtest.h>

namespace oeuvre::services {
namespace {

TEST(SlidingWindowLimitTest, AllowsTheLimitPerKeyThenSaysWhenToRetry) {
  auto now = SlidingWindowLimit::Clock::time_point() + std::chrono::hours(10);
  SlidingWindowLimit limit(2, std::chrono::seconds(3600), [&] { return now; });
  EXPECT_FALSE(limit.try_acquire("1.1.1.1").has_value());
  now += std::chrono::seconds(600);
  EXPECT_FALSE(limit.try_acquire("1.1.1.1").has_value());
  EXPECT_EQ(limit.try_acquire("1.1.1.1"), 3000);
  EXPECT_FALSE(limit.try_acquire("2.2.2.2").has_value());
  now += std::chrono::seconds(3000);  // the first event leaves the window
  EXPECT_FALSE(limit.try_acquire("1.1.1.1").has_value());
  EXPECT_TRUE(limit.try_acquire("1.1.1.1").has_value());
}

}  // namespace
}  // namespace oeuvre::services
