#include "http/cookies.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace oeuvre::http {
namespace {

// A request with one Cookie header field per entry of `fields`.
HttpRequest with_cookies(std::initializer_list<std::string> fields) {
  HttpRequest req{beast_http::verb::post, "/api/v1/auth/refresh", 11};
  for (const auto& f : fields) req.insert(beast_http::field::cookie, f);
  return req;
}

std::optional<std::string> cookie(std::initializer_list<std::string> fields,
                                  std::string_view name = "oeuvre_refresh") {
  auto found = read_cookie(with_cookies(fields), name);
  EXPECT_TRUE(found.ok()) << found.error().message();
  return found.ok() ? *found : std::nullopt;
}

TEST(CookiesTest, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(cookie({"oeuvre_refresh=abc-_123"}), "abc-_123");
  EXPECT_EQ(cookie({"theme=dark; oeuvre_refresh=abc; lang=fr"}), "abc");
  EXPECT_EQ(cookie({"theme=dark;oeuvre_refresh=abc;lang=fr"}), "abc") << "no space after ';'";
  EXPECT_EQ(cookie({"  theme = dark ;\t oeuvre_refresh =  abc \t; lang=fr  "}), "abc");
  EXPECT_EQ(cookie({"oeuvre_refresh=\"abc\""}), "abc") << "a quoted value";
  EXPECT_EQ(cookie({"theme=dark", "oeuvre_refresh=abc"}), "abc") << "a second Cookie field";
  EXPECT_EQ(cookie({"flag; oeuvre_refresh=abc; ;;"}), "abc") << "pairs without '=' and empty ones";
  EXPECT_EQ(cookie({"oeuvre_refresh=a=b"}), "a=b") << "the value runs to the next ';'";
  EXPECT_EQ(cookie({"oeuvre_refresh=abc; oeuvre_refresh=abc"}), "abc") << "the same value twice";
}

TEST(CookiesTest, AbsentEmptyOrOtherwiseNamedIsNone) {
  EXPECT_EQ(cookie({}), std::nullopt);
  EXPECT_EQ(cookie({""}), std::nullopt);
  EXPECT_EQ(cookie({"oeuvre_refresh="}), std::nullopt);
  EXPECT_EQ(cookie({"oeuvre_refresh=\"\""}), std::nullopt);
  EXPECT_EQ(cookie({"Oeuvre_Refresh=abc"}), std::nullopt) << "names are case-sensitive";
  EXPECT_EQ(cookie({"xoeuvre_refresh=abc; oeuvre_refreshx=def"}), std::nullopt);
  EXPECT_EQ(cookie({"oeuvre_refresh"}), std::nullopt);
  EXPECT_EQ(cookie({";;;"}), std::nullopt);
  EXPECT_EQ(cookie({"=abc"}), std::nullopt);
}

TEST(CookiesTest, RefusesOversizedHeadersAndConflictingDuplicates) {
  const std::string big(kMaxCookieBytes, 'x');
  auto too_long = read_cookie(with_cookies({"oeuvre_refresh=abc; pad=" + big}), "oeuvre_refresh");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code(), ErrorCode::kBadRequest);
  const std::string half(kMaxCookieBytes / 2 + 1, 'x');
  auto split = read_cookie(with_cookies({"a=" + half, "b=" + half}), "oeuvre_refresh");
  ASSERT_FALSE(split.ok()) << "the fields count together";
  EXPECT_EQ(split.error().code(), ErrorCode::kBadRequest);
  auto twice =
      read_cookie(with_cookies({"oeuvre_refresh=abc", "oeuvre_refresh=def"}), "oeuvre_refresh");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(twice.error().message().find("abc"), std::string::npos) << "no value in the message";
  EXPECT_EQ(twice.error().message().find("def"), std::string::npos) << "no value in the message";
}

TEST(CookiesTest, SetCookieCarriesItsAttributes) {
  SetCookie c;
  c.name = "oeuvre_refresh";
  c.value = "tok";
  c.path = "/api/v1/auth";
  c.max_age = 2592000;
  EXPECT_EQ(
      set_cookie_value(c),
      "oeuvre_refresh=tok; HttpOnly; SameSite=Strict; Path=/api/v1/auth; Max-Age=2592000; Secure");
  c.secure = false;
  c.value.clear();
  c.max_age = 0;
  EXPECT_EQ(set_cookie_value(c),
            "oeuvre_refresh=; HttpOnly; SameSite=Strict; Path=/api/v1/auth; Max-Age=0");
}

TEST(CookiesTest, LoopbackHosts) {
  for (const char* host : {"localhost", "LocalHost", "localhost:8080", "127.0.0.1", "127.0.0.1:80",
                           "[::1]", "[::1]:8080"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host :
       {"", "oeuvre.example.com", "oeuvre.example.com:443", "localhost.example.com", "127.0.0.2",
        "10.0.0.1:8080", "[::2]", "[::1", "localhost:", "localhost:80x", "localhost:8080:1", "::1",
        "[::1]x", "127.0.0.1.nip.io"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

}  // namespace
}  // namespace oeuvre::http
