#include "store/backup_run_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

// pg_try_advisory_xact_lock's key for the backup claim ("oeuvre backups" as a number).
constexpr std::int64_t kBackupClaimLock = 0x6f65757672650b01;

constexpr std::string_view kColumns =
    "id, started_at, finished_at, size_bytes, sha256, storage_key, status, error";

BackupRun run_from(Row& r) {
  BackupRun run;
  run.id = uuid_at(r, 0);
  run.started_at = timestamp_at(r, 1);
  if (!r.is_null(2)) run.finished_at = timestamp_at(r, 2);
  if (!r.is_null(3)) run.size_bytes = r.integer(3);
  run.sha256 = r.take_optional_text(4);
  run.storage_key = r.take_text(5);
  run.status = r.take_text(6);
  run.error = r.take_optional_text(7);
  return run;
}

}  // namespace

Result<bool> BackupRunRepository::claim(Connection& conn, const BackupRun& run, Timestamp since) {
  if (conn.dialect() == Dialect::kPostgres) {
    const Value key[] = {kBackupClaimLock};
    ASSIGN_OR_RETURN(ResultSet locked, conn.query("SELECT pg_try_advisory_xact_lock($1)", key));
    if (!locked.rows.at(0).boolean(0)) return false;
  }
  const Value after[] = {param(since)};
  ASSIGN_OR_RETURN(ResultSet recent, conn.query("SELECT count(*) FROM backups WHERE started_at > $1", after));
  if (recent.rows.at(0).integer(0) > 0) return false;
  const Value params[] = {param(run.id), param(run.started_at), run.storage_key, run.status};
  ASSIGN_OR_RETURN(ResultSet inserted,
                   conn.query("INSERT INTO backups (id, started_at, storage_key, status) VALUES ($1, $2, $3, $4)",
                              params));
  (void)inserted;
  return true;
}

Status BackupRunRepository::finish(Connection& conn, const BackupRun& run) {
  const Value params[] = {param(run.id),
                          param(run.finished_at),
                          run.size_bytes ? Value(*run.size_bytes) : Value(std::monostate{}),
                          param(run.sha256),
                          run.storage_key,
                          run.status,
                          param(run.error)};
  ASSIGN_OR_RETURN(ResultSet updated,
                   conn.query("UPDATE backups SET finished_at = $2, size_bytes = $3, sha256 = $4, storage_key = $5, "
                              "status = $6, error = $7 WHERE id = $1",
                              params));
  (void)updated;
  return OkStatus();
}

Result<std::optional<BackupRun>> BackupRunRepository::latest(Connection& conn, const std::string& status) {
  const Value params[] = {status};
  ASSIGN_OR_RETURN(ResultSet set, conn.query("SELECT " + std::string(kColumns) +
                                                 " FROM backups WHERE status = $1 ORDER BY started_at DESC LIMIT 1",
                                             params));
  if (set.rows.empty()) return std::optional<BackupRun>();
  return std::optional<BackupRun>(run_from(set.rows[0]));
}

}  // namespace oeuvre::store
