#pragma once
// The checks of a request's head (request line and header fields) that Beast's parser leaves to the
// server: framing it would misread (RFC 9112 §6.1: a transfer coding other than a final chunked
// would be taken for "no body", and the body then served as the next request) and fields that must
// not repeat. The server runs them on every request before reading its body; the HTTP fuzzer runs
// them on whatever Beast's parser accepts. Thread-safe (no state).

#include <boost/beast/http.hpp>

#include "core/result.h"

namespace oeuvre::http {

// kBadRequest for a Transfer-Encoding whose final coding is not chunked (or chunked twice, or that
// the parser does not frame as chunked), one beside Content-Length or in an HTTP/1.0 request, and
// for a repeated Authorization or Host field; kNotImplemented for a transfer coding before chunked
// (gzip, deflate, ...: none is implemented). After either the connection must close: the body's
// length is unknown. REQUIRES: parser.is_header_done().
Status check_request_head(
    const boost::beast::http::request_parser<boost::beast::http::empty_body>& parser);

}  // namespace oeuvre::http
