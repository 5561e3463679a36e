#include "store/result_repository.h"

#include "core/json_writer.h"
#include "store/record_repository.h"
#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "r.id, r.job_id, r.project_id, r.match_group, r.kind, r.left_record_ids, r.right_record_ids, "
    "r.confidence_score, r.status, r.explanation, r.version, r.reviewed_by, r.reviewed_at, r.created_at, "
    "r.updated_at, r.left_amount_minor, r.right_amount_minor, r.currency, r.anchor_record_id, r.match_id, r.held, "
    "r.alternatives";

const std::string kWriteColumns[] = {
    "id",        "job_id",     "project_id", "match_group",       "kind",
    "left_record_ids", "right_record_ids", "confidence_score", "status", "explanation",
    "version",   "created_at", "updated_at", "left_count",        "right_count",
    "left_amount_minor", "right_amount_minor", "currency", "anchor_record_id", "match_id",
    "held", "alternatives"};

// Moves the row's strings into the result.
ResultRow result_from(Row& r) {
  ResultRow out;
  out.id = uuid_at(r, 0);
  out.job_id = uuid_at(r, 1);
  out.project_id = uuid_at(r, 2);
  out.match_group = r.integer(3);
  out.kind = r.take_text(4);
  out.left_ids = ids_from_json(r.text(5)).value_or(std::vector<Uuid>{});
  out.right_ids = ids_from_json(r.text(6)).value_or(std::vector<Uuid>{});
  out.confidence = r.real(7);
  out.status = parse_result_status(r.text(8)).value_or(ResultStatus::kUnmatched);
  out.explanation = r.take_text(9);
  out.version = r.integer(10);
  out.reviewed_by = optional_uuid_at(r, 11);
  out.reviewed_at = optional_timestamp_at(r, 12);
  out.created_at = timestamp_at(r, 13);
  out.updated_at = timestamp_at(r, 14);
  out.left_amount_minor = r.integer(15);
  out.right_amount_minor = r.integer(16);
  out.currency = r.take_text(17);
  out.anchor_record_id = optional_uuid_at(r, 18);
  out.match_id = optional_uuid_at(r, 19);
  if (!r.is_null(20)) out.held = r.take_text(20);
  out.alternatives = r.take_text(21);
  return out;
}

// `out` replaced by the ids as a JSON array of strings (its buffer reused).
void write_ids_json(std::string& out, std::span<const Uuid> ids) {
  out.clear();
  JsonWriter w(out);
  w.begin_array();
  for (const Uuid& id : ids) w.uuid(id);
  w.end_array();
}

}  // namespace

std::string ids_to_json(std::span<const Uuid> ids) {
  std::string out;
  write_ids_json(out, ids);
  return out;
}

std::optional<std::vector<Uuid>> ids_from_json(std::string_view text) {
  // Exactly the form ids_to_json writes (PostgreSQL's jsonb text adds a space after commas).
  std::vector<Uuid> ids;
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    while (!text.empty() && (text.front() == ' ' || text.front() == ',')) text.remove_prefix(1);
    if (text.empty()) break;
    if (text.size() < 38 || text.front() != '"' || text[37] != '"') return std::nullopt;
    auto id = Uuid::parse(text.substr(1, 36));
    if (!id) return std::nullopt;
    ids.push_back(*id);
    text.remove_prefix(38);
  }
  return ids;
}

Result<ResultWriter> ResultWriter::open(Connection& conn) {
  ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> writer, conn.bulk_writer("reconciliation_results", kWriteColumns));
  return ResultWriter(std::move(writer));
}

Status ResultWriter::add(const ResultRow& r) {
  // In place, in kWriteColumns order: a job writes a million rows through one writer.
  row_.resize(std::size(kWriteColumns));
  set_uuid(row_[0], r.id);
  set_uuid(row_[1], r.job_id);
  set_uuid(row_[2], r.project_id);
  row_[3] = r.match_group;
  text_cell(row_[4]).assign(r.kind);
  write_ids_json(text_cell(row_[5]), r.left_ids);
  write_ids_json(text_cell(row_[6]), r.right_ids);
  row_[7] = r.confidence;
  text_cell(row_[8]).assign(to_string(r.status));
  text_cell(row_[9]).assign(r.explanation);
  row_[10] = r.version;
  // Timestamps are formatted again only when they change (a job writes all its rows with one).
  if (!formatted_created_ || *formatted_created_ != r.created_at) {
    row_[11] = param(r.created_at);
    formatted_created_ = r.created_at;
  }
  if (!formatted_updated_ || *formatted_updated_ != r.updated_at) {
    row_[12] = param(r.updated_at);
    formatted_updated_ = r.updated_at;
  }
  row_[13] = static_cast<std::int64_t>(r.left_ids.size());
  row_[14] = static_cast<std::int64_t>(r.right_ids.size());
  row_[15] = r.left_amount_minor;
  row_[16] = r.right_amount_minor;
  text_cell(row_[17]).assign(r.currency);
  set_optional_uuid(row_[18], r.anchor_record_id);
  set_optional_uuid(row_[19], r.match_id);
  if (r.held.empty()) {
    row_[20] = Value{};
  } else {
    text_cell(row_[20]).assign(r.held);
  }
  text_cell(row_[21]).assign(r.alternatives);
  return writer_->add(row_);
}

Result<std::vector<ResultRow>> ResultRepository::list(Connection& conn, const Uuid& job_id,
                                                      const ResultFilter& filter,
                                                      const std::optional<ResultCursor>& after, int limit) {
  std::vector<Value> params{param(job_id)};
  std::string where = " WHERE r.job_id = $1";
  auto next = [&](Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (filter.status) where += " AND r.status = " + next(param(*filter.status));
  if (filter.kind) where += " AND r.kind = " + next(*filter.kind);
  if (filter.min_confidence) where += " AND r.confidence_score >= " + next(*filter.min_confidence);
  if (filter.max_confidence) where += " AND r.confidence_score <= " + next(*filter.max_confidence);
  if (after) {
    const std::string c = next(after->confidence);
    const std::string id = next(param(after->id));
    // Written so both planners see a range on the index: (confidence <= c) narrowed by the tie-break.
    where += " AND r.confidence_score <= " + c + " AND (r.confidence_score < " + c + " OR r.id > " + id + ")";
  }
  const std::string limit_param = next(static_cast<std::int64_t>(limit));
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(kColumns) + " FROM reconciliation_results r" +
                                                where + " ORDER BY r.confidence_score DESC, r.id LIMIT " + limit_param,
                                            params));
  std::vector<ResultRow> out;
  out.reserve(rs.rows.size());
  for (auto& row : rs.rows) out.push_back(result_from(row));
  return out;
}

Result<std::optional<ScopedResult>> ResultRepository::find_visible(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(kColumns) +
                                                ", p.owner_id FROM reconciliation_results r JOIN projects p ON "
                                                "p.id = r.project_id WHERE r.id = $1 AND p.is_active",
                                            params));
  if (rs.rows.empty()) return std::optional<ScopedResult>{};
  Row& row = rs.rows.front();
  const Uuid owner = uuid_at(row, row.size() - 1);
  return std::optional<ScopedResult>(ScopedResult{result_from(row), owner});
}

Result<bool> ResultRepository::update_review(Connection& conn, const Uuid& id, std::int64_t expected_version,
                                             ResultStatus status, const std::optional<Uuid>& reviewed_by,
                                             const std::optional<Uuid>& match_id, Timestamp now) {
  const Value params[] = {param(status), param(reviewed_by), param(now), param(match_id), param(id), expected_version};
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("UPDATE reconciliation_results SET status = $1, version = version + 1, "
                                            "reviewed_by = $2, reviewed_at = $3, updated_at = $3, match_id = $4 "
                                            "WHERE id = $5 AND version = $6",
                                            params));
  return rs.affected_rows == 1;
}

Result<bool> ResultRepository::clear_review(Connection& conn, const Uuid& id,
                                            std::int64_t expected_version, ResultStatus status,
                                            Timestamp now) {
  const Value params[] = {param(status), param(now), param(id), expected_version};
  ASSIGN_OR_RETURN(
      ResultSet rs,
      conn.query("UPDATE reconciliation_results SET status = $1, version = version + 1, "
                 "reviewed_by = NULL, reviewed_at = NULL, updated_at = $2, "
                 "match_id = NULL WHERE id = $3 AND version = $4",
                 params));
  return rs.affected_rows == 1;
}

Result<std::vector<ResultTotals>> ResultRepository::totals(Connection& conn, const Uuid& job_id) {
  const Value params[] = {param(job_id)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT r.status, r.kind, r.currency, count(*), sum(r.left_amount_minor), "
                              "sum(r.right_amount_minor), sum(r.left_count), sum(r.right_count) "
                              "FROM reconciliation_results r WHERE r.job_id = $1 "
                              "GROUP BY r.status, r.kind, r.currency ORDER BY r.currency, r.status, r.kind",
                              params));
  std::vector<ResultTotals> out;
  for (const auto& row : rs.rows) {
    out.push_back({parse_result_status(row.text(0)).value_or(ResultStatus::kUnmatched), row.text(1), row.text(2), row.integer(3), row.integer(4), row.integer(5),
                   row.integer(6), row.integer(7)});
  }
  return out;
}

Result<std::array<std::int64_t, 10>> ResultRepository::confidence_bands(Connection& conn,
                                                                      const Uuid& job_id) {
  // A ladder of comparisons rather than a cast: PostgreSQL rounds when it casts to integer, SQLite
  // truncates.
  const Value params[] = {param(job_id)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT CASE WHEN r.confidence_score >= 0.9 THEN 9 WHEN r.confidence_score >= 0.8 THEN 8 "
                              "WHEN r.confidence_score >= 0.7 THEN 7 WHEN r.confidence_score >= 0.6 THEN 6 "
                              "WHEN r.confidence_score >= 0.5 THEN 5 WHEN r.confidence_score >= 0.4 THEN 4 "
                              "WHEN r.confidence_score >= 0.3 THEN 3 WHEN r.confidence_score >= 0.2 THEN 2 "
                              "WHEN r.confidence_score >= 0.1 THEN 1 ELSE 0 END, count(*) "
                              "FROM reconciliation_results r WHERE r.job_id = $1 "
                              "AND r.kind NOT IN ('unmatched_left', 'unmatched_right') GROUP BY 1",
                              params));
  std::array<std::int64_t, 10> bands{};
  for (const auto& row : rs.rows) {
    const std::int64_t band = row.integer(0);
    if (band >= 0 && band < 10) bands[static_cast<std::size_t>(band)] += row.integer(1);
  }
  return bands;
}

Result<std::vector<ResultRow>> ResultRepository::unmatched_of(Connection& conn, const Uuid& job_id,
                                                              std::span<const Uuid> record_ids) {
  std::vector<ResultRow> out;
  if (record_ids.empty()) return out;
  std::vector<Value> params{param(job_id)};
  const std::string in = id_in(conn, "r.anchor_record_id", record_ids, params);
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(kColumns) +
                                                " FROM reconciliation_results r WHERE r.job_id = $1 AND " + in,
                                            params));
  for (auto& row : rs.rows) out.push_back(result_from(row));
  return out;
}

Status ResultRepository::remove(Connection& conn, std::span<const Uuid> result_ids) {
  if (result_ids.empty()) return OkStatus();
  std::vector<Value> params;
  const std::string in = id_in(conn, "id", result_ids, params);  // fills params: before the call
  auto rs = conn.query("DELETE FROM reconciliation_results WHERE " + in, params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

Status ResultRepository::insert_match(Connection& conn, const MatchLink& m) {
  return insert_matches(conn, std::span<const MatchLink>(&m, 1));
}

Status ResultRepository::insert_matches(Connection& conn, std::span<const MatchLink> matches) {
  if (matches.empty()) return OkStatus();
  static const std::string kMatchColumns[] = {"id",           "project_id",       "job_id",
                                              "result_id",    "kind",             "left_record_ids",
                                              "right_record_ids", "confidence_score", "created_by",
                                              "created_at"};
  ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> writer, conn.bulk_writer("reconciliation_matches", kMatchColumns));
  std::vector<Value> row(std::size(kMatchColumns));
  for (const MatchLink& m : matches) {
    set_uuid(row[0], m.id);
    set_uuid(row[1], m.project_id);
    set_optional_uuid(row[2], m.job_id);
    set_optional_uuid(row[3], m.result_id);
    text_cell(row[4]).assign(m.kind);
    write_ids_json(text_cell(row[5]), m.left_ids);
    write_ids_json(text_cell(row[6]), m.right_ids);
    row[7] = m.confidence;
    set_optional_uuid(row[8], m.created_by);
    row[9] = param(m.created_at);
    RETURN_IF_ERROR(writer->add(row));
  }
  return writer->finish();
}

Result<std::optional<ScopedMatch>> ResultRepository::find_match(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.query("SELECT m.id, m.project_id, m.job_id, m.result_id, m.kind, m.left_record_ids, "
                              "m.right_record_ids, m.confidence_score, m.created_by, m.created_at, p.owner_id "
                              "FROM reconciliation_matches m JOIN projects p ON p.id = m.project_id "
                              "WHERE m.id = $1 AND p.is_active",
                              params));
  if (rs.rows.empty()) return std::optional<ScopedMatch>{};
  const Row& r = rs.rows.front();
  MatchLink m;
  m.id = uuid_at(r, 0);
  m.project_id = uuid_at(r, 1);
  m.job_id = optional_uuid_at(r, 2);
  m.result_id = optional_uuid_at(r, 3);
  m.kind = r.text(4);
  m.left_ids = ids_from_json(r.text(5)).value_or(std::vector<Uuid>{});
  m.right_ids = ids_from_json(r.text(6)).value_or(std::vector<Uuid>{});
  m.confidence = r.real(7);
  m.created_by = optional_uuid_at(r, 8);
  m.created_at = timestamp_at(r, 9);
  return std::optional<ScopedMatch>(ScopedMatch{std::move(m), uuid_at(r, 10)});
}

Result<std::vector<Uuid>> ResultRepository::matches_holding(Connection& conn,
                                                            const Uuid& project_id,
                                                            const Uuid& record_id,
                                                            std::int64_t limit) {
  // The sides are JSON arrays of ids (json on PostgreSQL, text on SQLite), read as their text: an
  // id (hex digits and dashes) has nothing LIKE reads as a wildcard, and a quoted UUID found in the
  // text is that record.
  const Value params[] = {param(project_id), "%\"" + record_id.to_string() + "\"%", limit};
  ASSIGN_OR_RETURN(
      ResultSet rs,
      conn.query(
          "SELECT id FROM reconciliation_matches WHERE project_id = $1 AND "
          "(CAST(left_record_ids AS text) LIKE $2 OR CAST(right_record_ids AS text) LIKE $2) "
          "ORDER BY created_at, id LIMIT $3",
          params));
  std::vector<Uuid> ids;
  ids.reserve(rs.rows.size());
  for (const Row& row : rs.rows) ids.push_back(uuid_at(row, 0));
  return ids;
}

Status ResultRepository::remove_match(Connection& conn, const Uuid& id) {
  const Value params[] = {param(id)};
  auto rs = conn.query("DELETE FROM reconciliation_matches WHERE id = $1", params);
  if (!rs.ok()) return std::move(rs).error();
  return OkStatus();
}

}  // namespace oeuvre::store
