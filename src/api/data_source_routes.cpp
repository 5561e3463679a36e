// /api/v1/projects/{id}/data-sources and /api/v1/data-sources/{id}: CRUD of a project's data
// sources; others' data sources (and those of deleted projects) answer 404.
#include <charconv>

#include "api/api.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "ingest/column_mapping.h"
#include "services/views.h"

namespace oeuvre::api {

namespace {

using http::beast_http::status;
using http::beast_http::verb;

constexpr std::initializer_list<const char*> kKinds = {"bank", "ledger", "processor",
                                                       "erp",  "crm",    "other"};

http::HttpResponse data_source_response(status code, const store::DataSource& data_source) {
  auto res = http::json_response(code, services::to_json(data_source));
  res.set(http::beast_http::field::etag, "\"" + std::to_string(data_source.version) + "\"");
  return res;
}

}  // namespace

void add_data_source_routes(http::Router& router, ApiServices& services) {
  router.add(
      verb::get, "/api/v1/projects/{id}/data-sources", http::Access::kAuthenticated,
      [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
        ASSIGN_OR_RETURN(Uuid project_id, http::path_uuid(ex, "id"));
        ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
        std::optional<std::string> kind;
        if (auto k = ex.query("kind")) {
          for (const char* allowed : kKinds) {
            if (*k == allowed) kind = std::string(allowed);
          }
          if (!kind) {
            return Error(
                ErrorCode::kBadRequest, "invalid filter",
                {FieldError{"kind", "must be one of: bank, ledger, processor, erp, crm, other"}});
          }
        }
        ASSIGN_OR_RETURN(auto result,
                         services.data_sources.list(actor_of(ex), project_id, kind, page));
        return page_response(result, page);
      },
      http::RunsOn::kIoThreadFirst);

  router.add(verb::post, "/api/v1/projects/{id}/data-sources", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid project_id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               const boost::json::object fields = without_column_mapping(body);
               http::FieldReader in(fields);
               auto name = in.required_string("name", 1, 255);
               auto kind = in.optional_enum("kind", kKinds);
               auto mapping = read_column_mapping(body, in);
               RETURN_IF_ERROR(in.finish());
               services::NewDataSource source;
               source.name = *name;
               source.kind = kind.value_or("other");
               source.column_mapping = mapping.value_or(ingest::ColumnMapping{});
               ASSIGN_OR_RETURN(store::DataSource created,
                                services.data_sources.create(actor_of(ex), project_id,
                                                             std::move(source), request_meta(ex)));
               auto res = data_source_response(status::created, created);
               res.set(http::beast_http::field::location,
                       "/api/v1/data-sources/" + created.id.to_string());
               return res;
             });

  router.add(verb::get, "/api/v1/data-sources/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(store::DataSource found,
                                services.data_sources.get(actor_of(ex), id));
               return data_source_response(status::ok, found);
             },
             http::RunsOn::kIoThreadFirst);

  router.add(verb::patch, "/api/v1/data-sources/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, http::read_if_match(ex, "data source"));
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               const boost::json::object fields = without_column_mapping(body);
               http::FieldReader in(fields);
               services::DataSourceChanges changes;
               changes.name = in.optional_string("name", 1, 255);
               changes.kind = in.optional_enum("kind", kKinds);
               changes.is_active = in.optional_bool("is_active");
               changes.column_mapping = read_column_mapping(body, in);
               changes.expected_version = expected;
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(
                   store::DataSource updated,
                   services.data_sources.update(actor_of(ex), id, changes, request_meta(ex)));
               return data_source_response(status::ok, updated);
             });

  router.add(verb::delete_, "/api/v1/data-sources/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               RETURN_IF_ERROR(services.data_sources.remove(actor_of(ex), id, request_meta(ex)));
               return http::no_content();
             });
}

}  // namespace oeuvre::api
