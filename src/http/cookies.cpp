#include "http/cookies.h"

#include <algorithm>

#include "core/utf8.h"

namespace oeuvre::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::optional<std::string>> read_cookie(const HttpRequest& request, std::string_view name) {
  std::size_t total = 0;
  std::optional<std::string_view> found;
  const auto [first, last] = request.equal_range(beast_http::field::cookie);
  for (auto field = first; field != last; ++field) {
    const std::string_view list = field->value();
    total += list.size();
    if (total > kMaxCookieBytes) {
      return Error::BadRequest("the Cookie header is longer than " +
                               std::to_string(kMaxCookieBytes) + " bytes");
    }
    std::size_t at = 0;
    while (at <= list.size()) {
      const std::size_t end = std::min(list.find(';', at), list.size());
      const std::string_view pair = list.substr(at, end - at);
      at = end + 1;
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos || trim(pair.substr(0, equals)) != name) continue;
      std::string_view value = trim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (value.empty()) continue;
      if (found && *found != value) {
        return Error::BadRequest("the Cookie header carries " + std::string(name) +
                                 " more than once with different values");
      }
      found = value;
    }
  }
  if (!found) return std::optional<std::string>{};
  return std::optional<std::string>(std::string(*found));
}

std::string set_cookie_value(const SetCookie& cookie) {
  std::string out = cookie.name + "=" + cookie.value;
  if (cookie.http_only) out += "; HttpOnly";
  if (!cookie.same_site.empty()) out += "; SameSite=" + cookie.same_site;
  if (!cookie.path.empty()) out += "; Path=" + cookie.path;
  out += "; Max-Age=" + std::to_string(std::max<std::int64_t>(cookie.max_age, 0));
  if (cookie.secure) out += "; Secure";
  return out;
}

bool is_loopback_host(std::string_view host) {
  std::string_view name = host;
  std::string_view port;
  if (name.starts_with('[')) {
    const std::size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    port = name.substr(close + 1);
    name = name.substr(0, close + 1);
  } else if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) {
    port = name.substr(colon);
    name = name.substr(0, colon);
  }
  if (!port.empty()) {
    if (port.front() != ':' || port.size() < 2 || port.size() > 6) return false;
    if (!std::all_of(port.begin() + 1, port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
  }
  const std::string lowered = ascii_lowercase(name);
  return lowered == "localhost" || lowered == "127.0.0.1" || lowered == "[::1]";
}

}  // namespace oeuvre::http
