#pragma once
// RFC 7807 problem+json responses, and the JSON response helpers every handler uses.

#include <boost/json.hpp>

#include "core/error.h"
#include "http/exchange.h"

namespace oeuvre::http {

unsigned status_for(ErrorCode code);

// A problem+json response: type, title, status, detail, request_id and, for validation, errors[].
// The detail of an internal error or of an error in the store engine's words (Error::FromStore) is
// generic (the caller logs the message); a store failure carries Retry-After (1 s when the store
// is busy, else 5 s).
HttpResponse problem_response(const Error& error, std::string_view request_id);

// A JSON response with the given status.
HttpResponse json_response(beast_http::status status, const boost::json::value& body);
// The same with a body already serialized (JsonWriter). REQUIRES: `body` is one JSON value.
HttpResponse json_response(beast_http::status status, std::string body);

// 204 No Content.
HttpResponse no_content();

}  // namespace oeuvre::http
