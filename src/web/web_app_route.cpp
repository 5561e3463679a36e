#include "web/web_app_route.h"

#include <algorithm>

#include "http/problem.h"

namespace oeuvre::web {

namespace {

namespace beast_http = http::beast_http;

// What "/" answers when the binary was built without the app and no WEB_DIR is set.
constexpr std::string_view kNotBuiltPage = R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Œuvre: the web app is not built</title></head>
<body>
<h1>The web app is not built</h1>
<p>This <code>oeuvre</code> was built without its web app, so there is no page to show here.
The API is served as usual under <a href="/api/v1/openapi.json">/api/v1</a>.</p>
<p>To build the app, then <code>oeuvre</code> with the app inside it:</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build
cd .. &amp;&amp; cmake --build build/release --target oeuvre</pre>
<p>Or point the WEB_DIR setting at a built <code>web/dist</code> folder.</p>
</body>
</html>
)";

// Paths that belong to the API and the operators, never to the app.
bool claimed_by_app(const std::vector<std::string>& segments) {
  const std::string& first = segments.front();
  return first != "api" && first != "health" && first != "metrics";
}

// A segment no file's path has: ".", "..", "" (a doubled '/'), or one holding (percent-encoded) a
// '/', a '\' or a control character.
bool unsafe_segment(const std::string& segment) {
  if (segment.empty() || segment == "." || segment == "..") return true;
  return std::any_of(segment.begin(), segment.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
  });
}

// True when If-None-Match names `etag` (or is "*"). Weak tags compare by their opaque part, as
// RFC 9110 asks of If-None-Match.
bool matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    if_none_match =
        comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

void set_page_headers(http::HttpResponse& res) {
  res.set("Content-Security-Policy", kPageSecurityPolicy);
  res.set(beast_http::field::x_frame_options, "DENY");
}

http::HttpResponse file_response(const WebFile& file, const http::Exchange& exchange) {
  http::HttpResponse res{beast_http::status::ok, 11};
  res.set(beast_http::field::content_type, file.content_type);
  res.set(beast_http::field::etag, file.etag);
  res.set(beast_http::field::cache_control, file.cache_control);
  if (file.is_html) set_page_headers(res);
  if (matches(exchange.header(beast_http::field::if_none_match), file.etag)) {
    res.result(beast_http::status::not_modified);  // no body, and no Content-Length of an empty one
    return res;
  }
  res.body().assign(file.body);
  res.prepare_payload();
  return res;
}

http::HttpResponse not_built_response() {
  http::HttpResponse res{beast_http::status::not_found, 11};
  res.set(beast_http::field::content_type, "text/html; charset=utf-8");
  res.set(beast_http::field::cache_control, "no-cache");
  set_page_headers(res);
  res.body().assign(kNotBuiltPage);
  res.prepare_payload();
  return res;
}

Result<http::HttpResponse> serve(const WebFiles& files, const http::Exchange& exchange) {
  ASSIGN_OR_RETURN(std::vector<std::string> segments,
                   http::path_segments(exchange.request.target()));
  const bool root = segments.size() == 1 && segments.front().empty();
  std::string path;
  if (!root) {
    for (const std::string& segment : segments) {
      if (unsafe_segment(segment)) {
        return Error::BadRequest(
            "the path names no file: it has a \".\", \"..\" or empty segment, or an encoded '/', "
            "'\\' or control character");
      }
      if (!path.empty()) path += '/';
      path += segment;
    }
  }
  if (const WebFile* file = root ? files.index() : files.find(path)) {
    return file_response(*file, exchange);
  }
  // A missing file (a stale asset, a typo) is a 404, not the app: a script tag given HTML fails
  // obscurely. Every other path is the app's own, which its router resolves in the browser.
  if (!root && (segments.front() == "assets" || segments.back().find('.') != std::string::npos)) {
    return Error::NotFound("no such file");
  }
  const WebFile* index = files.index();
  if (index == nullptr) return not_built_response();
  return file_response(*index, exchange);
}

}  // namespace

void add_web_app(http::Router& router, std::shared_ptr<const WebFiles> files) {
  router.set_fallback(
      std::string(kWebAppRoute), http::Access::kPublic, claimed_by_app,
      [files = std::move(files)](http::Exchange& exchange) { return serve(*files, exchange); },
      http::RunsOn::kIoThread);
}

}  // namespace oeuvre::web
