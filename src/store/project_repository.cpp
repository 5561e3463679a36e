#include "store/project_repository.h"

#include <charconv>

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "id, owner_id, name, description, status, is_active, version, created_at, updated_at";

Project project_from(const Row& r) {
  return Project{uuid_at(r, 0),
                 uuid_at(r, 1),
                 r.text(2),
                 r.text(3),
                 parse_project_status(r.text(4)).value_or(ProjectStatus::kActive),
                 r.boolean(5),
                 r.integer(6),
                 timestamp_at(r, 7),
                 timestamp_at(r, 8)};
}

}  // namespace

Status ProjectRepository::insert(Connection& conn, const Project& p) {
  const Value params[] = {param(p.id),   param(p.owner_id),   p.name,
                          p.description, param(p.status),     p.is_active,
                          p.version,     param(p.created_at), param(p.updated_at)};
  auto rs = conn.query(
      "INSERT INTO projects (id, owner_id, name, description, status, is_active, version, "
      "created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Result<std::optional<Project>> ProjectRepository::find_active(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(kColumns) +
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
  return fetch_page<Project>(conn, kColumns, "projects", where, "created_at DESC, id DESC",
                             std::move(params), page, project_from);
}

Status ProjectRepository::update(Connection& conn, const Project& p) {
  const Value params[] = {param(p.id), p.name,    p.description,      param(p.status),
                          p.is_active, p.version, param(p.updated_at)};
  auto rs = conn.query(
      "UPDATE projects SET name = $2, description = $3, status = $4, is_active = $5, version = $6, "
      "updated_at = $7 WHERE id = $1 AND version = $6 - 1",
      params);
  if (!rs.ok()) return std::move(rs).error();
  if (rs->affected_rows == 0)
    return Error::Conflict("the project was changed by someone else; reload it");
  return OkStatus();
}

Result<ProjectRecordStats> ProjectRepository::record_stats(Connection& conn,
                                                           const Uuid& project_id) {
  const Value params[] = {param(project_id)};
  ProjectRecordStats stats;
  ASSIGN_OR_RETURN(
      ResultSet records,
      conn.query(
          "SELECT r.data_source_id, d.name, r.status, count(*) FROM records r "
          "JOIN data_sources d ON d.id = r.data_source_id WHERE r.project_id = $1 "
          "GROUP BY r.data_source_id, d.name, r.status ORDER BY d.name, r.data_source_id, r.status",
          params));
  for (const Row& row : records.rows) {
    stats.records.push_back({uuid_at(row, 0), row.text(1),
                             parse_record_status(row.text(2)).value_or(RecordStatus::kOpen),
                             row.integer(3)});
  }
  // The sums as text: PostgreSQL's sum of bigints is numeric and may exceed 64 bits.
  ASSIGN_OR_RETURN(
      ResultSet amounts,
      conn.query("SELECT currency, status, count(*), CAST(sum(amount_minor) AS TEXT) FROM records "
                 "WHERE project_id = $1 GROUP BY currency, status ORDER BY currency, status",
                 params));
  for (const Row& row : amounts.rows) {
    std::int64_t total = 0;
    const std::string& text = row.text(3);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), total);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Error::Internal("the " + row.text(0) + " records' total does not fit 64 bits");
    }
    stats.amounts.push_back({row.text(0),
                             parse_record_status(row.text(1)).value_or(RecordStatus::kOpen),
                             row.integer(2), total});
  }
  return stats;
}

Result<std::vector<ProjectJobCount>> ProjectRepository::job_counts(Connection& conn,
                                                                   const Uuid& project_id) {
  const Value params[] = {param(project_id)};
  ASSIGN_OR_RETURN(
      ResultSet jobs,
      conn.query("SELECT status, count(*) FROM reconciliation_jobs WHERE project_id = $1 "
                 "GROUP BY status ORDER BY status",
                 params));
  std::vector<ProjectJobCount> counts;
  for (const Row& row : jobs.rows) {
    counts.push_back({parse_job_status(row.text(0)).value_or(JobStatus::kQueued), row.integer(1)});
  }
  return counts;
}

}  // namespace oeuvre::store
