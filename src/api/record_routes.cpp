// GET /api/v1/projects/{id}/records: a project's records with filters and pagination.
#include "api/api.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "services/record_service.h"

namespace oeuvre::api {

namespace {
using http::beast_http::verb;

constexpr std::int64_t kAmountBound = std::int64_t{1'000'000'000'000'000'000};
}  // namespace

void add_record_routes(http::Router& router, ApiServices& services) {
  router.add(verb::get, "/api/v1/projects/{id}/records", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid project_id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               store::RecordFilter filter;
               ASSIGN_OR_RETURN(filter.data_source_id, http::query_uuid(ex, "data_source_id"));
               ASSIGN_OR_RETURN(filter.file_id, http::query_uuid(ex, "file_id"));
               ASSIGN_OR_RETURN(filter.date_from, http::query_date(ex, "date_from"));
               ASSIGN_OR_RETURN(filter.date_to, http::query_date(ex, "date_to"));
               ASSIGN_OR_RETURN(filter.amount_min_minor, http::query_int(ex, "amount_min_minor", -kAmountBound, kAmountBound));
               ASSIGN_OR_RETURN(filter.amount_max_minor, http::query_int(ex, "amount_max_minor", -kAmountBound, kAmountBound));
               if (auto s = ex.query("status")) {
                 filter.status = parse_record_status(*s);
                 if (!filter.status) {
                   return Error(ErrorCode::kBadRequest, "invalid filter",
                                {FieldError{"status", "must be one of: open, matched, excluded"}});
                 }
               }
               if (auto c = ex.query("currency")) {
                 const bool code = c->size() == 3 && std::all_of(c->begin(), c->end(), [](char ch) {
                                     return ch >= 'A' && ch <= 'Z';
                                   });
                 if (!code) {
                   return Error(ErrorCode::kBadRequest, "invalid filter",
                                {FieldError{"currency", "must be an ISO 4217 code of three upper-case letters"}});
                 }
                 filter.currency = std::string(*c);
               }
               if (filter.date_from && filter.date_to && *filter.date_from > *filter.date_to) {
                 return Error(ErrorCode::kBadRequest, "invalid filter",
                              {FieldError{"date_from", "must not be after date_to"}});
               }
               ASSIGN_OR_RETURN(auto result, services.records.list(actor_of(ex), project_id, filter, page));
               // Records are written by the one JSON writer of their API form (shared with results),
               // then enveloped like every other page.
               std::string text;
               JsonWriter w(text);
               w.begin_array();
               for (const auto& r : result.items) services::write_json(w, r);
               w.end_array();
               return page_response(boost::json::parse(text).as_array(), page, result.total);
             });
}

}  // namespace oeuvre::api
