// GET /api/v1/audit (admins), GET /api/v1/projects/{id}/audit (project owner or admin).
#include "api/api.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "services/views.h"

namespace oeuvre::api {

namespace {

using http::beast_http::verb;

Result<std::optional<std::string>> bounded_query(const http::Exchange& ex, std::string_view name) {
  auto v = ex.query(name);
  if (!v) return std::optional<std::string>{};
  if (v->empty() || v->size() > 255) {
    return Error(ErrorCode::kBadRequest, "invalid filter",
                 {FieldError{std::string(name), "must be 1 to 255 characters long"}});
  }
  return std::optional<std::string>(std::string(*v));
}

}  // namespace

void add_audit_routes(http::Router& router, ApiServices& services) {
  router.add(verb::get, "/api/v1/audit", http::Access::kAdmin,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               store::AuditFilter filter;
               ASSIGN_OR_RETURN(filter.user_id, http::query_uuid(ex, "user_id"));
               ASSIGN_OR_RETURN(filter.project_id, http::query_uuid(ex, "project_id"));
               ASSIGN_OR_RETURN(filter.resource_type, bounded_query(ex, "resource_type"));
               ASSIGN_OR_RETURN(filter.resource_id, bounded_query(ex, "resource_id"));
               ASSIGN_OR_RETURN(filter.action, bounded_query(ex, "action"));
               if (filter.resource_id && !filter.resource_type) {
                 return Error(ErrorCode::kBadRequest, "invalid filter",
                              {FieldError{"resource_id", "needs resource_type too"}});
               }
               ASSIGN_OR_RETURN(auto result, services.audit.list(actor_of(ex), filter, page));
               return page_response(result, page);
             });

  router.add(verb::get, "/api/v1/projects/{id}/audit", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               ASSIGN_OR_RETURN(auto result, services.audit.list_for_project(actor_of(ex), id, page));
               return page_response(result, page);
             });
}

}  // namespace oeuvre::api
