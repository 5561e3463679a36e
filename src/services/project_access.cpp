#include "services/project_access.h"

#include "store/project_repository.h"

namespace oeuvre::services {

Result<store::Project> require_project(store::Connection& conn, const security::Actor& actor,
                                       const Uuid& project_id, const std::string& what) {
  ASSIGN_OR_RETURN(std::optional<store::Project> project,
                   store::ProjectRepository::find_active(conn, project_id));
  if (!project) return Error::NotFound(what + " not found");
  RETURN_IF_ERROR(security::require_project_access(actor, project->owner_id, what));
  return std::move(*project);
}

}  // namespace oeuvre::services
