#include "backup/retention.h"

#include <algorithm>
#include <functional>

namespace oeuvre::backup {

namespace {

using std::chrono::days;
using std::chrono::floor;

std::int64_t day_of(Timestamp t) { return floor<days>(t).time_since_epoch().count(); }
// Weeks start on Monday: 1970-01-01 was a Thursday, so day + 3 counts from a Monday.
std::int64_t week_of(Timestamp t) {
  const std::int64_t d = day_of(t) + 3;
  return d >= 0 ? d / 7 : (d - 6) / 7;
}
std::int64_t month_of(Timestamp t) {
  const std::chrono::year_month_day date(floor<days>(t));
  return static_cast<int>(date.year()) * 12 + static_cast<int>(static_cast<unsigned>(date.month()));
}
std::int64_t year_of(Timestamp t) { return static_cast<int>(std::chrono::year_month_day(floor<days>(t)).year()); }

struct Rule {
  const char* name;
  int count;
  std::function<std::int64_t(Timestamp)> period;
};

void append_reason(RetentionDecision& decision, const std::string& reason) {
  decision.keep = true;
  decision.reason += (decision.reason.empty() ? "" : ", ") + reason;
}

}  // namespace

std::vector<RetentionDecision> plan_retention(const std::vector<RetentionCandidate>& candidates,
                                              const RetentionPolicy& policy) {
  std::vector<RetentionDecision> decisions;
  std::vector<std::size_t> good;  // classified and not failed, newest first
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    decisions.push_back({candidates[i].id, false, ""});
    if (candidates[i].created_at && !candidates[i].failed_verification) good.push_back(i);
  }
  std::stable_sort(good.begin(), good.end(), [&](std::size_t a, std::size_t b) {
    return *candidates[a].created_at > *candidates[b].created_at;
  });
  const Rule rules[] = {{"daily", policy.daily, day_of},
                        {"weekly", policy.weekly, week_of},
                        {"monthly", policy.monthly, month_of},
                        {"yearly", policy.yearly, year_of}};
  for (const Rule& rule : rules) {
    int kept = 0;
    std::optional<std::int64_t> last_period;
    for (std::size_t i : good) {
      const std::int64_t period = rule.period(*candidates[i].created_at);
      if (period == last_period) continue;
      last_period = period;
      if (kept++ >= rule.count) break;
      append_reason(decisions[i], rule.name);
    }
  }
  if (!good.empty() && !decisions[good.front()].keep) append_reason(decisions[good.front()], "newest good backup");
  const std::optional<Timestamp> newest_good =
      good.empty() ? std::nullopt : candidates[good.front()].created_at;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].created_at) {
      append_reason(decisions[i], "unclassified: kept");
    } else if (candidates[i].failed_verification) {
      const bool superseded = newest_good && *newest_good > *candidates[i].created_at;
      decisions[i].keep = !superseded;
      decisions[i].reason = superseded ? "verification failed, a newer good backup exists"
                                       : "verification failed, no newer good backup: kept";
    }
    if (!decisions[i].keep && decisions[i].reason.empty()) decisions[i].reason = "outside every period kept";
  }
  return decisions;
}

}  // namespace oeuvre::backup
