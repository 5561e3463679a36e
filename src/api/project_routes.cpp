// /api/v1/projects: CRUD with pagination; owner = creator; others' projects answer 404.
#include <charconv>

#include "api/api.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "services/views.h"

namespace oeuvre::api {

namespace {

using http::beast_http::status;
using http::beast_http::verb;

http::HttpResponse project_response(status code, const store::Project& project) {
  auto res = http::json_response(code, services::to_json(project));
  res.set(http::beast_http::field::etag, "\"" + std::to_string(project.version) + "\"");
  return res;
}

}  // namespace

void add_project_routes(http::Router& router, ApiServices& services) {
  router.add(verb::get, "/api/v1/projects", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               ASSIGN_OR_RETURN(std::optional<Uuid> owner, http::query_uuid(ex, "owner_id"));
               std::optional<ProjectStatus> status_filter;
               if (auto s = ex.query("status")) {
                 status_filter = parse_project_status(*s);
                 if (!status_filter) {
                   return Error(ErrorCode::kBadRequest, "invalid filter",
                                {FieldError{"status", "must be one of: active, archived"}});
                 }
               }
               ASSIGN_OR_RETURN(auto result, services.projects.list(actor_of(ex), owner, status_filter, page));
               return page_response(result, page);
             },
             http::RunsOn::kIoThreadFirst);

  router.add(verb::post, "/api/v1/projects", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               auto name = in.required_string("name", 1, 255);
               auto description = in.optional_text("description", 0, 4000);
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(store::Project project,
                                services.projects.create(actor_of(ex), *name, description.value_or(""),
                                                         request_meta(ex)));
               auto res = project_response(status::created, project);
               res.set(http::beast_http::field::location, "/api/v1/projects/" + project.id.to_string());
               return res;
             });

  router.add(verb::get, "/api/v1/projects/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(store::Project project, services.projects.get(actor_of(ex), id));
               return project_response(status::ok, project);
             },
             http::RunsOn::kIoThreadFirst);

  router.add(verb::get, "/api/v1/projects/{id}/stats", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(std::string stats, services.projects.stats(actor_of(ex), id));
               return http::json_response(status::ok, std::move(stats));
             });

  router.add(verb::patch, "/api/v1/projects/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, http::read_if_match(ex, "project"));
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               services::ProjectChanges changes;
               changes.name = in.optional_string("name", 1, 255);
               changes.description = in.optional_text("description", 0, 4000);
               auto new_status = in.optional_enum("status", {"active", "archived"});
               if (new_status) changes.status = parse_project_status(*new_status);
               changes.expected_version = expected;
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(store::Project project,
                                services.projects.update(actor_of(ex), id, changes, request_meta(ex)));
               return project_response(status::ok, project);
             });

  router.add(verb::delete_, "/api/v1/projects/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               RETURN_IF_ERROR(services.projects.remove(actor_of(ex), id, request_meta(ex)));
               return http::no_content();
             });
}

}  // namespace oeuvre::api
