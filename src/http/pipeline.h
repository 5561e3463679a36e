#pragma once
// The middleware chain every request passes through, in order:
//   request id and trace -> access log -> metrics -> authentication -> [later: rate limit, cache]
//   -> handler.
// The pipeline itself times each request's phases and logs the slow ones (set_slow_request_threshold).
// Safe for concurrent use once built (middlewares are added before the server starts).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "http/router.h"
#include "observability/metrics.h"

namespace oeuvre::http {

using Next = std::function<HttpResponse(Exchange&)>;

class Middleware {
 public:
  virtual ~Middleware() = default;
  // Must call next(exchange) at most once, and must not throw.
  virtual HttpResponse handle(Exchange& exchange, const Next& next) = 0;
};

// Verifies a bearer token and says who is calling. Implemented by the auth service.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // kUnauthenticated for a bad, expired or revoked token or an inactive user; kUnavailable when the
  // store is down.
  virtual Result<Principal> authenticate(std::string_view bearer_token) = 0;
};

// The headers every answer carries, each unless the handler set its own: X-Content-Type-Options:
// nosniff (a body is never read as another type than it says), Content-Security-Policy:
// frame-ancestors 'none' (no answer of ours is shown in another site's frame) and Referrer-Policy:
// no-referrer. The pipeline adds them to whatever it answers; the server to what it answers before
// the pipeline (limits, malformed requests).
void add_security_headers(HttpResponse& res);

// A sane incoming X-Request-ID (1-128 chars of [A-Za-z0-9._:-]), else a new UUID.
std::string choose_request_id(std::string_view incoming);

class Pipeline {
 public:
  Pipeline(Router router, obs::Metrics& metrics);

  // REQUIRES: called before serving starts.
  void use(std::unique_ptr<Middleware> middleware);

  // Matches the route. Returns where its handler runs (kWorker when no route matched).
  RunsOn route(Exchange& exchange);

  // Runs the chain and the handler. Never throws: an escaped exception becomes a 500 problem.
  HttpResponse handle(Exchange& exchange);

  // handle() inside a NonBlockingScope (core/blocking.h): the answer, or nullopt when something on
  // the way would have waited. Then nothing was logged or measured, and handle() must be called
  // again (on a thread that may wait) with the same exchange: its request id, trace and principal,
  // once chosen, are kept. Never throws.
  std::optional<HttpResponse> handle_without_waiting(Exchange& exchange);

  // Upload routes, before any byte of the body is read: runs the chain (authentication included)
  // with the route's Admission in place of its handler. nullopt when the body may be sent;
  // otherwise the final answer, logged and measured as the request's. The principal stays on the
  // exchange, so handle() then does not authenticate again. Never throws. REQUIRES:
  // exchange.route->streams_body.
  std::optional<HttpResponse> admit(Exchange& exchange);

  const Router& router() const { return router_; }

  // Requests taking at least this long (from their head's arrival to their answer) are logged as
  // "slow request" with their time per phase (obs::RequestPhases); 0 turns that off. Default 1 s.
  // REQUIRES: called before serving starts.
  void set_slow_request_threshold(std::chrono::milliseconds threshold) { slow_request_threshold_ = threshold; }

 private:
  HttpResponse run_chain(Exchange& exchange);
  HttpResponse call(std::size_t index, Exchange& exchange);
  HttpResponse dispatch(Exchange& exchange);
  static Result<HttpResponse> run_admission(Exchange& exchange);
  void log_if_slow(Exchange& exchange, const HttpResponse& res) const;

  Router router_;
  obs::Metrics& metrics_;
  std::vector<std::unique_ptr<Middleware>> middlewares_;
  std::chrono::milliseconds slow_request_threshold_{1000};
};

// The standard middlewares. The request id one comes first: it chooses the request's id (a sane
// X-Request-ID, else a new UUID) and trace (a valid W3C traceparent's trace, else a new one, with a
// new span id for this server), binds them to every log line written while the request runs, and
// sets X-Request-ID and traceparent (with this server's span) on the response.
std::unique_ptr<Middleware> make_request_id_middleware();
std::unique_ptr<Middleware> make_access_log_middleware();
std::unique_ptr<Middleware> make_metrics_middleware(obs::Metrics& metrics);
std::unique_ptr<Middleware> make_authentication_middleware(Authenticator& authenticator,
                                                           obs::Metrics& metrics);

}  // namespace oeuvre::http
