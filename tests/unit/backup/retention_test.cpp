// GFS retention on a simulated calendar: two years of hourly backups, pruned after each one as the
// schedule does; what is left is exactly the newest backup of the last 7 days, 4 weeks, 12 months and
// 5 years.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "backup/retention.h"

namespace oeuvre::backup {
namespace {

using namespace std::chrono;

Timestamp at(year_month_day day, int hour) { return sys_days(day) + hours(hour); }

std::string id_of(Timestamp t) { return format_timestamp(t); }

// Prunes `kept` the way `oeuvre backup prune` does: every candidate good and classified.
void prune(std::map<std::string, Timestamp>& kept, const RetentionPolicy& policy) {
  std::vector<RetentionCandidate> candidates;
  for (const auto& [id, created] : kept) candidates.push_back({id, created, false});
  for (const RetentionDecision& d : plan_retention(candidates, policy)) {
    if (!d.keep) kept.erase(d.id);
  }
}

TEST(RetentionTest, TwoYearsOfHourlyBackupsLeaveExactlyTheGfsSet) {
  std::map<std::string, Timestamp> kept;
  const Timestamp first = at(2025y / January / 1, 0);
  const Timestamp last = at(2026y / December / 31, 23);
  for (Timestamp t = first; t <= last; t += hours(1)) {
    kept.emplace(id_of(t), t);
    prune(kept, RetentionPolicy{});
  }
  std::set<std::string> expected;
  // Daily: the last hour of each of the last 7 days (2026-12-25..31).
  for (int d = 0; d < 7; ++d) expected.insert(id_of(sys_days(2026y / December / 31) - days(d) + hours(23)));
  // Weekly: 2026-12-31 is a Thursday; its week's newest is that day's last hour, then the last hour of
  // the three Sundays before.
  for (int day : {27, 20, 13}) expected.insert(id_of(at(2026y / December / day, 23)));
  // Monthly: the last hour of each month of 2026.
  for (unsigned m = 1; m <= 12; ++m) {
    const year_month_day_last end(2026y, month_day_last(month(m)));
    expected.insert(id_of(sys_days(end) + hours(23)));
  }
  // Yearly: the last hour of 2025 (and of 2026, already in).
  expected.insert(id_of(at(2025y / December / 31, 23)));
  std::set<std::string> actual;
  for (const auto& [id, created] : kept) actual.insert(id);
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(actual.size(), 7u + 2u + 11u + 1u);  // Sunday the 27th is one of the 7 days
}

TEST(RetentionTest, PruningOnceGivesTheSameSetAsPruningAfterEachBackup) {
  std::map<std::string, Timestamp> incremental, once;
  RetentionPolicy policy{3, 2, 2, 1};
  for (Timestamp t = at(2026y / January / 1, 0); t <= at(2026y / March / 20, 5); t += hours(5)) {
    incremental.emplace(id_of(t), t);
    once.emplace(id_of(t), t);
    prune(incremental, policy);
  }
  prune(once, policy);
  EXPECT_EQ(incremental, once);
}

TEST(RetentionTest, TheNewestGoodBackupIsKeptWhateverTheCounts) {
  std::vector<RetentionCandidate> candidates{{"a", at(2026y / May / 1, 1), false},
                                             {"b", at(2026y / May / 2, 1), false},
                                             {"c", at(2026y / May / 3, 1), true}};
  auto decisions = plan_retention(candidates, RetentionPolicy{0, 0, 0, 0});
  EXPECT_FALSE(decisions[0].keep);
  EXPECT_TRUE(decisions[1].keep);
  EXPECT_EQ(decisions[1].reason, "newest good backup");
  EXPECT_TRUE(decisions[2].keep) << "a failed backup newer than every good one stays for inspection";
}

TEST(RetentionTest, WhatCannotBeClassifiedIsNeverRemoved) {
  std::vector<RetentionCandidate> candidates{{"unreadable", std::nullopt, false},
                                             {"old", at(2020y / May / 1, 1), false},
                                             {"new", at(2026y / May / 2, 1), false}};
  auto decisions = plan_retention(candidates, RetentionPolicy{1, 0, 0, 0});
  EXPECT_TRUE(decisions[0].keep);
  EXPECT_FALSE(decisions[1].keep);
  EXPECT_TRUE(decisions[2].keep);
}

TEST(RetentionTest, AFailedBackupFillsNoPeriodAndGoesOnceANewerGoodOneExists) {
  std::vector<RetentionCandidate> candidates{{"good-monday", at(2026y / June / 1, 1), false},
                                             {"failed-monday-later", at(2026y / June / 1, 9), true},
                                             {"good-tuesday", at(2026y / June / 2, 1), false}};
  auto decisions = plan_retention(candidates, RetentionPolicy{2, 0, 0, 0});
  EXPECT_TRUE(decisions[0].keep) << "Monday's newest good backup, the failed one does not count";
  EXPECT_FALSE(decisions[1].keep);
  EXPECT_TRUE(decisions[2].keep);
}

TEST(RetentionTest, PeriodsWithoutBackupsDoNotUseUpTheCount) {
  // Three backups months apart: with 2 weekly, the newest two (different weeks) are kept.
  std::vector<RetentionCandidate> candidates{{"jan", at(2026y / January / 5, 1), false},
                                             {"mar", at(2026y / March / 5, 1), false},
                                             {"jun", at(2026y / June / 5, 1), false}};
  auto decisions = plan_retention(candidates, RetentionPolicy{0, 2, 0, 0});
  EXPECT_FALSE(decisions[0].keep);
  EXPECT_TRUE(decisions[1].keep);
  EXPECT_EQ(decisions[1].reason, "weekly");
  EXPECT_EQ(decisions[2].reason, "weekly");
}

}  // namespace
}  // namespace oeuvre::backup
