#pragma once
// Applies the retention policy (retention.h) to a backup store: lists its backups, decides, and
// (unless a dry run) removes what is not kept. Backups without a readable manifest are never
// removed.
// Thread-safety: one prune per store at a time (the schedule runs it after its own backups).

#include <vector>

#include "backup/backup_store.h"
#include "backup/retention.h"
#include "core/result.h"

namespace oeuvre::backup {

// Every backup's decision, oldest first; with dry_run nothing is removed. kUnavailable when the
// store cannot be listed or a removal fails (the decisions before it were carried out).
Result<std::vector<RetentionDecision>> prune_backups(BackupStore& store, const RetentionPolicy& policy,
                                                     bool dry_run);

}  // namespace oeuvre::backup
