#include "store/record_repository.h"

#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "r.id, r.project_id, r.data_source_id, r.file_id, r.row_number, r.external_id, r.transaction_date, "
    "r.amount_minor, r.currency, r.description, r.reference, r.counterparty, r.extra, r.status, r.created_at";

// Moves the row's strings into the record.
Record record_from(Row& r) {
  Record out;
  out.id = uuid_at(r, 0);
  out.project_id = uuid_at(r, 1);
  out.data_source_id = uuid_at(r, 2);
  out.file_id = optional_uuid_at(r, 3);
  out.row_number = r.integer(4);
  out.external_id = r.take_text(5);
  out.transaction_date = r.take_optional_text(6);
  out.amount_minor = r.integer(7);
  out.currency = r.take_text(8);
  out.description = r.take_text(9);
  out.reference = r.take_text(10);
  out.counterparty = r.take_text(11);
  out.extra = r.take_text(12);
  out.status = parse_record_status(r.text(13)).value_or(RecordStatus::kOpen);
  out.created_at = timestamp_at(r, 14);
  return out;
}

const std::string kInsertColumns[] = {
    "id",           "project_id", "data_source_id", "file_id",   "row_number",   "external_id", "transaction_date",
    "amount_minor", "currency",   "description",    "reference", "counterparty", "extra",       "status",
    "created_at"};

}  // namespace

Result<RecordWriter> RecordWriter::open(Connection& conn, const Uuid& project_id, const Uuid& data_source_id,
                                        const Uuid& file_id, Timestamp created_at) {
  ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> writer, conn.bulk_writer("records", kInsertColumns));
  std::vector<Value> row(std::size(kInsertColumns));
  row[1] = param(project_id);
  row[2] = param(data_source_id);
  row[3] = param(file_id);
  row[13] = param(RecordStatus::kOpen);
  row[14] = param(created_at);
  return RecordWriter(std::move(writer), std::move(row));
}

Status RecordWriter::add(const Uuid& id, std::int64_t row_number, const std::string& external_id,
                         std::optional<std::chrono::sys_days> transaction_date, std::int64_t amount_minor,
                         const std::string& currency, const std::string& description, const std::string& reference,
                         const std::string& counterparty, const std::string& extra) {
  set_uuid(row_[0], id);
  row_[4] = row_number;
  row_[5] = external_id.empty() ? Value(std::monostate{}) : Value(external_id);
  row_[6] = transaction_date ? Value(*transaction_date) : Value(std::monostate{});
  row_[7] = amount_minor;
  row_[8] = currency;
  row_[9] = description;
  row_[10] = reference;
  row_[11] = counterparty;
  row_[12] = extra;
  return writer_->add(row_);
}

Result<PageResult<Record>> RecordRepository::list_for_project(Connection& conn, const Uuid& project_id,
                                                              const RecordFilter& filter, const PageRequest& page) {
  std::vector<Value> params{param(project_id)};
  std::string where = " WHERE r.project_id = $1";
  auto add = [&](std::string_view condition, Value value) {
    params.push_back(std::move(value));
    where += " AND " + std::string(condition) + " $" + std::to_string(params.size());
  };
  if (filter.data_source_id) add("r.data_source_id =", param(*filter.data_source_id));
  if (filter.file_id) add("r.file_id =", param(*filter.file_id));
  if (filter.date_from) add("r.transaction_date >=", *filter.date_from);
  if (filter.date_to) add("r.transaction_date <=", *filter.date_to);
  if (filter.status) add("r.status =", param(*filter.status));
  if (filter.currency) add("r.currency =", *filter.currency);
  if (filter.amount_min_minor) add("r.amount_minor >=", *filter.amount_min_minor);
  if (filter.amount_max_minor) add("r.amount_minor <=", *filter.amount_max_minor);
  // With a status filter and no date range, (project_id, status) is the selective index; otherwise
  // (project_id, transaction_date) serves both the range and the order.
  return fetch_page<Record>(conn, kColumns, "records r", where, "r.transaction_date, r.row_number, r.id",
                            std::move(params), page, record_from);
}

std::string id_in(const Connection& conn, std::string_view column, std::span<const Uuid> ids,
                  std::vector<Value>& params) {
  std::string sql(column);
  if (conn.dialect() == Dialect::kPostgres) {
    std::string array = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) array += ',';
      array += ids[i].to_string();
    }
    array += '}';
    params.push_back(std::move(array));
    return sql + " = ANY($" + std::to_string(params.size()) + "::uuid[])";
  }
  sql += " IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    params.push_back(param(ids[i]));
    sql += (i > 0 ? ", $" : "$") + std::to_string(params.size());
  }
  return sql + ")";
}

Result<std::vector<Record>> RecordRepository::find_many(Connection& conn, std::span<const Uuid> ids) {
  std::vector<Record> out;
  if (ids.empty()) return out;
  if (ids.size() > kMaxIdsPerQuery) return Error::Internal("find_many: too many ids");
  std::vector<Value> params;
  const std::string in = id_in(conn, "r.id", ids, params);
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("SELECT " + std::string(kColumns) + " FROM records r WHERE " + in, params));
  out.reserve(rs.rows.size());
  for (auto& row : rs.rows) out.push_back(record_from(row));
  return out;
}

Result<std::int64_t> RecordRepository::change_status(Connection& conn, std::span<const Uuid> ids,
                                                     RecordStatus from, RecordStatus to) {
  if (ids.empty()) return std::int64_t{0};
  if (ids.size() > kMaxIdsPerQuery) return Error::Internal("change_status: too many ids");
  std::vector<Value> params{param(to), param(from)};
  const std::string in = id_in(conn, "id", ids, params);
  ASSIGN_OR_RETURN(ResultSet rs, conn.query("UPDATE records SET status = $1 WHERE status = $2 AND " + in, params));
  return rs.affected_rows;
}

Status RecordRepository::for_each_open(Connection& conn, const Uuid& data_source_id,
                                       const std::function<Status(const Row&)>& visit) {
  const Value params[] = {param(data_source_id)};
  return conn.query_each(
      "SELECT id, external_id, transaction_date, amount_minor, currency, reference, description, counterparty, extra "
      "FROM records WHERE data_source_id = $1 AND status = 'open'",
      params, visit);
}

}  // namespace oeuvre::store
