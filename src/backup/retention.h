#pragma once
// Grandfather-father-son retention (docs/backups.md, "Retention"): of the good backups, the newest of
// each of the last `daily` days, `weekly` ISO weeks (Monday to Sunday, UTC), `monthly` calendar months
// and `yearly` years that have a backup are kept; a backup may be kept by several rules. Counting
// goes by periods that have a backup (a week without backups does not use up one of the weeks kept),
// as restic's --keep-daily and friends do. Whatever the counts, the newest good backup is kept, and
// a backup that cannot be classified (no readable manifest) is never removed. A backup whose
// verification failed fills no period; it is removed once a newer good backup exists.
// Thread-safety: a pure function.

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace oeuvre::backup {

struct RetentionPolicy {
  int daily = 7;    // BACKUP_KEEP_DAILY
  int weekly = 4;   // BACKUP_KEEP_WEEKLY
  int monthly = 12; // BACKUP_KEEP_MONTHLY
  int yearly = 5;   // BACKUP_KEEP_YEARLY
};

struct RetentionCandidate {
  std::string id;
  std::optional<Timestamp> created_at;  // nullopt: could not be classified
  bool failed_verification = false;
};

struct RetentionDecision {
  std::string id;
  bool keep = false;
  std::string reason;  // "daily, weekly", "newest good backup", "unclassified", "verification failed", ...
};

// One decision per candidate, in the candidates' order.
std::vector<RetentionDecision> plan_retention(const std::vector<RetentionCandidate>& candidates,
                                              const RetentionPolicy& policy);

}  // namespace oeuvre::backup
