#pragma once
// Router: maps (method, path) to a handler, with {name} path parameters. Built once at start, then
// read-only: safe for concurrent use after construction.

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/exchange.h"

namespace oeuvre::http {

using Handler = std::function<Result<HttpResponse>(Exchange&)>;
// An upload route's own authorization, from the request line and headers alone: runs on a worker
// thread after authentication (the principal and path parameters are set) and before any byte of
// the body is accepted. An error is the answer, and the body is never read.
using Admission = std::function<Status(Exchange&)>;

struct Route {
  beast_http::verb method;
  std::string pattern;  // "/api/v1/projects/{id}"
  Access access;
  Handler handler;
  // Cheap handlers (no I/O) may run on the I/O thread instead of the worker pool.
  bool runs_inline = false;
  // Upload routes: the body is streamed to a temporary file (Exchange::upload), not held in memory.
  bool streams_body = false;
  Admission admit;                    // upload routes only; empty: the access level alone decides
  std::vector<std::string> segments;  // pattern split on '/', "{x}" kept as is
};

class Router {
 public:
  // REQUIRES: pattern starts with '/'; no two routes with the same method and pattern.
  void add(beast_http::verb method, std::string pattern, Access access, Handler handler,
           bool runs_inline = false);

  enum class Outcome { kFound, kMethodNotAllowed, kNotFound, kBadTarget };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;
    std::string allow;  // for kMethodNotAllowed: "GET, POST"
  };
  // Matches exchange.request's method and target; fills path_params, query_params, route_pattern and
  // access on the exchange when found.
  Match match(Exchange& exchange) const;

  // An upload route (see Route::streams_body): `admit` decides whether the body may be sent at all.
  void add_upload(beast_http::verb method, std::string pattern, Access access, Admission admit,
                  Handler handler);

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace oeuvre::http
