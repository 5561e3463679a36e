#pragma once
// The web app at "/": its files, and its index.html for every client-side path (a deep link such as
// /projects/{id}/jobs/{id}), answered through the router's fallback (http::Router::set_fallback),
// so that every route added keeps its own answers, and paths under /api/, /health/ and /metrics
// keep the router's (an unknown one: 404 problem+json). Not part of the API: neither in
// api::build_router's routes nor in docs/openapi.json (whose test compares the two); ServerApp
// adds it.

#include <memory>
#include <string_view>

#include "http/router.h"
#include "web/web_files.h"

namespace oeuvre::web {

// How the web app's requests are labelled in logs and metrics (one label for all its paths).
inline constexpr std::string_view kWebAppRoute = "web_app";

// The Content-Security-Policy of the app's pages: scripts, styles, fonts and API calls from this
// origin only, no plugins, no <base>, no framing, forms posted here only.
inline constexpr std::string_view kPageSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

// Serves `files` on GET and HEAD, publicly, on the I/O thread (a lookup in memory):
//   - a file by its path, with its Content-Type, ETag and Cache-Control (assets/: a year,
//     immutable; the rest: no-cache); If-None-Match naming its ETag answers 304. HTML also
//     carries kPageSecurityPolicy and X-Frame-Options: DENY;
//   - "/" and any path without a file extension outside assets/: index.html (no-cache);
//   - any other path: 404 problem+json; a path with a "." or ".." segment, an empty segment, or a
//     '/', '\' or control character encoded in a segment: 400 problem+json;
//   - with no index.html (the app not built): "/" and client-side paths answer a 404 HTML page that
//     says how to build it.
// REQUIRES: `files` is not null; no other fallback is set on `router`.
void add_web_app(http::Router& router, std::shared_ptr<const WebFiles> files);

}  // namespace oeuvre::web
