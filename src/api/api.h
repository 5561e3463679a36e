#pragma once
// The HTTP API: thin handlers (parse + validate -> authorize via the service -> serialise), one file per
// resource. build_router() lists every route; docs/openapi.json describes the same set (a test keeps
// them equal).

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "http/pipeline.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "http/router.h"
#include "ingest/column_mapping.h"
#include "observability/metrics.h"
#include "services/audit_service.h"
#include "services/backup_status_service.h"
#include "services/auth_service.h"
#include "services/data_source_service.h"
#include "services/file_service.h"
#include "services/job_service.h"
#include "services/project_service.h"
#include "services/record_service.h"
#include "services/request_meta.h"
#include "services/review_service.h"
#include "services/user_service.h"
#include "services/views.h"

namespace oeuvre::api {

struct ApiServices {
  // Readiness of the store (its Database::ping()): ok when it answers.
  std::function<Status()> ping_store;
  obs::Metrics& metrics;
  services::AuthService& auth;
  services::UserService& users;
  services::ProjectService& projects;
  services::AuditService& audit;
  services::DataSourceService& data_sources;
  services::FileService& files;
  services::RecordService& records;
  services::JobService& jobs;
  services::ReviewService& reviews;
  services::BackupStatusService& backups;
  // METRICS_TOKEN, when set: GET /metrics on the API port answers only with it as a bearer token;
  // without it that route answers 404 (metrics are then served on METRICS_PORT alone).
  std::optional<std::string> metrics_token;
};

http::Router build_router(ApiServices& services);

// Adapts AuthService to the authentication middleware.
std::unique_ptr<http::Authenticator> make_token_authenticator(services::AuthService& auth);

// Route groups (one file each).
void add_system_routes(http::Router& router, ApiServices& services);
void add_auth_routes(http::Router& router, ApiServices& services);
void add_user_routes(http::Router& router, ApiServices& services);
void add_project_routes(http::Router& router, ApiServices& services);
void add_audit_routes(http::Router& router, ApiServices& services);
void add_data_source_routes(http::Router& router, ApiServices& services);
void add_file_routes(http::Router& router, ApiServices& services);
void add_record_routes(http::Router& router, ApiServices& services);
void add_job_routes(http::Router& router, ApiServices& services);
void add_result_routes(http::Router& router, ApiServices& services);
void add_backup_routes(http::Router& router, ApiServices& services);

// GET /metrics. On the API port (`metrics_port` false): 404 when `token` is empty, else only for
// "Authorization: Bearer <token>" (401 otherwise). On the metrics listener (`metrics_port` true):
// open when `token` is empty, else the same check. The comparison takes the same time however
// much of the token a caller got right. REQUIRES: `metrics` outlives the router.
void add_metrics_route(http::Router& router, obs::Metrics& metrics, std::optional<std::string> token,
                       bool metrics_port);

// Shared by the handlers.
services::RequestMeta request_meta(const http::Exchange& exchange);
// REQUIRES: the route is not public (the authentication middleware set the principal).
const security::Actor& actor_of(const http::Exchange& exchange);

// The validated "column_mapping" member of `body` (ingest::parse_column_mapping): its errors, named
// "column_mapping.<path>", join `in`'s so that every bad field is reported at once. nullopt when
// absent, null or invalid. Data sources store a mapping; a file's preview tries one.
std::optional<ingest::ColumnMapping> read_column_mapping(const boost::json::object& body,
                                                         http::FieldReader& in);
// `body` without its "column_mapping" member, for the FieldReader (which rejects unknown fields).
boost::json::object without_column_mapping(boost::json::object body);

// The answer of every list endpoint: 200 with {"items": [...], "page", "per_page", "total"}.
http::HttpResponse page_response(boost::json::array items, const PageRequest& page,
                                 std::int64_t total);
// The same with each item in its public JSON form (services::to_json).
template <typename T>
http::HttpResponse page_response(const PageResult<T>& result,
                                 const PageRequest& page) {
  boost::json::array items;
  items.reserve(result.items.size());
  for (const T& item : result.items) items.push_back(services::to_json(item));
  return page_response(std::move(items), page, result.total);
}

}  // namespace oeuvre::api
