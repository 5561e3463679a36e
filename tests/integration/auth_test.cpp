// /api/v1/auth/* over real HTTP: registration, login, rate limiting, refresh rotation with reuse
// detection, logout, the browser app's cookie sessions, /me, change-password, forged tokens, and
// deactivated accounts.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "observability/log.h"
#include "security/crypto.h"
#include "security/jwt.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

constexpr const char* kRegister = "/api/v1/auth/register";
constexpr const char* kLogin = "/api/v1/auth/login";
constexpr const char* kRefresh = "/api/v1/auth/refresh";
constexpr const char* kLogout = "/api/v1/auth/logout";
constexpr const char* kMe = "/api/v1/auth/me";
constexpr const char* kChangePassword = "/api/v1/auth/change-password";

// The field names of a problem's errors[].
bool has_field_error(const HttpResult& res, const std::string& field) {
  for (const auto& f : error_fields(res)) {
    if (f == field) return true;
  }
  return false;
}

// A problem+json answer with the given status and a request id.
void expect_problem(const HttpResult& res, unsigned status) {
  EXPECT_EQ(res.status, status) << res.body;
  EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json")) << res.header("content-type");
  auto body = res.json();
  ASSERT_TRUE(body.is_object()) << res.body;
  EXPECT_EQ(body.at("status").to_number<int>(), static_cast<int>(status));
  ASSERT_TRUE(body.as_object().contains("request_id")) << res.body;
  EXPECT_FALSE(body.at("request_id").as_string().empty());
  EXPECT_EQ(std::string(body.at("request_id").as_string()), res.header("x-request-id"));
  EXPECT_TRUE(body.as_object().contains("title"));
  EXPECT_TRUE(body.as_object().contains("detail"));
}

std::string detail_of(const HttpResult& res) {
  auto body = res.json();
  if (!body.is_object() || !body.as_object().contains("detail")) return "";
  return std::string(body.at("detail").as_string());
}

HttpResult login_raw(TestServer& server, const std::string& email, const std::string& password) {
  return server.post(kLogin, json::object{{"email", email}, {"password", password}});
}

HttpResult refresh_raw(TestServer& server, const std::string& refresh_token) {
  return server.post(kRefresh, json::object{{"refresh_token", refresh_token}});
}

// The JWT secret the test server signs with (generated under its var dir unless JWT_SECRET is set).
std::string server_jwt_secret(TestServer& server) {
  if (const char* env = std::getenv("JWT_SECRET"); env != nullptr && *env != '\0') return env;
  std::ifstream in(server.config().var_dir + "/jwt_secret", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::int64_t now_epoch() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------------
// Registration

TEST(AuthTest, RegisterCreatesAUserAndNeverEchoesThePassword) {
  TestServer server;
  auto res = server.post(kRegister, json::object{{"email", "Ada@Example.com"},
                                                 {"password", kTestPassword},
                                                 {"display_name", "Ada"}});
  ASSERT_EQ(res.status, 202u) << res.body;
  EXPECT_TRUE(res.header("content-type").starts_with("application/json"));
  EXPECT_EQ(res.body.find(kTestPassword), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("argon2"), std::string::npos) << res.body;
  // The account exists: its owner logs in and sees it.
  Session s = server.login("ada@example.com", kTestPassword);
  auto me = server.get(kMe, s.access_token);
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.json().at("role").as_string(), "user");
  EXPECT_EQ(me.json().at("display_name").as_string(), "Ada");
  EXPECT_TRUE(me.json().at("is_active").as_bool());
}

TEST(AuthTest, RegisterCannotChooseTheAdminRole) {
  TestServer server;
  auto res = server.post(kRegister,
                         json::object{{"email", "mallory@example.com"}, {"password", kTestPassword}, {"role", "admin"}});
  expect_problem(res, 422);
  EXPECT_TRUE(has_field_error(res, "role")) << res.body;
}

// Issue 21 item 8: registering a taken address answers exactly like registering a free one, so the
// answer does not tell which addresses have accounts; the existing account is untouched.
TEST(AuthTest, RegistrationAnswersAlikeWhetherOrNotTheEmailIsTaken) {
  TestServer server;
  auto fresh = server.post(
      kRegister, json::object{{"email", "first@example.com"}, {"password", kTestPassword}});
  server.register_user("dup@example.com");
  for (const char* email : {"dup@example.com", "DUP@Example.COM"}) {
    auto again = server.post(
        kRegister, json::object{{"email", email}, {"password", "an intruder's passphrase"}});
    EXPECT_EQ(again.status, fresh.status) << again.body;
    EXPECT_EQ(again.status, 202u) << again.body;
    EXPECT_EQ(again.body, fresh.body);
    EXPECT_EQ(again.header("content-type"), fresh.header("content-type"));
  }
  EXPECT_EQ(login_raw(server, "dup@example.com", kTestPassword).status, 200u);
  expect_problem(login_raw(server, "dup@example.com", "an intruder's passphrase"), 401);
}

TEST(AuthTest, WeakPasswordIs422OnThePasswordField) {
  TestServer server;
  for (const char* weak : {"short", "123456789", "          ", ""}) {
    auto res = server.post(kRegister, json::object{{"email", "weak@example.com"}, {"password", weak}});
    expect_problem(res, 422);
    EXPECT_TRUE(has_field_error(res, "password")) << weak << ": " << res.body;
  }
  // Nothing was created: the address is still free.
  auto ok = server.post(kRegister, json::object{{"email", "weak@example.com"}, {"password", kTestPassword}});
  EXPECT_EQ(ok.status, 202u) << ok.body;
  EXPECT_EQ(login_raw(server, "weak@example.com", kTestPassword).status, 200u);
}

TEST(AuthTest, BadEmailIs422OnTheEmailField) {
  TestServer server;
  for (const char* bad : {"not-an-email", "a@b", "@example.com", "two@@example.com", "sp ace@example.com", ""}) {
    auto res = server.post(kRegister, json::object{{"email", bad}, {"password", kTestPassword}});
    expect_problem(res, 422);
    EXPECT_TRUE(has_field_error(res, "email")) << bad << ": " << res.body;
  }
  auto not_string = server.post(kRegister, json::object{{"email", 42}, {"password", kTestPassword}});
  expect_problem(not_string, 422);
  EXPECT_TRUE(has_field_error(not_string, "email")) << not_string.body;
}

TEST(AuthTest, UnknownFieldIs422NamingTheField) {
  TestServer server;
  auto res = server.post(kRegister, json::object{{"email", "x@example.com"},
                                                 {"password", kTestPassword},
                                                 {"nickname", "xx"}});
  expect_problem(res, 422);
  EXPECT_TRUE(has_field_error(res, "nickname")) << res.body;
}

TEST(AuthTest, MissingFieldsAreAllReportedAtOnce) {
  TestServer server;
  auto res = server.post(kRegister, json::object{});
  expect_problem(res, 422);
  EXPECT_TRUE(has_field_error(res, "email")) << res.body;
  EXPECT_TRUE(has_field_error(res, "password")) << res.body;
}

// ---------------------------------------------------------------------------------------------------
// Login

TEST(AuthTest, LoginReturnsABearerTokenPair) {
  TestServer server;
  server.register_user("login@example.com");
  auto res = login_raw(server, "login@example.com", kTestPassword);
  ASSERT_EQ(res.status, 200u) << res.body;
  auto body = res.json();
  EXPECT_EQ(body.at("token_type").as_string(), "Bearer");
  EXPECT_GT(body.at("expires_in").to_number<std::int64_t>(), 0);
  EXPECT_FALSE(body.at("access_token").as_string().empty());
  EXPECT_FALSE(body.at("refresh_token").as_string().empty());
  EXPECT_EQ(res.header("cache-control"), "no-store");
  // The access token works.
  auto me = server.get(kMe, std::string(body.at("access_token").as_string()));
  EXPECT_EQ(me.status, 200u) << me.body;
}

TEST(AuthTest, LoginEmailIsCaseInsensitive) {
  TestServer server;
  server.register_user("casey@example.com");
  auto res = login_raw(server, "CASEY@EXAMPLE.com", kTestPassword);
  EXPECT_EQ(res.status, 200u) << res.body;
}

TEST(AuthTest, WrongPasswordAndUnknownEmailAre401WithTheSameDetail) {
  TestServer server;
  server.register_user("known@example.com");
  auto wrong = login_raw(server, "known@example.com", "not the right password");
  expect_problem(wrong, 401);
  auto unknown = login_raw(server, "nobody@example.com", "not the right password");
  expect_problem(unknown, 401);
  EXPECT_EQ(detail_of(wrong), detail_of(unknown));
  EXPECT_EQ(wrong.json().at("title"), unknown.json().at("title"));
  EXPECT_EQ(wrong.json().at("type"), unknown.json().at("type"));
}

TEST(AuthTest, FiveFailuresOnOneAccountThen429WithRetryAfter) {
  TestServer server;
  server.register_user("target@example.com");
  for (int i = 0; i < 5; ++i) {
    auto res = login_raw(server, "target@example.com", "wrong password " + std::to_string(i));
    EXPECT_EQ(res.status, 401u) << "attempt " << i << ": " << res.body;
  }
  // Even the right password is refused now, and the case of the address does not matter.
  for (const char* email : {"target@example.com", "TARGET@example.com"}) {
    auto limited = login_raw(server, email, kTestPassword);
    expect_problem(limited, 429);
    const std::string retry_after = limited.header("retry-after");
    ASSERT_FALSE(retry_after.empty()) << limited.body;
    EXPECT_GT(std::stoi(retry_after), 0);
  }
  // Another account from the same address is not locked out.
  server.register_user("bystander@example.com");
  EXPECT_EQ(login_raw(server, "bystander@example.com", kTestPassword).status, 200u);
}

TEST(AuthTest, LoginValidation) {
  TestServer server;
  auto res = server.post(kLogin, json::object{{"email", "x@example.com"}});
  expect_problem(res, 422);
  EXPECT_TRUE(has_field_error(res, "password")) << res.body;
  auto extra = server.post(kLogin, json::object{{"email", "x@example.com"}, {"password", "p"}, {"otp", "1"}});
  expect_problem(extra, 422);
  EXPECT_TRUE(has_field_error(extra, "otp")) << extra.body;
}

// ---------------------------------------------------------------------------------------------------
// Refresh, logout

TEST(AuthTest, RefreshRotatesAndReuseRevokesTheWholeFamily) {
  TestServer server;
  Session s = server.register_user("rotate@example.com");

  auto first = refresh_raw(server, s.refresh_token);
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string r2(first.json().at("refresh_token").as_string());
  const std::string a2(first.json().at("access_token").as_string());
  EXPECT_NE(r2, s.refresh_token);
  EXPECT_EQ(first.json().at("token_type").as_string(), "Bearer");
  EXPECT_EQ(server.get(kMe, a2).status, 200u);

  // Reusing the rotated token fails...
  auto reuse = refresh_raw(server, s.refresh_token);
  expect_problem(reuse, 401);
  // ...and revokes the token that replaced it.
  auto after = refresh_raw(server, r2);
  expect_problem(after, 401);

  // A fresh login starts a new, working family.
  Session again = server.login("rotate@example.com", kTestPassword);
  EXPECT_EQ(refresh_raw(server, again.refresh_token).status, 200u);
}

TEST(AuthTest, RefreshWithAnUnknownTokenIs401) {
  TestServer server;
  expect_problem(refresh_raw(server, "not-a-refresh-token"), 401);
  auto empty = server.post(kRefresh, json::object{{"refresh_token", ""}});
  expect_problem(empty, 422);
  EXPECT_TRUE(has_field_error(empty, "refresh_token"));
}

TEST(AuthTest, LogoutRevokesTheRefreshToken) {
  TestServer server;
  Session s = server.register_user("bye@example.com");
  auto out = server.post(kLogout, json::object{{"refresh_token", s.refresh_token}}, s.access_token);
  EXPECT_EQ(out.status, 204u) << out.body;
  EXPECT_TRUE(out.body.empty());
  expect_problem(refresh_raw(server, s.refresh_token), 401);
}

TEST(AuthTest, LogoutWithoutABodyRevokesEverySession) {
  TestServer server;
  Session one = server.register_user("everywhere@example.com");
  Session two = server.login("everywhere@example.com", kTestPassword);
  auto out = server.request("POST", kLogout, "", one.access_token);
  EXPECT_EQ(out.status, 204u) << out.body;
  expect_problem(refresh_raw(server, one.refresh_token), 401);
  expect_problem(refresh_raw(server, two.refresh_token), 401);
}

TEST(AuthTest, LogoutCannotRevokeAnotherUsersSession) {
  TestServer server;
  Session a = server.register_user("a-logout@example.com");
  Session b = server.register_user("b-logout@example.com");
  auto res = server.post(kLogout, json::object{{"refresh_token", a.refresh_token}}, b.access_token);
  EXPECT_GE(res.status, 400u) << res.body;
  EXPECT_LT(res.status, 500u) << res.body;
  EXPECT_EQ(refresh_raw(server, a.refresh_token).status, 200u) << "B's logout revoked A's session";
}

TEST(AuthTest, LogoutNeedsAnAccessToken) {
  TestServer server;
  Session s = server.register_user("anon-logout@example.com");
  expect_problem(server.post(kLogout, json::object{{"refresh_token", s.refresh_token}}), 401);
  EXPECT_EQ(refresh_raw(server, s.refresh_token).status, 200u);
}

// ---------------------------------------------------------------------------------------------------
// Cookie sessions (the browser app): the refresh token in an HttpOnly cookie, never in JSON

constexpr const char* kRefreshCookie = "oeuvre_refresh";

// The refresh token a response's Set-Cookie carries ("" when it sets no oeuvre_refresh cookie).
std::string cookie_token(const HttpResult& res) {
  const std::string set = res.header("set-cookie");
  const std::string prefix = std::string(kRefreshCookie) + "=";
  if (!set.starts_with(prefix)) return "";
  return set.substr(prefix.size(), set.find(';') - prefix.size());
}

// Set-Cookie as the server writes it for `token` (Max-Age `max_age`), with Secure or not.
std::string expected_set_cookie(const std::string& token, std::int64_t max_age, bool secure) {
  return std::string(kRefreshCookie) + "=" + token +
         "; HttpOnly; SameSite=Strict; Path=/api/v1/auth; Max-Age=" + std::to_string(max_age) +
         (secure ? "; Secure" : "");
}

HttpResult cookie_login(TestServer& server, const std::string& email,
                        const std::map<std::string, std::string>& headers = {}) {
  return server.request("POST", kLogin,
                        json::serialize(json::object{
                            {"email", email}, {"password", kTestPassword}, {"session", "cookie"}}),
                        "", headers);
}

// A cookie-mode refresh as the web app sends it: the cookie, the JSON body and X-Requested-With.
HttpResult cookie_refresh(TestServer& server, const std::string& token,
                          std::map<std::string, std::string> headers = {{"X-Requested-With",
                                                                         "oeuvre"}},
                          const std::string& content_type = "application/json") {
  if (!token.empty())
    headers["Cookie"] = "theme=dark; " + std::string(kRefreshCookie) + "=" + token;
  return server.request("POST", kRefresh, R"({"session":"cookie"})", "", headers, content_type);
}

TEST(AuthTest, CookieLoginSetsAnHttpOnlyStrictCookieAndLeavesTheRefreshTokenOutOfTheBody) {
  TestServer server;
  server.register_user("cookie@example.com");
  auto res = cookie_login(server, "cookie@example.com");
  ASSERT_EQ(res.status, 200u) << res.body;
  const json::value body = res.json();
  EXPECT_FALSE(body.as_object().contains("refresh_token")) << res.body;
  EXPECT_EQ(body.at("token_type").as_string(), "Bearer");
  EXPECT_GT(body.at("expires_in").to_number<std::int64_t>(), 0);
  const std::int64_t refresh_expires_in = body.at("refresh_expires_in").to_number<std::int64_t>();
  EXPECT_EQ(refresh_expires_in, 30 * 24 * 3600);
  EXPECT_EQ(res.header("cache-control"), "no-store");
  const std::string token = cookie_token(res);
  ASSERT_GE(token.size(), 40u) << res.header("set-cookie");
  EXPECT_EQ(res.body.find(token), std::string::npos);
  // The test client calls 127.0.0.1 over plain HTTP: no Secure.
  EXPECT_EQ(res.header("set-cookie"), expected_set_cookie(token, refresh_expires_in, false));
  EXPECT_EQ(server.get(kMe, std::string(body.at("access_token").as_string())).status, 200u);
  // The other loopback names likewise; any other host gets Secure (production is behind TLS).
  for (const char* host : {"localhost:8080", "LOCALHOST", "[::1]:8080", "127.0.0.1:8080"}) {
    auto local = cookie_login(server, "cookie@example.com", {{"Host", host}});
    ASSERT_EQ(local.status, 200u) << host << ": " << local.body;
    EXPECT_EQ(local.header("set-cookie"),
              expected_set_cookie(cookie_token(local), refresh_expires_in, false))
        << host;
  }
  for (const char* host :
       {"oeuvre.example.com", "oeuvre.example.com:443", "10.1.2.3:8080", "localhost.example.com"}) {
    auto remote = cookie_login(server, "cookie@example.com", {{"Host", host}});
    ASSERT_EQ(remote.status, 200u) << host << ": " << remote.body;
    EXPECT_EQ(remote.header("set-cookie"),
              expected_set_cookie(cookie_token(remote), refresh_expires_in, true))
        << host;
  }
  // session takes "cookie" only.
  auto bad = server.post(kLogin, json::object{{"email", "cookie@example.com"},
                                              {"password", kTestPassword},
                                              {"session", "jar"}});
  expect_problem(bad, 422);
  EXPECT_TRUE(has_field_error(bad, "session")) << bad.body;
}

TEST(AuthTest, LoginWithoutCookieModeAnswersAsBefore) {
  TestServer server;
  server.register_user("plain@example.com");
  for (const bool explicit_null : {false, true}) {
    SCOPED_TRACE(explicit_null ? "\"session\": null" : "no session field");
    json::object request{{"email", "plain@example.com"}, {"password", kTestPassword}};
    if (explicit_null) request["session"] = nullptr;
    auto res = server.post(kLogin, request);
    ASSERT_EQ(res.status, 200u) << res.body;
    EXPECT_FALSE(res.headers.contains("set-cookie")) << res.header("set-cookie");
    EXPECT_EQ(res.header("cache-control"), "no-store");
    std::vector<std::string> keys;
    const json::value body = res.json();
    for (const auto& [key, value] : body.as_object()) keys.emplace_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"access_token", "token_type", "expires_in",
                                              "refresh_token", "refresh_expires_in"}));
    EXPECT_EQ(refresh_raw(server, std::string(res.json().at("refresh_token").as_string()))
                  .headers.count("set-cookie"),
              0u);
  }
}

TEST(AuthTest, CookieRefreshRotatesTheCookieAndAStolenOldOneRevokesTheSession) {
  TestServer server;
  server.register_user("rotate-cookie@example.com");
  auto login = cookie_login(server, "rotate-cookie@example.com");
  ASSERT_EQ(login.status, 200u) << login.body;
  const std::string first = cookie_token(login);

  auto refreshed = cookie_refresh(server, first);
  ASSERT_EQ(refreshed.status, 200u) << refreshed.body;
  const std::string second = cookie_token(refreshed);
  ASSERT_FALSE(second.empty()) << refreshed.header("set-cookie");
  EXPECT_NE(second, first);
  EXPECT_EQ(
      refreshed.header("set-cookie"),
      expected_set_cookie(
          second, refreshed.json().at("refresh_expires_in").to_number<std::int64_t>(), false));
  EXPECT_FALSE(refreshed.json().as_object().contains("refresh_token")) << refreshed.body;
  EXPECT_EQ(refreshed.header("cache-control"), "no-store");
  EXPECT_EQ(server.get(kMe, std::string(refreshed.json().at("access_token").as_string())).status,
            200u);
  auto third = cookie_refresh(server, second);
  ASSERT_EQ(third.status, 200u) << third.body;
  const std::string current = cookie_token(third);

  // The first cookie, stolen and replayed after rotation: refused, and the whole session with it
  // (the rule of body-mode refresh tokens), so the thief's copy and the owner's are both dead.
  auto stolen = cookie_refresh(server, first);
  expect_problem(stolen, 401);
  EXPECT_FALSE(stolen.headers.contains("set-cookie"));
  expect_problem(cookie_refresh(server, current), 401);
  // A new login starts a new session.
  EXPECT_EQ(cookie_refresh(server, cookie_token(cookie_login(server, "rotate-cookie@example.com")))
                .status,
            200u);
}

TEST(AuthTest, CookieRefreshNeedsTheCookieJsonAndXRequestedWith) {
  TestServer server;
  server.register_user("csrf@example.com");
  const std::string token = cookie_token(cookie_login(server, "csrf@example.com"));
  ASSERT_FALSE(token.empty());

  // What a cross-site page could send: no X-Requested-With, or no JSON.
  auto no_header = cookie_refresh(server, token, {});
  expect_problem(no_header, 403);
  EXPECT_NE(detail_of(no_header).find("X-Requested-With: oeuvre"), std::string::npos)
      << no_header.body;
  expect_problem(cookie_refresh(server, token, {{"X-Requested-With", "XMLHttpRequest"}}), 403);
  expect_problem(cookie_refresh(server, token, {{"X-Requested-With", "oeuvre"}}, "text/plain"),
                 415);
  expect_problem(cookie_refresh(server, token, {{"X-Requested-With", "oeuvre"}},
                                "application/x-www-form-urlencoded"),
                 415);
  // No cookie, or one that is not a session: 401 as for an invalid refresh token.
  auto none = cookie_refresh(server, "");
  expect_problem(none, 401);
  EXPECT_NE(detail_of(none).find("oeuvre_refresh"), std::string::npos) << none.body;
  expect_problem(cookie_refresh(server, "not-a-refresh-token"), 401);
  expect_problem(server.request("POST", kRefresh, R"({"session":"cookie"})", "",
                                {{"X-Requested-With", "oeuvre"}, {"Cookie", "oeuvre_refresh="}}),
                 401);
  // A token in the body as well is refused, and the cookie's name twice with different values.
  auto both =
      server.request("POST", kRefresh,
                     json::serialize(json::object{{"session", "cookie"}, {"refresh_token", token}}),
                     "", {{"X-Requested-With", "oeuvre"}, {"Cookie", "oeuvre_refresh=" + token}});
  expect_problem(both, 422);
  EXPECT_TRUE(has_field_error(both, "refresh_token")) << both.body;
  expect_problem(server.request("POST", kRefresh, R"({"session":"cookie"})", "",
                                {{"X-Requested-With", "oeuvre"},
                                 {"Cookie", "oeuvre_refresh=" + token + "; oeuvre_refresh=other"}}),
                 400);
  expect_problem(
      server.request("POST", kRefresh, R"({"session":"cookie"})", "",
                     {{"X-Requested-With", "oeuvre"},
                      {"Cookie", "oeuvre_refresh=" + token + "; pad=" + std::string(9000, 'x')}}),
      400);
  // None of that used the token up: it still refreshes (a quoted value too).
  auto fine = server.request(
      "POST", kRefresh, R"({"session":"cookie"})", "",
      {{"X-Requested-With", "oeuvre"}, {"Cookie", "a=b;oeuvre_refresh=\"" + token + "\""}});
  EXPECT_EQ(fine.status, 200u) << fine.body;
}

TEST(AuthTest, CookieLogoutClearsTheCookieAndRevokesItsSessionOnly) {
  TestServer server;
  Session body_session = server.register_user("out@example.com");
  auto login = cookie_login(server, "out@example.com");
  const std::string token = cookie_token(login);
  const std::string access(login.json().at("access_token").as_string());
  const std::string cleared = expected_set_cookie("", 0, false);

  auto out = server.request("POST", kLogout, R"({"session":"cookie"})", access,
                            {{"Cookie", std::string(kRefreshCookie) + "=" + token}});
  EXPECT_EQ(out.status, 204u) << out.body;
  EXPECT_EQ(out.header("set-cookie"), cleared);
  expect_problem(cookie_refresh(server, token), 401);
  EXPECT_EQ(refresh_raw(server, body_session.refresh_token).status, 200u)
      << "another session was revoked";

  // Without a cookie, or with one that is not the caller's session: cleared, nothing revoked.
  Session other = server.register_user("other-out@example.com");
  const std::string others = cookie_token(cookie_login(server, "other-out@example.com"));
  auto again = cookie_login(server, "out@example.com");
  const std::string access2(again.json().at("access_token").as_string());
  auto bare = server.request("POST", kLogout, R"({"session":"cookie"})", access2);
  EXPECT_EQ(bare.status, 204u) << bare.body;
  EXPECT_EQ(bare.header("set-cookie"), cleared);
  auto foreign = server.request("POST", kLogout, R"({"session":"cookie"})", access2,
                                {{"Cookie", std::string(kRefreshCookie) + "=" + others}});
  EXPECT_EQ(foreign.status, 204u) << foreign.body;
  EXPECT_EQ(foreign.header("set-cookie"), cleared);
  EXPECT_EQ(cookie_refresh(server, others).status, 200u)
      << "a logout revoked another user's session";
  EXPECT_EQ(cookie_refresh(server, cookie_token(again)).status, 200u);
  // Over another host, the clearing cookie is Secure like the one it replaces.
  auto remote = server.request("POST", kLogout, R"({"session":"cookie"})", access2,
                               {{"Host", "oeuvre.example.com"}});
  EXPECT_EQ(remote.header("set-cookie"), expected_set_cookie("", 0, true));
  expect_problem(
      server.request("POST", kLogout,
                     json::serialize(json::object{{"session", "cookie"}, {"refresh_token", token}}),
                     access2),
      422);
  expect_problem(server.request("POST", kLogout, R"({"session":"cookie"})", "",
                                {{"Cookie", std::string(kRefreshCookie) + "=" + token}}),
                 401);

  // A logout without a body revokes every session, and drops a cookie the request carried.
  auto third = cookie_login(server, "out@example.com");
  auto everything =
      server.request("POST", kLogout, "", std::string(third.json().at("access_token").as_string()),
                     {{"Cookie", std::string(kRefreshCookie) + "=" + cookie_token(third)}});
  EXPECT_EQ(everything.status, 204u) << everything.body;
  EXPECT_EQ(everything.header("set-cookie"), cleared);
  expect_problem(cookie_refresh(server, cookie_token(third)), 401);
  expect_problem(refresh_raw(server, body_session.refresh_token), 401);
  // A body-mode logout of one token leaves cookies alone.
  Session fourth = server.login("other-out@example.com", kTestPassword);
  auto one = server.post(kLogout, json::object{{"refresh_token", fourth.refresh_token}},
                         fourth.access_token);
  EXPECT_EQ(one.status, 204u) << one.body;
  EXPECT_FALSE(one.headers.contains("set-cookie"));
  (void)other;
}

// Cookie and Set-Cookie values (refresh tokens) appear in no log line and no audit row.
TEST(AuthTest, CookieTokensAreNeverLoggedOrAudited) {
  TestServer server([](Config& c) { c.log_level = "debug"; });
  Session admin = server.create_admin("cookie-auditor@example.com");
  server.register_user("secret-cookie@example.com");
  ::testing::internal::CaptureStderr();
  auto login = cookie_login(server, "secret-cookie@example.com");
  const std::string first = cookie_token(login);
  auto refreshed = cookie_refresh(server, first);
  const std::string second = cookie_token(refreshed);
  expect_problem(cookie_refresh(server, first), 401);  // reuse: logged as a warning
  auto out = server.request("POST", kLogout, R"({"session":"cookie"})",
                            std::string(refreshed.json().at("access_token").as_string()),
                            {{"Cookie", std::string(kRefreshCookie) + "=" + second}});
  EXPECT_EQ(out.status, 204u) << out.body;
  obs::flush_logs();
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  EXPECT_NE(logged.find("/api/v1/auth/refresh"), std::string::npos)
      << "nothing was logged: " << logged;
  EXPECT_EQ(logged.find(first), std::string::npos) << logged;
  EXPECT_EQ(logged.find(second), std::string::npos) << logged;
  auto audit = server.get("/api/v1/audit?per_page=100", admin.access_token);
  ASSERT_EQ(audit.status, 200u) << audit.body;
  EXPECT_NE(audit.body.find("auth.logout"), std::string::npos);
  EXPECT_EQ(audit.body.find(first), std::string::npos);
  EXPECT_EQ(audit.body.find(second), std::string::npos);
}

// ---------------------------------------------------------------------------------------------------
// /me, change-password

TEST(AuthTest, MeDescribesTheCaller) {
  TestServer server;
  Session s = server.register_user("me@example.com");
  auto me = server.get(kMe, s.access_token);
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.json().at("email").as_string(), "me@example.com");
  EXPECT_EQ(me.json().at("id").as_string(), s.user_id);
  EXPECT_EQ(me.json().at("role").as_string(), "user");
  EXPECT_EQ(me.body.find("password"), std::string::npos);
  expect_problem(server.get(kMe), 401);
  EXPECT_EQ(server.get(kMe).header("www-authenticate").rfind("Bearer", 0), 0u);
}

TEST(AuthTest, ChangePassword) {
  TestServer server;
  Session s = server.register_user("change@example.com");
  Session other_session = server.login("change@example.com", kTestPassword);
  const std::string fresh = "a brand new passphrase";

  auto wrong = server.post(kChangePassword, json::object{{"current_password", "not my password"},
                                                         {"new_password", fresh}},
                           s.access_token);
  expect_problem(wrong, 422);
  EXPECT_TRUE(has_field_error(wrong, "current_password")) << wrong.body;

  auto weak = server.post(kChangePassword, json::object{{"current_password", kTestPassword},
                                                        {"new_password", "short"}},
                          s.access_token);
  expect_problem(weak, 422);
  EXPECT_TRUE(has_field_error(weak, "new_password")) << weak.body;
  // Neither failure changed anything.
  EXPECT_EQ(login_raw(server, "change@example.com", kTestPassword).status, 200u);

  auto ok = server.post(kChangePassword, json::object{{"current_password", kTestPassword},
                                                      {"new_password", fresh}},
                        s.access_token);
  EXPECT_EQ(ok.status, 204u) << ok.body;

  expect_problem(login_raw(server, "change@example.com", kTestPassword), 401);
  EXPECT_EQ(login_raw(server, "change@example.com", fresh).status, 200u);
  // Every refresh token issued before the change is revoked.
  expect_problem(refresh_raw(server, s.refresh_token), 401);
  expect_problem(refresh_raw(server, other_session.refresh_token), 401);
}

TEST(AuthTest, ChangePasswordNeedsAnAccessToken) {
  TestServer server;
  auto res = server.post(kChangePassword,
                         json::object{{"current_password", kTestPassword}, {"new_password", "a brand new passphrase"}});
  expect_problem(res, 401);
}

// ---------------------------------------------------------------------------------------------------
// Forged and stale tokens

TEST(AuthTest, TamperedTokensAre401) {
  TestServer server;
  Session s = server.register_user("tamper@example.com");
  const std::string& token = s.access_token;
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  ASSERT_NE(dot2, std::string::npos);
  const std::string header = token.substr(0, dot1);
  const std::string payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string signature = token.substr(dot2 + 1);

  // The payload claims admin, the signature is the original one.
  auto claims = json::parse(*security::base64url_decode(payload)).as_object();
  claims["role"] = "admin";
  const std::string forged_payload = security::base64url_encode(json::serialize(claims));
  // alg:none with no signature, and alg:none with the old signature.
  const std::string none_header = security::base64url_encode(R"({"alg":"none","typ":"JWT"})");
  std::string flipped = signature;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';

  const std::vector<std::string> bad_tokens = {
      header + "." + forged_payload + "." + signature,
      none_header + "." + forged_payload + ".",
      none_header + "." + payload + "." + signature,
      header + "." + payload + "." + flipped,
      header + "." + payload,
      token + "x",
      "garbage",
      "a.b.c",
      std::string(5000, 'a'),
  };
  for (const auto& bad : bad_tokens) {
    auto res = server.get(kMe, bad);
    expect_problem(res, 401);
    auto admin_route = server.get("/api/v1/audit", bad);
    EXPECT_EQ(admin_route.status, 401u) << bad;
  }
  // Not "Bearer".
  auto basic = server.request("GET", kMe, "", "", {{"Authorization", "Basic " + token}});
  expect_problem(basic, 401);
  // The genuine token still works.
  EXPECT_EQ(server.get(kMe, token).status, 200u);
}

TEST(AuthTest, ExpiredAndForeignTokensAre401AndTheRoleClaimIsNotTrusted) {
  TestServer server;
  Session s = server.register_user("expired@example.com");
  const std::string secret = server_jwt_secret(server);
  ASSERT_GE(secret.size(), 32u) << "cannot find the server's JWT secret";

  security::AccessClaims claims;
  claims.sub = s.user_id;
  claims.role = "user";
  claims.jti = "test-jti";
  // Expired an hour ago (far beyond any clock-skew leeway).
  claims.iat = now_epoch() - 7200;
  claims.exp = now_epoch() - 3600;
  expect_problem(server.get(kMe, security::sign_access_token(claims, secret)), 401);
  // Issued in the future.
  claims.iat = now_epoch() + 3600;
  claims.exp = now_epoch() + 7200;
  expect_problem(server.get(kMe, security::sign_access_token(claims, secret)), 401);
  // Valid times but signed with another key.
  claims.iat = now_epoch();
  claims.exp = now_epoch() + 600;
  expect_problem(server.get(kMe, security::sign_access_token(claims, std::string(48, 'z'))), 401);
  // A genuine signature for a user that does not exist.
  security::AccessClaims ghost = claims;
  ghost.sub = "00000000-0000-4000-8000-000000000000";
  expect_problem(server.get(kMe, security::sign_access_token(ghost, secret)), 401);
  ghost.sub = "not-a-uuid";
  expect_problem(server.get(kMe, security::sign_access_token(ghost, secret)), 401);
  // A genuine signature with role "admin" for a plain user: the stored role decides.
  security::AccessClaims promoted = claims;
  promoted.role = "admin";
  auto audit = server.get("/api/v1/audit", security::sign_access_token(promoted, secret));
  expect_problem(audit, 403);
  // The control: a well-formed token with the server's key is accepted.
  EXPECT_EQ(server.get(kMe, security::sign_access_token(claims, secret)).status, 200u);
}

TEST(AuthTest, DeactivatedUserIsLockedOutAtOnce) {
  TestServer server;
  Session admin = server.create_admin("root@example.com");
  Session user = server.register_user("leaver@example.com");
  ASSERT_EQ(server.get(kMe, user.access_token).status, 200u);

  auto off = server.patch("/api/v1/users/" + user.user_id, json::object{{"is_active", false}}, admin.access_token);
  ASSERT_EQ(off.status, 200u) << off.body;
  EXPECT_FALSE(off.json().at("is_active").as_bool());

  // The access token has not expired, but the account is inactive.
  expect_problem(server.get(kMe, user.access_token), 401);
  expect_problem(server.get("/api/v1/projects", user.access_token), 401);
  expect_problem(refresh_raw(server, user.refresh_token), 401);
  expect_problem(login_raw(server, "leaver@example.com", kTestPassword), 401);

  // Reactivated: a login works; the access token issued before the deactivation stays refused.
  auto on = server.patch("/api/v1/users/" + user.user_id, json::object{{"is_active", true}}, admin.access_token);
  ASSERT_EQ(on.status, 200u) << on.body;
  EXPECT_EQ(login_raw(server, "leaver@example.com", kTestPassword).status, 200u);
  expect_problem(server.get(kMe, user.access_token), 401);
}

TEST(AuthTest, AdminsCannotDeactivateThemselves) {
  TestServer server;
  Session admin = server.create_admin("self@example.com");
  auto res = server.patch("/api/v1/users/" + admin.user_id, json::object{{"is_active", false}}, admin.access_token);
  EXPECT_EQ(res.status, 409u) << res.body;
  EXPECT_EQ(server.get(kMe, admin.access_token).status, 200u);
}

// ---------------------------------------------------------------------------------------------------
// Races

TEST(AuthTest, ConcurrentRefreshesWithOneTokenYieldOneWinnerAtMost) {
  TestServer server;
  Session s = server.register_user("race@example.com");
  std::vector<std::future<HttpResult>> calls;
  for (int i = 0; i < 6; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return refresh_raw(server, s.refresh_token); }));
  }
  int ok = 0;
  for (auto& call : calls) {
    HttpResult res = call.get();
    EXPECT_TRUE(res.status == 200u || res.status == 401u) << res.status << " " << res.body;
    if (res.status == 200u) ++ok;
  }
  EXPECT_EQ(ok, 1) << "one refresh token was rotated into several sessions";
}

TEST(AuthTest, ConcurrentRegistrationsOfOneAddressCreateOneUser) {
  TestServer server;
  const std::vector<std::string> spellings = {"same@example.com", "SAME@example.com", "Same@Example.com",
                                              "same@EXAMPLE.COM", "sAmE@example.com", "same@example.cOm"};
  std::vector<std::future<HttpResult>> calls;
  for (const auto& email : spellings) {
    calls.push_back(std::async(std::launch::async, [&server, email] {
      return server.post(kRegister, json::object{{"email", email}, {"password", kTestPassword}});
    }));
  }
  for (auto& call : calls) {
    HttpResult res = call.get();
    EXPECT_EQ(res.status, 202u) << res.body;
  }
  Session admin = server.create_admin("counter@example.com");
  auto users = server.get("/api/v1/users?per_page=100", admin.access_token);
  ASSERT_EQ(users.status, 200u) << users.body;
  int same = 0;
  const json::value page = users.json();
  for (const auto& user : page.at("items").as_array()) {
    std::string email(user.at("email").as_string());
    for (auto& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (email == "same@example.com") ++same;
  }
  EXPECT_EQ(same, 1) << users.body;
}

TEST(AuthTest, FailuresFromOneAddressAreRateLimitedAcrossAccounts) {
  TestServer server;
  server.register_user("ip-victim@example.com");
  unsigned last = 0;
  int attempts = 0;
  // 50 failures per address in the window (AuthSettings::max_failures_per_ip), each on a new account
  // so the per-account limit never triggers.
  for (; attempts < 60; ++attempts) {
    last = login_raw(server, "nobody" + std::to_string(attempts) + "@example.com", "wrong password").status;
    if (last == 429u) break;
    ASSERT_EQ(last, 401u);
  }
  EXPECT_EQ(last, 429u) << "no per-address limit after " << attempts << " failures";
  EXPECT_EQ(attempts, 50);
  auto limited = login_raw(server, "ip-victim@example.com", kTestPassword);
  expect_problem(limited, 429);
  EXPECT_FALSE(limited.header("retry-after").empty());
}

// ---------------------------------------------------------------------------------------------------
// Hardening from the attack run (issue 21)

HttpResult login_from(TestServer& server, const std::string& address, const std::string& email,
                      const std::string& password) {
  return server.request_from(
      address, "POST", kLogin,
      json::serialize(json::object{{"email", email}, {"password", password}}));
}

// Item 4: failures from one address throttle that address for the account, not the account for
// everyone.
TEST(AuthTest, WrongPasswordsFromOneAddressDoNotLockTheOwnerOut) {
  TestServer server;
  server.register_user("owner@example.com");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        login_from(server, "127.0.0.2", "owner@example.com", "guess " + std::to_string(i)).status,
        401u);
  }
  expect_problem(login_from(server, "127.0.0.2", "owner@example.com", kTestPassword), 429);
  EXPECT_EQ(login_from(server, "127.0.0.3", "owner@example.com", kTestPassword).status, 200u)
      << "the attacker's failures locked the owner out";
}

// Item 4: failures from many addresses reach the slower per-account ceiling (20 by default); the
// lockout is counted, and an admin (only an admin) lifts it.
TEST(AuthTest, AnAccountGuessedFromManyAddressesIsLockedUntilAnAdminUnlocksIt) {
  TestServer server;
  Session admin = server.create_admin("unlocker@example.com");
  Session victim = server.register_user("spread@example.com");
  for (int address = 2; address < 6; ++address) {
    for (int i = 0; i < 5; ++i) {
      auto res = login_from(server, "127.0.1." + std::to_string(address), "spread@example.com",
                            "wrong guess");
      ASSERT_EQ(res.status, 401u) << "address " << address << " attempt " << i << ": " << res.body;
    }
  }
  auto locked = login_from(server, "127.0.1.99", "spread@example.com", kTestPassword);
  expect_problem(locked, 429);
  EXPECT_FALSE(locked.header("retry-after").empty());
  const std::string metrics = server.scrape().body;
  EXPECT_NE(metrics.find("oeuvre_login_lockouts_total{scope=\"account\"} 1"), std::string::npos)
      << metrics;

  const std::string unlock = "/api/v1/users/" + victim.user_id + "/unlock";
  expect_problem(server.request("POST", unlock, "", victim.access_token), 403);
  expect_problem(server.request("POST", "/api/v1/users/00000000-0000-4000-8000-000000000000/unlock",
                                "", admin.access_token),
                 404);
  auto unlocked = server.request("POST", unlock, "", admin.access_token);
  EXPECT_EQ(unlocked.status, 204u) << unlocked.body;
  EXPECT_EQ(login_from(server, "127.0.1.99", "spread@example.com", kTestPassword).status, 200u);
}

// Item 5: registration is limited per address (20 an hour by default); other addresses are not
// affected.
TEST(AuthTest, RegistrationIsRateLimitedPerAddress) {
  TestServer server;
  auto register_from = [&](const std::string& address, int n) {
    return server.request_from(
        address, "POST", kRegister,
        json::serialize(json::object{{"email", "burst" + std::to_string(n) + "@example.com"},
                                     {"password", kTestPassword}}));
  };
  for (int n = 0; n < 20; ++n) ASSERT_LT(register_from("127.0.2.2", n).status, 300u) << n;
  auto limited = register_from("127.0.2.2", 20);
  expect_problem(limited, 429);
  EXPECT_FALSE(limited.header("retry-after").empty());
  EXPECT_LT(register_from("127.0.2.3", 21).status, 300u);
}

// Item 6: an access token issued before a password change is refused at once.
TEST(AuthTest, AccessTokensIssuedBeforeAPasswordChangeAreRefused) {
  TestServer server;
  Session s = server.register_user("rotate-pw@example.com");
  Session elsewhere = server.login("rotate-pw@example.com", kTestPassword);
  auto changed = server.post(
      kChangePassword,
      json::object{{"current_password", kTestPassword}, {"new_password", "a brand new passphrase"}},
      s.access_token);
  ASSERT_EQ(changed.status, 204u) << changed.body;
  expect_problem(server.get(kMe, s.access_token), 401);
  expect_problem(server.get(kMe, elsewhere.access_token), 401);
  Session fresh = server.login("rotate-pw@example.com", "a brand new passphrase");
  EXPECT_EQ(server.get(kMe, fresh.access_token).status, 200u);
}

// Item 6: a role change refuses the tokens issued before it, too.
TEST(AuthTest, AccessTokensIssuedBeforeARoleChangeAreRefused) {
  TestServer server;
  Session admin = server.create_admin("roles@example.com");
  Session user = server.register_user("promoted@example.com");
  auto promoted = server.patch("/api/v1/users/" + user.user_id, json::object{{"role", "admin"}},
                               admin.access_token);
  ASSERT_EQ(promoted.status, 200u) << promoted.body;
  expect_problem(server.get(kMe, user.access_token), 401);
  Session again = server.login("promoted@example.com", kTestPassword);
  EXPECT_EQ(server.get("/api/v1/users", again.access_token).status, 200u);
  // A change that changes nothing revokes nothing.
  auto same = server.patch("/api/v1/users/" + user.user_id, json::object{{"role", "admin"}},
                           admin.access_token);
  ASSERT_EQ(same.status, 200u) << same.body;
  EXPECT_EQ(server.get(kMe, again.access_token).status, 200u);
}

// Item 7: the commonest passwords are refused, whatever their case.
TEST(AuthTest, CommonPasswordsAreRefused) {
  TestServer server;
  for (const char* common :
       {"password123", "1234567890", "qwertyuiop", "Password1234", "iloveyou123"}) {
    auto res =
        server.post(kRegister, json::object{{"email", "common@example.com"}, {"password", common}});
    expect_problem(res, 422);
    EXPECT_TRUE(has_field_error(res, "password")) << common << ": " << res.body;
  }
}

// Item 7: a password holding the email's local part is refused.
TEST(AuthTest, PasswordsContainingTheEmailNameAreRefused) {
  TestServer server;
  auto res = server.post(kRegister, json::object{{"email", "Lovelace@example.com"},
                                                 {"password", "my LOVELACE secret"}});
  expect_problem(res, 422);
  EXPECT_TRUE(has_field_error(res, "password")) << res.body;
  Session s = server.register_user("turing@example.com");
  auto change = server.post(
      kChangePassword,
      json::object{{"current_password", kTestPassword}, {"new_password", "alan turing forever"}},
      s.access_token);
  expect_problem(change, 422);
  EXPECT_TRUE(has_field_error(change, "new_password")) << change.body;
}

// Item 7: changing the password to the current one is refused.
TEST(AuthTest, ChangePasswordRefusesTheCurrentPassword) {
  TestServer server;
  Session s = server.register_user("same-pw@example.com");
  auto res = server.post(
      kChangePassword,
      json::object{{"current_password", kTestPassword}, {"new_password", kTestPassword}},
      s.access_token);
  expect_problem(res, 422);
  EXPECT_TRUE(has_field_error(res, "new_password")) << res.body;
  EXPECT_EQ(server.get(kMe, s.access_token).status, 200u);
}

}  // namespace
}  // namespace oeuvre::testing
