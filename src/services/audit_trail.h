#pragma once
// Writes audit rows on the caller's connection, so each row commits or rolls back with its change.

#include <boost/json.hpp>
#include <optional>

#include "services/request_meta.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::services {

struct AuditEvent {
  std::optional<Uuid> user_id;
  std::optional<Uuid> project_id;
  std::string action;
  std::string resource_type;
  std::string resource_id;
  std::optional<boost::json::value> before;
  std::optional<boost::json::value> after;
};

// REQUIRES: conn is inside the transaction of the change being audited (or alone, for events that
// change nothing, such as a failed login).
Status record_audit(store::Connection& conn, const RequestMeta& meta, AuditEvent event);

}  // namespace oeuvre::services
