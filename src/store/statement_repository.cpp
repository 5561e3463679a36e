#include "store/statement_repository.h"

#include "core/time.h"
#include "store/row_mapping.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kColumns =
    "id, file_id, project_id, data_source_id, position, format, account, currency, statement_id, "
    "sequence, "
    "message_id, period_start, period_end, opening_minor, opening_date, closing_minor, "
    "closing_date, balances, "
    "transactions, problems, transactions_sum_minor, balance_difference_minor, warning, identity, "
    "fingerprint, "
    "created_at";

Value day_param(const std::optional<std::chrono::sys_days>& day) {
  return day ? Value(*day) : Value(std::monostate{});
}
Value integer_param(const std::optional<std::int64_t>& n) {
  return n ? Value(*n) : Value(std::monostate{});
}

std::optional<std::chrono::sys_days> day_at(const Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  const auto parsed = parse_date(row.text(i).substr(0, 10));
  if (!parsed) return std::nullopt;
  return *parsed;
}
std::optional<std::int64_t> integer_at(const Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return row.integer(i);
}

StoredStatement statement_from(Row& r) {
  StoredStatement s;
  s.id = uuid_at(r, 0);
  s.file_id = uuid_at(r, 1);
  s.project_id = uuid_at(r, 2);
  s.data_source_id = uuid_at(r, 3);
  s.position = r.integer(4);
  s.format = r.take_text(5);
  s.account = r.take_text(6);
  s.currency = r.take_text(7);
  s.statement_id = r.take_text(8);
  s.sequence = r.take_text(9);
  s.message_id = r.take_text(10);
  s.period_start = day_at(r, 11);
  s.period_end = day_at(r, 12);
  s.opening_minor = integer_at(r, 13);
  s.opening_date = day_at(r, 14);
  s.closing_minor = integer_at(r, 15);
  s.closing_date = day_at(r, 16);
  s.balances_json = r.take_text(17);
  s.transactions = r.integer(18);
  s.problems = r.integer(19);
  s.transactions_sum_minor = r.integer(20);
  s.balance_difference_minor = integer_at(r, 21);
  s.warning = r.take_optional_text(22);
  s.identity = r.take_text(23);
  s.fingerprint = r.take_text(24);
  s.created_at = timestamp_at(r, 25);
  return s;
}

}  // namespace

Status StatementRepository::insert(Connection& conn,
                                   const std::vector<StoredStatement>& statements) {
  for (const StoredStatement& s : statements) {
    const Value params[] = {param(s.id),
                            param(s.file_id),
                            param(s.project_id),
                            param(s.data_source_id),
                            s.position,
                            s.format,
                            s.account,
                            s.currency,
                            s.statement_id,
                            s.sequence,
                            s.message_id,
                            day_param(s.period_start),
                            day_param(s.period_end),
                            integer_param(s.opening_minor),
                            day_param(s.opening_date),
                            integer_param(s.closing_minor),
                            day_param(s.closing_date),
                            s.balances_json,
                            s.transactions,
                            s.problems,
                            s.transactions_sum_minor,
                            integer_param(s.balance_difference_minor),
                            param(s.warning),
                            s.identity,
                            s.fingerprint,
                            param(s.created_at)};
    ASSIGN_OR_RETURN(
        ResultSet inserted,
        conn.query(
            "INSERT INTO statements (" + std::string(kColumns) +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                "$16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
            params));
    (void)inserted;
  }
  return OkStatus();
}

Result<PageResult<StoredStatement>> StatementRepository::list_for_file(Connection& conn,
                                                                       const Uuid& file_id,
                                                                       const PageRequest& page) {
  return fetch_page<StoredStatement>(conn, kColumns, "statements", " WHERE file_id = $1",
                                     "position", {param(file_id)}, page, statement_from);
}

Status StatementRepository::lock_data_source(Connection& conn, const Uuid& data_source_id) {
  if (conn.dialect() != Dialect::kPostgres) return OkStatus();
  const Value params[] = {param(data_source_id)};
  RETURN_IF_ERROR(conn.query("SELECT id FROM data_sources WHERE id = $1 FOR UPDATE", params));
  return OkStatus();
}

Result<std::optional<RepeatedStatement>> StatementRepository::find_repeat(
    Connection& conn, const Uuid& data_source_id, const std::string& identity,
    const std::string& fingerprint) {
  const Value params[] = {param(data_source_id), identity, fingerprint};
  ASSIGN_OR_RETURN(
      ResultSet set,
      conn.query("SELECT file_id, statement_id, account FROM statements WHERE data_source_id = $1 "
                 "AND ((identity = $2 AND identity <> '') OR fingerprint = $3) LIMIT 1",
                 params));
  if (set.rows.empty()) return std::optional<RepeatedStatement>{};
  Row& r = set.rows.front();
  return std::optional<RepeatedStatement>{
      RepeatedStatement{uuid_at(r, 0), r.take_text(1), r.take_text(2)}};
}

}  // namespace oeuvre::store
