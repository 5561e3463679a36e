#pragma once
// FileIngestService: parses uploaded files into records in the background. The files table is the
// queue (store::FileQueue), run by the one claim protocol (services/claimed_work.h): workers claim
// the oldest 'uploaded' file (several nodes share the work), parse it with the data source's column
// mapping, and in ONE transaction write its records (COPY on PostgreSQL), its row errors and its
// final status, so a file is either wholly parsed or not at all. Every write is fenced by the
// claim's token: a worker whose claim was handed on (it stalled) or whose file was deleted
// meanwhile rolls back instead of writing. A file whose worker died is parsed again, or failed
// after max_attempts claims; so is one whose records the store could not take (busy, down, full),
// after a backoff.
//
// Outcomes: 'parsed' with rows_ok / rows_failed (bad rows listed by GET /files/{id}/errors);
// 'failed' with a reason when the file is not a table, when the data source is all-or-nothing and a
// row is bad, or when its attempts ran out. Progress (0..1) is written by the claim's heartbeat; on
// SQLite only during the read pass, because the insert transaction holds the one write lock.
//
// Thread-safety: all methods are safe for concurrent use.

#include <chrono>
#include <functional>
#include <string_view>

#include "observability/metrics.h"
#include "ingest/file_parser.h"
#include "services/claimed_work.h"
#include "store/blob_store.h"
#include "store/database.h"
#include "store/file_repository.h"

namespace oeuvre::services {

struct IngestOptions {
  // INGEST_WORKERS (0 disables background parsing), INGEST_STALE_AFTER_SECONDS,
  // INGEST_MAX_ATTEMPTS.
  ClaimOptions claims = [] {
    ClaimOptions claims;
    claims.max_attempts = 5;
    return claims;
  }();
  std::size_t batch_rows = 20000;  // records per insert batch
  // Where uploads leave the transactions of a bank statement file read while its body arrived
  // (statement_spool_path; VAR_DIR/uploads/spool): a parse plays them back instead of parsing
  // the file again. "" to always parse the file.
  std::string spool_dir;
};

class FileIngestService {
 public:
  FileIngestService(store::Database& db, store::BlobStore& blobs, obs::Metrics& metrics,
                    IngestOptions options = {});
  ~FileIngestService();  // stops the workers
  FileIngestService(const FileIngestService&) = delete;
  FileIngestService& operator=(const FileIngestService&) = delete;

  // Claims one file and parses it to its end state. False when there was nothing to do.
  // kUnavailable when the store is down (the file, if claimed, stays claimed and is handed on
  // later).
  Result<bool> process_next();

  // Starts options.workers background threads; idempotent.
  void start();
  // Wakes an idle worker (called after an upload) so parsing starts at once.
  void wake();
  // Asks the workers to stop; a file being parsed is handed back ('uploaded') for the next start.
  // Joins the threads.
  void stop();
  // Called with the project's id after a commit that changed its records (the statistics cache).
  // REQUIRES: set before start().
  void on_project_data_changed(std::function<void(const Uuid&)> hook) {
    on_project_data_changed_ = std::move(hook);
  }

 private:
  // ClaimedWork's handlers.
  Status parse(const store::StoredFile& file, Claim& claim);
  // One pass of `parser` over the file, its records stored (parse()'s body). With `spool_damaged`,
  // the parser plays back a spool: a damaged one (kInternal from analyse) sets it and stores
  // nothing, for parse() to read the file itself.
  Status store_parsed(const store::StoredFile& file, Claim& claim, ingest::FileParser& parser,
                      bool all_or_nothing, bool* spool_damaged);
  void ended(const store::StoredFile& file, const Claim& claim, std::string_view outcome,
             const std::string& reason, std::int64_t rows_failed = 0);

  store::Database& db_;
  store::BlobStore& blobs_;
  obs::Metrics& metrics_;
  const IngestOptions options_;
  std::function<void(const Uuid&)> on_project_data_changed_;
  ClaimedWork<store::StoredFile> work_;  // last: its threads use the members above
};

}  // namespace oeuvre::services
