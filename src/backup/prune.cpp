#include "backup/prune.h"

namespace oeuvre::backup {

Result<std::vector<RetentionDecision>> prune_backups(BackupStore& store, const RetentionPolicy& policy,
                                                     bool dry_run) {
  ASSIGN_OR_RETURN(std::vector<ListedBackup> listed, store.list());
  std::vector<RetentionCandidate> candidates;
  for (const ListedBackup& backup : listed) {
    RetentionCandidate candidate{backup.id, std::nullopt, false};
    if (backup.manifest) {
      candidate.created_at = backup.manifest->created_at;
      candidate.failed_verification = backup.manifest->verification && !backup.manifest->verification->ok;
    }
    candidates.push_back(std::move(candidate));
  }
  std::vector<RetentionDecision> decisions = plan_retention(candidates, policy);
  if (dry_run) return decisions;
  for (const RetentionDecision& decision : decisions) {
    if (!decision.keep) RETURN_IF_ERROR(store.remove(decision.id));
  }
  return decisions;
}

}  // namespace oeuvre::backup
