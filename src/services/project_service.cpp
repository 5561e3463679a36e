#include "services/project_service.h"

#include "services/audit_trail.h"
#include "services/project_access.h"
#include "services/views.h"
#include "store/project_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

Result<store::Project> ProjectService::create(const security::Actor& actor, std::string name,
                                              std::string description, const RequestMeta& meta) {
  store::Project project;
  project.id = Uuid::generate_v4();
  project.owner_id = actor.user_id;
  project.name = std::move(name);
  project.description = std::move(description);
  project.status = ProjectStatus::kActive;
  project.is_active = true;
  project.version = 1;
  project.created_at = project.updated_at = now_utc();
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Project> {
    RETURN_IF_ERROR(store::ProjectRepository::insert(conn, project));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, project.id, "project.create", "project", project.id.to_string(),
                                  std::nullopt, boost::json::value(to_json(project))}));
    return project;
  });
}

Result<store::Project> ProjectService::get(const security::Actor& actor, const Uuid& id) {
  return store::with_connection(
      db_, [&](store::Connection& conn) { return require_project(conn, actor, id); });
}

Result<PageResult<store::Project>> ProjectService::list(const security::Actor& actor,
                                                               const std::optional<Uuid>& owner_filter,
                                                               const std::optional<ProjectStatus>& status,
                                                               const PageRequest& page) {
  store::ProjectFilter filter;
  filter.status = status;
  if (actor.is_admin()) {
    filter.owner_id = owner_filter;
  } else {
    filter.owner_id = actor.user_id;  // a user lists only what they own, whatever they ask for
  }
  return store::with_connection(db_, [&](store::Connection& conn) {
    return store::ProjectRepository::list(conn, filter, page);
  });
}

Result<store::Project> ProjectService::update(const security::Actor& actor, const Uuid& id,
                                              const ProjectChanges& changes, const RequestMeta& meta) {
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Project> {
    ASSIGN_OR_RETURN(store::Project before, require_project(conn, actor, id));
    if (changes.expected_version && *changes.expected_version != before.version) {
      return Error::Conflict("the project is at version " + std::to_string(before.version) + ", not " +
                             std::to_string(*changes.expected_version) + "; reload it");
    }
    store::Project after = before;
    if (changes.name) after.name = *changes.name;
    if (changes.description) after.description = *changes.description;
    if (changes.status) after.status = *changes.status;
    if (after.name == before.name && after.description == before.description && after.status == before.status) {
      return before;  // nothing changes: no write, no new version, no audit row
    }
    after.version = before.version + 1;
    after.updated_at = now_utc();
    RETURN_IF_ERROR(store::ProjectRepository::update(conn, after));
    RETURN_IF_ERROR(record_audit(conn, meta,
                                 {actor.user_id, after.id, "project.update", "project", after.id.to_string(),
                                  boost::json::value(to_json(before)), boost::json::value(to_json(after))}));
    return after;
  });
}

Status ProjectService::remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta) {
  return store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(store::Project before, require_project(conn, actor, id));
    store::Project after = before;
    after.is_active = false;
    after.version = before.version + 1;
    after.updated_at = now_utc();
    RETURN_IF_ERROR(store::ProjectRepository::update(conn, after));
    return record_audit(conn, meta,
                        {actor.user_id, before.id, "project.delete", "project", before.id.to_string(),
                         boost::json::value(to_json(before)), std::nullopt});
  });
}

}  // namespace oeuvre::services
