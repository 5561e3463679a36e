#include "backup/backup_schedule.h"

#include "backup/prune.h"
#include "observability/log.h"
#include "store/backup_run_repository.h"
#include "store/transaction.h"

namespace oeuvre::backup {

namespace {

double unix_seconds(Timestamp t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

BackupSchedule::BackupSchedule(store::Database& db, obs::Metrics& metrics, BackupKey key, ScheduleSettings settings)
    : db_(db), metrics_(metrics), key_(std::move(key)), settings_(std::move(settings)) {}

BackupSchedule::~BackupSchedule() { stop(); }

void BackupSchedule::start() {
  metrics_.set_backup_interval(static_cast<double>(settings_.interval.count()));
  thread_ = std::thread([this] {
    note_latest_success();
    loop();
  });
}

void BackupSchedule::note_latest_success() {
  auto latest = store::with_connection(db_, [](store::Connection& conn) {
    return store::BackupRunRepository::latest(conn, "completed");
  });
  if (!latest.ok()) {
    obs::log_warn("cannot read the last backup", {{"error", latest.error().message()}});
    return;
  }
  if (*latest && (*latest)->finished_at) metrics_.observe_backup_seen(unix_seconds(*(*latest)->finished_at));
}

void BackupSchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackupSchedule::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, settings_.interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      (void)run_once();
    } catch (const std::exception& e) {
      metrics_.count_backup_failure();
      obs::log_error("backup failed", {{"error", e.what()}});
    }
    lock.lock();
  }
}

Result<bool> BackupSchedule::claim(const store::BackupRun& run) {
  // A run that started within the last half interval (on any node) has this interval's backup.
  const Timestamp since = run.started_at - std::chrono::duration_cast<std::chrono::microseconds>(settings_.interval) / 2;
  return store::in_transaction(db_, true, [&](store::Connection& conn) {
    return store::BackupRunRepository::claim(conn, run, since);
  });
}

Status BackupSchedule::back_up(store::BackupRun& run) {
  BackupStore& store = *settings_.store;
  store.remove_stale_temp_files(std::chrono::hours(24));
  ASSIGN_OR_RETURN(Manifest manifest, create_backup(settings_.source, key_, store));
  run.storage_key = manifest.id;
  run.size_bytes = static_cast<std::int64_t>(manifest.archive_bytes);
  run.sha256 = manifest.archive_sha256;
  metrics_.observe_backup_success(unix_seconds(manifest.created_at), manifest.duration_seconds,
                                  static_cast<double>(manifest.archive_bytes));
  obs::log_info("backup created", {{"backup", manifest.id}, {"location", store.location(manifest.id)},
                                   {"bytes", manifest.archive_bytes},
                                   {"seconds", manifest.duration_seconds}});
  ASSIGN_OR_RETURN(Verification verified, verify_backup(store, manifest.id, key_, settings_.verify));
  if (!verified.ok) return Error::Internal("verification of " + manifest.id + " failed: " + verified.detail);
  metrics_.observe_backup_verified(unix_seconds(verified.verified_at));
  obs::log_info("backup verified", {{"backup", manifest.id}, {"detail", verified.detail}});
  ASSIGN_OR_RETURN(auto decisions, prune_backups(store, settings_.retention, /*dry_run=*/false));
  std::size_t removed = 0;
  for (const RetentionDecision& d : decisions) removed += d.keep ? 0 : 1;
  if (removed > 0) obs::log_info("backups pruned", {{"removed", removed}, {"kept", decisions.size() - removed}});
  return OkStatus();
}

void BackupSchedule::record(const store::BackupRun& run) {
  Status recorded = store::with_connection(db_, [&](store::Connection& conn) {
    return store::BackupRunRepository::finish(conn, run);
  });
  if (!recorded.ok()) obs::log_warn("cannot record the backup run", {{"error", recorded.error().message()}});
}

Status BackupSchedule::run_once() {
  store::BackupRun run{Uuid::generate_v7(), now_utc(), std::nullopt, std::nullopt, std::nullopt, "", "running",
                       std::nullopt};
  auto claimed = claim(run);
  if (!claimed.ok()) {
    metrics_.count_backup_failure();
    obs::log_error("backup failed", {{"error", claimed.error().message()}});
    return std::move(claimed).error();
  }
  if (!*claimed) {
    obs::log(obs::LogLevel::kDebug, "another node has this interval's backup");
    note_latest_success();
    return OkStatus();
  }
  Status done = back_up(run);
  run.finished_at = now_utc();
  run.status = done.ok() ? "completed" : "failed";
  if (!done.ok()) {
    run.error = done.error().message();
    metrics_.count_backup_failure();
    obs::log_error("backup failed", {{"error", done.error().message()}});
  }
  record(run);
  return done;
}

}  // namespace oeuvre::backup
