#include "http/request_head.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace oeuvre::http {

namespace beast_http = boost::beast::http;

namespace {

// The transfer codings of every Transfer-Encoding field, in order, lower-cased; empty list elements
// (allowed by the list syntax) are skipped.
std::vector<std::string> transfer_codings(const beast_http::request_header<>& head) {
  std::vector<std::string> codings;
  for (auto [it, end] = head.equal_range(beast_http::field::transfer_encoding); it != end; ++it) {
    std::string_view list = it->value();
    while (!list.empty()) {
      const std::size_t comma = std::min(list.find(','), list.size());
      std::string_view coding = list.substr(0, comma);
      list.remove_prefix(std::min(comma + 1, list.size()));
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
        coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
        coding.remove_suffix(1);
      if (!coding.empty()) codings.push_back(ascii_lowercase(coding));
    }
  }
  return codings;
}

Status check_transfer_codings(const beast_http::request_header<>& head, bool framed_as_chunked) {
  if (head.count(beast_http::field::transfer_encoding) == 0) return OkStatus();
  if (head.version() < 11) {
    return Error::BadRequest("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  }
  if (head.count(beast_http::field::content_length) != 0) {
    return Error::BadRequest("a request must not have both Content-Length and Transfer-Encoding");
  }
  const std::vector<std::string> codings = transfer_codings(head);
  if (codings.empty() || codings.back() != "chunked" ||
      std::count(codings.begin(), codings.end(), "chunked") != 1 || !framed_as_chunked) {
    return Error::BadRequest(
        "chunked must be the final transfer coding of a request, applied once");
  }
  if (codings.size() > 1) {
    return Error(ErrorCode::kNotImplemented,
                 "the transfer coding '" + to_valid_utf8(codings.front(), 64) +
                     "' is not supported; send the body with chunked alone");
  }
  return OkStatus();
}

Status check_single(const beast_http::request_header<>& head, beast_http::field field) {
  if (head.count(field) <= 1) return OkStatus();
  return Error::BadRequest("the " + std::string(beast_http::to_string(field)) +
                           " header field must not repeat");
}

}  // namespace

Status check_request_head(const beast_http::request_parser<beast_http::empty_body>& parser) {
  const beast_http::request_header<>& head = parser.get().base();
  RETURN_IF_ERROR(check_single(head, beast_http::field::authorization));
  RETURN_IF_ERROR(check_single(head, beast_http::field::host));
  // Beast's own reading of the list decides how it reads the body: both must say chunked.
  return check_transfer_codings(head, parser.chunked());
}

}  // namespace oeuvre::http
