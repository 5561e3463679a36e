// /api/v1/projects/{id}/jobs and /api/v1/jobs/{id}...: reconciliation jobs, their progress (also as
// Server-Sent Events), results, summary and export. Others' jobs answer 404.
#include <charconv>
#include <cmath>

#include "api/api.h"
#include "api/job_streams.h"
#include "core/money.h"
#include "core/json_text.h"
#include "csv/csv_writer.h"
#include "engine/rules.h"
#include "http/problem.h"
#include "http/request_body.h"

namespace oeuvre::api {

namespace {

namespace json = boost::json;
using http::beast_http::status;
using http::beast_http::verb;

constexpr std::initializer_list<const char*> kJobStatuses = {"queued", "running", "completed",
                                                             "failed", "cancelled"};

Error invalid_filter(const std::string& field, const std::string& message) {
  return Error(ErrorCode::kBadRequest, "invalid filter", {FieldError{field, message}});
}

// ?name=<number in [0, 1]>
Result<std::optional<double>> query_fraction(const http::Exchange& ex, std::string_view name) {
  auto raw = ex.query(name);
  if (!raw) return std::optional<double>{};
  double value = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || !std::isfinite(value) || value < 0 || value > 1) {
    return invalid_filter(std::string(name), "must be a number from 0 to 1");
  }
  return std::optional<double>(value);
}

// The job fields of a create request; its rules and thresholds as JobService merged them.
Result<services::NewJob> read_new_job(const json::object& body) {
  json::object fields = body;
  fields.erase("rules");
  http::FieldReader in(fields);
  auto name = in.required_string("name", 1, 255);
  auto left = in.optional_uuid("left_data_source_id");
  auto right = in.optional_uuid("right_data_source_id");
  auto confidence = in.optional_number("confidence_threshold", 0, 1);
  auto review = in.optional_number("review_threshold", 0, 1);
  auto auto_confirm = in.optional_bool("auto_confirm");
  if (!fields.contains("left_data_source_id")) in.add_error("left_data_source_id", "is required");
  if (!fields.contains("right_data_source_id")) in.add_error("right_data_source_id", "is required");
  if (left && right && *left == *right) in.add_error("right_data_source_id", "must differ from left_data_source_id");

  auto rules = services::JobService::merge_rules(body.if_contains("rules"), confidence, review);
  if (!rules.ok()) {
    for (const auto& fe : rules.error().field_errors()) in.add_error(fe.field, fe.message);
  }
  RETURN_IF_ERROR(in.finish());
  services::NewJob job;
  job.name = *name;
  job.left_data_source_id = *left;
  job.right_data_source_id = *right;
  job.rules = std::move(*rules);
  job.auto_confirm = auto_confirm.value_or(false);
  return job;
}

http::HttpResponse job_response(status code, const store::Job& job) {
  return http::json_response(code, services::to_json(job));
}

// The `status` query of results and exports: one status, or (exports) a comma list.
Result<std::vector<store::ResultFilter>> read_status_filters(const http::Exchange& ex, bool many) {
  std::vector<store::ResultFilter> filters;
  auto raw = ex.query("status");
  if (!raw) {
    filters.emplace_back();
    return filters;
  }
  std::string_view rest = *raw;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view one = rest.substr(0, comma);
    auto filter = services::result_status_filter(one);
    if (!filter) {
      return invalid_filter("status", std::string(many ? "each status must be one of" : "must be one of") +
                                          ": matched, suggested, unmatched, unmatched_left, unmatched_right, "
                                          "confirmed, rejected");
    }
    filters.push_back(*filter);
    if (comma == std::string_view::npos) break;
    if (!many) return invalid_filter("status", "one status only");
    rest.remove_prefix(comma + 1);
  }
  return filters;
}

}  // namespace

void add_job_routes(http::Router& router, ApiServices& services) {
  router.add(verb::post, "/api/v1/projects/{id}/jobs", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid project_id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(json::object body, http::read_json_object(ex));
               ASSIGN_OR_RETURN(services::NewJob job, read_new_job(body));
               ASSIGN_OR_RETURN(store::Job created,
                                services.jobs.create(actor_of(ex), project_id, std::move(job), request_meta(ex)));
               auto res = job_response(status::created, created);
               res.set(http::beast_http::field::location, "/api/v1/jobs/" + created.id.to_string());
               return res;
             });

  router.add(verb::get, "/api/v1/projects/{id}/jobs", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid project_id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               std::optional<JobStatus> job_status;
               if (auto s = ex.query("status")) {
                 job_status = parse_job_status(*s);
                 if (!job_status) {
                   return invalid_filter("status", "must be one of: queued, running, completed, failed, cancelled");
                 }
               }
               ASSIGN_OR_RETURN(auto result, services.jobs.list(actor_of(ex), project_id, job_status, page));
               return page_response(result, page);
             });

  router.add(verb::get, "/api/v1/jobs/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(store::Job job, services.jobs.get(actor_of(ex), id));
               return job_response(status::ok, job);
             },
             http::RunsOn::kIoThreadFirst);

  router.add(verb::delete_, "/api/v1/jobs/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               RETURN_IF_ERROR(services.jobs.remove(actor_of(ex), id, request_meta(ex)));
               http::HttpResponse res{status::no_content, 11};
               return res;
             });

  router.add(verb::post, "/api/v1/jobs/{id}/cancel", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(store::Job job, services.jobs.cancel(actor_of(ex), id, request_meta(ex)));
               return job_response(status::ok, job);
             });

  router.add(verb::post, "/api/v1/jobs/{id}/rerun", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(store::Job job, services.jobs.rerun(actor_of(ex), id, request_meta(ex)));
               auto res = job_response(status::created, job);
               res.set(http::beast_http::field::location, "/api/v1/jobs/" + job.id.to_string());
               return res;
             });

  router.add(verb::get, "/api/v1/jobs/{id}/events", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               RETURN_IF_ERROR(services.jobs.get(actor_of(ex), id));  // 404 before the stream starts
               ex.response_stream = make_job_event_stream(services.jobs, actor_of(ex), id);
               http::HttpResponse res{status::ok, 11};
               res.set(http::beast_http::field::content_type, "text/event-stream");
               res.set(http::beast_http::field::cache_control, "no-cache");
               res.set("X-Accel-Buffering", "no");
               return res;
             });

  router.add(verb::get, "/api/v1/jobs/{id}/results", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(std::vector<store::ResultFilter> filters, read_status_filters(ex, false));
               store::ResultFilter filter = filters.front();
               ASSIGN_OR_RETURN(filter.min_confidence, query_fraction(ex, "min_confidence"));
               ASSIGN_OR_RETURN(filter.max_confidence, query_fraction(ex, "max_confidence"));
               if (filter.min_confidence && filter.max_confidence && *filter.min_confidence > *filter.max_confidence) {
                 return invalid_filter("min_confidence", "must not be above max_confidence");
               }
               ASSIGN_OR_RETURN(std::optional<std::int64_t> per_page, http::query_int(ex, "per_page", 1, 100));
               std::optional<store::ResultCursor> cursor;
               if (auto raw = ex.query("cursor")) {
                 cursor = services::decode_result_cursor(*raw);
                 if (!cursor) return invalid_filter("cursor", "is not a cursor this API gave out (next_cursor)");
               }
               const int limit = static_cast<int>(per_page.value_or(20));
               ASSIGN_OR_RETURN(services::ResultPage page,
                                services.jobs.results(actor_of(ex), id, filter, cursor, limit));
               const services::ResultRenderer renderer(page.job);
               std::string body;
               body.reserve(page.items.size() * 3000);
               JsonWriter w(body);
               w.begin_object().key("items").begin_array();
               for (const auto& view : page.items) renderer.write(w, view);
               w.end_array();
               w.key("per_page").number(std::int64_t{limit});
               w.key("next_cursor");
               page.next_cursor ? w.string(*page.next_cursor) : w.null();
               w.end_object();
               return http::json_response(status::ok, std::move(body));
             });

  router.add(verb::get, "/api/v1/jobs/{id}/summary", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(json::object summary, services.jobs.summary(actor_of(ex), id));
               return http::json_response(status::ok, summary);
             },
             http::RunsOn::kIoThreadFirst);

  router.add(verb::get, "/api/v1/jobs/{id}/export", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               const std::string_view format = ex.query("format").value_or("csv");
               if (format != "csv" && format != "json") return invalid_filter("format", "must be csv or json");
               ASSIGN_OR_RETURN(std::vector<store::ResultFilter> filters, read_status_filters(ex, true));
               ASSIGN_OR_RETURN(store::Job job, services.jobs.export_job(actor_of(ex), id));
               const bool csv = format == "csv";
               const std::string filename = "job-" + job.id.to_string() + (csv ? ".csv" : ".json");
               ex.response_stream =
                   make_export_stream(services.jobs, std::move(job), std::move(filters),
                                      csv ? ExportFormat::kCsv : ExportFormat::kJson);
               http::HttpResponse res{status::ok, 11};
               res.set(http::beast_http::field::content_type, csv ? "text/csv; charset=utf-8" : "application/json");
               res.set(http::beast_http::field::content_disposition, "attachment; filename=\"" + filename + "\"");
               return res;
             });
}

}  // namespace oeuvre::api
