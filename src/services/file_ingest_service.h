#pragma once
// FileIngestService: parses uploaded files into records in the background. The files table is the
// queue: workers claim the oldest 'uploaded' file (several nodes share the work, see
// FileRepository::claim_next), parse it with the data source's column mapping, and in ONE
// transaction write its records (COPY on PostgreSQL), its row errors and its final status, so a
// file is either wholly parsed or not at all. A claim is fenced by a token: a worker whose claim was
// handed on (it stalled) or whose file was deleted meanwhile rolls back instead of writing.
//
// Outcomes: 'parsed' with rows_ok / rows_failed (bad rows listed by GET /files/{id}/errors); 'failed'
// with a reason when the file is not a table, or when the data source is all-or-nothing and a row
// is bad. Progress (0..1) is written while parsing; on SQLite only during the read pass, because the
// insert transaction holds the one write lock.
//
// Thread-safety: all methods are safe for concurrent use.

#include <chrono>

#include "observability/metrics.h"
#include "services/background_workers.h"
#include "store/blob_store.h"
#include "store/database.h"

namespace oeuvre::services {

struct IngestOptions {
  int workers = 1;                                      // INGEST_WORKERS; 0 disables background parsing
  std::chrono::milliseconds poll_interval{2000};       // how often idle workers look for work
  std::chrono::seconds stale_claim_after{600};         // a claim without heartbeat for this long is handed on
  std::size_t batch_rows = 20000;                       // records per insert batch
};

class FileIngestService {
 public:
  FileIngestService(store::Database& db, store::BlobStore& blobs, obs::Metrics& metrics, IngestOptions options = {});
  ~FileIngestService();  // stops the workers
  FileIngestService(const FileIngestService&) = delete;
  FileIngestService& operator=(const FileIngestService&) = delete;

  // Claims one file and parses it to its end state. False when there was nothing to do.
  // kUnavailable when the store is down (the file, if claimed, stays claimed and is handed on later).
  Result<bool> process_next();

  // Starts options.workers background threads; idempotent.
  void start();
  // Wakes an idle worker (called after an upload) so parsing starts at once.
  void wake();
  // Asks the workers to stop; a file being parsed is handed back ('uploaded') for the next start.
  // Joins the threads.
  void stop();

 private:
  store::Database& db_;
  store::BlobStore& blobs_;
  obs::Metrics& metrics_;
  const IngestOptions options_;
  BackgroundWorkers workers_;  // last: its threads use the members above
};

}  // namespace oeuvre::services
