// Which PostgreSQL errors are the store's own trouble, and of which kind: what the claim protocol
// retries and then gives up on, what the metrics count, what a problem answer words generically.
#include "store/postgres/postgres_errors.h"

#include <gtest/gtest.h>

namespace oeuvre::store::pg {
namespace {

TEST(PostgresErrorsTest, SqlstatesNameTheirStoreFault) {
  EXPECT_EQ(sqlstate_fault("53100"), StoreFault::kOutOfSpace) << "disk full";
  EXPECT_EQ(sqlstate_fault("53200"), StoreFault::kOutOfSpace) << "out of memory";
  EXPECT_EQ(sqlstate_fault("53400"), StoreFault::kOutOfSpace) << "configuration limit exceeded";
  EXPECT_EQ(sqlstate_fault("53300"), StoreFault::kBusy) << "too many connections";
  EXPECT_EQ(sqlstate_fault("57014"), StoreFault::kBusy) << "statement timeout";
  EXPECT_EQ(sqlstate_fault("55P03"), StoreFault::kBusy) << "lock not available";
  EXPECT_EQ(sqlstate_fault("58030"), StoreFault::kIoError) << "I/O error";
  EXPECT_EQ(sqlstate_fault("58000"), StoreFault::kIoError) << "system error";
  EXPECT_EQ(sqlstate_fault("58P01"), StoreFault::kIoError) << "undefined file";
  EXPECT_EQ(sqlstate_fault("08006"), StoreFault::kUnreachable) << "connection failure";
  EXPECT_EQ(sqlstate_fault("57P01"), StoreFault::kUnreachable) << "admin shutdown";
  EXPECT_EQ(sqlstate_fault("XX001"), StoreFault::kCorrupt) << "data corrupted";
  EXPECT_EQ(sqlstate_fault("XX002"), StoreFault::kCorrupt) << "index corrupted";
  EXPECT_EQ(sqlstate_fault("25006"), StoreFault::kReadOnly) << "read-only transaction (a standby)";
  for (const char* not_the_store :
       {"23505", "23503", "40001", "40P01", "22021", "42601", "XX000", ""}) {
    EXPECT_EQ(sqlstate_fault(not_the_store), StoreFault::kNone) << not_the_store;
  }
}

}  // namespace
}  // namespace oeuvre::store::pg
