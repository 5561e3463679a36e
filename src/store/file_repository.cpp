#include "store/file_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "f.id, f.project_id, f.data_source_id, f.filename, f.content_type, f.sha256, f.size_bytes, f.storage_key, "
    "f.status, f.progress, f.rows_ok, f.rows_failed, f.error, f.uploaded_by, f.created_at, f.updated_at";

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
  f.status = r.text(8);
  f.progress = r.real(9);
  f.rows_ok = r.integer(10);
  f.rows_failed = r.integer(11);
  f.error = r.optional_text(12);
  f.uploaded_by = optional_uuid_at(r, 13);
  f.created_at = timestamp_at(r, 14);
  f.updated_at = timestamp_at(r, 15);
  return f;
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
                          f.status,            f.progress,          f.rows_ok,               f.rows_failed,
                          param(f.error),      param(f.uploaded_by), param(f.created_at),    param(f.updated_at)};
  auto rs = conn.query(
      "INSERT INTO files (id, project_id, data_source_id, filename, content_type, sha256, size_bytes, "
      "storage_key, status, progress, rows_ok, rows_failed, error, uploaded_by, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
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
                                                                const std::optional<std::string>& status,
                                                                const PageRequest& page) {
  std::vector<Value> params{param(project_id)};
  std::string where = " WHERE f.project_id = $1";
  if (status) {
    params.push_back(*status);
    where += " AND f.status = $2";
  }
  return fetch_page<StoredFile>(conn, kColumns, "files f", where, "f.created_at DESC, f.id DESC", std::move(params),
                                page, file_from);
}

Status FileRepository::remove(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  auto rs = conn.query("DELETE FROM files WHERE id = $1", params);
  if (!rs.ok()) return std::move(rs).error();
  if (rs->affected_rows == 0) return Error::NotFound("file not found");
  return OkStatus();
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

}  // namespace oeuvre::store
