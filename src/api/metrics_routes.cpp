// GET /metrics: on the metrics listener (METRICS_PORT, loopback by default), and on the API port only
// for a caller with METRICS_TOKEN.
#include "api/api.h"
#include "security/crypto.h"

#include <algorithm>
#include <cctype>

namespace oeuvre::api {

namespace {

using http::beast_http::status;
using http::beast_http::verb;

// True when the request carries "Authorization: Bearer <token>". Digests are compared, so the time
// taken tells nothing of the token, not even its length.
bool carries_token(const http::Exchange& exchange, const std::string& token) {
  std::string_view header = exchange.header(http::beast_http::field::authorization);
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view given;
  if (header.size() > kBearer.size() &&
      std::equal(kBearer.begin(), kBearer.end(), header.begin(),
                 [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    given = header.substr(kBearer.size());
  }
  const auto expected = security::sha256(token);
  const auto offered = security::sha256(given);
  const bool same = security::constant_time_equal(
      std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()),
      std::string_view(reinterpret_cast<const char*>(offered.data()), offered.size()));
  return same && !given.empty();
}

}  // namespace

void add_metrics_route(http::Router& router, obs::Metrics& metrics, std::optional<std::string> token,
                       bool metrics_port) {
  if (token && token->empty()) token.reset();
  router.add(verb::get, "/metrics", http::Access::kPublic,
             [&metrics, token = std::move(token), metrics_port](http::Exchange& ex) -> Result<http::HttpResponse> {
               if (!token && !metrics_port) return Error::NotFound("no such resource");
               if (token && !carries_token(ex, *token)) {
                 return Error::Unauthenticated("/metrics needs the metrics bearer token");
               }
               http::HttpResponse res{status::ok, 11};
               res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
               res.body() = metrics.serialize();
               res.prepare_payload();
               return res;
             });
}

}  // namespace oeuvre::api
