// /api/v1/results/{id}, /api/v1/jobs/{id}/matches, /api/v1/matches/{id} and
// /api/v1/jobs/{id}/review: reading one result and reviewing results (confirm, reject, reopen,
// manual match, unmatch, bulk).
#include "api/api.h"
#include "core/utf8.h"
#include "http/problem.h"
#include "http/request_body.h"

namespace oeuvre::api {

namespace {

namespace json = boost::json;
using http::beast_http::status;
using http::beast_http::verb;

constexpr std::size_t kMaxNote = 1000;

http::HttpResponse result_response(status code, const services::ResultView& view, const store::Job& job) {
  std::string body;
  JsonWriter w(body);
  services::ResultRenderer(job).write(w, view);
  auto res = http::json_response(code, std::move(body));
  res.set(http::beast_http::field::etag, "\"" + std::to_string(view.result.version) + "\"");
  return res;
}

// The optional body of confirm / reject / reopen: {"note": "..."}.
Result<std::optional<std::string>> read_note_body(const http::Exchange& ex) {
  if (ex.request.body().empty()) return std::optional<std::string>{};
  ASSIGN_OR_RETURN(json::object body, http::read_json_object(ex));
  http::FieldReader in(body);
  auto note = in.optional_text("note", 1, kMaxNote);
  RETURN_IF_ERROR(in.finish());
  return note;
}

// A list of at most kMaxManualMatchSide record ids at `name` (errors named name[i]).
std::vector<Uuid> read_ids(const json::object& body, const std::string& name, const std::string& prefix,
                           std::vector<FieldError>& errors) {
  std::vector<Uuid> ids;
  const json::value* raw = body.if_contains(name);
  if (raw == nullptr || !raw->is_array()) {
    errors.push_back({prefix + name, "is required: an array of record ids"});
    return ids;
  }
  const json::array& array = raw->as_array();
  // How many a side needs (one or more; none when the other side is an offset) the service says.
  if (array.size() > services::kMaxManualMatchSide) {
    errors.push_back({prefix + name, "must list at most " + std::to_string(services::kMaxManualMatchSide) + " record ids"});
    return ids;
  }
  for (std::size_t i = 0; i < array.size(); ++i) {
    std::optional<Uuid> id;
    if (array[i].is_string()) id = Uuid::parse(std::string_view(array[i].as_string()));
    if (!id) {
      errors.push_back({prefix + name + "[" + std::to_string(i) + "]", "must be a record id (UUID)"});
      continue;
    }
    ids.push_back(*id);
  }
  return ids;
}

std::optional<Uuid> read_uuid(const json::object& body, const std::string& name, const std::string& prefix,
                              std::vector<FieldError>& errors) {
  const json::value* raw = body.if_contains(name);
  std::optional<Uuid> id;
  if (raw != nullptr && raw->is_string()) id = Uuid::parse(std::string_view(raw->as_string()));
  if (!id) errors.push_back({prefix + name, raw == nullptr ? "is required" : "must be a UUID"});
  return id;
}

// One action of a bulk review, or the body of a manual match (action "match" implied).
services::ReviewAction read_action(const json::object& body, const std::string& prefix, bool bulk,
                                   std::vector<FieldError>& errors) {
  services::ReviewAction a;
  std::vector<std::string> known = {"note"};
  if (bulk) {
    known.push_back("action");
    const json::value* action = body.if_contains("action");
    if (action != nullptr && action->is_string()) a.action = std::string(action->as_string());
    if (a.action != "confirm" && a.action != "reject" && a.action != "reopen" &&
        a.action != "match" && a.action != "unmatch") {
      errors.push_back(
          {prefix + "action", "must be one of: confirm, reject, reopen, match, unmatch"});
      return a;
    }
  } else {
    a.action = "match";
  }
  if (a.action == "confirm" || a.action == "reject" || a.action == "reopen") {
    known.insert(known.end(), {"result_id", "version"});
    a.result_id = read_uuid(body, "result_id", prefix, errors);
    if (const json::value* v = body.if_contains("version")) {
      if (v->is_int64() && v->as_int64() >= 1) {
        a.version = v->as_int64();
      } else if (v->is_uint64() && v->as_uint64() >= 1 && v->as_uint64() <= INT64_MAX) {
        a.version = static_cast<std::int64_t>(v->as_uint64());
      } else {
        errors.push_back({prefix + "version", "must be a whole number >= 1"});
      }
    }
  } else if (a.action == "match") {
    known.insert(known.end(), {"left_record_ids", "right_record_ids"});
    a.left_record_ids = read_ids(body, "left_record_ids", prefix, errors);
    a.right_record_ids = read_ids(body, "right_record_ids", prefix, errors);
  } else {
    known.push_back("match_id");
    a.match_id = read_uuid(body, "match_id", prefix, errors);
  }
  if (const json::value* note = body.if_contains("note")) {
    if (!note->is_string() || note->as_string().empty() || !is_valid_utf8(note->as_string()) ||
        utf8_length(note->as_string()) > kMaxNote) {
      errors.push_back({prefix + "note", "must be a text of 1 to " + std::to_string(kMaxNote) + " characters"});
    } else {
      a.note = std::string(note->as_string());
    }
  }
  for (const auto& [key, value] : body) {
    if (std::find(known.begin(), known.end(), std::string(key)) == known.end()) {
      errors.push_back({prefix + std::string(key), "is not a known field"});
    }
  }
  return a;
}

}  // namespace

void add_result_routes(http::Router& router, ApiServices& services) {
  router.add(verb::get, "/api/v1/results/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(auto found, services.jobs.result(actor_of(ex), id));
               return result_response(status::ok, found.first, found.second);
             });

  for (const char* action : {"confirm", "reject", "reopen"}) {
    const std::string name = action;
    router.add(verb::post, "/api/v1/results/{id}/" + name, http::Access::kAuthenticated,
               [&services, name](http::Exchange& ex) -> Result<http::HttpResponse> {
                 ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
                 services::ReviewAction a;
                 a.action = name;
                 a.result_id = id;
                 ASSIGN_OR_RETURN(a.version, http::read_if_match(ex, "result"));
                 ASSIGN_OR_RETURN(a.note, read_note_body(ex));
                 RETURN_IF_ERROR(services.reviews.apply(actor_of(ex), std::nullopt, a, request_meta(ex)));
                 ASSIGN_OR_RETURN(auto found, services.jobs.result(actor_of(ex), id));
                 return result_response(status::ok, found.first, found.second);
               });
  }

  router.add(verb::post, "/api/v1/jobs/{id}/matches", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid job_id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(json::object body, http::read_json_object(ex));
               std::vector<FieldError> errors;
               services::ReviewAction a = read_action(body, "", false, errors);
               if (!errors.empty()) return Error(ErrorCode::kValidation, "invalid manual match", std::move(errors));
               ASSIGN_OR_RETURN(services::ReviewOutcome done,
                                services.reviews.apply(actor_of(ex), job_id, a, request_meta(ex)));
               ASSIGN_OR_RETURN(auto found, services.jobs.result(actor_of(ex), *done.result_id));
               auto res = result_response(status::created, found.first, found.second);
               res.set(http::beast_http::field::location, "/api/v1/results/" + done.result_id->to_string());
               return res;
             });

  router.add(verb::delete_, "/api/v1/matches/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               services::ReviewAction a;
               a.action = "unmatch";
               a.match_id = id;
               RETURN_IF_ERROR(services.reviews.apply(actor_of(ex), std::nullopt, a, request_meta(ex)));
               http::HttpResponse res{status::no_content, 11};
               return res;
             });

  router.add(verb::post, "/api/v1/jobs/{id}/review", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid job_id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(json::object body, http::read_json_object(ex));
               std::vector<FieldError> errors;
               std::vector<services::ReviewAction> actions;
               const json::value* raw = body.if_contains("actions");
               for (const auto& [key, value] : body) {
                 if (key != "actions") errors.push_back({std::string(key), "is not a known field"});
               }
               if (raw == nullptr || !raw->is_array() || raw->as_array().empty() ||
                   raw->as_array().size() > services::kMaxReviewActions) {
                 errors.push_back({"actions", "must be an array of 1 to " + std::to_string(services::kMaxReviewActions) +
                                                  " actions"});
               } else {
                 const json::array& list = raw->as_array();
                 for (std::size_t i = 0; i < list.size() && errors.size() < 100; ++i) {
                   const std::string prefix = "actions[" + std::to_string(i) + "].";
                   if (!list[i].is_object()) {
                     errors.push_back({"actions[" + std::to_string(i) + "]", "must be an object"});
                     continue;
                   }
                   actions.push_back(read_action(list[i].as_object(), prefix, true, errors));
                 }
               }
               if (!errors.empty()) return Error(ErrorCode::kValidation, "invalid review", std::move(errors));
               ASSIGN_OR_RETURN(std::vector<services::ReviewOutcome> outcomes,
                                services.reviews.apply_all(actor_of(ex), job_id, actions, request_meta(ex)));
               json::array items;
               for (const auto& o : outcomes) {
                 items.push_back(json::object{
                     {"action", o.action},
                     {"result_id", o.result_id ? json::value(o.result_id->to_string()) : json::value(nullptr)},
                     {"match_id", o.match_id ? json::value(o.match_id->to_string()) : json::value(nullptr)},
                     {"status", o.status}});
               }
               return http::json_response(status::ok, json::object{{"applied", outcomes.size()}, {"items", std::move(items)}});
             });
}

}  // namespace oeuvre::api
