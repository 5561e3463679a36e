#include "services/file_service.h"

#include <algorithm>

#include "core/date.h"
#include "core/money.h"
#include "ingest/column_mapping.h"
#include "store/data_source_repository.h"

#include "core/utf8.h"
#include "services/audit_trail.h"
#include "services/project_access.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

Error duplicate(const store::StoredFile& first) {
  return Error::Conflict("this file was already uploaded to this data source (file " + first.id.to_string() + ")")
      .with_member("file_id", first.id.to_string());
}

// OK when the data source was found (active, in an active project) and the actor reaches its
// project; else 404.
Status require_reachable(const security::Actor& actor,
                         const std::optional<store::DataSourceScope>& scope) {
  if (!scope) return Error::NotFound("data source not found");
  return security::require_project_access(actor, scope->owner_id, "data source");
}

// The file, when the actor may reach its project; else 404.
boost::json::value parse_layout(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  return ec ? boost::json::value(nullptr) : v;
}

Result<store::StoredFile> load_accessible(store::Connection& conn, const security::Actor& actor, const Uuid& id) {
  ASSIGN_OR_RETURN(std::optional<store::StoredFile> file, store::FileRepository::find(conn, id));
  if (!file) return Error::NotFound("file not found");
  RETURN_IF_ERROR(require_project(conn, actor, file->project_id, "file"));
  return std::move(*file);
}

}  // namespace

boost::json::object to_json(const store::StoredFile& f) {
  return {{"id", f.id.to_string()},
          {"project_id", f.project_id.to_string()},
          {"data_source_id", f.data_source_id.to_string()},
          {"filename", f.filename},
          {"content_type", f.content_type},
          {"sha256", f.sha256},
          {"size_bytes", f.size_bytes},
          {"status", to_string(f.status)},
          {"progress", f.progress},
          {"rows_ok", f.rows_ok},
          {"rows_failed", f.rows_failed},
          {"error", f.error ? boost::json::value(*f.error) : nullptr},
          {"uploaded_by", f.uploaded_by ? boost::json::value(f.uploaded_by->to_string()) : nullptr},
          {"created_at", format_timestamp(f.created_at)},
          {"updated_at", format_timestamp(f.updated_at)},
          {"layout", parse_layout(f.layout)}};
}

boost::json::object to_json(const store::FileRowError& e) {
  return {{"line", e.line}, {"column", e.column}, {"value", e.value}, {"reason", e.reason}};
}

boost::json::object layout_to_json(const ingest::FileLayout& layout) {
  boost::json::array header;
  for (const auto& h : layout.header) header.emplace_back(h);
  boost::json::object mapping;
  for (const auto& [field, column] : layout.mapping) mapping[field] = column;
  boost::json::value delimiter = nullptr;
  if (layout.format == "csv") delimiter = std::string(1, layout.delimiter);
  const bool uses_dates = std::any_of(layout.mapping.begin(), layout.mapping.end(),
                                      [](const auto& m) { return m.first == "date"; });
  return {{"format", layout.format},
          {"delimiter", delimiter},
          {"header", std::move(header)},
          {"mapping", std::move(mapping)},
          {"date_order", uses_dates ? boost::json::value(ingest::date_order_name(layout.date_order)) : nullptr},
          {"decimal_separator", layout.decimal_separator == ingest::DecimalSeparator::kComma ? "," : "."},
          {"rows", layout.rows},
          {"rows_failed", layout.rows_failed}};
}

boost::json::object to_json(const ingest::Preview& preview) {
  boost::json::array rows;
  for (const auto& row : preview.rows) {
    boost::json::array cells;
    for (const auto& c : row.cells) cells.emplace_back(c);
    boost::json::value record = nullptr;
    if (row.record) {
      const ingest::ParsedRecord& r = *row.record;
      boost::system::error_code ec;
      boost::json::value extra = boost::json::parse(r.extra_json.empty() ? "{}" : r.extra_json, ec);
      if (ec) extra = boost::json::object{};
      record = boost::json::object{
          {"external_id", r.external_id.empty() ? boost::json::value(nullptr) : boost::json::value(r.external_id)},
          {"transaction_date", r.date_days ? boost::json::value(format_iso_date(*r.date_days)) : nullptr},
          {"amount", format_minor_units(r.amount_minor, currency_scale(r.currency))},
          {"amount_minor", r.amount_minor},
          {"currency", r.currency},
          {"description", r.description},
          {"reference", r.reference},
          {"counterparty", r.counterparty},
          {"extra", std::move(extra)}};
    }
    boost::json::array errors;
    for (const auto& e : row.errors) {
      errors.push_back(to_json(store::FileRowError{static_cast<std::int64_t>(e.line), e.column, e.value, e.reason}));
    }
    rows.push_back(boost::json::object{
        {"line", row.line}, {"cells", std::move(cells)}, {"record", std::move(record)}, {"errors", std::move(errors)}});
  }
  return {{"layout", layout_to_json(preview.layout)}, {"rows", std::move(rows)}};
}

Status FileService::check_upload(const security::Actor& actor, const Uuid& data_source_id) {
  ASSIGN_OR_RETURN(std::optional<store::DataSourceScope> scope,
                   store::with_connection(db_, [&](store::Connection& conn) {
                     return store::FileRepository::data_source_scope(conn, data_source_id);
                   }));
  return require_reachable(actor, scope);
}

Result<store::StoredFile> FileService::upload(const security::Actor& actor, const Uuid& data_source_id,
                                              const IncomingFile& incoming, const RequestMeta& meta) {
  ASSIGN_OR_RETURN(std::optional<store::DataSourceScope> scope,
                   store::with_connection(db_, [&](store::Connection& conn) -> Result<std::optional<store::DataSourceScope>> {
                     ASSIGN_OR_RETURN(auto found, store::FileRepository::data_source_scope(conn, data_source_id));
                     if (found) {
                       ASSIGN_OR_RETURN(auto first, store::FileRepository::find_by_sha256(conn, data_source_id, incoming.sha256));
                       if (first && security::can_access_project(actor, found->owner_id)) return duplicate(*first);
                     }
                     return found;
                   }));
  RETURN_IF_ERROR(require_reachable(actor, scope));

  store::StoredFile file;
  file.id = Uuid::generate_v4();
  file.project_id = scope->project_id;
  file.data_source_id = data_source_id;
  file.filename = to_valid_utf8(incoming.filename, 255);
  file.content_type = to_valid_utf8(incoming.content_type, 255);
  file.sha256 = incoming.sha256;
  file.size_bytes = incoming.size_bytes;
  file.storage_key = "projects/" + file.project_id.to_string() + "/files/" + file.id.to_string();
  file.status = FileStatus::kUploaded;
  file.uploaded_by = actor.user_id;
  file.created_at = file.updated_at = now_utc();
  set_origin(file, meta);
  RETURN_IF_ERROR(blobs_.adopt(file.storage_key, incoming.path));
  auto stored = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::StoredFile> {
    RETURN_IF_ERROR(store::FileRepository::insert(conn, file));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, file.project_id, "file.upload", "file", file.id.to_string(),
                                  std::nullopt, boost::json::value(to_json(file))}));
    return file;
  });
  if (stored.ok()) {
    if (on_uploaded_) on_uploaded_();
    return stored;
  }
  (void)blobs_.remove(file.storage_key);  // nothing refers to it
  if (stored.error().code() == ErrorCode::kConflict) {
    // A concurrent identical upload won the unique index: answer as for any duplicate.
    auto first = store::with_connection(db_, [&](store::Connection& conn) {
      return store::FileRepository::find_by_sha256(conn, data_source_id, incoming.sha256);
    });
    if (first.ok() && *first) return duplicate(**first);
  }
  return stored;
}

Result<store::StoredFile> FileService::get(const security::Actor& actor, const Uuid& id) {
  return store::with_connection(db_, [&](store::Connection& conn) { return load_accessible(conn, actor, id); });
}

Result<PageResult<store::StoredFile>> FileService::list(const security::Actor& actor, const Uuid& project_id,
                                                               const std::optional<FileStatus>& status,
                                                               const PageRequest& page) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<PageResult<store::StoredFile>> {
        RETURN_IF_ERROR(require_project(conn, actor, project_id));
        return store::FileRepository::list_for_project(conn, project_id, status, page);
      });
}

Status FileService::remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta) {
  ASSIGN_OR_RETURN(store::StoredFile removed,
                   store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::StoredFile> {
                     ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
                     RETURN_IF_ERROR(store::FileRepository::remove(conn, id));
                     RETURN_IF_ERROR(record_audit(conn, meta,
                                                  {actor.user_id, file.project_id, "file.delete", "file",
                                                   file.id.to_string(), boost::json::value(to_json(file)),
                                                   std::nullopt}));
                     return file;
                   }));
  // After the commit: the row is gone, so the bytes may go. A failure here leaves an orphan blob, never
  // a row without its bytes.
  (void)blobs_.remove(removed.storage_key);
  if (on_project_data_changed_) on_project_data_changed_(removed.project_id);
  return OkStatus();
}

Result<PageResult<store::FileRowError>> FileService::row_errors(const security::Actor& actor, const Uuid& id,
                                                                      const PageRequest& page) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<PageResult<store::FileRowError>> {
    ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
    return store::FileRepository::list_row_errors(conn, file.id, page);
  });
}

Result<ingest::Preview> FileService::preview(const security::Actor& actor, const Uuid& id, std::size_t rows) {
  struct Loaded {
    store::StoredFile file;
    std::string mapping;
  };
  ASSIGN_OR_RETURN(Loaded loaded, store::with_connection(db_, [&](store::Connection& conn) -> Result<Loaded> {
                     ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
                     ASSIGN_OR_RETURN(auto source, store::DataSourceRepository::find_visible(conn, file.data_source_id));
                     if (!source) return Error::NotFound("file not found");
                     return Loaded{std::move(file), std::move(source->data_source.column_mapping)};
                   }));
  ingest::ParseSettings settings;
  ASSIGN_OR_RETURN(settings.mapping, ingest::column_mapping_from_text(loaded.mapping));
  ASSIGN_OR_RETURN(std::string path, blobs_.local_path(loaded.file.storage_key));
  auto preview = ingest::preview_file(path, loaded.file.filename, loaded.file.content_type, settings, rows);
  if (!preview.ok() && preview.error().code() != ErrorCode::kUnavailable) {
    // The file is not a table (or the mapping names a missing column): a problem with the input.
    Error error = preview.error();
    return Error(ErrorCode::kValidation, "the file cannot be previewed: " + error.message(),
                 error.field_errors());
  }
  return preview;
}

}  // namespace oeuvre::services
