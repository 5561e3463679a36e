#include "services/file_service.h"

#include "core/utf8.h"
#include "services/audit_trail.h"
#include "store/project_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

Error duplicate(const store::StoredFile& first) {
  return Error::Conflict("this file was already uploaded to this data source (file " + first.id.to_string() + ")")
      .with_member("file_id", first.id.to_string());
}

// The file, when the actor may reach its project; else 404.
Result<store::StoredFile> load_accessible(store::Connection& conn, const security::Actor& actor, const Uuid& id) {
  ASSIGN_OR_RETURN(std::optional<store::StoredFile> file, store::FileRepository::find(conn, id));
  if (!file) return Error::NotFound("file not found");
  ASSIGN_OR_RETURN(std::optional<store::Project> project, store::ProjectRepository::find_active(conn, file->project_id));
  if (!project) return Error::NotFound("file not found");
  RETURN_IF_ERROR(security::require_project_access(actor, project->owner_id, "file"));
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
          {"status", f.status},
          {"progress", f.progress},
          {"rows_ok", f.rows_ok},
          {"rows_failed", f.rows_failed},
          {"error", f.error ? boost::json::value(*f.error) : nullptr},
          {"uploaded_by", f.uploaded_by ? boost::json::value(f.uploaded_by->to_string()) : nullptr},
          {"created_at", format_timestamp(f.created_at)},
          {"updated_at", format_timestamp(f.updated_at)}};
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
  if (!scope) return Error::NotFound("data source not found");
  RETURN_IF_ERROR(security::require_project_access(actor, scope->owner_id, "data source"));

  store::StoredFile file;
  file.id = Uuid::generate_v4();
  file.project_id = scope->project_id;
  file.data_source_id = data_source_id;
  file.filename = to_valid_utf8(incoming.filename, 255);
  file.content_type = to_valid_utf8(incoming.content_type, 255);
  file.sha256 = incoming.sha256;
  file.size_bytes = incoming.size_bytes;
  file.storage_key = "projects/" + file.project_id.to_string() + "/files/" + file.id.to_string();
  file.status = "uploaded";
  file.uploaded_by = actor.user_id;
  file.created_at = file.updated_at = now_utc();
  RETURN_IF_ERROR(blobs_.adopt(file.storage_key, incoming.path));
  auto stored = store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::StoredFile> {
    RETURN_IF_ERROR(store::FileRepository::insert(conn, file));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, file.project_id, "file.upload", "file", file.id.to_string(),
                                  std::nullopt, boost::json::value(to_json(file))}));
    return file;
  });
  if (stored.ok()) return stored;
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

Result<store::PageResult<store::StoredFile>> FileService::list(const security::Actor& actor, const Uuid& project_id,
                                                               const std::optional<std::string>& status,
                                                               const store::PageRequest& page) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<store::PageResult<store::StoredFile>> {
    ASSIGN_OR_RETURN(std::optional<store::Project> project, store::ProjectRepository::find_active(conn, project_id));
    if (!project) return Error::NotFound("project not found");
    RETURN_IF_ERROR(security::require_project_access(actor, project->owner_id));
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
  return OkStatus();
}

}  // namespace oeuvre::services
