#pragma once
// The public JSON shape of each domain object: used by API responses and audit before/after snapshots,
// so both always agree. Secrets (password hashes, token hashes) never appear here.

#include <boost/json.hpp>

#include "store/models.h"

namespace oeuvre::services {

boost::json::object to_json(const store::User& user);
boost::json::object to_json(const store::Project& project);
boost::json::object to_json(const store::AuditEntry& entry);
// column_mapping is returned as a JSON object, never as text.
boost::json::object to_json(const store::DataSource& data_source);

}  // namespace oeuvre::services
