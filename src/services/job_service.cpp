#include "services/job_service.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "core/json_text.h"
#include "core/utf8.h"
#include "engine/record_table.h"
#include "ingest/file_parser.h"
#include "security/crypto.h"
#include "services/audit_trail.h"
#include "services/record_service.h"
#include "store/data_source_repository.h"
#include "store/project_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace json = boost::json;

namespace {

Status require_accessible_project(store::Connection& conn, const security::Actor& actor, const Uuid& project_id) {
  ASSIGN_OR_RETURN(std::optional<store::Project> project, store::ProjectRepository::find_active(conn, project_id));
  if (!project) return Error::NotFound("project not found");
  return security::require_project_access(actor, project->owner_id);
}

// An active data source of `project_id`, else a field error on `field`.
Status check_data_source(store::Connection& conn, const Uuid& project_id, const Uuid& id, const std::string& field,
                         std::vector<FieldError>& errors) {
  ASSIGN_OR_RETURN(std::optional<store::ScopedDataSource> found, store::DataSourceRepository::find_visible(conn, id));
  if (!found || found->data_source.project_id != project_id || !found->data_source.is_active) {
    errors.push_back({field, "no active data source with this id in the project"});
  }
  return OkStatus();
}

json::value parse_or(const std::string& text, json::value fallback) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

std::string format_amount(std::int64_t minor, const std::string& currency) {
  return engine::format_minor_units(minor, ingest::currency_scale(currency));
}

// The value of field `f` (lowercase, as the engine names fields) on one record.
std::string field_value(const store::Record& r, const std::string& f) {
  if (f == "id") return r.external_id;
  if (f == "date") return r.transaction_date.value_or("");
  if (f == "amount") return format_amount(r.amount_minor, r.currency);
  if (f == "currency") return r.currency;
  if (f == "reference") return r.reference;
  if (f == "description") return r.description;
  if (f == "counterparty") return r.counterparty;
  boost::system::error_code ec;
  json::value extra = json::parse(r.extra, ec);
  if (ec || !extra.is_object()) return "";
  for (const auto& [key, value] : extra.as_object()) {
    if (ascii_lowercase(key) != f) continue;
    if (value.is_string()) return std::string(value.as_string());
    return to_json_text(value);
  }
  return "";
}

// A side's value for an explanation: the sum for amounts, else the distinct values joined by "; ".
// `field` is lowercase.
std::string side_value(const std::vector<store::Record>& records, const std::string& field) {
  if (records.empty()) return "";
  if (records.size() == 1) return field_value(records.front(), field);
  if (field == "amount") {
    std::int64_t sum = 0;
    for (const auto& r : records) sum += r.amount_minor;
    return format_amount(sum, records.front().currency);
  }
  std::vector<std::string> values;
  for (const auto& r : records) {
    std::string v = field_value(r, field);
    if (!v.empty() && std::find(values.begin(), values.end(), v) == values.end()) values.push_back(std::move(v));
  }
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : "; ") + v;
  return out;
}

json::value optional_string(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value optional_uuid(const std::optional<Uuid>& id) { return id ? json::value(id->to_string()) : json::value(nullptr); }
json::value optional_time(const std::optional<Timestamp>& t) {
  return t ? json::value(format_timestamp(*t)) : json::value(nullptr);
}

}  // namespace

std::optional<store::ResultFilter> result_status_filter(std::string_view status) {
  store::ResultFilter f;
  if (status == "matched" || status == "suggested" || status == "unmatched" || status == "confirmed" ||
      status == "rejected") {
    f.status = std::string(status);
  } else if (status == "unmatched_left" || status == "unmatched_right") {
    f.status = "unmatched";
    f.kind = std::string(status);
  } else {
    return std::nullopt;
  }
  return f;
}

std::string encode_result_cursor(const store::ResultCursor& cursor) {
  char number[40];
  std::snprintf(number, sizeof number, "%.17g", cursor.confidence);
  return security::base64url_encode(std::string(number) + "|" + cursor.id.to_string());
}

std::optional<store::ResultCursor> decode_result_cursor(std::string_view text) {
  if (text.size() > 128) return std::nullopt;
  auto raw = security::base64url_decode(text);
  if (!raw) return std::nullopt;
  const auto bar = raw->find('|');
  if (bar == std::string::npos) return std::nullopt;
  store::ResultCursor cursor;
  const char* begin = raw->data();
  auto [ptr, ec] = std::from_chars(begin, begin + bar, cursor.confidence);
  if (ec != std::errc() || ptr != begin + bar || !std::isfinite(cursor.confidence)) return std::nullopt;
  auto id = Uuid::parse(std::string_view(*raw).substr(bar + 1));
  if (!id) return std::nullopt;
  cursor.id = *id;
  return cursor;
}

Result<store::Job> load_accessible_job(store::Connection& conn, const security::Actor& actor, const Uuid& id) {
  ASSIGN_OR_RETURN(std::optional<store::ScopedJob> found, store::JobRepository::find_visible(conn, id));
  if (!found) return Error::NotFound("job not found");
  RETURN_IF_ERROR(security::require_project_access(actor, found->project_owner_id, "job"));
  return std::move(found->job);
}

Result<std::vector<ResultView>> attach_records(store::Connection& conn, std::vector<store::ResultRow> rows) {
  std::vector<Uuid> ids;
  for (const auto& r : rows) {
    ids.insert(ids.end(), r.left_ids.begin(), r.left_ids.end());
    ids.insert(ids.end(), r.right_ids.begin(), r.right_ids.end());
  }
  std::vector<Uuid> distinct = ids;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  // Each record with the number of results on the page that show it: the last of them takes the
  // record, earlier ones copy it (a record is in one result of a job, so a page normally copies none).
  struct Shown {
    store::Record record;
    int uses = 0;
  };
  std::unordered_map<Uuid, Shown> by_id;
  by_id.reserve(distinct.size());
  for (std::size_t at = 0; at < distinct.size(); at += store::RecordRepository::kMaxIdsPerQuery) {
    const std::size_t n = std::min(store::RecordRepository::kMaxIdsPerQuery, distinct.size() - at);
    ASSIGN_OR_RETURN(std::vector<store::Record> found,
                     store::RecordRepository::find_many(conn, std::span<const Uuid>(distinct).subspan(at, n)));
    for (auto& r : found) {
      const Uuid key = r.id;
      by_id.emplace(key, Shown{std::move(r), 0});
    }
  }
  for (const Uuid& id : ids) {
    if (auto it = by_id.find(id); it != by_id.end()) ++it->second.uses;
  }
  std::vector<ResultView> out;
  out.reserve(rows.size());
  auto take = [&](const Uuid& id, std::vector<store::Record>& into) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return;
    if (--it->second.uses == 0) {
      into.push_back(std::move(it->second.record));
    } else {
      into.push_back(it->second.record);
    }
  };
  for (auto& row : rows) {
    ResultView view;
    for (const Uuid& id : row.left_ids) take(id, view.left);
    for (const Uuid& id : row.right_ids) take(id, view.right);
    view.result = std::move(row);
    out.push_back(std::move(view));
  }
  return out;
}

Result<store::Job> JobService::create(const security::Actor& actor, const Uuid& project_id, NewJob spec,
                                      const RequestMeta& meta) {
  store::Job job;
  job.id = Uuid::generate_v7();
  job.project_id = project_id;
  job.name = std::move(spec.name);
  job.left_data_source_id = spec.left_data_source_id;
  job.right_data_source_id = spec.right_data_source_id;
  job.rules = engine::rules_to_json(spec.rules);
  job.confidence_threshold = spec.rules.confidence_threshold;
  job.review_threshold = spec.rules.review_threshold;
  job.auto_confirm = spec.auto_confirm;
  job.created_by = actor.user_id;
  job.created_at = job.updated_at = now_utc();
  auto created = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Job> {
    RETURN_IF_ERROR(require_accessible_project(conn, actor, project_id));
    std::vector<FieldError> errors;
    RETURN_IF_ERROR(check_data_source(conn, project_id, job.left_data_source_id, "left_data_source_id", errors));
    RETURN_IF_ERROR(check_data_source(conn, project_id, job.right_data_source_id, "right_data_source_id", errors));
    if (!errors.empty()) return Error(ErrorCode::kValidation, "invalid job", std::move(errors));
    RETURN_IF_ERROR(store::JobRepository::insert(conn, job));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, project_id, "job.create", "job", job.id.to_string(), std::nullopt,
                                  json::value(to_json(job))}));
    return job;
  });
  if (created.ok() && wake_) wake_();
  return created;
}

Result<store::Job> JobService::get(const security::Actor& actor, const Uuid& id) {
  return store::with_connection(db_, [&](store::Connection& conn) { return load_accessible_job(conn, actor, id); });
}

Result<store::PageResult<store::Job>> JobService::list(const security::Actor& actor, const Uuid& project_id,
                                                       const std::optional<std::string>& status,
                                                       const store::PageRequest& page) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<store::PageResult<store::Job>> {
    RETURN_IF_ERROR(require_accessible_project(conn, actor, project_id));
    return store::JobRepository::list(conn, project_id, status, page);
  });
}

Result<store::Job> JobService::cancel(const security::Actor& actor, const Uuid& id, const RequestMeta& meta) {
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Job> {
    ASSIGN_OR_RETURN(store::Job before, load_accessible_job(conn, actor, id));
    if (before.ended()) return Error::Conflict("the job has already ended (" + before.status + ")");
    ASSIGN_OR_RETURN(bool changed, store::JobRepository::request_cancel(conn, id, now_utc()));
    if (!changed) return Error::Conflict("the job ended meanwhile");
    ASSIGN_OR_RETURN(store::Job after, load_accessible_job(conn, actor, id));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, after.project_id, "job.cancel", "job", id.to_string(),
                                  json::object{{"status", before.status}},
                                  json::object{{"status", after.status}, {"cancel_requested", after.cancel_requested}}}));
    return after;
  });
}

Result<store::Job> JobService::rerun(const security::Actor& actor, const Uuid& id, const RequestMeta& meta) {
  auto created = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Job> {
    ASSIGN_OR_RETURN(store::Job original, load_accessible_job(conn, actor, id));
    std::vector<FieldError> errors;
    RETURN_IF_ERROR(check_data_source(conn, original.project_id, original.left_data_source_id, "left_data_source_id",
                                      errors));
    RETURN_IF_ERROR(check_data_source(conn, original.project_id, original.right_data_source_id,
                                      "right_data_source_id", errors));
    if (!errors.empty()) return Error(ErrorCode::kValidation, "a data source of the job is gone", std::move(errors));
    store::Job job;
    job.id = Uuid::generate_v7();
    job.project_id = original.project_id;
    job.name = original.name;
    job.left_data_source_id = original.left_data_source_id;
    job.right_data_source_id = original.right_data_source_id;
    job.rules = original.rules;
    job.confidence_threshold = original.confidence_threshold;
    job.review_threshold = original.review_threshold;
    job.auto_confirm = original.auto_confirm;
    job.rerun_of = original.id;
    job.created_by = actor.user_id;
    job.created_at = job.updated_at = now_utc();
    RETURN_IF_ERROR(store::JobRepository::insert(conn, job));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, job.project_id, "job.rerun", "job", job.id.to_string(), std::nullopt,
                                  json::object{{"rerun_of", original.id.to_string()}}}));
    return job;
  });
  if (created.ok() && wake_) wake_();
  return created;
}

Status JobService::remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta) {
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(store::Job before, load_accessible_job(conn, actor, id));
    if (!before.ended()) return Error::Conflict("the job is " + before.status + "; cancel it first");
    ASSIGN_OR_RETURN(bool removed, store::JobRepository::remove_ended(conn, id));
    if (!removed) return Error::Conflict("the job changed meanwhile; retry");
    return record_audit(conn, meta,
                        {actor.user_id, before.project_id, "job.delete", "job", id.to_string(),
                         json::value(to_json(before)), std::nullopt});
  });
}

Result<ResultPage> JobService::results(const security::Actor& actor, const Uuid& job_id,
                                       const store::ResultFilter& filter,
                                       const std::optional<store::ResultCursor>& after, int limit) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<ResultPage> {
    ResultPage page;
    ASSIGN_OR_RETURN(page.job, load_accessible_job(conn, actor, job_id));
    ASSIGN_OR_RETURN(std::vector<store::ResultRow> rows,
                     store::ResultRepository::list(conn, job_id, filter, after, limit + 1));
    if (rows.size() > static_cast<std::size_t>(limit)) {
      rows.resize(static_cast<std::size_t>(limit));
      page.next_cursor = encode_result_cursor({rows.back().confidence, rows.back().id});
    }
    ASSIGN_OR_RETURN(page.items, attach_records(conn, std::move(rows)));
    return page;
  });
}

Result<std::vector<ResultView>> JobService::read_results_page(const Uuid& job_id, const store::ResultFilter& filter,
                                                              const std::optional<store::ResultCursor>& after,
                                                              int limit) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<std::vector<ResultView>> {
    ASSIGN_OR_RETURN(std::vector<store::ResultRow> rows,
                     store::ResultRepository::list(conn, job_id, filter, after, limit));
    return attach_records(conn, std::move(rows));
  });
}

Result<std::pair<ResultView, store::Job>> JobService::result(const security::Actor& actor, const Uuid& id) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<std::pair<ResultView, store::Job>> {
    ASSIGN_OR_RETURN(std::optional<store::ScopedResult> found, store::ResultRepository::find_visible(conn, id));
    if (!found) return Error::NotFound("result not found");
    RETURN_IF_ERROR(security::require_project_access(actor, found->project_owner_id, "result"));
    ASSIGN_OR_RETURN(store::Job job, load_accessible_job(conn, actor, found->result.job_id));
    std::vector<store::ResultRow> rows{std::move(found->result)};
    ASSIGN_OR_RETURN(std::vector<ResultView> views, attach_records(conn, std::move(rows)));
    return std::make_pair(std::move(views.front()), std::move(job));
  });
}

Result<json::object> JobService::summary(const security::Actor& actor, const Uuid& job_id) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<json::object> {
    ASSIGN_OR_RETURN(store::Job job, load_accessible_job(conn, actor, job_id));
    ASSIGN_OR_RETURN(std::vector<store::ResultTotals> totals, store::ResultRepository::totals(conn, job_id));
    json::object groups{{"matched", 0}, {"suggested", 0}, {"unmatched_left", 0},
                        {"unmatched_right", 0}, {"confirmed", 0}, {"rejected", 0}};
    std::int64_t left = 0, right = 0, left_reconciled = 0, right_reconciled = 0;
    struct Currency {
      std::map<std::string, json::object> by_status;
      std::int64_t net = 0;
    };
    std::map<std::string, Currency> currencies;
    for (const auto& t : totals) {
      const std::string key = t.status == "unmatched" ? t.kind : t.status;
      groups[key] = groups[key].as_int64() + t.results;
      left += t.left_records;
      right += t.right_records;
      const bool reconciled = t.status == "matched" || t.status == "confirmed";
      if (reconciled) {
        left_reconciled += t.left_records;
        right_reconciled += t.right_records;
      }
      Currency& c = currencies[t.currency];
      json::object& s = c.by_status[key];
      const std::int64_t count = s.contains("groups") ? s["groups"].as_int64() : 0;
      const std::int64_t lsum = (s.contains("left_amount_minor") ? s["left_amount_minor"].as_int64() : 0) +
                                t.left_amount_minor;
      const std::int64_t rsum = (s.contains("right_amount_minor") ? s["right_amount_minor"].as_int64() : 0) +
                                t.right_amount_minor;
      s = json::object{{"groups", count + t.results},
                       {"left_amount_minor", lsum},
                       {"right_amount_minor", rsum},
                       {"left_amount", format_amount(lsum, t.currency)},
                       {"right_amount", format_amount(rsum, t.currency)}};
      if (!reconciled) c.net += t.left_amount_minor - t.right_amount_minor;
    }
    json::array per_currency;
    for (auto& [code, c] : currencies) {
      json::object by_status;
      for (auto& [status, o] : c.by_status) by_status[status] = std::move(o);
      per_currency.push_back(json::object{{"currency", code},
                                          {"by_status", std::move(by_status)},
                                          {"net_unexplained_minor", c.net},
                                          {"net_unexplained", format_amount(c.net, code)}});
    }
    const std::int64_t all = left + right;
    return json::object{{"job_id", job.id.to_string()},
                        {"status", job.status},
                        {"groups", std::move(groups)},
                        {"records", json::object{{"left", left},
                                                 {"right", right},
                                                 {"left_reconciled", left_reconciled},
                                                 {"right_reconciled", right_reconciled}}},
                        {"match_rate", all == 0 ? 0.0 : static_cast<double>(left_reconciled + right_reconciled) /
                                                            static_cast<double>(all)},
                        {"currencies", std::move(per_currency)}};
  });
}

json::object to_json(const store::Job& j) {
  json::value eta = nullptr;
  if (j.status == "running" && j.started_at && j.progress > 0.02 && j.progress < 1) {
    const double elapsed = std::chrono::duration<double>(now_utc() - *j.started_at).count();
    eta = std::max(0.0, elapsed * (1 - j.progress) / j.progress);
  }
  return {{"id", j.id.to_string()},
          {"project_id", j.project_id.to_string()},
          {"name", j.name},
          {"left_data_source_id", j.left_data_source_id.to_string()},
          {"right_data_source_id", j.right_data_source_id.to_string()},
          {"rules", parse_or(j.rules, json::object{})},
          {"confidence_threshold", j.confidence_threshold},
          {"review_threshold", j.review_threshold},
          {"auto_confirm", j.auto_confirm},
          {"status", j.status},
          {"cancel_requested", j.cancel_requested},
          {"phase", j.phase},
          {"progress", j.progress},
          {"percent", std::round(j.progress * 1000) / 10},
          {"records_total", j.records_total},
          {"records_processed", j.records_processed},
          {"eta_seconds", eta},
          {"counters", parse_or(j.counters, json::object{})},
          {"error", optional_string(j.error)},
          {"attempts", j.attempts},
          {"worker", optional_string(j.worker)},
          {"rerun_of", optional_uuid(j.rerun_of)},
          {"created_by", optional_uuid(j.created_by)},
          {"created_at", format_timestamp(j.created_at)},
          {"started_at", optional_time(j.started_at)},
          {"finished_at", optional_time(j.finished_at)},
          {"updated_at", format_timestamp(j.updated_at)}};
}

ResultRenderer::ResultRenderer(const store::Job& job) {
  const json::value applied = parse_or(job.applied_rules, json::array{});
  if (!applied.is_array()) return;
  for (const auto& entry : applied.as_array()) {
    AppliedRule rule;
    if (const json::object* o = entry.if_object()) {
      auto text = [&](const char* key) {
        const json::value* v = o->if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
      };
      rule = {text("name"), text("comparison"), ascii_lowercase(text("left_field")), ascii_lowercase(text("right_field")), 0.0};
      if (const json::value* w = o->if_contains("weight"); w != nullptr && w->is_number()) {
        rule.weight = w->to_number<double>();
      }
    }
    rules_.push_back(std::move(rule));
  }
}

void ResultRenderer::write(JsonWriter& w, const ResultView& view) const {
  const store::ResultRow& r = view.result;
  auto uuid_or_null = [&](const std::optional<Uuid>& id) { id ? w.uuid(*id) : w.null(); };
  w.begin_object();
  w.key("id").uuid(r.id);
  w.key("job_id").uuid(r.job_id);
  w.key("match_group").number(r.match_group);
  w.key("kind").string(r.kind);
  w.key("status").string(r.status);
  w.key("confidence").number(r.confidence);
  w.key("version").number(r.version);
  w.key("left").begin_array();
  for (const auto& rec : view.left) write_json(w, rec);
  w.end_array();
  w.key("right").begin_array();
  for (const auto& rec : view.right) write_json(w, rec);
  w.end_array();
  w.key("left_amount_minor").number(r.left_amount_minor);
  w.key("right_amount_minor").number(r.right_amount_minor);
  w.key("currency").string(r.currency);
  // The stored explanation is [[rule index, present, similarity, contribution], ...]; the rule's
  // name, comparison and weight and both sides' values are added here.
  w.key("explanation").begin_array();
  unsigned char buffer[2048];
  json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  const json::value stored = json::parse(r.explanation, ec, &arena);
  if (!ec && stored.is_array()) {
    auto number = [](const json::value& v) { return v.is_number() ? v.to_number<double>() : 0.0; };
    for (const auto& entry : stored.as_array()) {
      if (!entry.is_array() || entry.as_array().size() != 4) continue;
      const json::array& e = entry.as_array();
      const auto index = e[0].is_int64() ? e[0].as_int64() : -1;
      if (index < 0 || static_cast<std::size_t>(index) >= rules_.size()) continue;
      const AppliedRule& rule = rules_[static_cast<std::size_t>(index)];
      w.begin_object();
      w.key("rule").string(rule.name);
      w.key("comparison").string(rule.comparison);
      w.key("left_value").string(side_value(view.left, rule.left_field));
      w.key("right_value").string(side_value(view.right, rule.right_field));
      w.key("present").boolean(number(e[1]) != 0);
      w.key("similarity").number(number(e[2]));
      w.key("weight").number(rule.weight);
      w.key("contribution").number(number(e[3]));
      w.end_object();
    }
  }
  w.end_array();
  w.key("match_id");
  uuid_or_null(r.match_id);
  w.key("reviewed_by");
  uuid_or_null(r.reviewed_by);
  w.key("reviewed_at");
  r.reviewed_at ? w.string(format_timestamp(*r.reviewed_at)) : w.null();
  w.key("created_at").string(format_timestamp(r.created_at));
  w.key("updated_at").string(format_timestamp(r.updated_at));
  w.end_object();
}

}  // namespace oeuvre::services
