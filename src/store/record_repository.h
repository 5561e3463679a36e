#pragma once
// SQL for records: bulk appends from parsing (RecordWriter), and the filtered, paged project listing (served by the
// (project_id, transaction_date) and (project_id, status) indexes). Runs on the caller's connection.
// Thread-safety: stateless.

#include <chrono>
#include <functional>
#include <optional>
#include <span>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct Record {
  Uuid id;
  Uuid project_id;
  Uuid data_source_id;
  std::optional<Uuid> file_id;
  std::int64_t row_number = 0;  // the line in its file
  std::string external_id;      // "" when the file had no id column (stored as NULL)
  std::optional<std::string> transaction_date;  // YYYY-MM-DD
  // A record without an amount (a data source of customers or people, whose mapping says
  // amount_optional) is stored with amount_minor 0 and currency "": a record with an amount always
  // has its currency, so the empty currency is what tells them apart (has_amount()).
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string description;
  std::string reference;
  std::string counterparty;
  std::string extra = "{}";  // JSON object text
  RecordStatus status = RecordStatus::kOpen;
  Timestamp created_at;

  bool has_amount() const { return !currency.empty(); }
};

struct RecordFilter {
  std::optional<Uuid> data_source_id;
  std::optional<Uuid> file_id;
  std::optional<std::string> date_from;  // YYYY-MM-DD, inclusive
  std::optional<std::string> date_to;    // inclusive
  std::optional<RecordStatus> status;
  std::optional<std::string> currency;
  std::optional<std::int64_t> amount_min_minor;  // inclusive
  std::optional<std::int64_t> amount_max_minor;
};

// Streams one file's records into the store (COPY on PostgreSQL) within the caller's transaction.
// The ids of the project, data source and file and the creation time are the same for every record,
// so they are formatted once.
class RecordWriter {
 public:
  static Result<RecordWriter> open(Connection& conn, const Uuid& project_id, const Uuid& data_source_id,
                                   const Uuid& file_id, Timestamp created_at);
  // The record's id, project, data source, file and created_at are the writer's.
  Status add(const Uuid& id, std::int64_t row_number, const std::string& external_id,
             std::optional<std::chrono::sys_days> transaction_date, std::int64_t amount_minor,
             const std::string& currency, const std::string& description, const std::string& reference,
             const std::string& counterparty, const std::string& extra);
  Status finish() { return writer_->finish(); }

 private:
  RecordWriter(std::unique_ptr<BulkWriter> writer, std::vector<Value> row)
      : writer_(std::move(writer)), row_(std::move(row)) {}
  std::unique_ptr<BulkWriter> writer_;
  std::vector<Value> row_;  // reused: the constant columns stay set
};

class RecordRepository {
 public:
  // Ordered by transaction date, then line (where undated records fall depends on the backend).
  static Result<PageResult<Record>> list_for_project(Connection& conn, const Uuid& project_id,
                                                     const RecordFilter& filter, const PageRequest& page);

  // The records with these ids (any order; ids not found are left out). At most kMaxIdsPerQuery ids.
  static Result<std::vector<Record>> find_many(Connection& conn, std::span<const Uuid> ids);
  // Moves the records with these ids from status `from` to `to`; returns how many moved. At most
  // kMaxIdsPerQuery ids.
  static Result<std::int64_t> change_status(Connection& conn, std::span<const Uuid> ids, RecordStatus from,
                                            RecordStatus to);
  // Streams the open records of a data source (for a reconciliation job): columns id, external_id,
  // transaction_date, amount_minor, currency, reference, description, counterparty, extra.
  static Status for_each_open(Connection& conn, const Uuid& data_source_id,
                              const std::function<Status(const Row&)>& visit);

  static constexpr std::size_t kMaxIdsPerQuery = 1000;
};

// The condition "`column` is one of `ids`", its parameters appended to `params`. On PostgreSQL one
// array parameter (`column` = ANY($n::uuid[])), so the statement's text does not depend on the
// number of ids and is prepared once per session; on SQLite `column` IN ($n, $n+1, ...).
std::string id_in(const Connection& conn, std::string_view column, std::span<const Uuid> ids,
                  std::vector<Value>& params);

}  // namespace oeuvre::store
