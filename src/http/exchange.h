#pragma once
// One request/response exchange as it moves through the middleware chain and the handler.

#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/uuid.h"
#include "observability/log.h"
#include "observability/request_phases.h"
#include "observability/trace_context.h"
#include "security/policy.h"

namespace oeuvre::http {

namespace beast_http = boost::beast::http;
using HttpRequest = beast_http::request<beast_http::string_body>;
using HttpResponse = beast_http::response<beast_http::string_body>;

struct Route;
class UploadReceiver;

// A response body produced piece by piece after the headers went out (Server-Sent Events, exports of
// a million rows): the server sends it chunked, calling next() on a worker thread, never holding
// more than one piece. Not called concurrently. Each piece should end at a record boundary: when a
// server stop's grace period runs out, the stream ends between two pieces (without its last chunk,
// so visibly incomplete). Until then a stop lets a producing stream (kMore) go on, and ends a
// waiting one (kWait: events) complete at its next wait.
class ResponseStream {
 public:
  enum class Step {
    kMore,  // call again at once
    kWait,  // call again after wait_interval() (nothing new yet)
    kDone,  // the body is complete with what was just appended
  };
  virtual ~ResponseStream() = default;
  // Appends the next bytes to `out` (possibly none). An error ends the response abruptly: the client
  // sees a truncated chunked body, never a complete-looking one.
  virtual Result<Step> next(std::string& out) = 0;
  virtual std::chrono::milliseconds wait_interval() const { return std::chrono::milliseconds(500); }
};

// Who is calling, as established by the authentication middleware.
using Principal = security::Actor;

// Which requests a route accepts before its handler runs. The handler (through the policy module)
// decides about individual objects.
enum class Access {
  kPublic,         // no token needed
  kAuthenticated,  // any active user
  kAdmin,          // active admins only
};

struct Exchange {
  HttpRequest request;
  std::string request_id;
  // Set with the request id: the caller's W3C trace (traceparent) or a new one, and this server's
  // span of it.
  std::optional<obs::RequestTrace> trace;
  std::string client_ip;
  std::chrono::steady_clock::time_point started;
  // Read from the clock once, by the first of the request's measurements to ask for it (the request
  // metrics, the access log, the slow-request log), so they agree and the clock is read once.
  std::chrono::steady_clock::time_point finished{};
  std::chrono::steady_clock::duration elapsed() {
    if (finished == std::chrono::steady_clock::time_point{}) finished = std::chrono::steady_clock::now();
    return finished - started;
  }
  // Where the request's time went (the pipeline binds it to the thread serving the request).
  obs::RequestPhases phases;
  // Set by the router.
  const Route* route = nullptr;      // nullptr when nothing matched
  int match_outcome = 0;             // Router::Outcome as int
  std::string allow;                 // for 405: the methods the path accepts
  std::string route_pattern;  // e.g. "/api/v1/projects/{id}"; "" when no route matched
  Access access = Access::kPublic;
  std::vector<std::pair<std::string, std::string>> path_params;
  std::vector<std::pair<std::string, std::string>> query_params;  // percent-decoded
  // Upload routes: the body as it streamed in; finish() yields the stored file (runs on the worker).
  std::shared_ptr<UploadReceiver> upload;
  // Upload routes: true while Pipeline::admit runs the chain before the body is read.
  bool awaiting_body = false;

  // Set by authentication.
  std::optional<Principal> principal;
  // Set by a handler whose 200 response body is streamed (the HttpResponse then carries headers only).
  std::shared_ptr<ResponseStream> response_stream;

  std::string_view path_param(std::string_view name) const {
    for (const auto& [k, v] : path_params) {
      if (k == name) return v;
    }
    return {};
  }
  // The last value of a query parameter, if present.
  std::optional<std::string_view> query(std::string_view name) const {
    std::optional<std::string_view> found;
    for (const auto& [k, v] : query_params) {
      if (k == name) found = v;
    }
    return found;
  }
  std::string_view header(beast_http::field field) const {
    auto it = request.find(field);
    return it == request.end() ? std::string_view{} : std::string_view(it->value());
  }
  std::string_view user_agent() const { return header(beast_http::field::user_agent); }
  // What the request's log lines carry. Views into this exchange: valid while it lives.
  obs::LogContext log_context() const {
    if (!trace) return {request_id, {}, {}};
    return {request_id, obs::view_of(trace->trace_id), obs::view_of(trace->span_id)};
  }
};

}  // namespace oeuvre::http
