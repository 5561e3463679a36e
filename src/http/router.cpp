#include "http/router.h"

#include <boost/url/parse.hpp>

namespace oeuvre::http {

namespace {

std::vector<std::string> split_pattern(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= pattern.size()) {
    std::size_t end = pattern.find('/', start);
    if (end == std::string::npos) end = pattern.size();
    out.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The percent-decoded segments of a parsed path (see path_segments).
std::vector<std::string> segments_of(boost::urls::url_view target) {
  std::vector<std::string> segments;
  for (auto segment : target.segments()) segments.push_back(std::string(segment));
  // "/a/b/" and "/a/b" are the same resource.
  if (!segments.empty() && segments.back().empty() && segments.size() > 1) segments.pop_back();
  if (segments.empty()) segments.emplace_back();
  return segments;
}

// Fills the exchange for a request `route` takes.
void found(Exchange& exchange, const Route& route, boost::urls::url_view target,
           std::vector<std::pair<std::string, std::string>> params) {
  exchange.path_params = std::move(params);
  exchange.route_pattern = route.pattern;
  exchange.access = route.access;
  for (auto param : target.params()) {
    exchange.query_params.emplace_back(std::string(param.key), std::string(param.value));
  }
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(beast_http::verb method, std::string pattern, Access access, Handler handler,
                 RunsOn runs_on) {
  Route route{method,  pattern, access, std::move(handler),
              runs_on, false,   {},     split_pattern(pattern)};
  routes_.push_back(std::move(route));
}

void Router::add_upload(beast_http::verb method, std::string pattern, Access access,
                        Admission admit, Handler handler) {
  add(method, std::move(pattern), access, std::move(handler));
  routes_.back().streams_body = true;
  routes_.back().admit = std::move(admit);
}

void Router::set_fallback(std::string label, Access access, Claim claims, Handler handler,
                          RunsOn runs_on) {
  fallback_ = Route{beast_http::verb::get, std::move(label), access, std::move(handler), runs_on,
                    false, {}, {}};
  fallback_claims_ = std::move(claims);
}

Result<std::vector<std::string>> path_segments(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return Error::BadRequest("the request target is not a valid URL path");
  return segments_of(*parsed);
}

Router::Match Router::match(Exchange& exchange) const {
  Match result;
  auto parsed = boost::urls::parse_origin_form(exchange.request.target());
  if (!parsed) {
    result.outcome = Outcome::kBadTarget;
    return result;
  }
  const std::vector<std::string> segments = segments_of(*parsed);
  const auto method = exchange.request.method();
  const bool get_or_head = method == beast_http::verb::get || method == beast_http::verb::head;

  std::vector<beast_http::verb> allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (is_param(route.segments[i])) {
        if (segments[i].empty()) same = false;
        else params.emplace_back(route.segments[i].substr(1, route.segments[i].size() - 2), segments[i]);
      } else {
        same = route.segments[i] == segments[i];
      }
    }
    if (!same) continue;
    if (route.method != method && !(method == beast_http::verb::head && route.method == beast_http::verb::get)) {
      allowed.push_back(route.method);
      continue;
    }
    found(exchange, route, *parsed, std::move(params));
    result.outcome = Outcome::kFound;
    result.route = &route;
    return result;
  }
  if (!allowed.empty()) {
    result.outcome = Outcome::kMethodNotAllowed;
    for (auto verb : allowed) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += std::string(beast_http::to_string(verb));
    }
    return result;
  }
  if (fallback_ && get_or_head && fallback_claims_(segments)) {
    found(exchange, *fallback_, *parsed, {});
    result.outcome = Outcome::kFound;
    result.route = &*fallback_;
  }
  return result;
}

}  // namespace oeuvre::http
