#include "store/file_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "f.id, f.project_id, f.data_source_id, f.filename, f.content_type, f.sha256, f.size_bytes, f.storage_key, "
    "f.status, f.progress, f.rows_ok, f.rows_failed, f.error, f.uploaded_by, f.created_at, f.updated_at, f.layout, "
    "f.attempts, f.request_id, f.trace_id";

StoredFile file_from(const Row& r) {
  StoredFile f;
  f.id = uuid_at(r, 0);
  f.project_id = uuid_at(r, 1);
  f.data_source_id = uuid_at(r, 2);
  f.filename = r.text(3);
  f.content_type = r.text(4);
  f.sha256 = r.text(5);
  f.size_bytes = r.integer(6);
  f.storage_key = r.text(7);
  f.status = parse_file_status(r.text(8)).value_or(FileStatus::kUploaded);
  f.progress = r.real(9);
  f.rows_ok = r.integer(10);
  f.rows_failed = r.integer(11);
  f.error = r.optional_text(12);
  f.uploaded_by = optional_uuid_at(r, 13);
  f.created_at = timestamp_at(r, 14);
  f.updated_at = timestamp_at(r, 15);
  f.layout = r.optional_text(16);
  f.attempts = r.integer(17);
  f.request_id = r.optional_text(18);
  f.trace_id = r.optional_text(19);
  return f;
}

// kColumns as RETURNING names them: the table's own columns, without the alias.
std::string returning_columns() {
  std::string columns(kColumns);
  for (std::size_t at = columns.find("f."); at != std::string::npos; at = columns.find("f.", at)) {
    columns.erase(at, 2);
  }
  return columns;
}

Result<std::optional<StoredFile>> single(Result<ResultSet> rs) {
  if (!rs.ok()) return std::move(rs).error();
  if (rs->rows.empty()) return std::optional<StoredFile>{};
  return std::optional<StoredFile>(file_from(rs->rows.front()));
}

}  // namespace

Status FileRepository::insert(Connection& conn, const StoredFile& f) {
  const Value params[] = {param(f.id),         param(f.project_id), param(f.data_source_id), f.filename,
                          f.content_type,      f.sha256,            f.size_bytes,            f.storage_key,
                          param(f.status),     f.progress,          f.rows_ok,               f.rows_failed,
                          param(f.error),      param(f.uploaded_by), param(f.created_at),    param(f.updated_at),
                          param(f.request_id), param(f.trace_id)};
  auto rs = conn.query(
      "INSERT INTO files (id, project_id, data_source_id, filename, content_type, sha256, size_bytes, "
      "storage_key, status, progress, rows_ok, rows_failed, error, uploaded_by, created_at, updated_at, "
      "request_id, trace_id) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
      params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Result<std::optional<StoredFile>> FileRepository::find(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  return single(conn.query("SELECT " + std::string(kColumns) +
                               " FROM files f JOIN projects p ON p.id = f.project_id WHERE f.id = $1 AND p.is_active",
                           params));
}

Result<std::optional<StoredFile>> FileRepository::find_by_sha256(Connection& conn, const Uuid& data_source_id,
                                                                 const std::string& sha256) {
  const Value params[] = {param(data_source_id), sha256};
  return single(conn.query(
      "SELECT " + std::string(kColumns) + " FROM files f WHERE f.data_source_id = $1 AND f.sha256 = $2", params));
}

Result<PageResult<StoredFile>> FileRepository::list_for_project(Connection& conn, const Uuid& project_id,
                                                                const std::optional<FileStatus>& status,
                                                                const PageRequest& page) {
  std::vector<Value> params{param(project_id)};
  std::string where = " WHERE f.project_id = $1";
  if (status) {
    params.push_back(param(*status));
    where += " AND f.status = $2";
  }
  return fetch_page<StoredFile>(conn, kColumns, "files f", where, "f.created_at DESC, f.id DESC", std::move(params),
                                page, file_from);
}

Status FileRepository::remove(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  // The file row first: it waits for a parse of this file that is committing, so the records
  // deleted next include every one it wrote (PostgreSQL has no cascade on records, see migration 0005).
  auto rs = conn.query("DELETE FROM files WHERE id = $1", params);
  if (!rs.ok()) return std::move(rs).error();
  if (rs->affected_rows == 0) return Error::NotFound("file not found");
  if (auto records = conn.query("DELETE FROM records WHERE file_id = $1", params); !records.ok()) {
    return std::move(records).error();
  }
  return OkStatus();
}

Result<std::optional<StoredFile>> FileRepository::requeue(Connection& conn, const Uuid& id,
                                                          Timestamp now) {
  const Value params[] = {param(now), param(id)};
  // Fenced like every claim write, from the other side: a claimed file (status 'parsing', its token
  // set) is left alone. On PostgreSQL a claim or a parse's end being committed holds the row; this
  // waits for it and then sees the file as it left it.
  return single(conn.query(
      "UPDATE files SET status = 'uploaded', progress = 0, rows_ok = 0, rows_failed = 0, "
      "error = NULL, layout = NULL, attempts = 0, claim_token = NULL, updated_at = $1 "
      "WHERE id = $2 AND status <> 'parsing' AND claim_token IS NULL RETURNING " +
          returning_columns(),
      params));
}

Result<std::vector<Uuid>> FileRepository::matched_records(Connection& conn, const Uuid& file_id,
                                                          std::int64_t limit) {
  const Value params[] = {param(file_id), limit};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT id FROM records WHERE file_id = $1 AND status = 'matched' "
                              "ORDER BY row_number, id LIMIT $2",
                              params));
  std::vector<Uuid> ids;
  ids.reserve(rs.rows.size());
  for (const Row& row : rs.rows) ids.push_back(uuid_at(row, 0));
  return ids;
}

Result<RemovedParse> FileRepository::remove_parse_output(Connection& conn, const Uuid& file_id) {
  const Value params[] = {param(file_id)};
  RemovedParse removed;
  if (conn.dialect() == Dialect::kPostgres) {
    // One statement: the rows it deletes are the rows it counts, so a match confirmed by a
    // concurrent review (which this waits for) is seen, never deleted unnoticed.
    ASSIGN_OR_RETURN(
        ResultSet rs,
        conn.query("WITH gone AS (DELETE FROM records WHERE file_id = $1 RETURNING status) "
                   "SELECT count(*), count(*) FILTER (WHERE status = 'matched') FROM gone",
                   params));
    if (!rs.rows.empty()) {
      removed.records = rs.rows[0].integer(0);
      removed.matched = rs.rows[0].integer(1);
    }
  } else {
    // SQLite has one writer: nothing changes the records between the count and the delete.
    ASSIGN_OR_RETURN(ResultSet held,
                     conn.query("SELECT count(*) FROM records WHERE file_id = $1 AND status = "
                                "'matched'",
                                params));
    if (!held.rows.empty()) removed.matched = held.rows[0].integer(0);
    ASSIGN_OR_RETURN(ResultSet rs, conn.query("DELETE FROM records WHERE file_id = $1", params));
    removed.records = rs.affected_rows;
  }
  ASSIGN_OR_RETURN(ResultSet errors,
                   conn.query("DELETE FROM file_row_errors WHERE file_id = $1", params));
  removed.row_errors = errors.affected_rows;
  return removed;
}

Result<bool> FileRepository::finish(Connection& conn, const Uuid& id, const std::string& token,
                                    FileStatus status, std::int64_t rows_ok, std::int64_t rows_failed,
                                    const std::optional<std::string>& error, const std::optional<std::string>& layout,
                                    Timestamp now) {
  const Value params[] = {param(status), rows_ok, rows_failed, param(error), param(layout), param(now), param(id), token};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("UPDATE files SET status = $1, progress = 1, rows_ok = $2, rows_failed = $3, error = $4, "
                              "layout = $5, updated_at = $6, claim_token = NULL "
                              "WHERE id = $7 AND claim_token = $8 AND status = 'parsing'",
                              params));
  return rs.affected_rows == 1;
}

Status FileRepository::insert_row_errors(Connection& conn, const Uuid& file_id,
                                         const std::vector<FileRowError>& errors) {
  static const std::string kErrorColumns[] = {"file_id", "line", "column_name", "value", "reason", "seq"};
  std::vector<std::vector<Value>> rows;
  rows.reserve(errors.size());
  const Value file = param(file_id);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    const FileRowError& e = errors[i];
    rows.push_back({file, e.line, e.column, e.value, e.reason, static_cast<std::int64_t>(i + 1)});
  }
  return conn.insert_rows("file_row_errors", kErrorColumns, rows);
}

Result<PageResult<FileRowError>> FileRepository::list_row_errors(Connection& conn, const Uuid& file_id,
                                                                 const PageRequest& page) {
  return fetch_page<FileRowError>(conn, "e.line, e.column_name, e.value, e.reason", "file_row_errors e",
                                  " WHERE e.file_id = $1", "e.seq", {param(file_id)}, page, [](const Row& r) {
                                    return FileRowError{r.integer(0), r.text(1), r.text(2), r.text(3)};
                                  });
}

Result<std::optional<DataSourceScope>> FileRepository::data_source_scope(Connection& conn,
                                                                         const Uuid& data_source_id) {
  const Value params[] = {param(data_source_id)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT d.project_id, p.owner_id FROM data_sources d JOIN projects p ON p.id = "
                              "d.project_id WHERE d.id = $1 AND d.is_active AND p.is_active",
                              params));
  if (rs.rows.empty()) return std::optional<DataSourceScope>{};
  return std::optional<DataSourceScope>(DataSourceScope{uuid_at(rs.rows[0], 0), uuid_at(rs.rows[0], 1)});
}

Result<std::int64_t> FileQueue::recover_stale(Connection& conn, Timestamp now, Timestamp stale_before,
                                              std::int64_t max_attempts) {
  const Value fail_params[] = {param(now), param(stale_before), max_attempts,
                               "the worker parsing this file stopped responding " + std::to_string(max_attempts) +
                                   " time(s); it was not retried again"};
  ASSIGN_OR_RETURN(ResultSet failed,
                   conn.query("UPDATE files SET status = 'failed', progress = 1, claim_token = NULL, error = $4, "
                              "updated_at = $1 WHERE status = 'parsing' AND updated_at < $2 AND attempts >= $3",
                              fail_params));
  const Value params[] = {param(now), param(stale_before)};
  ASSIGN_OR_RETURN(ResultSet requeued,
                   conn.query("UPDATE files SET status = 'uploaded', claim_token = NULL, progress = 0, updated_at = $1 "
                              "WHERE status = 'parsing' AND updated_at < $2",
                              params));
  return failed.affected_rows + requeued.affected_rows;
}

Result<std::optional<StoredFile>> FileQueue::claim_next(Connection& conn, const std::string& token, Timestamp now) {
  // PostgreSQL: SKIP LOCKED lets concurrent workers pass over a row another one is claiming. SQLite
  // has one writer at a time, so the plain subquery is already exclusive.
  const std::string lock = conn.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  const Value params[] = {token, param(now)};
  const std::string columns = returning_columns();
  return single(conn.query("UPDATE files SET status = 'parsing', claim_token = $1, progress = 0, "
                           "attempts = attempts + 1, updated_at = $2 "
                           "WHERE id = (SELECT id FROM files WHERE status = 'uploaded' ORDER BY updated_at, id LIMIT 1" +
                               lock + ") RETURNING " + columns,
                           params));
}

Result<ClaimState> FileQueue::heartbeat(Connection& conn, const Uuid& id, const std::string& token,
                                        const WorkProgress& progress, Timestamp now) {
  const Value params[] = {progress.fraction, param(now), param(id), token};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("UPDATE files SET progress = $1, updated_at = $2 "
                                            "WHERE id = $3 AND claim_token = $4 AND status = 'parsing'",
                                            params));
  return rs.affected_rows == 1 ? ClaimState::kHeld : ClaimState::kLost;
}

Result<bool> FileQueue::hand_back(Connection& conn, const Uuid& id, const std::string& token, bool counted,
                                  Timestamp now) {
  const Value params[] = {param(now), param(id), token, std::int64_t{counted ? 0 : 1}};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("UPDATE files SET status = 'uploaded', progress = 0, claim_token = NULL, "
                                            "attempts = attempts - $4, updated_at = $1 "
                                            "WHERE id = $2 AND claim_token = $3 AND status = 'parsing'",
                                            params));
  return rs.affected_rows == 1;
}

Result<QueueDepth> FileQueue::depth(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT count(*), min(updated_at) FROM files WHERE status = 'uploaded'", {}));
  QueueDepth depth;
  if (rs.rows.empty()) return depth;
  depth.waiting = rs.rows[0].integer(0);
  if (!rs.rows[0].is_null(1)) depth.oldest = parse_timestamp(rs.rows[0].text(1));
  return depth;
}

}  // namespace oeuvre::store
