#include "services/job_result_writer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <span>

#include "core/time.h"
#include "services/explanation_format.h"
#include "store/record_repository.h"
#include "store/result_repository.h"

namespace oeuvre::services {

namespace {

namespace json = boost::json;

constexpr std::size_t kCheckEvery = 8192;  // rows between cancellation checks

std::string_view kind_name(engine::GroupKind kind) {
  switch (kind) {
    case engine::GroupKind::kOneToOne:
      return "one_to_one";
    case engine::GroupKind::kOneToMany:
      return "one_to_many";
    case engine::GroupKind::kManyToOne:
      return "many_to_one";
    case engine::GroupKind::kOffset:
      return "offset";
  }
  return "one_to_one";
}

// The group's competing explanations as stored (ResultRow::alternatives).
std::string alternatives_of(const engine::ReconcileResult& result, const engine::MatchGroup& g,
                            const JobSides& sides) {
  if (g.alternative_count == 0) return "[]";
  std::vector<StoredAlternative> stored;
  for (const engine::Alternative& a : result.alternatives_of(g)) {
    StoredAlternative s;
    for (std::uint32_t i : result.left_of(a)) s.left_ids.push_back(sides.left.ids[i]);
    for (std::uint32_t i : result.right_of(a)) s.right_ids.push_back(sides.right.ids[i]);
    s.confidence = std::clamp(a.confidence, 0.0, 1.0);
    stored.push_back(std::move(s));
  }
  return write_alternatives(stored);
}

}  // namespace

Result<std::int64_t> write_job_results(store::Connection& conn, const store::Job& job,
                                       const engine::ReconcileResult& result, const JobSides& sides,
                                       Claim& claim, double progress_start) {
  const Timestamp now = now_utc();
  const std::size_t rows_total =
      result.groups.size() + result.unmatched_left.size() + result.unmatched_right.size();
  const auto total = static_cast<std::int64_t>(sides.left.ids.size() + sides.right.ids.size());
  ASSIGN_OR_RETURN(store::ResultWriter writer, store::ResultWriter::open(conn));
  std::vector<store::MatchLink> links;
  std::vector<Uuid> matched_records;
  store::ResultRow row;
  row.job_id = job.id;
  row.project_id = job.project_id;
  row.created_at = row.updated_at = now;
  std::int64_t group_number = 0;
  std::size_t written_rows = 0;
  // Rows go out in the order of the results indexes — (confidence DESC, id), ids increasing — so
  // the (job_id, confidence, id), (job_id, status, confidence, id) and primary key indexes are
  // appended to instead of updated at random pages: several times faster for a million rows.
  std::vector<std::uint32_t> order(result.groups.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return result.groups[a].confidence > result.groups[b].confidence;
  });
  Uuid last_id;
  auto next_id = [&] { return last_id = Uuid::generate_v7_after(last_id); };
  auto progress = [&]() -> Status {
    if (++written_rows % kCheckEvery != 0) return OkStatus();
    if (claim.aborted()) return Error::Unavailable("the job was stopped");
    claim.report({"writing",
                  progress_start + (1 - progress_start) * static_cast<double>(written_rows) /
                                       static_cast<double>(rows_total),
                  total, total});
    return OkStatus();
  };
  for (const std::uint32_t at : order) {
    const engine::MatchGroup& g = result.groups[at];
    row.id = next_id();
    row.match_group = ++group_number;
    row.kind = std::string(kind_name(g.kind));
    row.left_ids.clear();
    row.right_ids.clear();
    row.left_amount_minor = row.right_amount_minor = 0;
    for (std::uint32_t i : result.left_of(g)) {
      row.left_ids.push_back(sides.left.ids[i]);
      row.left_amount_minor += sides.left.table.amounts[i];
    }
    for (std::uint32_t i : result.right_of(g)) {
      row.right_ids.push_back(sides.right.ids[i]);
      row.right_amount_minor += sides.right.table.amounts[i];
    }
    // An offset has records on one side only.
    row.currency = g.left_count > 0
                       ? std::string(sides.left.table.currencies[result.left_of(g).front()])
                       : std::string(sides.right.table.currencies[result.right_of(g).front()]);
    row.confidence = std::clamp(g.confidence, 0.0, 1.0);
    row.explanation = write_compact_explanation(result.scores_of(g));
    row.held = std::string(engine::hold_reason_name(g.held));
    row.alternatives = alternatives_of(result, g, sides);
    row.anchor_record_id.reset();
    row.match_id.reset();
    row.status = g.status == engine::MatchStatus::kMatched ? ResultStatus::kMatched : ResultStatus::kSuggested;
    if (job.auto_confirm && g.status == engine::MatchStatus::kMatched) {
      row.status = ResultStatus::kConfirmed;
      row.match_id = Uuid::generate_v7();
      links.push_back({*row.match_id, job.project_id, job.id, row.id, row.kind, row.left_ids,
                       row.right_ids, row.confidence, std::nullopt, now});
      matched_records.insert(matched_records.end(), row.left_ids.begin(), row.left_ids.end());
      matched_records.insert(matched_records.end(), row.right_ids.begin(), row.right_ids.end());
    }
    RETURN_IF_ERROR(writer.add(row));
    RETURN_IF_ERROR(progress());
  }
  auto unmatched = [&](const std::vector<std::uint32_t>& indexes, const JobSide& side,
                       bool is_left) -> Status {
    for (std::uint32_t i : indexes) {
      row.id = next_id();
      row.match_group = ++group_number;
      row.kind = is_left ? "unmatched_left" : "unmatched_right";
      row.left_ids.clear();
      row.right_ids.clear();
      (is_left ? row.left_ids : row.right_ids).push_back(side.ids[i]);
      row.left_amount_minor = is_left ? side.table.amounts[i] : 0;
      row.right_amount_minor = is_left ? 0 : side.table.amounts[i];
      row.currency = std::string(side.table.currencies[i]);
      row.confidence = 0;
      row.explanation = "[]";
      row.held.clear();
      row.alternatives = "[]";
      row.status = ResultStatus::kUnmatched;
      row.anchor_record_id = side.ids[i];
      row.match_id.reset();
      RETURN_IF_ERROR(writer.add(row));
      RETURN_IF_ERROR(progress());
    }
    return OkStatus();
  };
  RETURN_IF_ERROR(unmatched(result.unmatched_left, sides.left, true));
  RETURN_IF_ERROR(unmatched(result.unmatched_right, sides.right, false));
  RETURN_IF_ERROR(writer.finish());
  // In bulk, a batch at a time with a cancellation check between batches: one INSERT per match
  // made a cancel during this step wait for all of them.
  for (std::size_t at = 0; at < links.size(); at += kCheckEvery) {
    const std::size_t n = std::min(kCheckEvery, links.size() - at);
    RETURN_IF_ERROR(store::ResultRepository::insert_matches(
        conn, std::span<const store::MatchLink>(links).subspan(at, n)));
    if (claim.aborted()) return Error::Unavailable("the job was stopped");
  }
  for (std::size_t at = 0; at < matched_records.size();
       at += store::RecordRepository::kMaxIdsPerQuery) {
    const std::size_t n =
        std::min(store::RecordRepository::kMaxIdsPerQuery, matched_records.size() - at);
    ASSIGN_OR_RETURN(
        std::int64_t moved,
        store::RecordRepository::change_status(
            conn, std::span<const Uuid>(matched_records).subspan(at, n), RecordStatus::kOpen, RecordStatus::kMatched));
    if (moved != static_cast<std::int64_t>(n)) {
      return Error::Conflict(
          "records of this job were matched meanwhile by another job or a reviewer");
    }
    if (claim.aborted()) return Error::Unavailable("the job was stopped");
  }
  return static_cast<std::int64_t>(links.size());
}

std::string applied_rules_json(const engine::ReconcileResult& result, int amount_scale) {
  json::array rules;
  for (const auto& applied : result.rules) {
    const engine::FieldRule& r = applied.rule;
    rules.push_back(json::object{{"name", r.name},
                                 {"comparison", engine::describe(r, amount_scale)},
                                 {"weight", r.weight},
                                 {"left_field", r.left_field},
                                 {"right_field", r.right_field}});
  }
  return json::serialize(rules);
}

std::optional<std::string> rules_with_model(const engine::RuleSet& rules,
                                            const engine::ReconcileResult& result) {
  // Learned by this run: asked to (learn, auto) or because a stored model no longer fitted.
  const bool learned = rules.weights == engine::WeightMode::kLearn ||
                       rules.weights == engine::WeightMode::kAuto ||
                       (rules.learn_when_unfit && result.model != rules.model);
  if (!learned || !result.model) return std::nullopt;
  engine::RuleSet used = rules;
  used.weights = engine::WeightMode::kModel;
  used.model = result.model;
  used.learn_when_unfit = true;  // a rerun on data with a column more learns again
  return engine::rules_to_json(used);
}

}  // namespace oeuvre::services
