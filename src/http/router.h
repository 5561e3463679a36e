#pragma once
// Router: maps (method, path) to a handler, with {name} path parameters. Built once at start, then
// read-only: safe for concurrent use after construction.

#include <functional>
#include <optional>
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

// Where a route's handler runs. kWorker: on the worker pool (it may wait for I/O). kIoThread: on
// the I/O thread (cheap, never waits). kIoThreadFirst: a read that the cache can usually answer:
// tried on the I/O thread inside a NonBlockingScope, and run again from the start on the worker
// pool when it would wait (core/blocking.h); only for handlers that change nothing.
enum class RunsOn { kWorker, kIoThread, kIoThreadFirst };

struct Route {
  beast_http::verb method;
  std::string pattern;  // "/api/v1/projects/{id}"
  Access access;
  Handler handler;
  RunsOn runs_on = RunsOn::kWorker;
  // Upload routes: the body is streamed to a temporary file (Exchange::upload), not held in memory.
  bool streams_body = false;
  Admission admit;                    // upload routes only; empty: the access level alone decides
  std::vector<std::string> segments;  // pattern split on '/', "{x}" kept as is
};

class Router {
 public:
  // REQUIRES: pattern starts with '/'; no two routes with the same method and pattern.
  void add(beast_http::verb method, std::string pattern, Access access, Handler handler,
           RunsOn runs_on = RunsOn::kWorker);

  enum class Outcome { kFound, kMethodNotAllowed, kNotFound, kBadTarget };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;
    std::string allow;  // for kMethodNotAllowed: "GET, POST"
  };
  // Matches exchange.request's method and target; fills path_params, query_params, route_pattern and
  // access on the exchange when found.
  Match match(Exchange& exchange) const;

  // Which paths a fallback route takes, given their percent-decoded segments (see path_segments).
  using Claim = std::function<bool(const std::vector<std::string>& segments)>;
  // The route of GET (and HEAD) requests whose path no route added matches and that `claims`
  // takes: a web app's files and its client-side paths. `label` stands for every such path in
  // route_pattern (logs, metrics). Other methods on those paths stay kNotFound; a path a route
  // knows with another method stays kMethodNotAllowed. At most one; REQUIRES: `label` is no
  // route's pattern.
  void set_fallback(std::string label, Access access, Claim claims, Handler handler,
                    RunsOn runs_on = RunsOn::kWorker);

  // An upload route (see Route::streams_body): `admit` decides whether the body may be sent at all.
  void add_upload(beast_http::verb method, std::string pattern, Access access, Admission admit,
                  Handler handler);

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::optional<Route> fallback_;
  Claim fallback_claims_;
};

// The percent-decoded segments of a request target's path: "/a/b" and "/a/b/" alike {"a", "b"},
// "/" {""}. An error for a target that is not in origin form.
Result<std::vector<std::string>> path_segments(std::string_view target);

}  // namespace oeuvre::http
