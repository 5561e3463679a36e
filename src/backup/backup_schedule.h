#pragma once
// Backups inside `oeuvre serve` (ENABLE_AUTOMATED_BACKUPS, BACKUP_INTERVAL_SECONDS): every interval one
// thread claims the interval's backup in the backups table (so among nodes sharing one database only
// one backs up per interval; on PostgreSQL under an advisory lock), takes the backup, proves it by
// restoring it into a scratch database, and prunes by the retention policy. Runs never overlap (one
// thread). A failure is logged and counted (oeuvre_backup_failures_total) and the next interval tries
// again; nothing here stops the server.
// Thread-safety: start() and stop() from one thread; run_once() is what the thread calls.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "backup/backup_creator.h"
#include "backup/backup_key.h"
#include "backup/backup_verifier.h"
#include "backup/retention.h"
#include "observability/metrics.h"
#include "store/backup_run_repository.h"
#include "store/database.h"

namespace oeuvre::backup {

struct ScheduleSettings {
  std::chrono::seconds interval{3600};
  BackupSource source;
  std::shared_ptr<BackupStore> store;  // where backups go (BACKUP_DIR or S3)
  RetentionPolicy retention;
  VerifySettings verify;
};

class BackupSchedule {
 public:
  BackupSchedule(store::Database& db, obs::Metrics& metrics, BackupKey key, ScheduleSettings settings);
  ~BackupSchedule();  // stops
  BackupSchedule(const BackupSchedule&) = delete;
  BackupSchedule& operator=(const BackupSchedule&) = delete;

  // Starts the thread: the first backup one interval from now. Exports the interval
  // (oeuvre_backup_interval_seconds) and the last success recorded in the backups table.
  void start();
  // Wakes the thread and waits for it; a backup in progress finishes first.
  void stop();
  // One interval's work: claim, back up, verify, prune. Ok when there was nothing to do or all of it
  // succeeded; the first error otherwise (already logged and counted).
  Status run_once();

 private:
  void loop();
  Result<bool> claim(const store::BackupRun& run);
  Status back_up(store::BackupRun& run);
  void record(const store::BackupRun& run);
  // The newest completed run in the backups table (any node's) into
  // oeuvre_backup_last_success_timestamp_seconds, so the metric tells the cluster's last backup, also
  // on a node that just started or whose turn it was not.
  void note_latest_success();

  store::Database& db_;
  obs::Metrics& metrics_;
  const BackupKey key_;
  const ScheduleSettings settings_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace oeuvre::backup
