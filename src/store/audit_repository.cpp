#include "store/audit_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "id, user_id, project_id, action, resource_type, resource_id, before, after, request_id, ip, "
    "user_agent, created_at, trace_id";

AuditEntry entry_from(const Row& r) {
  return AuditEntry{uuid_at(r, 0),          optional_uuid_at(r, 1), optional_uuid_at(r, 2),
                    r.text(3),              r.text(4),              r.text(5),
                    r.optional_text(6),     r.optional_text(7),     r.text(8),
                    r.text(9),              r.text(10),             timestamp_at(r, 11),
                    r.optional_text(12)};
}

}  // namespace

Status AuditRepository::append(Connection& conn, const AuditEntry& e) {
  const Value params[] = {param(e.id),         param(e.user_id),     param(e.project_id), e.action,
                          e.resource_type,     e.resource_id,        param(e.before_json),
                          param(e.after_json), e.request_id,         e.ip,
                          e.user_agent,        param(e.created_at),  param(e.trace_id)};
  auto rs = conn.query(
      "INSERT INTO audit_logs (id, user_id, project_id, action, resource_type, resource_id, before, "
      "after, request_id, ip, user_agent, created_at, trace_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
      "$9, $10, $11, $12, $13)",
      params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Result<PageResult<AuditEntry>> AuditRepository::list(Connection& conn, const AuditFilter& filter,
                                                     const PageRequest& page) {
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  auto add = [&](std::string_view column, Value value) {
    params.push_back(std::move(value));
    where += " AND " + std::string(column) + " = $" + std::to_string(params.size());
  };
  if (filter.project_id) add("project_id", param(*filter.project_id));
  if (filter.user_id) add("user_id", param(*filter.user_id));
  if (filter.resource_type) add("resource_type", *filter.resource_type);
  if (filter.resource_type && filter.resource_id) add("resource_id", *filter.resource_id);
  if (filter.action) add("action", *filter.action);
  return fetch_page<AuditEntry>(conn, kColumns, "audit_logs", where, "created_at DESC, id DESC", std::move(params),
                                page, entry_from);
}

}  // namespace oeuvre::store
