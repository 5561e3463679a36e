#include "services/review_service.h"

#include <algorithm>

#include <boost/json.hpp>
#include <set>

#include "core/money.h"
#include "engine/rules.h"
#include "services/audit_trail.h"
#include "services/job_service.h"
#include "store/job_repository.h"
#include "store/record_repository.h"
#include "store/result_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace json = boost::json;

namespace {

// Manual results carry match group 0 (the engine numbers its groups from 1).
constexpr std::int64_t kManualGroup = 0;

struct Context {
  store::Connection& conn;
  const security::Actor& actor;
  const RequestMeta& meta;
  std::optional<Uuid> job_id;           // bulk review: everything must belong to this job
  std::optional<Uuid> changed_project;  // set by an action that moved records (for the stats cache)
  std::vector<Uuid> changed_jobs;       // whose results changed (for the job summary cache)
};

json::value note_json(const std::optional<std::string>& note) {
  return note ? json::value(*note) : json::value(nullptr);
}

// A result the actor may reach (and, in a bulk review, of the job under review).
Result<store::ResultRow> load_result(Context& c, const Uuid& id) {
  ASSIGN_OR_RETURN(std::optional<store::ScopedResult> found,
                   store::ResultRepository::find_visible(c.conn, id));
  if (!found || (c.job_id && found->result.job_id != *c.job_id))
    return Error::NotFound("result not found");
  RETURN_IF_ERROR(security::require_project_access(c.actor, found->project_owner_id, "result"));
  return std::move(found->result);
}

std::vector<Uuid> records_of(const store::ResultRow& r) {
  std::vector<Uuid> ids = r.left_ids;
  ids.insert(ids.end(), r.right_ids.begin(), r.right_ids.end());
  return ids;
}

// Moves every record of `ids` from `from` to `to`; kConflict unless all of them were `from`.
Status move_records(store::Connection& conn, const std::vector<Uuid>& ids, RecordStatus from,
                    RecordStatus to) {
  ASSIGN_OR_RETURN(std::int64_t moved, store::RecordRepository::change_status(conn, ids, from, to));
  if (moved != static_cast<std::int64_t>(ids.size())) {
    return Error::Conflict(to == RecordStatus::kMatched
                               ? "a record of this group is already matched (by another match)"
                               : "a record of this match is no longer matched");
  }
  return OkStatus();
}

Status check_version(const store::ResultRow& r, const std::optional<std::int64_t>& expected) {
  if (expected && *expected != r.version) {
    return Error::Conflict("the result was changed by someone else (it is at version " +
                           std::to_string(r.version) + ", not " + std::to_string(*expected) +
                           "); reload it");
  }
  return OkStatus();
}

Status write_review(Context& c, const store::ResultRow& r, ResultStatus status,
                    const std::optional<Uuid>& match_id) {
  ASSIGN_OR_RETURN(bool updated,
                   store::ResultRepository::update_review(c.conn, r.id, r.version, status,
                                                          c.actor.user_id, match_id, now_utc()));
  if (!updated)
    return Error::Conflict("the result was changed by someone else meanwhile; reload it");
  return OkStatus();
}

// Removes a confirmed result's project-level match and reopens its records (reject, reopen).
Status release_match(Context& c, const store::ResultRow& r) {
  RETURN_IF_ERROR(store::ResultRepository::remove_match(c.conn, *r.match_id));
  return move_records(c.conn, records_of(r), RecordStatus::kMatched, RecordStatus::kOpen);
}

Result<ReviewOutcome> confirm(Context& c, const ReviewAction& a) {
  ASSIGN_OR_RETURN(store::ResultRow r, load_result(c, *a.result_id));
  RETURN_IF_ERROR(check_version(r, a.version));
  if (r.status == ResultStatus::kConfirmed)
    return Error::Conflict("the result is already confirmed");
  if (r.status == ResultStatus::kUnmatched) {
    return Error::Conflict(
        "an unmatched record has nothing to confirm; match it by hand with POST "
        "/jobs/{id}/matches");
  }
  const Uuid match_id = Uuid::generate_v7();
  RETURN_IF_ERROR(write_review(c, r, ResultStatus::kConfirmed, match_id));
  RETURN_IF_ERROR(move_records(c.conn, records_of(r), RecordStatus::kOpen, RecordStatus::kMatched));
  RETURN_IF_ERROR(store::ResultRepository::insert_match(
      c.conn, {match_id, r.project_id, r.job_id, r.id, r.kind, r.left_ids, r.right_ids,
               r.confidence, c.actor.user_id, now_utc()}));
  c.changed_project = r.project_id;
  c.changed_jobs.push_back(r.job_id);
  RETURN_IF_ERROR(
      record_audit(c.conn, c.meta,
                   {c.actor.user_id, r.project_id, "result.confirm", "result", r.id.to_string(),
                    json::object{{"status", to_string(r.status)}, {"version", r.version}},
                    json::object{{"status", "confirmed"},
                                 {"version", r.version + 1},
                                 {"match_id", match_id.to_string()},
                                 {"note", note_json(a.note)}}}));
  return ReviewOutcome{"confirm", r.id, match_id, "confirmed"};
}

// The rest of a reject or a reopen once the result's row holds its new status: a confirmed result's
// match goes and its records reopen, the caches hear of it, and the audit row keeps the match it had.
Result<ReviewOutcome> left_review(Context& c, const store::ResultRow& r, std::string action,
                                  ResultStatus status, const std::optional<std::string>& note) {
  if (r.status == ResultStatus::kConfirmed && r.match_id) RETURN_IF_ERROR(release_match(c, r));
  c.changed_project = r.project_id;
  c.changed_jobs.push_back(r.job_id);
  RETURN_IF_ERROR(record_audit(
      c.conn, c.meta,
      {c.actor.user_id, r.project_id, "result." + action, "result", r.id.to_string(),
       json::object{{"status", to_string(r.status)},
                    {"version", r.version},
                    {"match_id", r.match_id ? json::value(r.match_id->to_string()) : nullptr}},
       json::object{{"status", to_string(status)},
                    {"version", r.version + 1},
                    {"note", note_json(note)}}}));
  return ReviewOutcome{std::move(action), r.id, std::nullopt, std::string(to_string(status))};
}

Result<ReviewOutcome> reject(Context& c, const ReviewAction& a) {
  ASSIGN_OR_RETURN(store::ResultRow r, load_result(c, *a.result_id));
  RETURN_IF_ERROR(check_version(r, a.version));
  if (r.status == ResultStatus::kRejected) return Error::Conflict("the result is already rejected");
  if (r.status == ResultStatus::kUnmatched)
    return Error::Conflict("an unmatched record has no match to reject");
  if (r.match_group == kManualGroup) {
    return Error::Conflict("a manual match is undone with DELETE /matches/{id}, not rejected");
  }
  RETURN_IF_ERROR(write_review(c, r, ResultStatus::kRejected, std::nullopt));
  return left_review(c, r, "reject", ResultStatus::kRejected, a.note);
}

// Takes a confirmed or rejected engine result back to the status the engine gave it (undo of a
// review); a confirmed one's match goes and its records reopen, as rejecting it does.
Result<ReviewOutcome> reopen(Context& c, const ReviewAction& a) {
  ASSIGN_OR_RETURN(store::ResultRow r, load_result(c, *a.result_id));
  RETURN_IF_ERROR(check_version(r, a.version));
  if (r.status != ResultStatus::kConfirmed && r.status != ResultStatus::kRejected) {
    return Error::Conflict("the result is " + std::string(to_string(r.status)) +
                           ", not reviewed: only a confirmed or rejected result can be reopened");
  }
  if (r.match_group == kManualGroup) {
    return Error::Conflict(
        "a manual match (made with POST /jobs/{id}/matches) has no engine status to go back to; "
        "undo it with DELETE /matches/" +
        (r.match_id ? r.match_id->to_string() : std::string("{id}")));
  }
  ASSIGN_OR_RETURN(std::optional<store::ScopedJob> job,
                   store::JobRepository::find_visible(c.conn, r.job_id));
  if (!job) return Error::NotFound("result not found");
  const ResultStatus status = engine_status(r.confidence, r.held, job->job.confidence_threshold);
  ASSIGN_OR_RETURN(bool updated, store::ResultRepository::clear_review(c.conn, r.id, r.version,
                                                                       status, now_utc()));
  if (!updated)
    return Error::Conflict("the result was changed by someone else meanwhile; reload it");
  return left_review(c, r, "reopen", status, a.note);
}

// Sums of a manual match must agree under the job's amount rule (its sign mode and tolerance).
Status check_amounts(const store::Job& job, std::int64_t left_sum, std::int64_t right_sum,
                     const std::string& currency) {
  auto rules = engine::parse_rules(job.rules);
  engine::SignMode sign = engine::SignMode::kSame;
  std::int64_t tolerance = 0;
  if (rules.ok()) {
    for (const auto& rule : rules->fields) {
      if (rule.comparator != engine::Comparator::kAmount) continue;
      sign = rule.sign;
      tolerance = rule.tolerance_minor;
      break;
    }
  }
  __int128 difference = 0;
  switch (sign) {
    case engine::SignMode::kSame:
      difference = static_cast<__int128>(left_sum) - right_sum;
      break;
    case engine::SignMode::kOpposite:
      difference = static_cast<__int128>(left_sum) + right_sum;
      break;
    case engine::SignMode::kAbsolute:
      difference = (left_sum < 0 ? -static_cast<__int128>(left_sum) : left_sum) -
                   (right_sum < 0 ? -static_cast<__int128>(right_sum) : right_sum);
      break;
  }
  const __int128 magnitude = difference < 0 ? -difference : difference;
  if (magnitude <= tolerance) return OkStatus();
  const auto shown = magnitude > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(magnitude);
  return Error(
      ErrorCode::kValidation, "the amounts of the two sides do not agree",
      {FieldError{"amount", "the sides differ by " +
                                format_minor_units(shown, currency_scale(currency)) + " " +
                                currency + " (the job's amount rule tolerates " +
                                format_minor_units(tolerance, currency_scale(currency)) + ")"}});
}

Result<ReviewOutcome> manual_match(Context& c, const Uuid& job_id, const ReviewAction& a) {
  ASSIGN_OR_RETURN(store::Job job, load_accessible_job(c.conn, c.actor, job_id));
  if (job.status != JobStatus::kCompleted)
    return Error::Conflict("the job has not completed; its records cannot be matched yet");
  std::vector<FieldError> errors;
  auto check_side = [&](const std::vector<Uuid>& ids, const char* field) {
    if (ids.empty() || ids.size() > kMaxManualMatchSide) {
      errors.push_back(
          {field, "must list 1 to " + std::to_string(kMaxManualMatchSide) + " record ids"});
    }
  };
  // Two or more records of one side only, whose amounts cancel out (a payment and its return),
  // are an offset.
  const bool offset = (a.left_record_ids.empty() && a.right_record_ids.size() >= 2) ||
                      (a.right_record_ids.empty() && a.left_record_ids.size() >= 2);
  if (offset) {
    const bool left = !a.left_record_ids.empty();
    if ((left ? a.left_record_ids : a.right_record_ids).size() > kMaxManualMatchSide) {
      errors.push_back({left ? "left_record_ids" : "right_record_ids",
                        "an offset (records of one side only) must list 2 to " +
                            std::to_string(kMaxManualMatchSide) + " record ids"});
    }
  } else {
    check_side(a.left_record_ids, "left_record_ids");
    check_side(a.right_record_ids, "right_record_ids");
  }
  if (errors.empty() && a.left_record_ids.size() > 1 && a.right_record_ids.size() > 1) {
    errors.push_back(
        {"right_record_ids", "one side must have exactly one record (1:1, 1:N or N:1)"});
  }
  std::vector<Uuid> all = a.left_record_ids;
  all.insert(all.end(), a.right_record_ids.begin(), a.right_record_ids.end());
  std::set<std::string> seen;
  for (const Uuid& id : all) {
    if (!seen.insert(id.to_string()).second)
      errors.push_back({"left_record_ids", "a record is listed twice"});
  }
  if (!errors.empty())
    return Error(ErrorCode::kValidation, "invalid manual match", std::move(errors));

  ASSIGN_OR_RETURN(std::vector<store::Record> found,
                   store::RecordRepository::find_many(c.conn, all));
  auto find = [&](const Uuid& id) -> const store::Record* {
    for (const auto& r : found) {
      if (r.id == id) return &r;
    }
    return nullptr;
  };
  std::int64_t left_sum = 0, right_sum = 0;
  std::string currency;
  bool conflict = false;
  auto check_records = [&](const std::vector<Uuid>& ids, const Uuid& data_source,
                           const std::string& field, const char* side, std::int64_t& sum) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const std::string name = field + "[" + std::to_string(i) + "]";
      const store::Record* r = find(ids[i]);
      if (r == nullptr || r->project_id != job.project_id || r->data_source_id != data_source) {
        errors.push_back({name, std::string("not a record of the job's ") + side + " data source"});
        continue;
      }
      if (r->status != RecordStatus::kOpen) {
        errors.push_back({name, "the record is already " + std::string(to_string(r->status))});
        conflict = true;
        continue;
      }
      if (currency.empty()) currency = r->currency;
      if (r->currency != currency)
        errors.push_back({name, "all records must be in one currency (" + currency + ")"});
      sum += r->amount_minor;
    }
  };
  check_records(a.left_record_ids, job.left_data_source_id, "left_record_ids", "left", left_sum);
  check_records(a.right_record_ids, job.right_data_source_id, "right_record_ids", "right",
                right_sum);
  if (!errors.empty()) {
    return Error(conflict ? ErrorCode::kConflict : ErrorCode::kValidation, "invalid manual match",
                 std::move(errors));
  }
  if (!offset) {
    RETURN_IF_ERROR(check_amounts(job, left_sum, right_sum, currency));
  } else if (currency.empty()) {
    // Records without amounts (customers, people: store::Record::has_amount) reverse nothing.
    return Error(ErrorCode::kValidation, "records without amounts cannot offset each other",
                 {FieldError{a.left_record_ids.empty() ? "right_record_ids" : "left_record_ids",
                             "the records have no amounts: an offset is a record and its "
                             "reversal"}});
  } else if (left_sum + right_sum != 0) {
    return Error(ErrorCode::kValidation, "the amounts of an offset do not cancel out",
                 {FieldError{a.left_record_ids.empty() ? "right_record_ids" : "left_record_ids",
                             "the records sum to " +
                                 format_minor_units(left_sum + right_sum, currency_scale(currency)) +
                                 " " + currency + ", not 0"}});
  }

  RETURN_IF_ERROR(move_records(c.conn, all, RecordStatus::kOpen, RecordStatus::kMatched));
  // The records' unmatched results are now explained by the manual one.
  ASSIGN_OR_RETURN(std::vector<store::ResultRow> superseded,
                   store::ResultRepository::unmatched_of(c.conn, job.id, all));
  std::vector<Uuid> superseded_ids;
  for (const auto& r : superseded) superseded_ids.push_back(r.id);
  RETURN_IF_ERROR(store::ResultRepository::remove(c.conn, superseded_ids));

  const Timestamp now = now_utc();
  store::ResultRow row;
  row.id = Uuid::generate_v7();
  row.job_id = job.id;
  row.project_id = job.project_id;
  row.match_group = kManualGroup;
  row.kind = offset ? "offset"
             : a.left_record_ids.size() == 1 && a.right_record_ids.size() == 1 ? "one_to_one"
             : a.left_record_ids.size() == 1                                   ? "one_to_many"
                                                                               : "many_to_one";
  row.left_ids = a.left_record_ids;
  row.right_ids = a.right_record_ids;
  row.confidence = 1;
  row.status = ResultStatus::kConfirmed;
  row.explanation = "[]";
  row.left_amount_minor = left_sum;
  row.right_amount_minor = right_sum;
  row.currency = currency;
  row.match_id = Uuid::generate_v7();
  row.created_at = row.updated_at = now;
  {
    ASSIGN_OR_RETURN(store::ResultWriter writer, store::ResultWriter::open(c.conn));
    RETURN_IF_ERROR(writer.add(row));
    RETURN_IF_ERROR(writer.finish());
  }
  RETURN_IF_ERROR(write_review(c, row, ResultStatus::kConfirmed, row.match_id));
  RETURN_IF_ERROR(store::ResultRepository::insert_match(
      c.conn, {*row.match_id, job.project_id, job.id, row.id, row.kind, row.left_ids, row.right_ids,
               1.0, c.actor.user_id, now}));
  json::array left_ids, right_ids;
  for (const Uuid& id : row.left_ids) left_ids.push_back(json::value(id.to_string()));
  for (const Uuid& id : row.right_ids) right_ids.push_back(json::value(id.to_string()));
  c.changed_project = job.project_id;
  c.changed_jobs.push_back(job.id);
  RETURN_IF_ERROR(record_audit(c.conn, c.meta,
                               {c.actor.user_id, job.project_id, "match.create", "match",
                                row.match_id->to_string(), std::nullopt,
                                json::object{{"job_id", job.id.to_string()},
                                             {"result_id", row.id.to_string()},
                                             {"left_record_ids", std::move(left_ids)},
                                             {"right_record_ids", std::move(right_ids)},
                                             {"note", note_json(a.note)}}}));
  return ReviewOutcome{"match", row.id, row.match_id, "confirmed"};
}

Result<ReviewOutcome> unmatch(Context& c, const ReviewAction& a) {
  ASSIGN_OR_RETURN(std::optional<store::ScopedMatch> found,
                   store::ResultRepository::find_match(c.conn, *a.match_id));
  if (!found || (c.job_id && found->match.job_id != c.job_id))
    return Error::NotFound("match not found");
  RETURN_IF_ERROR(security::require_project_access(c.actor, found->project_owner_id, "match"));
  const store::MatchLink& m = found->match;
  std::vector<Uuid> records = m.left_ids;
  records.insert(records.end(), m.right_ids.begin(), m.right_ids.end());
  RETURN_IF_ERROR(store::ResultRepository::remove_match(c.conn, m.id));
  RETURN_IF_ERROR(move_records(c.conn, records, RecordStatus::kMatched, RecordStatus::kOpen));
  ReviewOutcome outcome{"unmatch", m.result_id, m.id, "deleted"};
  if (m.result_id) {
    ASSIGN_OR_RETURN(std::optional<store::ScopedResult> result,
                     store::ResultRepository::find_visible(c.conn, *m.result_id));
    if (result && result->result.match_group == kManualGroup) {
      // A manual result goes; its records are unmatched in the job again.
      const store::ResultRow& r = result->result;
      const Uuid ids[] = {r.id};
      RETURN_IF_ERROR(store::ResultRepository::remove(c.conn, ids));
      ASSIGN_OR_RETURN(std::vector<store::Record> found_records,
                       store::RecordRepository::find_many(c.conn, records));
      ASSIGN_OR_RETURN(store::ResultWriter writer, store::ResultWriter::open(c.conn));
      const Timestamp now = now_utc();
      for (const auto& rec : found_records) {
        const bool left =
            std::find(r.left_ids.begin(), r.left_ids.end(), rec.id) != r.left_ids.end();
        store::ResultRow row;
        row.id = Uuid::generate_v7();
        row.job_id = r.job_id;
        row.project_id = r.project_id;
        row.match_group = kManualGroup;
        row.kind = left ? "unmatched_left" : "unmatched_right";
        (left ? row.left_ids : row.right_ids).push_back(rec.id);
        (left ? row.left_amount_minor : row.right_amount_minor) = rec.amount_minor;
        row.currency = rec.currency;
        row.confidence = 0;
        row.status = ResultStatus::kUnmatched;
        row.anchor_record_id = rec.id;
        row.created_at = row.updated_at = now;
        RETURN_IF_ERROR(writer.add(row));
      }
      RETURN_IF_ERROR(writer.finish());
    } else if (result) {
      outcome.status = "rejected";
      RETURN_IF_ERROR(write_review(c, result->result, ResultStatus::kRejected, std::nullopt));
    }
  }
  c.changed_project = m.project_id;
  if (m.job_id) c.changed_jobs.push_back(*m.job_id);
  RETURN_IF_ERROR(record_audit(
      c.conn, c.meta,
      {c.actor.user_id, m.project_id, "match.delete", "match", m.id.to_string(),
       json::object{{"result_id", m.result_id ? json::value(m.result_id->to_string()) : nullptr},
                    {"kind", m.kind}},
       json::object{{"note", note_json(a.note)}}}));
  return outcome;
}

Result<ReviewOutcome> dispatch(Context& c, const std::optional<Uuid>& job_id,
                               const ReviewAction& a) {
  if (a.action == "confirm" && a.result_id) return confirm(c, a);
  if (a.action == "reject" && a.result_id) return reject(c, a);
  if (a.action == "reopen" && a.result_id) return reopen(c, a);
  if (a.action == "unmatch" && a.match_id) return unmatch(c, a);
  if (a.action == "match" && job_id) return manual_match(c, *job_id, a);
  return Error::Internal("review action without its target");
}

}  // namespace

ResultStatus engine_status(double confidence, std::string_view held, double confidence_threshold) {
  // As the engine decides (engine/reconciler.cpp, group_search.cpp): at least the threshold is
  // matched unless a hold (amount difference, ambiguity, partly paid) made it a suggestion.
  return confidence >= confidence_threshold && held.empty() ? ResultStatus::kMatched
                                                            : ResultStatus::kSuggested;
}

Result<ReviewOutcome> ReviewService::apply(const security::Actor& actor,
                                           const std::optional<Uuid>& job_id,
                                           const ReviewAction& action, const RequestMeta& meta) {
  std::optional<Uuid> changed_project;
  std::vector<Uuid> changed_jobs;
  auto outcome =
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<ReviewOutcome> {
        Context c{conn, actor, meta, std::nullopt, std::nullopt, {}};
        auto done = dispatch(c, job_id, action);
        changed_project = c.changed_project;
        changed_jobs = std::move(c.changed_jobs);
        return done;
      });
  if (outcome.ok() && changed_project) reads_.project_data_changed(*changed_project);
  if (outcome.ok()) {
    for (const Uuid& job : changed_jobs) reads_.job_changed(job);
  }
  return outcome;
}

Result<std::vector<ReviewOutcome>> ReviewService::apply_all(
    const security::Actor& actor, const Uuid& job_id, const std::vector<ReviewAction>& actions,
    const RequestMeta& meta) {
  std::optional<Uuid> changed_project;
  std::vector<Uuid> changed_jobs;
  auto outcomes = store::in_transaction(
      db_, true, [&](store::Connection& conn) -> Result<std::vector<ReviewOutcome>> {
        RETURN_IF_ERROR(load_accessible_job(conn, actor, job_id));
        Context c{conn, actor, meta, job_id, std::nullopt, {}};
        std::vector<ReviewOutcome> outcomes;
        outcomes.reserve(actions.size());
        for (std::size_t i = 0; i < actions.size(); ++i) {
          auto outcome = dispatch(c, job_id, actions[i]);
          if (outcome.ok()) {
            outcomes.push_back(std::move(*outcome));
            continue;
          }
          // Name the failing action; a 404 inside a job the caller may see is an invalid action
          // (422).
          const Error& e = outcome.error();
          const std::string prefix = "actions[" + std::to_string(i) + "]";
          std::vector<FieldError> fields;
          for (const auto& fe : e.field_errors())
            fields.push_back({prefix + "." + fe.field, fe.message});
          if (fields.empty()) {
            const char* target = actions[i].action == "unmatch" ? ".match_id" : ".result_id";
            fields.push_back({prefix + (actions[i].action == "match" ? "" : target), e.message()});
          }
          const ErrorCode code =
              e.code() == ErrorCode::kNotFound ? ErrorCode::kValidation : e.code();
          return Error(code,
                       prefix + " (" + actions[i].action + ") failed: " + e.message() +
                           "; nothing was applied",
                       std::move(fields));
        }
        changed_project = c.changed_project;
        changed_jobs = std::move(c.changed_jobs);
        return outcomes;
      });
  if (outcomes.ok() && changed_project) reads_.project_data_changed(*changed_project);
  if (outcomes.ok()) {
    // One job's summary, however many of its results changed.
    std::sort(changed_jobs.begin(), changed_jobs.end());
    changed_jobs.erase(std::unique(changed_jobs.begin(), changed_jobs.end()), changed_jobs.end());
    for (const Uuid& job : changed_jobs) reads_.job_changed(job);
  }
  return outcomes;
}

}  // namespace oeuvre::services
