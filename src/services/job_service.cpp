#include "services/job_service.h"

#include <algorithm>
#include <cmath>

#include "core/money.h"
#include "core/json_text.h"
#include "core/utf8.h"
#include "security/crypto.h"
#include "services/audit_trail.h"
#include "services/project_access.h"
#include "store/data_source_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace json = boost::json;

namespace {

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

json::value optional_string(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value optional_uuid(const std::optional<Uuid>& id) { return id ? json::value(id->to_string()) : json::value(nullptr); }
json::value optional_time(const std::optional<Timestamp>& t) {
  return t ? json::value(format_timestamp(*t)) : json::value(nullptr);
}

}  // namespace

Result<store::Job> load_accessible_job(store::Connection& conn, const security::Actor& actor, const Uuid& id) {
  ASSIGN_OR_RETURN(std::optional<store::ScopedJob> found, store::JobRepository::find_visible(conn, id));
  if (!found) return Error::NotFound("job not found");
  RETURN_IF_ERROR(security::require_project_access(actor, found->project_owner_id, "job"));
  return std::move(found->job);
}

Result<engine::RuleSet> JobService::merge_rules(const json::value* rules,
                                                std::optional<double> confidence_threshold,
                                                std::optional<double> review_threshold) {
  std::vector<FieldError> errors;
  engine::RuleSet merged = engine::default_rules();
  if (rules != nullptr && !rules->is_null()) {
    if (!rules->is_object()) {
      errors.push_back(
          {"rules", "must be an object in the engine's rules format (docs/engine.md)"});
    } else if (auto parsed = engine::rules_from_json(*rules); parsed.ok()) {
      merged = std::move(*parsed);
    } else {
      for (const auto& fe : parsed.error().field_errors()) {
        errors.push_back({fe.field == "rules" ? "rules" : "rules." + fe.field, fe.message});
      }
      if (parsed.error().field_errors().empty())
        errors.push_back({"rules", parsed.error().message()});
    }
  }
  // parse_rules validated the rules it read, and the defaults are valid: only thresholds put in
  // their place need a look (a review threshold above the confidence threshold).
  if (confidence_threshold || review_threshold) {
    if (confidence_threshold) merged.confidence_threshold = *confidence_threshold;
    if (review_threshold) merged.review_threshold = *review_threshold;
    if (auto valid = engine::validate_rules(merged); !valid.ok()) {
      for (const auto& fe : valid.error().field_errors()) {
        const bool top = (fe.field == "confidence_threshold" && confidence_threshold) ||
                         (fe.field == "review_threshold" && review_threshold);
        errors.push_back({top ? fe.field : "rules." + fe.field, fe.message});
      }
    }
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));
  return merged;
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
  set_origin(job, meta);
  auto created =
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Job> {
        RETURN_IF_ERROR(require_project(conn, actor, project_id));
        std::vector<FieldError> errors;
        RETURN_IF_ERROR(check_data_source(conn, project_id, job.left_data_source_id,
                                          "left_data_source_id", errors));
        RETURN_IF_ERROR(check_data_source(conn, project_id, job.right_data_source_id,
                                          "right_data_source_id", errors));
        if (!errors.empty()) return Error(ErrorCode::kValidation, "invalid job", std::move(errors));
        RETURN_IF_ERROR(store::JobRepository::insert(conn, job));
        RETURN_IF_ERROR(
            record_audit(conn, meta,
                         {actor.user_id, project_id, "job.create", "job", job.id.to_string(),
                          std::nullopt, json::value(to_json(job))}));
        return job;
      });
  if (created.ok() && wake_) wake_();
  return created;
}

Result<store::Job> JobService::get(const security::Actor& actor, const Uuid& id) {
  if (reads_ != nullptr) return reads_->accessible_job(actor, id);
  return store::with_connection(db_, [&](store::Connection& conn) { return load_accessible_job(conn, actor, id); });
}

Result<PageResult<store::Job>> JobService::list(const security::Actor& actor, const Uuid& project_id,
                                                       const std::optional<JobStatus>& status,
                                                       const PageRequest& page) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<PageResult<store::Job>> {
        RETURN_IF_ERROR(require_project(conn, actor, project_id));
        return store::JobRepository::list(conn, project_id, status, page);
      });
}

Result<store::Job> JobService::cancel(const security::Actor& actor, const Uuid& id, const RequestMeta& meta) {
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Job> {
    ASSIGN_OR_RETURN(store::Job before, load_accessible_job(conn, actor, id));
    if (before.ended()) return Error::Conflict("the job has already ended (" + std::string(to_string(before.status)) + ")");
    ASSIGN_OR_RETURN(bool changed, store::JobRepository::request_cancel(conn, id, now_utc()));
    if (!changed) return Error::Conflict("the job ended meanwhile");
    ASSIGN_OR_RETURN(store::Job after, load_accessible_job(conn, actor, id));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, after.project_id, "job.cancel", "job", id.to_string(),
                                  json::object{{"status", to_string(before.status)}},
                                  json::object{{"status", to_string(after.status)}, {"cancel_requested", after.cancel_requested}}}));
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
    set_origin(job, meta);
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
  Status removed = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(store::Job before, load_accessible_job(conn, actor, id));
    if (!before.ended()) return Error::Conflict("the job is " + std::string(to_string(before.status)) + "; cancel it first");
    ASSIGN_OR_RETURN(bool removed, store::JobRepository::remove_ended(conn, id));
    if (!removed) return Error::Conflict("the job changed meanwhile; retry");
    return record_audit(conn, meta,
                        {actor.user_id, before.project_id, "job.delete", "job", id.to_string(),
                         json::value(to_json(before)), std::nullopt});
  });
  if (removed.ok() && reads_ != nullptr) reads_->job_changed(id);
  return removed;
}

json::object to_json(const store::Job& j) {
  json::value eta = nullptr;
  if (j.status == JobStatus::kRunning && j.started_at && j.progress > 0.02 && j.progress < 1) {
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
          {"status", to_string(j.status)},
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

}  // namespace oeuvre::services
