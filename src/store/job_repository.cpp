#include "store/job_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "j.id, j.project_id, j.name, j.left_data_source_id, j.right_data_source_id, j.rules, j.confidence_threshold, "
    "j.review_threshold, j.auto_confirm, j.status, j.phase, j.progress, j.records_total, j.records_processed, "
    "j.counters, j.applied_rules, j.error, j.attempts, j.worker_id, j.heartbeat_at, j.cancel_requested, j.rerun_of, "
    "j.created_by, j.created_at, j.started_at, j.finished_at, j.updated_at, j.request_id, j.trace_id";

Job job_from(const Row& r) {
  Job j;
  j.id = uuid_at(r, 0);
  j.project_id = uuid_at(r, 1);
  j.name = r.text(2);
  j.left_data_source_id = uuid_at(r, 3);
  j.right_data_source_id = uuid_at(r, 4);
  j.rules = r.text(5);
  j.confidence_threshold = r.real(6);
  j.review_threshold = r.real(7);
  j.auto_confirm = r.boolean(8);
  j.status = parse_job_status(r.text(9)).value_or(JobStatus::kQueued);
  j.phase = r.text(10);
  j.progress = r.real(11);
  j.records_total = r.integer(12);
  j.records_processed = r.integer(13);
  j.counters = r.text(14);
  j.applied_rules = r.text(15);
  j.error = r.optional_text(16);
  j.attempts = r.integer(17);
  j.worker = r.optional_text(18);
  j.heartbeat_at = optional_timestamp_at(r, 19);
  j.cancel_requested = r.boolean(20);
  j.rerun_of = optional_uuid_at(r, 21);
  j.created_by = optional_uuid_at(r, 22);
  j.created_at = timestamp_at(r, 23);
  j.started_at = optional_timestamp_at(r, 24);
  j.finished_at = optional_timestamp_at(r, 25);
  j.updated_at = timestamp_at(r, 26);
  j.request_id = r.optional_text(27);
  j.trace_id = r.optional_text(28);
  return j;
}

// kColumns without the table alias, for RETURNING.
std::string returning_columns() {
  std::string columns(kColumns);
  for (std::size_t at = columns.find("j."); at != std::string::npos; at = columns.find("j.", at)) columns.erase(at, 2);
  return columns;
}

}  // namespace

Status JobRepository::insert(Connection& conn, const Job& j) {
  const Value params[] = {param(j.id),         param(j.project_id), j.name,
                          param(j.left_data_source_id), param(j.right_data_source_id), j.rules,
                          j.confidence_threshold, j.review_threshold, j.auto_confirm,
                          param(j.status),     j.phase,             param(j.rerun_of),
                          param(j.created_by), param(j.created_at), param(j.updated_at),
                          param(j.request_id), param(j.trace_id)};
  auto rs = conn.query(
      "INSERT INTO reconciliation_jobs (id, project_id, name, left_data_source_id, right_data_source_id, rules, "
      "confidence_threshold, review_threshold, auto_confirm, status, phase, rerun_of, created_by, created_at, "
      "updated_at, request_id, trace_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
      "$15, $16, $17)",
      params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Result<std::optional<ScopedJob>> JobRepository::find_visible(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(kColumns) +
                                                ", p.owner_id FROM reconciliation_jobs j JOIN projects p ON "
                                                "p.id = j.project_id WHERE j.id = $1 AND p.is_active",
                                            params));
  if (rs.rows.empty()) return std::optional<ScopedJob>{};
  const Row& row = rs.rows.front();
  return std::optional<ScopedJob>(ScopedJob{job_from(row), uuid_at(row, row.size() - 1)});
}

Result<PageResult<Job>> JobRepository::list(Connection& conn, const Uuid& project_id,
                                            const std::optional<JobStatus>& status, const PageRequest& page) {
  std::vector<Value> params{param(project_id)};
  std::string where = " WHERE j.project_id = $1";
  if (status) {
    params.push_back(param(*status));
    where += " AND j.status = $2";
  }
  return fetch_page<Job>(conn, kColumns, "reconciliation_jobs j", where, "j.created_at DESC, j.id DESC",
                         std::move(params), page, job_from);
}

Result<bool> JobRepository::request_cancel(Connection& conn, const Uuid& id, Timestamp now) {
  const Value params[] = {param(now), param(id)};
  ASSIGN_OR_RETURN(ResultSet queued,
                   conn.query("UPDATE reconciliation_jobs SET status = 'cancelled', phase = 'done', finished_at = $1, "
                              "updated_at = $1 WHERE id = $2 AND status = 'queued'",
                              params));
  if (queued.affected_rows == 1) return true;
  ASSIGN_OR_RETURN(ResultSet running, conn.query("UPDATE reconciliation_jobs SET cancel_requested = true, "
                                                 "updated_at = $1 WHERE id = $2 AND status = 'running'",
                                                 params));
  return running.affected_rows == 1;
}

Result<bool> JobRepository::remove_ended(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  // Locks the job row first, so a worker cannot complete it while its results are deleted.
  ASSIGN_OR_RETURN(ResultSet gone, conn.query("DELETE FROM reconciliation_jobs WHERE id = $1 AND status IN "
                                              "('completed', 'failed', 'cancelled')",
                                              params));
  if (gone.affected_rows != 1) return false;
  ASSIGN_OR_RETURN(ResultSet results, conn.query("DELETE FROM reconciliation_results WHERE job_id = $1", params));
  (void)results;
  return true;
}

Result<std::int64_t> JobQueue::recover_stale(Connection& conn, Timestamp now, Timestamp stale_before,
                                                  std::int64_t max_attempts) {
  const Value cancel_params[] = {param(now), param(stale_before)};
  ASSIGN_OR_RETURN(ResultSet cancelled,
                   conn.query("UPDATE reconciliation_jobs SET status = 'cancelled', phase = 'done', claim_token = NULL, "
                              "finished_at = $1, updated_at = $1 "
                              "WHERE status = 'running' AND heartbeat_at < $2 AND cancel_requested",
                              cancel_params));
  const Value fail_params[] = {param(now), param(stale_before), max_attempts,
                               "the worker running this job stopped responding " + std::to_string(max_attempts) +
                                   " time(s); it was not retried again"};
  ASSIGN_OR_RETURN(ResultSet failed,
                   conn.query("UPDATE reconciliation_jobs SET status = 'failed', phase = 'done', claim_token = NULL, "
                              "error = $4, finished_at = $1, updated_at = $1 "
                              "WHERE status = 'running' AND heartbeat_at < $2 AND attempts >= $3",
                              fail_params));
  ASSIGN_OR_RETURN(ResultSet requeued,
                   conn.query("UPDATE reconciliation_jobs SET status = 'queued', phase = 'queued', progress = 0, "
                              "records_processed = 0, claim_token = NULL, updated_at = $1 "
                              "WHERE status = 'running' AND heartbeat_at < $2",
                              cancel_params));
  return cancelled.affected_rows + failed.affected_rows + requeued.affected_rows;
}

Result<std::optional<Job>> JobQueue::claim_next(Connection& conn, const std::string& token, Timestamp now) {
  // PostgreSQL: SKIP LOCKED lets concurrent workers pass over a row another one is claiming. SQLite
  // has one writer at a time, so the plain subquery is already exclusive.
  const std::string lock = conn.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  const Value params[] = {token, worker_, param(now)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("UPDATE reconciliation_jobs SET status = 'running', phase = 'loading', progress = 0, "
                              "records_processed = 0, claim_token = $1, worker_id = $2, attempts = attempts + 1, "
                              "heartbeat_at = $3, started_at = $3, updated_at = $3, error = NULL "
                              "WHERE id = (SELECT id FROM reconciliation_jobs WHERE status = 'queued' "
                              "ORDER BY created_at, id LIMIT 1" +
                                  lock + ") RETURNING " + returning_columns(),
                              params));
  if (rs.rows.empty()) return std::optional<Job>{};
  return std::optional<Job>(job_from(rs.rows.front()));
}

Result<ClaimState> JobQueue::heartbeat(Connection& conn, const Uuid& id, const std::string& token,
                                       const WorkProgress& p, Timestamp now) {
  const Value params[] = {p.phase, p.fraction, p.total, p.processed, param(now), param(id), token};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("UPDATE reconciliation_jobs SET phase = $1, progress = $2, "
                                            "records_total = $3, records_processed = $4, heartbeat_at = $5, "
                                            "updated_at = $5 WHERE id = $6 AND claim_token = $7 AND "
                                            "status = 'running' RETURNING cancel_requested",
                                            params));
  if (rs.rows.empty()) return ClaimState::kLost;
  return rs.rows.front().boolean(0) ? ClaimState::kCancelRequested : ClaimState::kHeld;
}

Result<bool> JobQueue::hand_back(Connection& conn, const Uuid& id, const std::string& token, bool counted,
                                 Timestamp now) {
  const Value params[] = {param(now), param(id), token, std::int64_t{counted ? 0 : 1}};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("UPDATE reconciliation_jobs SET status = 'queued', phase = 'queued', "
                                            "progress = 0, records_processed = 0, claim_token = NULL, "
                                            "attempts = attempts - $4, updated_at = $1 "
                                            "WHERE id = $2 AND claim_token = $3 AND status = 'running'",
                                            params));
  return rs.affected_rows == 1;
}

Result<bool> JobRepository::finish(Connection& conn, const Uuid& id, const std::string& token,
                                   JobStatus status, const std::string& counters,
                                   const std::string& applied_rules, const std::optional<std::string>& error,
                                   Timestamp now, std::int64_t records,
                                   const std::optional<std::string>& rules) {
  const bool completed = status == JobStatus::kCompleted;
  std::vector<Value> params{param(status), counters, applied_rules, param(error), param(now), param(id), token};
  std::string sql =
      "UPDATE reconciliation_jobs SET status = $1, phase = 'done', counters = $2, applied_rules = $3, error = $4, "
      "claim_token = NULL, finished_at = $5, updated_at = $5";
  if (completed) {
    params.push_back(records);
    sql += ", progress = 1, records_total = $8, records_processed = $8";
    if (rules) {
      params.push_back(*rules);
      sql += ", rules = $9";
    }
  }
  sql += " WHERE id = $6 AND claim_token = $7 AND status = 'running'";
  // A cancel requested meanwhile wins over completion.
  if (completed) sql += " AND NOT cancel_requested";
  ASSIGN_OR_RETURN(ResultSet rs, conn.query(sql, params));
  return rs.affected_rows == 1;
}

Result<QueueDepth> JobQueue::depth(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT count(*), min(updated_at) FROM reconciliation_jobs WHERE status = 'queued'", {}));
  QueueDepth depth;
  if (rs.rows.empty()) return depth;
  depth.waiting = rs.rows[0].integer(0);
  if (!rs.rows[0].is_null(1)) depth.oldest = parse_timestamp(rs.rows[0].text(1));
  return depth;
}

}  // namespace oeuvre::store
