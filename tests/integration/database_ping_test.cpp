// Database::ping on both backends: ok while the store answers, kUnavailable when no connection can
// be had (the pool is closed, or its only connection is borrowed past the wait timeout).
#include <gtest/gtest.h>

#include "store/database.h"
#include "support/test_database.h"

namespace oeuvre {
namespace {

TEST(DatabasePingTest, OkWhileTheStoreAnswersUnavailableOnceClosed) {
  testing::TestDatabase test_db = testing::make_test_database();
  auto opened = store::open_database({test_db.url, 2, std::chrono::milliseconds(5000)});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  store::Database& db = **opened;
  const Status first = db.ping();
  EXPECT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(db.ping().ok());  // the pooled connection is handed back and used again
  db.close();
  const Status closed = db.ping();
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code(), ErrorCode::kUnavailable);
}

TEST(DatabasePingTest, UnavailableWhenTheOnlyConnectionStaysBorrowed) {
  testing::TestDatabase test_db = testing::make_test_database();
  auto opened = store::open_database({test_db.url, 1, std::chrono::milliseconds(100)});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  store::Database& db = **opened;
  {
    auto held = db.acquire();
    ASSERT_TRUE(held.ok());
    const Status waited = db.ping();
    ASSERT_FALSE(waited.ok());
    EXPECT_EQ(waited.error().code(), ErrorCode::kUnavailable);
  }
  EXPECT_TRUE(db.ping().ok());
  db.close();
}

}  // namespace
}  // namespace oeuvre
