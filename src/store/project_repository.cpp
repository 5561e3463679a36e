#include "store/project_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "id, owner_id, name, description, status, is_active, version, created_at, updated_at";

Project project_from(const Row& r) {
  return Project{uuid_at(r, 0), uuid_at(r, 1), r.text(2),          r.text(3),
                 parse_project_status(r.text(4)).value_or(ProjectStatus::kActive),
                 r.boolean(5),  r.integer(6),  timestamp_at(r, 7), timestamp_at(r, 8)};
}

}  // namespace

Status ProjectRepository::insert(Connection& conn, const Project& p) {
  const Value params[] = {param(p.id), param(p.owner_id), p.name,     p.description,      param(p.status),
                          p.is_active, p.version,         param(p.created_at), param(p.updated_at)};
  auto rs = conn.query(
      "INSERT INTO projects (id, owner_id, name, description, status, is_active, version, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Result<std::optional<Project>> ProjectRepository::find_active(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT " + std::string(kColumns) +
                                  " FROM projects WHERE id = $1 AND is_active",
                              params));
  if (rs.rows.empty()) return std::optional<Project>{};
  return std::optional<Project>(project_from(rs.rows.front()));
}

Result<PageResult<Project>> ProjectRepository::list(Connection& conn, const ProjectFilter& filter,
                                                    const PageRequest& page) {
  // Fixed SQL fragments only; every value is a parameter.
  std::string where = " WHERE is_active";
  std::vector<Value> params;
  if (filter.owner_id) {
    params.push_back(param(*filter.owner_id));
    where += " AND owner_id = $" + std::to_string(params.size());
  }
  if (filter.status) {
    params.push_back(param(*filter.status));
    where += " AND status = $" + std::to_string(params.size());
  }
  return fetch_page<Project>(conn, kColumns, "projects", where, "created_at DESC, id DESC", std::move(params), page,
                             project_from);
}

Status ProjectRepository::update(Connection& conn, const Project& p) {
  const Value params[] = {param(p.id), p.name,    p.description,       param(p.status),
                          p.is_active, p.version, param(p.updated_at)};
  auto rs = conn.query(
      "UPDATE projects SET name = $2, description = $3, status = $4, is_active = $5, version = $6, "
      "updated_at = $7 WHERE id = $1 AND version = $6 - 1",
      params);
  if (!rs.ok()) return std::move(rs).error();
  if (rs->affected_rows == 0) return Error::Conflict("the project was changed by someone else; reload it");
  return OkStatus();
}

}  // namespace oeuvre::store
