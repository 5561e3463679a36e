#include "services/audit_trail.h"

#include "core/utf8.h"
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
  // Header values are bytes from the client: stored as valid UTF-8 (U+FFFD for what is not), bounded.
  entry.request_id = to_valid_utf8(meta.request_id, 128);
  entry.ip = to_valid_utf8(meta.ip, 64);
  entry.user_agent = to_valid_utf8(meta.user_agent, 512);
  entry.created_at = now_utc();
  if (!meta.trace_id.empty()) entry.trace_id = to_valid_utf8(meta.trace_id, 32);
  return store::AuditRepository::append(conn, entry);
}

}  // namespace oeuvre::services
