#include "services/views.h"

namespace oeuvre::services {

namespace {

boost::json::value json_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec) return boost::json::value(*text);
  return v;
}

}  // namespace

boost::json::object to_json(const store::User& u) {
  return {{"id", u.id.to_string()},
          {"email", u.email},
          {"display_name", u.display_name},
          {"role", to_string(u.role)},
          {"is_active", u.is_active},
          {"created_at", format_timestamp(u.created_at)},
          {"updated_at", format_timestamp(u.updated_at)}};
}

boost::json::object to_json(const store::Project& p) {
  return {{"id", p.id.to_string()},
          {"owner_id", p.owner_id.to_string()},
          {"name", p.name},
          {"description", p.description},
          {"status", to_string(p.status)},
          {"version", p.version},
          {"created_at", format_timestamp(p.created_at)},
          {"updated_at", format_timestamp(p.updated_at)}};
}

boost::json::object to_json(const store::AuditEntry& e) {
  return {{"id", e.id.to_string()},
          {"user_id", e.user_id ? boost::json::value(e.user_id->to_string()) : nullptr},
          {"project_id", e.project_id ? boost::json::value(e.project_id->to_string()) : nullptr},
          {"action", e.action},
          {"resource_type", e.resource_type},
          {"resource_id", e.resource_id},
          {"before", json_or_null(e.before_json)},
          {"after", json_or_null(e.after_json)},
          {"request_id", e.request_id},
          {"trace_id", e.trace_id ? boost::json::value(*e.trace_id) : nullptr},
          {"ip", e.ip},
          {"user_agent", e.user_agent},
          {"created_at", format_timestamp(e.created_at)}};
}

boost::json::object to_json(const store::DataSource& d) {
  boost::json::value mapping = json_or_null(d.column_mapping);
  if (!mapping.is_object()) mapping = boost::json::object{};
  return {{"id", d.id.to_string()},
          {"project_id", d.project_id.to_string()},
          {"name", d.name},
          {"kind", d.kind},
          {"column_mapping", std::move(mapping)},
          {"is_active", d.is_active},
          {"version", d.version},
          {"created_at", format_timestamp(d.created_at)},
          {"updated_at", format_timestamp(d.updated_at)}};
}

}  // namespace oeuvre::services
