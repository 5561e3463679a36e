// /api/v1/auth/*: register, login, refresh, logout, me, change-password. Login, refresh and logout
// have a cookie mode for the browser app ("session": "cookie"): the refresh token travels in an
// HttpOnly cookie, out of reach of the page's JavaScript, instead of the JSON body.
#include "api/api.h"
#include "http/cookies.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "services/views.h"

namespace oeuvre::api {

namespace {

using http::beast_http::status;
using http::beast_http::verb;

// The cookie holding a browser session's refresh token, sent only to the auth routes.
constexpr std::string_view kRefreshCookie = "oeuvre_refresh";
constexpr std::string_view kRefreshCookiePath = "/api/v1/auth";
// The header a cookie-mode refresh must carry: a cross-site page cannot add it without a CORS
// preflight, which this server never grants.
constexpr std::string_view kRequestedWith = "X-Requested-With";
constexpr std::string_view kRequestedWithValue = "oeuvre";

// "session": "cookie" in a body (the only value; absent or null: the token pair in JSON, as ever).
bool read_cookie_mode(http::FieldReader& in) {
  return in.optional_enum("session", {"cookie"}).has_value();
}

// Set-Cookie for the refresh cookie: `token` for `max_age` seconds, or cleared (empty, 0). Secure
// unless the request came to a loopback name (plain HTTP on one's own machine; see docs/auth.md).
std::string refresh_cookie(const http::Exchange& ex, std::string_view token, std::int64_t max_age) {
  http::SetCookie cookie;
  cookie.name = kRefreshCookie;
  cookie.value = token;
  cookie.path = kRefreshCookiePath;
  cookie.max_age = max_age;
  cookie.secure = !http::is_loopback_host(ex.header(http::beast_http::field::host));
  return http::set_cookie_value(cookie);
}

http::HttpResponse token_response(const services::TokenPair& pair) {
  auto res = http::json_response(status::ok, boost::json::object{{"access_token", pair.access_token},
                                                                 {"token_type", "Bearer"},
                                                                 {"expires_in", pair.expires_in},
                                                                 {"refresh_token", pair.refresh_token},
                                                                 {"refresh_expires_in", pair.refresh_expires_in}});
  res.set(http::beast_http::field::cache_control, "no-store");
  return res;
}

// Cookie mode: the access token in JSON, the refresh token only in the cookie.
http::HttpResponse cookie_token_response(const http::Exchange& ex,
                                         const services::TokenPair& pair) {
  auto res = http::json_response(
      status::ok, boost::json::object{{"access_token", pair.access_token},
                                      {"token_type", "Bearer"},
                                      {"expires_in", pair.expires_in},
                                      {"refresh_expires_in", pair.refresh_expires_in}});
  res.set(http::beast_http::field::cache_control, "no-store");
  res.set(http::beast_http::field::set_cookie,
          refresh_cookie(ex, pair.refresh_token, pair.refresh_expires_in));
  return res;
}

constexpr const char* kNotWithCookie =
    "must not be sent with \"session\": \"cookie\" (the token is the oeuvre_refresh cookie)";

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
               const bool cookie_mode = read_cookie_mode(in);
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(services::TokenPair pair, services.auth.login(*email, *password, request_meta(ex)));
               return cookie_mode ? cookie_token_response(ex, pair) : token_response(pair);
             });

  router.add(verb::post, "/api/v1/auth/refresh", http::Access::kPublic,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               http::FieldReader in(body);
               const bool cookie_mode = read_cookie_mode(in);
               std::optional<std::string> token;
               if (cookie_mode) {
                 in.refuse("refresh_token", kNotWithCookie);
               } else {
                 token = in.required_secret("refresh_token", 512);
               }
               RETURN_IF_ERROR(in.finish());
               if (!cookie_mode) {
                 ASSIGN_OR_RETURN(services::TokenPair pair,
                                  services.auth.refresh(*token, request_meta(ex)));
                 return token_response(pair);
               }
               // A cookie goes with every request the browser makes to this path, a forged one too:
               // the JSON body (read_json_object refuses other content types; a cross-site form
               // cannot send JSON) and this header (no cross-site page can add it) prove the app's
               // own script sent it.
               if (ex.request.count(kRequestedWith) != 1 ||
                   ex.request.find(kRequestedWith)->value() != kRequestedWithValue) {
                 return Error::Forbidden(
                     "a cookie session's refresh must carry the header X-Requested-With: oeuvre");
               }
               ASSIGN_OR_RETURN(std::optional<std::string> from_cookie,
                                http::read_cookie(ex.request, kRefreshCookie));
               if (!from_cookie)
                 return Error::Unauthenticated("there is no oeuvre_refresh cookie; log in again");
               ASSIGN_OR_RETURN(services::TokenPair pair,
                                services.auth.refresh(*from_cookie, request_meta(ex)));
               return cookie_token_response(ex, pair);
             });

  router.add(verb::post, "/api/v1/auth/logout", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               std::optional<std::string> token;
               bool cookie_mode = false;
               if (!ex.request.body().empty()) {
                 ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
                 http::FieldReader in(body);
                 cookie_mode = read_cookie_mode(in);
                 if (cookie_mode) {
                   in.refuse("refresh_token", kNotWithCookie);
                 } else if (auto it = body.find("refresh_token");
                            it != body.end() && !it->value().is_null()) {
                   token = in.required_secret("refresh_token", 512);
                 } else {
                   (void)in.optional_bool("refresh_token");  // known field; null means "all sessions"
                 }
                 RETURN_IF_ERROR(in.finish());
               }
               // Logging out works whatever the browser holds: an unreadable cookie counts as none.
               auto cookie = http::read_cookie(ex.request, kRefreshCookie);
               const std::optional<std::string> cookie_token = cookie.ok() ? *cookie : std::nullopt;
               if (cookie_mode) {
                 RETURN_IF_ERROR(services.auth.logout_cookie_session(actor_of(ex), cookie_token,
                                                                     request_meta(ex)));
               } else {
                 RETURN_IF_ERROR(services.auth.logout(actor_of(ex), token, request_meta(ex)));
               }
               auto res = http::no_content();
               // Cookie mode, or every session revoked while the request carried the cookie: the
               // browser drops it.
               if (cookie_mode || (!token && cookie_token)) {
                 res.set(http::beast_http::field::set_cookie, refresh_cookie(ex, "", 0));
               }
               return res;
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
