// GET /health/live, GET /health/ready, GET /metrics (metrics_routes.cpp), GET /api/v1/openapi.json
#include "api/api.h"
#include "core/embedded_resources.h"
#include "http/problem.h"

namespace oeuvre::api {

namespace {

using http::beast_http::status;
using http::beast_http::verb;

std::string_view openapi_document() {
  for (const auto& res : embedded_resources()) {
    if (res.path == "docs/openapi.json") return res.text;
  }
  return "{}";
}

}  // namespace

void add_system_routes(http::Router& router, ApiServices& services) {
  router.add(verb::get, "/health/live", http::Access::kPublic,
             [](http::Exchange&) -> Result<http::HttpResponse> {
               return http::json_response(status::ok, boost::json::object{{"status", "ok"}});
             },
             http::RunsOn::kIoThread);

  router.add(verb::get, "/health/ready", http::Access::kPublic,
             [&services](http::Exchange&) -> Result<http::HttpResponse> {
               const Status checked = services.ping_store();
               if (!checked.ok()) {
                 // Whatever the store said, not ready: a 503 whose detail names no engine text.
                 const StoreFault fault = checked.error().store_fault();
                 return Error::StoreFailure(fault == StoreFault::kNone ? StoreFault::kUnreachable : fault,
                                            "the store is not reachable: " + checked.error().message());
               }
               return http::json_response(status::ok,
                                          boost::json::object{{"status", "ready"}, {"checks", {{"store", "ok"}}}});
             });

  add_metrics_route(router, services.metrics, services.metrics_token, /*metrics_port=*/false);

  router.add(verb::get, "/api/v1/openapi.json", http::Access::kPublic,
             [](http::Exchange&) -> Result<http::HttpResponse> {
               http::HttpResponse res{status::ok, 11};
               res.set(http::beast_http::field::content_type, "application/json");
               res.body() = std::string(openapi_document());
               res.prepare_payload();
               return res;
             },
             http::RunsOn::kIoThread);
}

}  // namespace oeuvre::api
