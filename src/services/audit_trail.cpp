#include "services/audit_trail.h"

#include "store/audit_repository.h"

namespace oeuvre::services {

Status record_audit(store::Connection& conn, const RequestMeta& meta, AuditEvent event) {
  store::AuditEntry entry;
  entry.id = Uuid::generate_v4();
  entry.user_id = event.user_id;
  entry.project_id = event.project_id;
  entry.action = std::move(event.action);
  entry.resource_type = std::move(event.resource_type);
  entry.resource_id = std::move(event.resource_id);
  if (event.before) entry.before_json = boost::json::serialize(*event.before);
  if (event.after) entry.after_json = boost::json::serialize(*event.after);
  entry.request_id = meta.request_id;
  entry.ip = meta.ip;
  entry.user_agent = meta.user_agent.substr(0, 512);
  entry.created_at = now_utc();
  return store::AuditRepository::append(conn, entry);
}

}  // namespace oeuvre::services
