#include "services/file_ingest_service.h"

#include <algorithm>

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
  auto parser =
      ingest::FileParser::open(*path, file.filename, file.content_type, std::move(settings));
  if (!parser.ok()) return Error::BadRequest(describe(parser.error()));
  auto layout = (*parser)->analyse([&](double fraction) {
    claim.report({"parsing", 0.5 * fraction, 0, 0});
  });
  if (!layout.ok()) return Error::BadRequest(describe(layout.error()));
  // Lost (another worker has the file, or it was deleted) or stopping: the protocol ends the claim.
  if (claim.aborted()) return Error::Unavailable("parsing was stopped");
  const std::string layout_text = json::serialize(layout_to_json(*layout));
  const auto rows_failed = static_cast<std::int64_t>(layout->rows_failed);
  const auto rows_ok = static_cast<std::int64_t>(layout->rows - layout->rows_failed);

  if (all_or_nothing && rows_failed > 0) {
    const std::string reason = std::to_string(rows_failed) + " of " + std::to_string(layout->rows) +
                               " rows could not be read and the data source is all-or-nothing "
                               "(column_mapping.all_or_nothing); nothing was stored";
    RETURN_IF_ERROR(store::in_transaction(db_, true, [&](store::Connection& conn) {
      return write_failed(conn, file, claim,
                          {reason, rows_failed, to_store((*parser)->errors()), layout_text});
    }));
    ended(file, claim, "failed", reason, rows_failed);
    return OkStatus();
  }

  // One transaction: records, row errors and the final status, or nothing. The claim's heartbeat
  // goes on from its own session: on PostgreSQL it updates the file row beside this transaction
  // (the records have no foreign key to it); on SQLite it waits for this transaction's write lock.
  const std::vector<store::FileRowError> row_errors = to_store((*parser)->errors());
  auto written = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    RETURN_IF_ERROR(store::FileRepository::insert_row_errors(conn, file.id, row_errors));
    // One stream for the whole file: on PostgreSQL the server stores rows while the next batch is
    // parsed.
    ASSIGN_OR_RETURN(
        store::RecordWriter writer,
        store::RecordWriter::open(conn, file.project_id, file.data_source_id, file.id, now_utc()));
    std::optional<std::chrono::sys_days> date;
    std::int64_t stored = 0;
    RETURN_IF_ERROR((*parser)->read_records(
        options_.batch_rows, [&](std::span<const ingest::ParsedRecord> parsed) -> Status {
          if (claim.aborted()) return Error::Unavailable("parsing was stopped");
          for (const auto& p : parsed) {
            date.reset();
            if (p.date_days) date = std::chrono::sys_days{std::chrono::days{*p.date_days}};
            RETURN_IF_ERROR(writer.add(Uuid::generate_v7(), static_cast<std::int64_t>(p.line),
                                       p.external_id, date, p.amount_minor, p.currency,
                                       p.description, p.reference, p.counterparty,
                                       p.extra_json.empty() ? kEmptyObject : p.extra_json));
          }
          stored += static_cast<std::int64_t>(parsed.size());
          claim.report({"parsing",
                        0.5 + 0.5 * static_cast<double>(stored) /
                                  static_cast<double>(std::max<std::int64_t>(rows_ok, 1)),
                        0, 0});
          return OkStatus();
        }));
    RETURN_IF_ERROR(writer.finish());
    ASSIGN_OR_RETURN(bool kept, store::FileRepository::finish(
                                    conn, file.id, claim.token(), FileStatus::kParsed, rows_ok, rows_failed,
                                    std::nullopt, layout_text, now_utc()));
    if (!kept) return Error::Conflict("the claim on the file was lost");
    return record_audit(
        conn, ingest_meta(file, claim),
        {std::nullopt, file.project_id, "file.parse", "file", file.id.to_string(), std::nullopt,
         json::object{{"status", "parsed"}, {"rows_ok", rows_ok}, {"rows_failed", rows_failed}}});
  });
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
