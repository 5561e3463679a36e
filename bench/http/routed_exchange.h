#pragma once
// Bench support: a GET request as the pipeline sees it once routed (method, target, request id, an
// empty trace, loopback client, route pattern), for the benchmarks of the middlewares around it.

#include <string>
#include <string_view>

#include "http/pipeline.h"

namespace oeuvre::bench {

inline http::Exchange routed_exchange(std::string_view target, std::string_view route_pattern,
                                      std::string_view request_id) {
  http::Exchange ex;
  ex.request.method(http::beast_http::verb::get);
  ex.request.target(target);
  ex.request.version(11);
  ex.request_id = std::string(request_id);
  ex.trace = obs::RequestTrace::from_header({});
  ex.client_ip = "127.0.0.1";
  ex.route_pattern = std::string(route_pattern);
  return ex;
}

}  // namespace oeuvre::bench
