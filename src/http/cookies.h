#pragma once
// Cookies: reading one by name from a request's Cookie header fields (parsed defensively), writing
// a Set-Cookie value, and telling whether a request's Host names the loopback interface (where a
// browser talks plain HTTP to a local server, so a Secure cookie would not come back).
// Thread-safety: stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/exchange.h"

namespace oeuvre::http {

// The Cookie header fields of one request, together, are at most this long (400 beyond).
inline constexpr std::size_t kMaxCookieBytes = 8192;

// The value of the cookie `name` in the request's Cookie header field(s) (RFC 6265 §5.4; several
// fields are read as one list): pairs separated by ';', spaces and tabs around names and values
// ignored, a value in double quotes unquoted, pairs without '=' skipped; names are case-sensitive.
// nullopt when absent or empty. kBadRequest when the fields together exceed kMaxCookieBytes, or
// when `name` comes twice with different values (a second cookie of that name, set for another
// path or domain: which one is meant cannot be told).
Result<std::optional<std::string>> read_cookie(const HttpRequest& request, std::string_view name);

struct SetCookie {
  std::string name;
  std::string value;  // REQUIRES: cookie-octets only (RFC 6265 §4.1.1), e.g. base64url
  std::string path = "/";
  std::int64_t max_age = 0;  // seconds; 0 tells the browser to drop the cookie now
  bool http_only = true;     // out of reach of JavaScript
  bool secure = true;        // sent over HTTPS only
  std::string same_site = "Strict";
};

// "name=value; HttpOnly; SameSite=Strict; Path=/p; Max-Age=n; Secure" (attributes as set).
std::string set_cookie_value(const SetCookie& cookie);

// True when the Host header field value is localhost, 127.0.0.1 or [::1], with or without a port
// (names compared case-insensitively); false for anything else, empty included.
bool is_loopback_host(std::string_view host);

}  // namespace oeuvre::http
