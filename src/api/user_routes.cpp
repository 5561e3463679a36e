// /api/v1/users: admin administration (and lifting login lockouts); a user may read their own
// record.
#include "api/api.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "services/views.h"

namespace oeuvre::api {

namespace {
using http::beast_http::status;
using http::beast_http::verb;
}  // namespace

void add_user_routes(http::Router& router, ApiServices& services) {
  router.add(verb::get, "/api/v1/users", http::Access::kAdmin,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               ASSIGN_OR_RETURN(auto result, services.users.list(actor_of(ex), page));
               return page_response(result, page);
             });

  router.add(verb::post, "/api/v1/users", http::Access::kAdmin,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               auto email = in.required_email("email");
               auto password = in.required_secret("password", 256);
               auto display_name = in.optional_string("display_name", 0, 255);
               auto role = in.optional_enum("role", {"admin", "user"});
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(store::User user,
                                services.auth.create_user({*email, *password, display_name.value_or(""),
                                                           role ? *parse_role(*role) : Role::kUser},
                                                          actor_of(ex).user_id, request_meta(ex)));
               auto res = http::json_response(status::created, services::to_json(user));
               res.set(http::beast_http::field::location, "/api/v1/users/" + user.id.to_string());
               return res;
             });

  router.add(verb::get, "/api/v1/users/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(store::User user, services.users.get(actor_of(ex), id));
               return http::json_response(status::ok, services::to_json(user));
             });

  router.add(verb::post, "/api/v1/users/{id}/unlock", http::Access::kAdmin,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               RETURN_IF_ERROR(services.auth.unlock(actor_of(ex), id, request_meta(ex)));
               return http::no_content();
             });

  router.add(verb::patch, "/api/v1/users/{id}", http::Access::kAdmin,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               services::UserChanges changes;
               changes.display_name = in.optional_string("display_name", 0, 255);
               auto role = in.optional_enum("role", {"admin", "user"});
               if (role) changes.role = parse_role(*role);
               changes.is_active = in.optional_bool("is_active");
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(store::User user, services.users.update(actor_of(ex), id, changes, request_meta(ex)));
               return http::json_response(status::ok, services::to_json(user));
             });
}

}  // namespace oeuvre::api
