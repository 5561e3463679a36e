#include "api/api.h"

#include "http/request_body.h"

namespace oeuvre::api {

namespace {

class TokenAuthenticator final : public http::Authenticator {
 public:
  explicit TokenAuthenticator(services::AuthService& auth) : auth_(auth) {}
  Result<http::Principal> authenticate(std::string_view bearer_token) override {
    return auth_.authenticate(bearer_token);
  }

 private:
  services::AuthService& auth_;
};

}  // namespace

std::optional<ingest::ColumnMapping> read_column_mapping(const boost::json::object& body,
                                                         http::FieldReader& in) {
  const boost::json::value* raw = body.if_contains("column_mapping");
  if (raw == nullptr || raw->is_null()) return std::nullopt;
  auto mapping = ingest::parse_column_mapping(*raw, "column_mapping");
  if (!mapping.ok()) {
    for (const auto& e : mapping.error().field_errors()) in.add_error(e.field, e.message);
    return std::nullopt;
  }
  return std::move(mapping).value();
}

boost::json::object without_column_mapping(boost::json::object body) {
  body.erase("column_mapping");
  return body;
}

http::Router build_router(ApiServices& services) {
  http::Router router;
  add_system_routes(router, services);
  add_auth_routes(router, services);
  add_user_routes(router, services);
  add_project_routes(router, services);
  add_audit_routes(router, services);
  add_data_source_routes(router, services);
  add_file_routes(router, services);
  add_record_routes(router, services);
  add_job_routes(router, services);
  add_result_routes(router, services);
  add_backup_routes(router, services);
  return router;
}

std::unique_ptr<http::Authenticator> make_token_authenticator(services::AuthService& auth) {
  return std::make_unique<TokenAuthenticator>(auth);
}

services::RequestMeta request_meta(const http::Exchange& exchange) {
  return {exchange.request_id, exchange.client_ip, std::string(exchange.user_agent()),
          exchange.trace ? std::string(obs::view_of(exchange.trace->trace_id)) : std::string()};
}

const security::Actor& actor_of(const http::Exchange& exchange) { return *exchange.principal; }

http::HttpResponse page_response(boost::json::array items, const PageRequest& page,
                                 std::int64_t total) {
  return http::json_response(http::beast_http::status::ok,
                             http::page_envelope(std::move(items), page, total));
}

}  // namespace oeuvre::api
