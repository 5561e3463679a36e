#include "services/file_ingest_service.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "ingest/bank_file_parser.h"
#include "ingest/file_parser.h"
#include "observability/log.h"
#include "services/audit_trail.h"
#include "ingest/column_mapping.h"
#include "services/file_service.h"
#include "store/data_source_repository.h"
#include "store/file_repository.h"
#include "store/record_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

namespace json = boost::json;

const std::string kEmptyObject = "{}";

// Batches of parsed records waiting between the thread that parses a file and the one that stores
// them, so that on two cores the one works while the other does.
constexpr std::size_t kBatchesInFlight = 2;

// Batches handed from a parsing thread to a storing thread: at most `depth` wait, so memory stays
// bounded whatever the file's size. The parser ends the stream with finish(); the store stops it
// early with close(), which makes every later push() fail. Thread-safety: one producer and one
// consumer, concurrently.
class RecordPipe {
 public:
  explicit RecordPipe(std::size_t depth) : depth_(depth) {}

  // Producer: a copy of `records` joins the queue, once there is room. False when closed.
  bool push(std::span<const ingest::ParsedRecord> records) {
    std::vector<ingest::ParsedRecord> batch;
    {
      std::lock_guard lock(mu_);
      if (!spare_.empty()) {
        batch = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    batch.assign(records.begin(), records.end());  // reuses the spare's strings
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return closed_ || queue_.size() < depth_; });
    if (closed_) return false;
    queue_.push_back(std::move(batch));
    ready_.notify_one();
    return true;
  }

  // Producer: no more batches.
  void finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    ready_.notify_one();
  }

  // Consumer: the next batch into `batch` (whose old records are kept as a spare); false once
  // the producer has finished and the queue is empty.
  bool pop(std::vector<ingest::ParsedRecord>& batch) {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return finished_ || !queue_.empty(); });
    if (queue_.empty()) return false;
    if (!batch.empty()) spare_.push_back(std::move(batch));
    batch = std::move(queue_.front());
    queue_.pop_front();
    room_.notify_one();
    return true;
  }

  // Consumer: stops the stream; the producer's next push() fails.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    room_.notify_one();
  }

 private:
  const std::size_t depth_;
  std::mutex mu_;
  std::condition_variable room_, ready_;
  std::deque<std::vector<ingest::ParsedRecord>> queue_;
  std::vector<std::vector<ingest::ParsedRecord>> spare_;
  bool finished_ = false, closed_ = false;
};

// The reason a user reads on the failed file: the field errors when there are any (the parser names
// what is wrong, e.g. "header: no amount column ..."), else the message.
std::string describe(const Error& error) {
  if (error.field_errors().empty()) return error.message();
  std::string text;
  for (const auto& fe : error.field_errors()) {
    if (!text.empty()) text += "; ";
    text += fe.field == "file" ? fe.message : fe.field + ": " + fe.message;
  }
  return text;
}

// The parse's audit rows carry the request that uploaded the file (else, for a file from before
// migration 0010, the claim).
RequestMeta ingest_meta(const store::StoredFile& file, const Claim& claim) {
  return origin_meta(file, "ingest-" + claim.token(), "oeuvre ingest");
}

std::vector<store::FileRowError> to_store(const std::vector<ingest::RowError>& errors) {
  std::vector<store::FileRowError> out;
  out.reserve(errors.size());
  for (const auto& e : errors) {
    out.push_back({static_cast<std::int64_t>(e.line), e.column, e.value, e.reason});
  }
  return out;
}

// The failed end of a file: its reason, and what parsing found when it got that far (the row
// errors, their count and the layout). One audit entry. kConflict when the claim was lost.
struct FailedParse {
  std::string reason;
  std::int64_t rows_failed = 0;
  std::vector<store::FileRowError> row_errors;
  std::optional<std::string> layout;
};

Status write_failed(store::Connection& conn, const store::StoredFile& file, const Claim& claim,
                    const FailedParse& failed) {
  RETURN_IF_ERROR(store::FileRepository::insert_row_errors(conn, file.id, failed.row_errors));
  ASSIGN_OR_RETURN(bool kept, store::FileRepository::finish(conn, file.id, claim.token(), FileStatus::kFailed,
                                                            0, failed.rows_failed, failed.reason,
                                                            failed.layout, now_utc()));
  if (!kept) return Error::Conflict("the claim on the file was lost");
  return record_audit(
      conn, ingest_meta(file, claim),
      {std::nullopt, file.project_id, "file.parse", "file", file.id.to_string(), std::nullopt,
       json::object{
           {"status", "failed"}, {"error", failed.reason}, {"rows_failed", failed.rows_failed}}});
}

// The claim's first heartbeats write what claiming wrote; the workers' liveness is a metric.
ClaimOptions claim_options(ClaimOptions claims, obs::Metrics& metrics) {
  claims.first_progress = {"parsing", 0, 0, 0};
  claims.alive = [&metrics] { metrics.worker_alive("file_parsing"); };
  return claims;
}

}  // namespace

FileIngestService::FileIngestService(store::Database& db, store::BlobStore& blobs,
                                     obs::Metrics& metrics, IngestOptions options)
    : db_(db),
      blobs_(blobs),
      metrics_(metrics),
      options_(options),
      work_("file parsing", db, std::make_unique<store::FileQueue>(), claim_options(options.claims, metrics),
            {[this](const store::StoredFile& file, Claim& claim) { return parse(file, claim); },
             [](store::Connection& conn, const store::StoredFile& file, const Claim& claim,
                const std::string& reason) {
               return write_failed(conn, file, claim, {reason, 0, {}, std::nullopt});
             },
             [this](const store::StoredFile& file, const Claim& claim, std::string_view outcome,
                    const std::string& reason) { ended(file, claim, outcome, reason); }}) {}

FileIngestService::~FileIngestService() { stop(); }

Result<bool> FileIngestService::process_next() { return work_.run_next(); }

Status FileIngestService::parse(const store::StoredFile& file, Claim& claim) {
  // The data source's mapping, read now: a change after the upload applies to this parse.
  ASSIGN_OR_RETURN(std::optional<store::ScopedDataSource> source,
                   store::with_connection(db_, [&](store::Connection& conn) {
                     return store::DataSourceRepository::find_visible(conn, file.data_source_id);
                   }));
  if (!source) return Error::NotFound("the data source was deleted");
  auto mapping = ingest::column_mapping_from_text(source->data_source.column_mapping);
  if (!mapping.ok()) {
    return Error::BadRequest("the data source's column mapping is invalid: " +
                             describe(mapping.error()));
  }
  const bool all_or_nothing = mapping->all_or_nothing.value_or(false);

  auto path = blobs_.local_path(file.storage_key);
  if (!path.ok()) {
    if (path.error().code() == ErrorCode::kNotFound)
      return Error::NotFound(
          "the stored file is missing on this node (nodes that share a database must share "
          "VAR_DIR/uploads: docs/operations.md)");
    return std::move(path).error();
  }
  ingest::ParseSettings settings;
  settings.mapping = *std::move(mapping);
  // A bank statement file read at upload: its transactions are played back from the spool.
  if (!options_.spool_dir.empty()) {
    const std::string spool = statement_spool_path(options_.spool_dir, file.id);
    std::error_code ec;
    if (std::filesystem::exists(spool, ec)) {
      bool damaged = false;
      auto spooled = ingest::make_spooled_bank_file_parser(spool, settings);
      if (spooled.ok()) {
        Status done = store_parsed(file, claim, **spooled, all_or_nothing, &damaged);
        if (!damaged) {
          if (done.ok()) std::filesystem::remove(spool, ec);
          return done;
        }
      }
      obs::log_warn("the spool of a file's transactions is damaged: parsing the file",
                    {{"file_id", file.id.to_string()}});
      std::filesystem::remove(spool, ec);
    }
  }
  auto parser =
      ingest::FileParser::open(*path, file.filename, file.content_type, std::move(settings));
  if (!parser.ok()) return Error::BadRequest(describe(parser.error()));
  return store_parsed(file, claim, **parser, all_or_nothing, nullptr);
}

Status FileIngestService::store_parsed(const store::StoredFile& file, Claim& claim,
                                       ingest::FileParser& parser, bool all_or_nothing,
                                       bool* spool_damaged) {
  // One pass over the file, in one transaction: the records as they are checked, then the row
  // errors and the final status, or nothing. A thread of its own parses while this one stores
  // (RecordPipe). The claim's heartbeat goes on from its own session: on PostgreSQL it updates the
  // file row beside this transaction (the records have no foreign key to it); on SQLite it waits
  // for this transaction's write lock. A file that cannot be read, or an all-or-nothing file with
  // bad rows, rolls the records back.
  std::optional<Error> unreadable;   // the file's own fault: it fails
  std::optional<ingest::FileLayout> refused;  // all-or-nothing with bad rows: it fails, nothing stored
  std::int64_t rows_ok = 0, rows_failed = 0;
  std::string layout_text;
  auto written = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(
        store::RecordWriter writer,
        store::RecordWriter::open(conn, file.project_id, file.data_source_id, file.id, now_utc()));
    RecordPipe pipe(kBatchesInFlight);
    Result<ingest::FileLayout> layout = Error::Internal("the file was not parsed");
    std::thread parsing([&] {
      layout = parser.analyse(
          options_.batch_rows,
          [&](std::span<const ingest::ParsedRecord> parsed) -> Status {
            if (claim.aborted()) return Error::Unavailable("parsing was stopped");
            if (!pipe.push(parsed)) return Error::Unavailable("storing stopped");
            return OkStatus();
          },
          [&](double fraction) { claim.report({"parsing", fraction, 0, 0}); });
      pipe.finish();
    });
    std::optional<Error> stopped;  // storing failed (a store fault)
    std::vector<ingest::ParsedRecord> batch;
    std::optional<std::chrono::sys_days> date;
    while (!stopped && pipe.pop(batch)) {
      for (const auto& p : batch) {
        date.reset();
        if (p.date_days) date = std::chrono::sys_days{std::chrono::days{*p.date_days}};
        if (Status added = writer.add(Uuid::generate_v7(), static_cast<std::int64_t>(p.line),
                                      p.external_id, date, p.amount_minor, p.currency,
                                      p.description, p.reference, p.counterparty,
                                      p.extra_json.empty() ? kEmptyObject : p.extra_json);
            !added.ok()) {
          stopped = added.error();
          break;
        }
      }
    }
    pipe.close();
    parsing.join();
    if (stopped) return *std::move(stopped);
    if (claim.aborted()) return Error::Unavailable("parsing was stopped");
    if (!layout.ok()) {
      unreadable = std::move(layout).error();
      return Error::BadRequest("the file cannot be read");  // rolls back; reported below
    }
    layout_text = json::serialize(layout_to_json(*layout));
    rows_failed = static_cast<std::int64_t>(layout->rows_failed);
    rows_ok = static_cast<std::int64_t>(layout->rows - layout->rows_failed);
    if (all_or_nothing && rows_failed > 0) {
      refused = *std::move(layout);
      return Error::BadRequest("rows could not be read");  // rolls back; reported below
    }
    RETURN_IF_ERROR(writer.finish());
    RETURN_IF_ERROR(store::FileRepository::insert_row_errors(conn, file.id,
                                                             to_store(parser.errors())));
    ASSIGN_OR_RETURN(bool kept, store::FileRepository::finish(
                                    conn, file.id, claim.token(), FileStatus::kParsed, rows_ok, rows_failed,
                                    std::nullopt, layout_text, now_utc()));
    if (!kept) return Error::Conflict("the claim on the file was lost");
    return record_audit(
        conn, ingest_meta(file, claim),
        {std::nullopt, file.project_id, "file.parse", "file", file.id.to_string(), std::nullopt,
         json::object{{"status", "parsed"}, {"rows_ok", rows_ok}, {"rows_failed", rows_failed}}});
  });
  if (unreadable && spool_damaged != nullptr && unreadable->code() == ErrorCode::kInternal) {
    *spool_damaged = true;  // nothing was stored: parse() reads the file instead
    return OkStatus();
  }
  if (unreadable) return Error::BadRequest(describe(*unreadable));
  if (refused) {
    const std::string reason = std::to_string(rows_failed) + " of " +
                               std::to_string(refused->rows) +
                               " rows could not be read and the data source is all-or-nothing "
                               "(column_mapping.all_or_nothing); nothing was stored";
    RETURN_IF_ERROR(store::in_transaction(db_, true, [&](store::Connection& conn) {
      return write_failed(conn, file, claim,
                          {reason, rows_failed, to_store(parser.errors()), layout_text});
    }));
    ended(file, claim, "failed", reason, rows_failed);
    return OkStatus();
  }
  // Lost (another worker has the file, or it was deleted) or stopping: the protocol ends the claim.
  if (!written.ok() && claim.aborted()) return Error::Unavailable("parsing was stopped");
  if (!written.ok()) {
    // Busy, down, full or broken (a store failure): another attempt after a backoff, then the file
    // fails. A lost claim (kConflict): nothing more to write. Anything else fails the file.
    if (written.error().store_fault() != StoreFault::kNone) {
      return refused_by_store(claim, written.error(), "the records could not be stored",
                              "file_parsing", metrics_);
    }
    return Error(written.error().code(),
                 "the records could not be stored: " + describe(written.error()));
  }
  if (on_project_data_changed_) on_project_data_changed_(file.project_id);
  metrics_.observe_ingest("parsed", rows_ok, rows_failed, claim.seconds());
  obs::log_info("file parsed", {{"file_id", file.id.to_string()},
                                {"rows_ok", rows_ok},
                                {"rows_failed", rows_failed},
                                {"attempt", claim.attempt()},
                                {"seconds", claim.seconds()}});
  return OkStatus();
}

void FileIngestService::ended(const store::StoredFile& file, const Claim& claim,
                              std::string_view outcome, const std::string& reason,
                              std::int64_t rows_failed) {
  metrics_.observe_ingest(std::string(outcome), 0, rows_failed, claim.seconds());
  boost::json::object fields{
      {"file_id", file.id.to_string()}, {"status", outcome}, {"attempt", claim.attempt()}};
  if (!reason.empty()) fields["error"] = reason;
  obs::log(outcome == "failed" ? obs::LogLevel::kWarn : obs::LogLevel::kInfo, "file parsing ended",
           std::move(fields));
}

void FileIngestService::start() { work_.start(); }

void FileIngestService::wake() { work_.wake(); }

void FileIngestService::stop() { work_.stop(); }

}  // namespace oeuvre::services
