#include "services/data_source_service.h"

#include "services/audit_trail.h"
#include "services/project_access.h"
#include "services/views.h"
#include "store/data_source_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

// Loads a visible data source the actor may access, else 404.
Result<store::DataSource> load_accessible(store::Connection& conn, const security::Actor& actor,
                                          const Uuid& id) {
  ASSIGN_OR_RETURN(std::optional<store::ScopedDataSource> found,
                   store::DataSourceRepository::find_visible(conn, id));
  if (!found) return Error::NotFound("data source not found");
  RETURN_IF_ERROR(security::require_project_access(actor, found->project_owner_id, "data source"));
  return std::move(found->data_source);
}

// The stored mapping as JSON, for comparing two mappings whatever the backend did to the spacing.
boost::json::value mapping_value(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return boost::json::value(text);
  return v;
}

}  // namespace

Result<store::DataSource> DataSourceService::create(const security::Actor& actor,
                                                    const Uuid& project_id, NewDataSource source,
                                                    const RequestMeta& meta) {
  store::DataSource ds;
  ds.id = Uuid::generate_v4();
  ds.project_id = project_id;
  ds.name = std::move(source.name);
  ds.kind = std::move(source.kind);
  ds.column_mapping = ingest::serialize_column_mapping(source.column_mapping);
  ds.status = DataSourceStatus::kActive;
  ds.is_active = true;
  ds.version = 1;
  ds.created_at = ds.updated_at = now_utc();
  auto created =
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::DataSource> {
        RETURN_IF_ERROR(require_project(conn, actor, project_id));
        RETURN_IF_ERROR(store::DataSourceRepository::insert(conn, ds));
        RETURN_IF_ERROR(
            record_audit(conn, meta,
                         {actor.user_id, ds.project_id, "data_source.create", "data_source",
                          ds.id.to_string(), std::nullopt, boost::json::value(to_json(ds))}));
        return ds;
      });
  if (created.ok()) reads_.data_source_changed(created->id, created->project_id);
  return created;
}

Result<store::DataSource> DataSourceService::get(const security::Actor& actor, const Uuid& id) {
  return reads_.accessible_data_source(actor, id);
}

Result<PageResult<store::DataSource>> DataSourceService::list(
    const security::Actor& actor, const Uuid& project_id, const std::optional<std::string>& kind,
    const PageRequest& page) {
  store::DataSourceFilter filter{project_id, kind};
  RETURN_IF_ERROR(reads_.require_project(actor, project_id));
  return reads_.data_source_page(filter, page);
}

Result<store::DataSource> DataSourceService::update(const security::Actor& actor, const Uuid& id,
                                                    const DataSourceChanges& changes,
                                                    const RequestMeta& meta) {
  auto updated =
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::DataSource> {
        ASSIGN_OR_RETURN(store::DataSource before, load_accessible(conn, actor, id));
        if (changes.expected_version && *changes.expected_version != before.version) {
          return Error::Conflict("the data source is at version " + std::to_string(before.version) +
                                 ", not " + std::to_string(*changes.expected_version) +
                                 "; reload it");
        }
        store::DataSource after = before;
        if (changes.name) after.name = *changes.name;
        if (changes.kind) after.kind = *changes.kind;
        if (changes.is_active) after.is_active = *changes.is_active;
        bool mapping_changed = false;
        if (changes.column_mapping) {
          boost::json::value wanted = ingest::to_json(*changes.column_mapping);
          mapping_changed = wanted != mapping_value(before.column_mapping);
          if (mapping_changed) after.column_mapping = boost::json::serialize(wanted);
        }
        if (!mapping_changed && after.name == before.name && after.kind == before.kind &&
            after.is_active == before.is_active) {
          return before;  // nothing changes: no write, no new version, no audit row
        }
        after.version = before.version + 1;
        after.updated_at = now_utc();
        RETURN_IF_ERROR(store::DataSourceRepository::update(conn, after));
        RETURN_IF_ERROR(
            record_audit(conn, meta,
                         {actor.user_id, after.project_id, "data_source.update", "data_source",
                          after.id.to_string(), boost::json::value(to_json(before)),
                          boost::json::value(to_json(after))}));
        return after;
      });
  if (updated.ok()) reads_.data_source_changed(updated->id, updated->project_id);
  return updated;
}

Status DataSourceService::remove(const security::Actor& actor, const Uuid& id,
                                 const RequestMeta& meta) {
  std::optional<Uuid> project_id;
  Status removed = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(store::DataSource before, load_accessible(conn, actor, id));
    project_id = before.project_id;
    store::DataSource after = before;
    after.status = DataSourceStatus::kDeleted;
    after.is_active = false;
    after.version = before.version + 1;
    after.updated_at = now_utc();
    RETURN_IF_ERROR(store::DataSourceRepository::update(conn, after));
    return record_audit(conn, meta,
                        {actor.user_id, before.project_id, "data_source.delete", "data_source",
                         before.id.to_string(), boost::json::value(to_json(before)), std::nullopt});
  });
  if (removed.ok() && project_id) reads_.data_source_changed(id, *project_id);
  return removed;
}

}  // namespace oeuvre::services
