#include "services/file_ingest_service.h"

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

constexpr auto kHeartbeatEvery = std::chrono::seconds(1);
const std::string kEmptyObject = "{}";

// How a claimed file ended.
struct Outcome {
  FileStatus status;  // parsed | failed | uploaded (handed back)
  std::int64_t rows_ok = 0;
  std::int64_t rows_failed = 0;
  std::optional<std::string> error;
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

std::vector<store::FileRowError> to_store(const std::vector<ingest::RowError>& errors) {
  std::vector<store::FileRowError> out;
  out.reserve(errors.size());
  for (const auto& e : errors) {
    out.push_back({static_cast<std::int64_t>(e.line), e.column, e.value, e.reason});
  }
  return out;
}

// Writes progress and keeps the claim alive, at most once per kHeartbeatEvery.
class Heartbeat {
 public:
  Heartbeat(store::Database& db, const store::StoredFile& file, const std::string& token)
      : db_(db), file_(file), token_(token) {}
  void beat(double progress) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < kHeartbeatEvery) return;
    last_ = now;
    auto kept = store::with_connection(db_, [&](store::Connection& conn) {
      return store::FileRepository::heartbeat(conn, file_.id, token_, progress, now_utc());
    });
    if (kept.ok() && !*kept) lost_ = true;
  }
  bool lost() const { return lost_; }

 private:
  store::Database& db_;
  const store::StoredFile& file_;
  const std::string& token_;
  std::chrono::steady_clock::time_point last_{};
  bool lost_ = false;
};

}  // namespace

FileIngestService::FileIngestService(store::Database& db, store::BlobStore& blobs, obs::Metrics& metrics,
                                     IngestOptions options)
    : db_(db),
      blobs_(blobs),
      metrics_(metrics),
      options_(options),
      workers_("file parsing", options.poll_interval, [this] { return process_next(); }) {}

FileIngestService::~FileIngestService() { stop(); }

Result<bool> FileIngestService::process_next() {
  const std::string token = Uuid::generate_v4().to_string();
  const Timestamp claimed_at = now_utc();
  ASSIGN_OR_RETURN(std::optional<store::StoredFile> claimed,
                   store::in_transaction(db_, true, [&](store::Connection& conn) {
                     return store::FileRepository::claim_next(conn, token, claimed_at,
                                                              claimed_at - options_.stale_claim_after);
                   }));
  if (!claimed) return false;
  const store::StoredFile& file = *claimed;
  const auto started = std::chrono::steady_clock::now();
  const RequestMeta meta{"ingest-" + token, "", "oeuvre ingest"};
  Heartbeat heartbeat(db_, file, token);

  // Ends the claim outside the records transaction (failures and hand-backs write nothing else).
  auto finish_alone = [&](Outcome outcome, const std::vector<store::FileRowError>& errors,
                          const std::optional<std::string>& layout) -> Result<bool> {
    auto done = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<bool> {
      if (outcome.status != FileStatus::kUploaded) RETURN_IF_ERROR(store::FileRepository::insert_row_errors(conn, file.id, errors));
      ASSIGN_OR_RETURN(bool kept, store::FileRepository::finish(conn, file.id, token, outcome.status, outcome.rows_ok,
                                                                outcome.rows_failed, outcome.error, layout, now_utc()));
      if (!kept) return Error::Conflict("the claim on the file was lost");
      if (outcome.status == FileStatus::kFailed) {
        RETURN_IF_ERROR(record_audit(conn, meta,
                                     {std::nullopt, file.project_id, "file.parse", "file", file.id.to_string(),
                                      std::nullopt,
                                      json::object{{"status", "failed"}, {"error", outcome.error.value_or("")},
                                                   {"rows_failed", outcome.rows_failed}}}));
      }
      return true;
    });
    if (!done.ok() && done.error().code() != ErrorCode::kConflict) return std::move(done).error();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_ingest(std::string(outcome.status == FileStatus::kUploaded ? "handed_back" : to_string(outcome.status)), 0, outcome.rows_failed,
                            seconds);
    obs::log_info("file parsing ended", {{"file_id", file.id.to_string()},
                                         {"status", to_string(outcome.status)},
                                         {"error", outcome.error.value_or("")}});
    return true;
  };
  auto fail = [&](std::string reason) { return finish_alone({FileStatus::kFailed, 0, 0, std::move(reason)}, {}, std::nullopt); };

  // The data source's mapping, read now: a change after the upload applies to this parse.
  ASSIGN_OR_RETURN(std::optional<store::ScopedDataSource> source,
                   store::with_connection(db_, [&](store::Connection& conn) {
                     return store::DataSourceRepository::find_visible(conn, file.data_source_id);
                   }));
  if (!source) return fail("the data source was deleted");
  auto mapping = ingest::column_mapping_from_text(source->data_source.column_mapping);
  if (!mapping.ok()) return fail("the data source's column mapping is invalid: " + describe(mapping.error()));
  const bool all_or_nothing = mapping->all_or_nothing.value_or(false);

  auto path = blobs_.local_path(file.storage_key);
  if (!path.ok()) {
    if (path.error().code() == ErrorCode::kNotFound) return fail("the stored file is missing");
    return std::move(path).error();
  }
  ingest::ParseSettings settings;
  settings.mapping = *std::move(mapping);
  auto parser = ingest::FileParser::open(*path, file.filename, file.content_type, std::move(settings));
  if (!parser.ok()) return fail(describe(parser.error()));
  auto layout = (*parser)->analyse([&](double fraction) { heartbeat.beat(0.5 * fraction); });
  if (!layout.ok()) return fail(describe(layout.error()));
  if (heartbeat.lost()) return true;  // another worker has it now, or the file was deleted
  const std::string layout_text = json::serialize(layout_to_json(*layout));
  const auto row_errors = to_store((*parser)->errors());
  const auto rows_failed = static_cast<std::int64_t>(layout->rows_failed);
  const auto rows_ok = static_cast<std::int64_t>(layout->rows - layout->rows_failed);
  if (workers_.stopping()) return finish_alone({FileStatus::kUploaded, 0, 0, std::nullopt}, {}, std::nullopt);

  if (all_or_nothing && rows_failed > 0) {
    return finish_alone({FileStatus::kFailed, 0, rows_failed,
                         std::to_string(rows_failed) + " of " + std::to_string(layout->rows) +
                             " rows could not be read and the data source is all-or-nothing "
                             "(column_mapping.all_or_nothing); nothing was stored"},
                        row_errors, layout_text);
  }

  // One transaction: records, row errors and the final status, or nothing. No heartbeat meanwhile:
  // on SQLite the transaction holds the one write lock, and on PostgreSQL updating the file row
  // while this transaction holds key-share locks on it (the records' foreign key) turns every
  // later foreign-key check into a multixact lookup, several times slower.
  auto written = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    RETURN_IF_ERROR(store::FileRepository::insert_row_errors(conn, file.id, row_errors));
    // One stream for the whole file: on PostgreSQL the server stores rows while the next batch is
    // parsed.
    ASSIGN_OR_RETURN(store::RecordWriter writer, store::RecordWriter::open(conn, file.project_id, file.data_source_id,
                                                                          file.id, now_utc()));
    RETURN_IF_ERROR((*parser)->read_records(
        options_.batch_rows,
        [&](std::span<const ingest::ParsedRecord> parsed) -> Status {
          if (workers_.stopping()) return Error::Unavailable("the server is shutting down");
          for (const auto& p : parsed) {
            std::optional<std::chrono::sys_days> date;
            if (p.date_days) date = std::chrono::sys_days{std::chrono::days{*p.date_days}};
            RETURN_IF_ERROR(writer.add(Uuid::generate_v7(), static_cast<std::int64_t>(p.line), p.external_id, date,
                                       p.amount_minor, p.currency, p.description, p.reference, p.counterparty,
                                       p.extra_json.empty() ? kEmptyObject : p.extra_json));
          }
          return OkStatus();
        }));
    RETURN_IF_ERROR(writer.finish());
    ASSIGN_OR_RETURN(bool kept, store::FileRepository::finish(conn, file.id, token, FileStatus::kParsed, rows_ok, rows_failed,
                                                              std::nullopt, layout_text, now_utc()));
    if (!kept) return Error::Conflict("the claim on the file was lost");
    return record_audit(conn, meta,
                        {std::nullopt, file.project_id, "file.parse", "file", file.id.to_string(), std::nullopt,
                         json::object{{"status", "parsed"}, {"rows_ok", rows_ok}, {"rows_failed", rows_failed}}});
  });
  if (written.ok()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_ingest("parsed", rows_ok, rows_failed, seconds);
    obs::log_info("file parsed", {{"file_id", file.id.to_string()},
                                  {"rows_ok", rows_ok},
                                  {"rows_failed", rows_failed},
                                  {"seconds", seconds}});
    return true;
  }
  const Error& error = written.error();
  if (workers_.stopping()) return finish_alone({FileStatus::kUploaded, 0, 0, std::nullopt}, {}, std::nullopt);
  if (error.code() == ErrorCode::kConflict) {
    // Lost claim, or the file (or its data source) was deleted while we wrote: nothing to finish.
    obs::log_info("file parsing abandoned", {{"file_id", file.id.to_string()}, {"reason", error.message()}});
    return true;
  }
  if (error.code() == ErrorCode::kUnavailable) {
    // Busy (SQLite's write lock held by another load) or down: hand the file back for the next
    // claim; when even that fails, the claim goes stale and is handed on later.
    auto back = finish_alone({FileStatus::kUploaded, 0, 0, std::nullopt}, {}, std::nullopt);
    if (back.ok()) return true;
    return error;
  }
  return fail("the records could not be stored: " + describe(error));
}

void FileIngestService::start() { workers_.start(options_.workers); }

void FileIngestService::wake() { workers_.wake(); }

void FileIngestService::stop() { workers_.stop(); }

}  // namespace oeuvre::services
