#include "store/data_source_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "id, project_id, name, kind, column_mapping, status, is_active, version, created_at, "
    "updated_at";

DataSource data_source_from(const Row& r) {
  return DataSource{uuid_at(r, 0),      uuid_at(r, 1),     r.text(2),    r.text(3),
                    r.text(4),          parse_data_source_status(r.text(5)).value_or(DataSourceStatus::kActive),
                    r.boolean(6), r.integer(7),
                    timestamp_at(r, 8), timestamp_at(r, 9)};
}

}  // namespace

Status DataSourceRepository::insert(Connection& conn, const DataSource& d) {
  const Value params[] = {param(d.id),
                          param(d.project_id),
                          d.name,
                          d.kind,
                          d.column_mapping,
                          param(d.status),
                          d.is_active,
                          d.version,
                          param(d.created_at),
                          param(d.updated_at)};
  auto rs = conn.query(
      "INSERT INTO data_sources (id, project_id, name, kind, column_mapping, status, is_active, "
      "version, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Result<std::optional<ScopedDataSource>> DataSourceRepository::find_visible(Connection& conn,
                                                                           const Uuid& id) {
  const Value params[] = {param(id)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT d.id, d.project_id, d.name, d.kind, d.column_mapping, "
                              "d.status, d.is_active, d.version, "
                              "d.created_at, d.updated_at, p.owner_id FROM data_sources d JOIN "
                              "projects p ON p.id = d.project_id "
                              "WHERE d.id = $1 AND d.status <> 'deleted' AND p.is_active",
                              params));
  if (rs.rows.empty()) return std::optional<ScopedDataSource>{};
  const Row& row = rs.rows.front();
  return std::optional<ScopedDataSource>(ScopedDataSource{data_source_from(row), uuid_at(row, 10)});
}

Result<PageResult<DataSource>> DataSourceRepository::list(Connection& conn,
                                                          const DataSourceFilter& filter,
                                                          const PageRequest& page) {
  // Fixed SQL fragments only; every value is a parameter. "is_active" matches the partial index's
  // predicate word for word, so both backends can use it.
  std::vector<Value> params{param(filter.project_id)};
  std::string where = " WHERE project_id = $1 AND is_active";
  if (filter.kind) {
    params.push_back(*filter.kind);
    where += " AND kind = $" + std::to_string(params.size());
  }
  return fetch_page<DataSource>(conn, kColumns, "data_sources", where, "created_at DESC, id DESC",
                                std::move(params), page, data_source_from);
}

Status DataSourceRepository::update(Connection& conn, const DataSource& d) {
  const Value params[] = {param(d.id), d.name,      d.kind,    d.column_mapping,
                          param(d.status), d.is_active, d.version, param(d.updated_at)};
  auto rs = conn.query(
      "UPDATE data_sources SET name = $2, kind = $3, column_mapping = $4, status = $5, is_active = "
      "$6, "
      "version = $7, updated_at = $8 WHERE id = $1 AND version = $7 - 1",
      params);
  if (!rs.ok()) return std::move(rs).error();
  if (rs->affected_rows == 0)
    return Error::Conflict("the data source was changed by someone else; reload it");
  return OkStatus();
}

}  // namespace oeuvre::store
