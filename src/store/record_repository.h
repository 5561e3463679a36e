#pragma once
// SQL for records: bulk appends from parsing (RecordWriter), and the filtered, paged project listing (served by the
// (project_id, transaction_date) and (project_id, status) indexes). Runs on the caller's connection.
// Thread-safety: stateless.

#include <optional>

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
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string description;
  std::string reference;
  std::string counterparty;
  std::string extra = "{}";  // JSON object text
  std::string status = "open";  // open | matched | excluded
  Timestamp created_at;
};

struct RecordFilter {
  std::optional<Uuid> data_source_id;
  std::optional<Uuid> file_id;
  std::optional<std::string> date_from;  // YYYY-MM-DD, inclusive
  std::optional<std::string> date_to;    // inclusive
  std::optional<std::string> status;
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
             const std::optional<std::string>& transaction_date, std::int64_t amount_minor,
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
};

}  // namespace oeuvre::store
