// libFuzzer target for the HTTP request parsing of the server, in its order:
// Beast's parser with the server's limits reads the head; check_request_head
// (http/request_head.h) refuses framing Beast would misread and repeated
// fields; Beast reads the body (Content-Length or chunked) into memory; the
// router reads the target (path segments, percent-decoded query);
// read_json_object reads a JSON body (http/request_body.h). Any bytes must give
// a request or a clean refusal -- never a crash, a sanitizer report, or broken
// promises:
//  - a head with Transfer-Encoding that passes the checks has its body framed
//  as chunked by Beast
//    (no body is taken for "none" and then served as the next request);
//  - a head that passes has at most one Authorization and one Host;
//  - a body read is within the limit; a JSON body read is an object;
//  - every refusal is a 4xx/5xx problem whose text is valid UTF-8 (client text
//  is never echoed raw).
// Built outside CMake by scripts/fuzz.sh (clang,
// -fsanitize=fuzzer,address,undefined).
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/utf8.h"
#include "http/cookies.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "http/request_head.h"
#include "http/router.h"

namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using oeuvre::Error;
using oeuvre::http::Exchange;

// The server's defaults (http/server.h), smaller bodies so the fuzzer stays
// fast.
constexpr std::uint32_t kMaxHeaderBytes = 16 << 10;
constexpr std::uint64_t kMaxBodyBytes = 64 << 10;

void check(bool condition, const char *what) {
  if (!condition) {
    std::fprintf(stderr, "broken promise: %s\n", what);
    std::abort();
  }
}

void check_refusal(const Error &error) {
  const auto res = oeuvre::http::problem_response(error, "fuzz");
  check(res.result_int() >= 400 && res.result_int() < 600,
        "a refusal is 4xx or 5xx");
  check(oeuvre::is_valid_utf8(res.body()), "a problem is valid UTF-8");
}

const oeuvre::http::Router &router() {
  static const oeuvre::http::Router routes = [] {
    oeuvre::http::Router r;
    auto ok = [](Exchange &) -> oeuvre::Result<oeuvre::http::HttpResponse> {
      return oeuvre::http::HttpResponse{beast_http::status::ok, 11};
    };
    r.add(beast_http::verb::get, "/api/v1/projects",
          oeuvre::http::Access::kAuthenticated, ok);
    r.add(beast_http::verb::post, "/api/v1/projects",
          oeuvre::http::Access::kAuthenticated, ok);
    r.add(beast_http::verb::patch, "/api/v1/projects/{id}",
          oeuvre::http::Access::kAuthenticated, ok);
    r.add(beast_http::verb::get, "/api/v1/projects/{id}/jobs/{job}",
          oeuvre::http::Access::kAuthenticated, ok);
    return r;
  }();
  return routes;
}

// Feeds `input` to `parser` until it has the head (`head_only`) or the whole
// message, fails, or wants more than there is; what it used is removed from
// `input`. False when the parser failed.
template <class Parser>
bool feed(Parser &parser, std::string_view &input, bool head_only) {
  while (!input.empty() &&
         !(head_only ? parser.is_header_done() : parser.is_done())) {
    boost::beast::error_code ec;
    const std::size_t used =
        parser.put(asio::buffer(input.data(), input.size()), ec);
    input.remove_prefix(used);
    if (ec == beast_http::error::need_more)
      return true;
    if (ec)
      return false;
    if (used == 0)
      return true;
  }
  return true;
}

void read_body_and_route(
    beast_http::request_parser<beast_http::empty_body> &&header_parser,
    std::string_view rest) {
  beast_http::request_parser<beast_http::string_body> body_parser{
      std::move(header_parser)};
  body_parser.body_limit(kMaxBodyBytes);
  if (!feed(body_parser, rest, false) || !body_parser.is_done())
    return;
  check(body_parser.get().body().size() <= kMaxBodyBytes,
        "the body is within the limit");
  Exchange exchange;
  exchange.request = body_parser.release();
  // The Cookie fields as the refresh route reads them, and the Host as the Secure attribute does.
  if (auto cookie = oeuvre::http::read_cookie(exchange.request, "oeuvre_refresh");
      cookie.ok()) {
    if (*cookie) {
      check(!(*cookie)->empty() && (*cookie)->size() <= oeuvre::http::kMaxCookieBytes,
            "a cookie read is not empty and within the limit");
    }
  } else {
    check_refusal(cookie.error());
  }
  (void)oeuvre::http::is_loopback_host(exchange.request[beast_http::field::host]);
  const auto match = router().match(exchange);
  if (match.outcome != oeuvre::http::Router::Outcome::kFound)
    return;
  for (const auto &[name, value] : exchange.path_params)
    check(!value.empty(), "path parameters are not empty");
  if (exchange.request.method() == beast_http::verb::get)
    return;
  auto body = oeuvre::http::read_json_object(exchange);
  if (!body.ok())
    check_refusal(body.error());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  std::string_view input(reinterpret_cast<const char *>(data), size);
  beast_http::request_parser<beast_http::empty_body> header_parser;
  header_parser.header_limit(kMaxHeaderBytes);
  header_parser.body_limit(kMaxBodyBytes);
  if (!feed(header_parser, input, true) || !header_parser.is_header_done())
    return 0;
  const auto &head = header_parser.get().base();
  if (auto checked = oeuvre::http::check_request_head(header_parser);
      !checked.ok()) {
    check_refusal(checked.error());
    return 0;
  }
  check(head.count(beast_http::field::authorization) <= 1 &&
            head.count(beast_http::field::host) <= 1,
        "Authorization and Host do not repeat");
  if (head.count(beast_http::field::transfer_encoding) != 0) {
    check(header_parser.chunked(),
          "a transfer-encoded body is framed as chunked");
  }
  read_body_and_route(std::move(header_parser), input);
  return 0;
}
