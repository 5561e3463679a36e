#pragma once
// SQL for uploaded files. Runs on the caller's connection. Thread-safety: stateless.

#include <optional>

#include "store/claim_queue.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct StoredFile {
  Uuid id;
  Uuid project_id;
  Uuid data_source_id;
  std::string filename;
  std::string content_type;
  std::string sha256;
  std::int64_t size_bytes = 0;
  std::string storage_key;
  FileStatus status = FileStatus::kUploaded;
  double progress = 0;
  std::int64_t rows_ok = 0;
  std::int64_t rows_failed = 0;
  std::optional<std::string> error;
  std::optional<Uuid> uploaded_by;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<std::string> layout;  // JSON text: what parsing detected (format, delimiter, mapping...)
  std::int64_t attempts = 0;          // claims by parsing workers (FileQueue)
  // The request that uploaded the file: its id and W3C trace id, carried by the parse's log lines
  // and audit rows. nullopt for files from before migration 0010.
  std::optional<std::string> request_id;
  std::optional<std::string> trace_id;
};

// One row of a file that could not be read.
struct FileRowError {
  std::int64_t line = 0;
  std::string column;
  std::string value;
  std::string reason;
};

// What removing a file's parse output (FileRepository::remove_parse_output) took away.
struct RemovedParse {
  std::int64_t records = 0;
  std::int64_t row_errors = 0;
  // Of the records, those a confirmed match held (status 'matched'). When non-zero the caller must
  // roll back: the records may be deleted already.
  std::int64_t matched = 0;
};

// The project (and its owner) an active data source belongs to, for authorization.
struct DataSourceScope {
  Uuid project_id;
  Uuid owner_id;
};

class FileRepository {
 public:
  // kConflict when the data source already has a file with this SHA-256.
  static Status insert(Connection& conn, const StoredFile& file);
  // Files of active projects only.
  static Result<std::optional<StoredFile>> find(Connection& conn, const Uuid& id);
  static Result<std::optional<StoredFile>> find_by_sha256(Connection& conn, const Uuid& data_source_id,
                                                          const std::string& sha256);
  // Newest first.
  static Result<PageResult<StoredFile>> list_for_project(Connection& conn, const Uuid& project_id,
                                                         const std::optional<FileStatus>& status,
                                                         const PageRequest& page);
  // Deletes the file row, then its records (same transaction).
  static Status remove(Connection& conn, const Uuid& id);

  // Puts a file no worker holds back in the parsing queue for a parse from scratch: status
  // 'uploaded', attempts, progress, counts, error and layout reset, updated_at `now`. Returns the
  // file as stored now; nullopt when it is claimed (status 'parsing'): its worker's fenced writes
  // must not find it reset. Run in the transaction that removes its parse output.
  static Result<std::optional<StoredFile>> requeue(Connection& conn, const Uuid& id, Timestamp now);
  // Up to `limit` ids of the file's records that a confirmed match holds (status 'matched').
  static Result<std::vector<Uuid>> matched_records(Connection& conn, const Uuid& file_id,
                                                   std::int64_t limit);
  // Deletes the file's records and row errors (what parsing wrote; its statements, read at upload,
  // stay). A record a confirmed match holds is counted in `matched`, also when its match was
  // confirmed while this ran (PostgreSQL: the delete waits for that commit and sees it), so the
  // caller can refuse and roll back.
  static Result<RemovedParse> remove_parse_output(Connection& conn, const Uuid& file_id);

  // Ends a claim (FileQueue) with `status` 'parsed' or 'failed'. False when the claim was lost: the
  // caller must roll back what it wrote.
  static Result<bool> finish(Connection& conn, const Uuid& id, const std::string& token, FileStatus status,
                             std::int64_t rows_ok, std::int64_t rows_failed, const std::optional<std::string>& error,
                             const std::optional<std::string>& layout, Timestamp now);
  static Status insert_row_errors(Connection& conn, const Uuid& file_id, const std::vector<FileRowError>& errors);
  // In line order.
  static Result<PageResult<FileRowError>> list_row_errors(Connection& conn, const Uuid& file_id,
                                                          const PageRequest& page);

  // nullopt when the data source, or its project, does not exist or is deleted.
  static Result<std::optional<DataSourceScope>> data_source_scope(Connection& conn, const Uuid& data_source_id);
};

// The files table as the parsing queue: files in status 'uploaded' wait, 'parsing' ones are claimed
// (updated_at is their heartbeat, progress the fraction reported), attempts counts their claims. A
// stale file is failed with a reason after max_attempts claims.
class FileQueue final : public ClaimQueueOf<StoredFile> {
 public:
  Result<QueueDepth> depth(Connection& conn) override;
  Result<std::int64_t> recover_stale(Connection& conn, Timestamp now, Timestamp stale_before,
                                     std::int64_t max_attempts) override;
  Result<std::optional<StoredFile>> claim_next(Connection& conn, const std::string& token, Timestamp now) override;
  Result<ClaimState> heartbeat(Connection& conn, const Uuid& id, const std::string& token, const WorkProgress& progress,
                               Timestamp now) override;
  Result<bool> hand_back(Connection& conn, const Uuid& id, const std::string& token, bool counted,
                         Timestamp now) override;
};

}  // namespace oeuvre::store
