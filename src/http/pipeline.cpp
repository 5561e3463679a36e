#include "http/pipeline.h"

#include <algorithm>
#include <span>

#include "core/blocking.h"
#include "core/json_text.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "http/problem.h"
#include "observability/log.h"
#include "observability/request_phases.h"

namespace oeuvre::http {

namespace {

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// What Pipeline::admit's chain answers when the body may be sent: not the request's final answer,
// so neither logged nor measured.
bool admitted(const HttpResponse& res) { return res.result() == beast_http::status::continue_; }

// The answer to a handler's (or authentication's) error. An error in the store engine's words is
// logged with them, which its answer leaves out (a failure is counted); an internal one is logged.
HttpResponse error_response(const Error& error, const Exchange& ex, obs::Metrics& metrics) {
  if (error.code() == ErrorCode::kUnavailable) metrics.store_unavailable().Increment();
  if (error.engine_text()) {
    obs::log_warn("store error", {{"route", ex.route_pattern},
                                  {"status", status_for(error.code())},
                                  {"fault", std::string(store_fault_name(error.store_fault()))},
                                  {"error", error.message()}});
  } else if (error.code() == ErrorCode::kInternal) {
    obs::log_error("handler failed", {{"route", ex.route_pattern}, {"error", error.message()}});
  }
  return problem_response(error, ex.request_id);
}

// The request's ids on its response: X-Request-ID, and traceparent with this server's span.
HttpResponse with_request_id(HttpResponse res, const Exchange& ex) {
  res.set("X-Request-ID", ex.request_id);
  if (ex.trace) res.set("traceparent", ex.trace->traceparent());
  return res;
}

// The request's id and trace, chosen once (an upload's admission and its handling share them).
void identify(Exchange& ex) {
  if (ex.request_id.empty()) {
    auto it = ex.request.find("X-Request-ID");
    ex.request_id = choose_request_id(it == ex.request.end() ? std::string_view{}
                                                             : std::string_view(it->value()));
  }
  if (!ex.trace) {
    // A request with two traceparent fields has no one trace: the spec's receivers start anew.
    std::string_view traceparent;
    if (ex.request.count("traceparent") == 1)
      traceparent = std::string_view(ex.request.find("traceparent")->value());
    ex.trace = obs::RequestTrace::from_header(traceparent);
  }
}

class RequestIdMiddleware final : public Middleware {
 public:
  HttpResponse handle(Exchange& ex, const Next& next) override {
    identify(ex);
    const obs::LogContext context = ex.log_context();
    obs::LogScope scope(context);
    return with_request_id(next(ex), ex);
  }
};

// A request path is logged up to this many bytes.
constexpr std::size_t kLoggedPathBytes = 2048;

class AccessLogMiddleware final : public Middleware {
 public:
  HttpResponse handle(Exchange& ex, const Next& next) override {
    HttpResponse res = next(ex);
    if (admitted(res)) return res;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(ex.elapsed()).count();
    const std::string_view target = ex.request.target();
    // Up to the query: std::find, inline, rather than string_view::find's call to memchr, which
    // costs more than it saves on a path of a few dozen bytes (perf put it at 0.2 % of the server).
    const std::string_view path(target.begin(), std::find(target.begin(), target.end(), '?'));
    std::string repaired;  // only for a path that is not valid UTF-8 or too long to log whole
    const bool as_is = path.size() <= kLoggedPathBytes && is_valid_utf8(path);
    if (!as_is) repaired = to_valid_utf8(path, kLoggedPathBytes);
    char user_id[36];  // the caller's id, written here rather than into a string of its own
    const auto level = res.result_int() >= 500 ? obs::LogLevel::kError : obs::LogLevel::kInfo;
    obs::LogField fields[10] = {
        {"method", ex.request.method_string()},
        {"path", as_is ? path : std::string_view(repaired)},
        {"route", ex.route_pattern},
        {"status", res.result_int()},
        {"duration_us", us},
        {"ip", ex.client_ip},
        {"bytes", res.body().size()},
    };
    std::size_t count = 7;
    if (ex.principal) {
      ex.principal->user_id.write_chars(user_id);
      fields[count++] = {"user_id", std::string_view(user_id, sizeof user_id)};
    }
    // At debug level the line also says how the request's cache lookups went.
    if (obs::log_enabled(obs::LogLevel::kDebug)) {
      fields[count++] = {"cache_hits", ex.phases.cache_hits};
      fields[count++] = {"cache_misses", ex.phases.cache_misses};
    }
    obs::log_line(level, "request", std::span(fields, count));
    return res;
  }
};

class MetricsMiddleware final : public Middleware {
 public:
  explicit MetricsMiddleware(obs::Metrics& metrics) : metrics_(metrics) {}
  HttpResponse handle(Exchange& ex, const Next& next) override {
    HttpResponse res = [&] {
      metrics_.request_started();
      struct Done {  // also when next() throws WouldBlock
        obs::Metrics& metrics;
        ~Done() { metrics.request_finished(); }
      } done{metrics_};
      return next(ex);
    }();
    if (admitted(res)) return res;
    const double seconds = std::chrono::duration<double>(ex.elapsed()).count();
    // A view either way: `cond ? "unmatched" : route_pattern` would copy the pattern into a string.
    const std::string_view route = ex.route_pattern.empty() ? std::string_view("unmatched")
                                                            : std::string_view(ex.route_pattern);
    metrics_.observe_request(ex.request.method_string(), route, res.result_int(), seconds);
    return res;
  }

 private:
  obs::Metrics& metrics_;
};

class AuthenticationMiddleware final : public Middleware {
 public:
  AuthenticationMiddleware(Authenticator& authenticator, obs::Metrics& metrics)
      : authenticator_(authenticator), metrics_(metrics) {}
  HttpResponse handle(Exchange& ex, const Next& next) override {
    // An upload's principal was established before its body was read (Pipeline::admit).
    if (ex.route == nullptr || ex.access == Access::kPublic || ex.principal) return next(ex);
    std::string_view header = ex.header(beast_http::field::authorization);
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), header.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return problem_response(Error::Unauthenticated("a Bearer access token is required"),
                              ex.request_id);
    }
    auto principal = [&] {
      obs::PhaseScope phase(obs::Phase::kAuthentication);
      return authenticator_.authenticate(header.substr(kBearer.size()));
    }();
    if (!principal.ok()) return error_response(principal.error(), ex, metrics_);
    ex.principal = std::move(principal).value();
    if (ex.access == Access::kAdmin) {
      if (auto allowed = security::require_admin(*ex.principal); !allowed.ok()) {
        return problem_response(allowed.error(), ex.request_id);
      }
    }
    return next(ex);
  }

 private:
  Authenticator& authenticator_;
  obs::Metrics& metrics_;
};

}  // namespace

void add_security_headers(HttpResponse& res) {
  static constexpr std::pair<std::string_view, std::string_view> kHeaders[] = {
      {"X-Content-Type-Options", "nosniff"},
      {"Content-Security-Policy", "frame-ancestors 'none'"},
      {"Referrer-Policy", "no-referrer"},
  };
  for (const auto& [name, value] : kHeaders) {
    if (res.find(name) == res.end()) res.set(name, value);
  }
}

std::string choose_request_id(std::string_view incoming) {
  if (sane_request_id(incoming)) return std::string(incoming);
  return Uuid::generate_v4().to_string();
}

Pipeline::Pipeline(Router router, obs::Metrics& metrics)
    : router_(std::move(router)), metrics_(metrics) {}

void Pipeline::use(std::unique_ptr<Middleware> middleware) {
  middlewares_.push_back(std::move(middleware));
}

RunsOn Pipeline::route(Exchange& exchange) {
  Router::Match match = router_.match(exchange);
  exchange.route = match.route;
  exchange.match_outcome = static_cast<int>(match.outcome);
  exchange.allow = std::move(match.allow);
  return match.route != nullptr ? match.route->runs_on : RunsOn::kWorker;
}

HttpResponse Pipeline::handle(Exchange& exchange) {
  HttpResponse res = run_chain(exchange);
  if (exchange.request.method() == beast_http::verb::head) {
    res.body().clear();  // Content-Length stays that of the GET response
  }
  return res;
}

std::optional<HttpResponse> Pipeline::handle_without_waiting(Exchange& exchange) {
  NonBlockingScope scope;
  try {
    return handle(exchange);
  } catch (const WouldBlock&) {
    return std::nullopt;
  }
}

std::optional<HttpResponse> Pipeline::admit(Exchange& exchange) {
  exchange.awaiting_body = true;
  HttpResponse res = run_chain(exchange);
  exchange.awaiting_body = false;
  if (admitted(res)) return std::nullopt;
  return res;
}

Result<HttpResponse> Pipeline::run_admission(Exchange& exchange) {
  if (exchange.route->admit) RETURN_IF_ERROR(exchange.route->admit(exchange));
  return HttpResponse{beast_http::status::continue_, 11};
}

HttpResponse Pipeline::run_chain(Exchange& exchange) {
  std::optional<HttpResponse> res;
  {
    obs::PhaseBinding phases(exchange.phases);
    try {
      res = call(0, exchange);
    } catch (const WouldBlock&) {
      throw;  // handle_without_waiting's: the request is handled again on a worker thread
    } catch (const std::exception& e) {
      obs::log_error("unhandled exception in the middleware chain", {{"what", e.what()}});
    } catch (...) {
      obs::log_error("unhandled non-standard exception in the middleware chain");
    }
  }
  if (!res) {
    identify(exchange);
    res = with_request_id(
        problem_response(Error::Internal("unhandled exception"), exchange.request_id), exchange);
  }
  if (!admitted(*res)) {
    log_if_slow(exchange, *res);
    add_security_headers(*res);
  }
  return std::move(*res);
}

void Pipeline::log_if_slow(Exchange& exchange, const HttpResponse& res) const {
  if (slow_request_threshold_.count() <= 0) return;
  const auto total = exchange.elapsed();
  if (total < slow_request_threshold_) return;
  auto ms = [](std::chrono::steady_clock::duration d) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) /
           1000.0;
  };
  boost::json::object phases;
  for (std::size_t i = 0; i < obs::kPhaseCount; ++i) {
    const auto phase = static_cast<obs::Phase>(i);
    phases[obs::phase_name(phase)] = ms(exchange.phases.spent(phase));
  }
  // Before the chain ran: reading the body, waiting for a worker thread.
  phases["outside"] = ms(total - exchange.phases.total());
  const obs::LogContext context = exchange.log_context();
  obs::LogScope scope(context);
  obs::log_warn("slow request",
                {{"method", std::string(exchange.request.method_string())},
                 {"route", exchange.route_pattern.empty() ? "unmatched" : exchange.route_pattern},
                 {"status", res.result_int()},
                 {"duration_ms", ms(total)},
                 {"threshold_ms", slow_request_threshold_.count()},
                 {"phases_ms", std::move(phases)}});
}

HttpResponse Pipeline::call(std::size_t index, Exchange& exchange) {
  if (index == middlewares_.size()) return dispatch(exchange);
  return middlewares_[index]->handle(exchange,
                                     [this, index](Exchange& ex) { return call(index + 1, ex); });
}

HttpResponse Pipeline::dispatch(Exchange& exchange) {
  switch (static_cast<Router::Outcome>(exchange.match_outcome)) {
    case Router::Outcome::kBadTarget:
      return problem_response(Error::BadRequest("the request target is not a valid URL path"),
                              exchange.request_id);
    case Router::Outcome::kMethodNotAllowed: {
      HttpResponse res{beast_http::status::method_not_allowed, 11};
      res.set(beast_http::field::content_type, "application/problem+json");
      res.set(beast_http::field::allow, exchange.allow);
      boost::json::object body{{"type", "https://oeuvre.dev/problems/method-not-allowed"},
                               {"title", "Method not allowed"},
                               {"status", 405},
                               {"detail", "this path accepts " + exchange.allow},
                               {"request_id", exchange.request_id}};
      res.body() = to_json_text(body);
      res.prepare_payload();
      return res;
    }
    case Router::Outcome::kNotFound:
      return problem_response(Error::NotFound("no such resource"), exchange.request_id);
    case Router::Outcome::kFound:
      break;
  }
  try {
    Result<HttpResponse> result = [&] {
      obs::PhaseScope phase(obs::Phase::kHandler);
      return exchange.awaiting_body ? run_admission(exchange) : exchange.route->handler(exchange);
    }();
    if (result.ok()) return std::move(result).value();
    return error_response(result.error(), exchange, metrics_);
  } catch (const WouldBlock&) {
    throw;
  } catch (const std::exception& e) {
    obs::log_error("handler threw", {{"route", exchange.route_pattern}, {"what", e.what()}});
  } catch (...) {
    obs::log_error("handler threw a non-standard exception", {{"route", exchange.route_pattern}});
  }
  return problem_response(Error::Internal("unhandled exception"), exchange.request_id);
}

std::unique_ptr<Middleware> make_request_id_middleware() {
  return std::make_unique<RequestIdMiddleware>();
}
std::unique_ptr<Middleware> make_access_log_middleware() {
  return std::make_unique<AccessLogMiddleware>();
}
std::unique_ptr<Middleware> make_metrics_middleware(obs::Metrics& metrics) {
  return std::make_unique<MetricsMiddleware>(metrics);
}
std::unique_ptr<Middleware> make_authentication_middleware(Authenticator& authenticator,
                                                           obs::Metrics& metrics) {
  return std::make_unique<AuthenticationMiddleware>(authenticator, metrics);
}

}  // namespace oeuvre::http
