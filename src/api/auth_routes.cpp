// /api/v1/auth/*: register, login, refresh, logout, me, change-password.
#include "api/api.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "services/views.h"

namespace oeuvre::api {

namespace {

using http::beast_http::status;
using http::beast_http::verb;

http::HttpResponse token_response(const services::TokenPair& pair) {
  auto res = http::json_response(status::ok, boost::json::object{{"access_token", pair.access_token},
                                                                 {"token_type", "Bearer"},
                                                                 {"expires_in", pair.expires_in},
                                                                 {"refresh_token", pair.refresh_token},
                                                                 {"refresh_expires_in", pair.refresh_expires_in}});
  res.set(http::beast_http::field::cache_control, "no-store");
  return res;
}

}  // namespace

void add_auth_routes(http::Router& router, ApiServices& services) {
  router.add(verb::post, "/api/v1/auth/register", http::Access::kPublic,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               RETURN_IF_ERROR(services.auth.check_registration_allowed());
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               auto email = in.required_email("email");
               auto password = in.required_secret("password", 256);
               auto display_name = in.optional_string("display_name", 0, 255);
               RETURN_IF_ERROR(in.finish());
               // The same answer whether the address was free or taken: registration tells nobody
               // which addresses have accounts.
               RETURN_IF_ERROR(services.auth.register_user(
                   {*email, *password, display_name.value_or("")}, request_meta(ex)));
               return http::json_response(
                   status::accepted,
                   boost::json::object{{"status", "accepted"},
                                       {"detail",
                                        "log in with this email and password; if the email already "
                                        "had an account, nothing was changed"}});
             });

  router.add(verb::post, "/api/v1/auth/login", http::Access::kPublic,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               auto email = in.required_string("email", 1, 254);
               auto password = in.required_secret("password", 256);
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(services::TokenPair pair, services.auth.login(*email, *password, request_meta(ex)));
               return token_response(pair);
             });

  router.add(verb::post, "/api/v1/auth/refresh", http::Access::kPublic,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               auto token = in.required_secret("refresh_token", 512);
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(services::TokenPair pair, services.auth.refresh(*token, request_meta(ex)));
               return token_response(pair);
             });

  router.add(verb::post, "/api/v1/auth/logout", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               std::optional<std::string> token;
               if (!ex.request.body().empty()) {
                 ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
                 http::FieldReader in(body);
                 if (auto it = body.find("refresh_token"); it != body.end() && !it->value().is_null()) {
                   token = in.required_secret("refresh_token", 512);
                 } else {
                   (void)in.optional_bool("refresh_token");  // known field; null means "all sessions"
                 }
                 RETURN_IF_ERROR(in.finish());
               }
               RETURN_IF_ERROR(services.auth.logout(actor_of(ex), token, request_meta(ex)));
               return http::no_content();
             });

  router.add(verb::get, "/api/v1/auth/me", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(store::User user, services.auth.me(actor_of(ex)));
               return http::json_response(status::ok, services::to_json(user));
             });

  router.add(verb::post, "/api/v1/auth/change-password", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               auto current = in.required_secret("current_password", 256);
               auto fresh = in.required_secret("new_password", 256);
               RETURN_IF_ERROR(in.finish());
               RETURN_IF_ERROR(services.auth.change_password(actor_of(ex), *current, *fresh, request_meta(ex)));
               return http::no_content();
             });
}

}  // namespace oeuvre::api
