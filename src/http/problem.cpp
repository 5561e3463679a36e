#include "http/problem.h"

#include "core/json_text.h"
#include "observability/request_phases.h"

namespace oeuvre::http {

namespace {

struct ProblemKind {
  unsigned status;
  const char* slug;
  const char* title;
};

ProblemKind kind_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return {400, "bad-request", "Bad request"};
    case ErrorCode::kValidation: return {422, "validation", "Validation failed"};
    case ErrorCode::kUnauthenticated: return {401, "unauthenticated", "Authentication required"};
    case ErrorCode::kForbidden: return {403, "forbidden", "Forbidden"};
    case ErrorCode::kNotFound: return {404, "not-found", "Not found"};
    case ErrorCode::kConflict: return {409, "conflict", "Conflict"};
    case ErrorCode::kPayloadTooLarge: return {413, "payload-too-large", "Payload too large"};
    case ErrorCode::kUnsupportedMediaType:
      return {415, "unsupported-media-type", "Unsupported media type"};
    case ErrorCode::kRateLimited: return {429, "rate-limited", "Too many requests"};
    case ErrorCode::kUnavailable: return {503, "unavailable", "Service unavailable"};
    case ErrorCode::kNotImplemented: return {501, "not-implemented", "Not implemented"};
    case ErrorCode::kInternal: break;
  }
  return {500, "internal", "Internal server error"};
}

// What a client is told of a store failure: never the engine's text (SQL, SQLSTATE, file names),
// which the pipeline logs instead (see detail_for).
const char* store_detail(StoreFault fault) {
  return fault == StoreFault::kBusy ? "store busy, retry" : "store unavailable, retry later";
}

// Seconds a client should wait before retrying a store failure without its own Retry-After.
int store_retry_after(StoreFault fault) { return fault == StoreFault::kBusy ? 1 : 5; }

std::string detail_for(const Error& error) {
  if (error.code() == ErrorCode::kInternal) {
    return "an unexpected error occurred; quote the request id";
  }
  if (!error.engine_text()) return error.message();
  if (error.store_fault() != StoreFault::kNone) return store_detail(error.store_fault());
  if (error.code() == ErrorCode::kConflict) {
    return "the change conflicts with stored data or a concurrent change; reload and retry";
  }
  return "the store refused the request; quote the request id";
}

}  // namespace

unsigned status_for(ErrorCode code) { return kind_for(code).status; }

HttpResponse problem_response(const Error& error, std::string_view request_id) {
  const ProblemKind kind = kind_for(error.code());
  boost::json::object body;
  body["type"] = std::string("https://oeuvre.dev/problems/") + kind.slug;
  body["title"] = kind.title;
  body["status"] = kind.status;
  // Internal and store details stay in the logs; the client gets the request id to quote.
  body["detail"] = detail_for(error);
  body["request_id"] = request_id;
  for (const auto& [name, value] : error.members()) {
    if (!body.contains(name)) body[name] = value;
  }
  if (!error.field_errors().empty()) {
    boost::json::array errors;
    for (const auto& fe : error.field_errors()) {
      errors.push_back(boost::json::object{{"field", fe.field}, {"message", fe.message}});
    }
    body["errors"] = std::move(errors);
  }
  HttpResponse res{static_cast<beast_http::status>(kind.status), 11};
  res.set(beast_http::field::content_type, "application/problem+json");
  res.body() = to_json_text(body);
  if (error.code() == ErrorCode::kUnauthenticated) {
    res.set(beast_http::field::www_authenticate, "Bearer");
  }
  std::optional<int> retry_after = error.retry_after();
  if (!retry_after && error.store_fault() != StoreFault::kNone) {
    retry_after = store_retry_after(error.store_fault());
  }
  if (retry_after) res.set(beast_http::field::retry_after, std::to_string(*retry_after));
  res.prepare_payload();
  return res;
}

HttpResponse json_response(beast_http::status status, const boost::json::value& body) {
  std::string text;
  {
    obs::PhaseScope phase(obs::Phase::kSerialising);
    text = to_json_text(body);
  }
  return json_response(status, std::move(text));
}

HttpResponse json_response(beast_http::status status, std::string body) {
  HttpResponse res{status, 11};
  res.set(beast_http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse no_content() {
  HttpResponse res{beast_http::status::no_content, 11};
  res.prepare_payload();
  return res;
}

}  // namespace oeuvre::http
