#pragma once
// SQL for bank statements (migration 0011): written with their file at upload, listed per file,
// and looked up by identity and fingerprint to refuse a statement uploaded twice. Runs on the
// caller's connection. Thread-safety: stateless.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct StoredStatement {
  Uuid id;
  Uuid file_id;
  Uuid project_id;
  Uuid data_source_id;
  std::int64_t position = 0;  // 0-based order in the file
  std::string format;         // "camt.053", "mt940", ...
  std::string account;
  std::string currency;
  std::string statement_id;
  std::string sequence;
  std::string message_id;
  std::optional<std::chrono::sys_days> period_start, period_end;
  std::optional<std::int64_t> opening_minor;
  std::optional<std::chrono::sys_days> opening_date;
  std::optional<std::int64_t> closing_minor;
  std::optional<std::chrono::sys_days> closing_date;
  std::string balances_json;  // JSON array
  std::int64_t transactions = 0;
  std::int64_t problems = 0;
  std::int64_t transactions_sum_minor = 0;
  std::optional<std::int64_t> balance_difference_minor;
  std::optional<std::string> warning;
  std::string identity;
  std::string fingerprint;
  Timestamp created_at;
};

// A statement already stored that an upload repeats.
struct RepeatedStatement {
  Uuid file_id;
  std::string statement_id;
  std::string account;
};

class StatementRepository {
 public:
  static Status insert(Connection& conn, const std::vector<StoredStatement>& statements);
  // The file's statements in file order.
  static Result<PageResult<StoredStatement>> list_for_file(Connection& conn, const Uuid& file_id,
                                                           const PageRequest& page);
  // Inside a write transaction, before find_repeat and insert: makes concurrent uploads to the
  // data source take their turn until this transaction ends, so two uploads of one statement
  // cannot both find it new (PostgreSQL: the data source's row locked FOR UPDATE; SQLite's write
  // transaction already admits one writer).
  static Status lock_data_source(Connection& conn, const Uuid& data_source_id);
  // A statement of the data source with this identity (when not "") or this fingerprint.
  static Result<std::optional<RepeatedStatement>> find_repeat(Connection& conn,
                                                              const Uuid& data_source_id,
                                                              const std::string& identity,
                                                              const std::string& fingerprint);
};

}  // namespace oeuvre::store
